"""The timeline a site's and a case's pages share: what happened, who did it (name, role,
unit), on which business date, when it was recorded, and on what document.

It reads the aggregate's history through the viewer's scope (`Histories.of`, the question
`GET /api/.../history` answers). An event's facts hold her personal data, sealed; the timeline
shows none of them, only the event's name, its metadata and, for a reveal of her data, which
fields were shown and why (never a value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.web.names import StaffNames


@dataclass(frozen=True)
class TimelineDocument:
    """The paper an event cites."""

    kind: str
    number: str
    issued_on: date
    issuer: str


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline. `event` and `aggregate` name it in the catalogue
    (`event.<aggregate>.<event>`); `fields` and `reason` are a reveal's."""

    event: str
    aggregate: str
    who: str | None
    role: str | None
    unit: str | None
    occurred_on: date | None
    recorded_at: datetime
    document: TimelineDocument | None
    corrected: bool
    fields: tuple[str, ...] = ()
    reason: str | None = None


def timeline(
    reads: ReadModels, names: StaffNames, viewer: Account, aggregate_id: UUID, aggregate: str
) -> list[TimelineEntry]:
    """The events of the site or case `aggregate_id` (of the `aggregate` lifecycle), oldest
    first, with the reveals of her data among them; NotFound outside the viewer's scope."""
    return [_entry(item, aggregate, names) for item in reads.history.of(viewer, aggregate_id)]


def _entry(item: dict[str, Any], aggregate: str, names: StaffNames) -> TimelineEntry:
    actor = item.get("actor") or {}
    user = actor.get("user_id")
    document = item.get("document")
    revealed = item["event"] == "PersonalDataRevealed"
    return TimelineEntry(
        event=item["event"],
        aggregate=aggregate,
        who=names.person(user) if user else None,
        role=actor.get("role"),
        # A reveal's actor is an account of the access log, which names no unit.
        unit=names.unit(actor.get("org_unit")),
        occurred_on=item.get("occurred_on"),
        recorded_at=item["recorded_at"],
        document=_document(document) if document else None,
        corrected=bool(item.get("corrections")),
        # Only a reveal's facts are shown: which fields, never a value; an event's facts may
        # hold her data, sealed or not, and stay off the page.
        fields=tuple(item["facts"]["fields"]) if revealed else (),
        reason=item.get("reason") if revealed else None,
    )


def _document(document: dict[str, Any]) -> TimelineDocument:
    return TimelineDocument(
        kind=document["kind"],
        number=document["number"],
        issued_on=document["issued_on"],
        issuer=document["issuer"],
    )
