"""Who, when and on what document: the provenance every command records, and today's business
date in the programme's time zone (WITA). Shared by the API, the pages, the command line and the
command handlers, so none of them reaches into another's room for it. Also the code version a
published report or a restatement records."""

from __future__ import annotations

import os
from datetime import date, datetime
from importlib import metadata
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.recording import Actor, DocumentRef, Provenance, Role

WITA = ZoneInfo("Asia/Makassar")
COMMIT_VARIABLE = "JEJAK_GIT_COMMIT"


def today_wita() -> date:
    """Today's business date in Kalimantan (WITA, UTC+8)."""
    return datetime.now(WITA).date()


class Account(Protocol):
    """A signed-in account, as a command's provenance names it (`service.security.accounts`,
    which records its grants dated by `today_wita`, so it is not imported here)."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def org_unit(self) -> str: ...


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


def code_version() -> tuple[str, str]:
    """The installed version of Jejak and the commit it was built from, or "unknown"."""
    try:
        version = metadata.version("jejak")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return version, os.environ.get(COMMIT_VARIABLE, "").strip() or "unknown"
