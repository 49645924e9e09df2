"""Who, when and on what document: the provenance every command records, and today's business
date in the programme's time zone (WITA). Shared by the API, the pages, the command line and the
command handlers, so none of them reaches into another's room for it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.recording import Actor, DocumentRef, Provenance
from service.security.accounts import Account

WITA = ZoneInfo("Asia/Makassar")


def today_wita() -> date:
    """Today's business date in Kalimantan (WITA, UTC+8)."""
    return datetime.now(WITA).date()


def actor_of(user: Account) -> Actor:
    """The actor an event records for this user."""
    return Actor(user_id=user.username, role=user.role, org_unit=user.org_unit)


def provenance(
    user: Account, occurred_on: date, document: DocumentRef | None, reason: str | None
) -> Provenance:
    """The provenance of a command issued by `user`."""
    return Provenance(
        actor=actor_of(user), occurred_on=occurred_on, document=document, reason=reason
    )
