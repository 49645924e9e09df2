"""breach_register: which personal-data breaches are open, what was exposed, and is the
3x24-hour notification clock still running, stopped in time, or run out?

One row per breach. Times are kept as ISO text in UTC (`2024-12-02T01:15:00+00:00`): the clock
is counted in hours, both stores keep the text alike, and it sorts as time does. Whether the
clock has run out is a question of the moment, answered by the queries; whether the notices
came in time is a fact, kept once the notification is complete.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

from domain.privacy.breach import Breach, NoticeRecipient
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE, NOTIFICATION_WINDOW
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

breach_register = Table(
    "breach_register",
    metadata,
    Column("breach_id", String(36), primary_key=True),
    Column("number", String(40), nullable=False, index=True, unique=True),
    Column("state", String(32), nullable=False, index=True),
    Column("discovered_at", String(32), nullable=False),
    # discovered_at + 3x24 hours: when the notices to the subjects and the agency are due.
    Column("due_at", String(32), nullable=False, index=True),
    Column("happened_from", Date, nullable=False),
    Column("happened_to", Date),
    Column("channel", String(32), nullable=False),
    # JSON lists: the categories of data exposed, the ids of the cases affected.
    Column("categories", Text, nullable=False),
    Column("beneficiary_ids", Text, nullable=False),
    Column("estimated_count", Integer),
    # The cases listed, or the estimate while they are not.
    Column("affected_count", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("confirmed_on", Date),
    Column("dismissed_on", Date),
    Column("dismissal_reason", Text),
    # JSON lists of the remediations ({on, summary, by}) and the notices sent ({recipient,
    # channel, sent_at, cases, to_all, document_number, on, by}), in order.
    Column("remediations", Text, nullable=False),
    Column("notices", Text, nullable=False),
    Column("subjects_notified", Integer, nullable=False),
    Column("all_subjects_notified", Boolean, nullable=False),
    Column("agency_notified_at", String(32)),
    Column("public_notified_at", String(32)),
    # Set when the last notice owed was sent: the clock stopped.
    Column("notified_at", String(32)),
    Column("notified_in_time", Boolean),
    Column("closed_on", Date),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""The register of personal-data breaches and their notification (UU PDP Pasal 46)."""

BREACH_EVENTS = frozenset(t.event for t in BREACH_LIFECYCLE.transitions)


def utc_text(moment: datetime) -> str:
    """An aware time as the register keeps it."""
    return moment.astimezone(UTC).isoformat()


class BreachRegister(RowProjection):
    """One row per breach, folded from its events."""

    name = "breach_register"
    table = breach_register
    tables = (breach_register,)
    key_column = "breach_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in BREACH_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Breach.SuspectedBreachRecorded):
            row = _recorded(e)
        elif row is None:
            return None  # a step dated before the breach was recorded: none yet at that cut
        else:
            row = dict(row)
        row["state"] = BREACH_LIFECYCLE.folded_target(event.name, row.get("state"))
        match e:
            case Breach.BreachConfirmed():
                row["confirmed_on"] = e.occurred_on
                _scope(row, e.categories, e.beneficiary_ids, e.estimated_count)
            case Breach.BreachDismissed():
                row["dismissed_on"] = e.occurred_on
                row["dismissal_reason"] = e.reason
            case Breach.RemediationRecorded():
                row["remediations"] = _appended(
                    row["remediations"],
                    {"on": e.occurred_on.isoformat(), "summary": e.summary, "by": e.actor.user_id},
                )
            case Breach.NoticeSent():
                _notice(row, e)
            case Breach.NotificationCompleted():
                row["notified_at"] = utc_text(e.notified_at)
                row["notified_in_time"] = row["notified_at"] <= row["due_at"]
            case Breach.BreachClosed():
                row["closed_on"] = e.occurred_on
        row["version"] = e.originator_version
        return stamp(row, event)


def _recorded(e: Breach.SuspectedBreachRecorded) -> Row:
    row: Row = {
        "breach_id": str(e.originator_id),
        "number": e.number,
        "state": None,
        "discovered_at": utc_text(e.discovered_at),
        "due_at": utc_text(e.discovered_at + NOTIFICATION_WINDOW),
        "happened_from": e.happened_from,
        "happened_to": e.happened_to,
        "channel": e.channel,
        "description": e.description,
        "recorded_on": e.occurred_on,
        "recorded_by": e.actor.user_id,
        "confirmed_on": None,
        "dismissed_on": None,
        "dismissal_reason": None,
        "remediations": "[]",
        "notices": "[]",
        "subjects_notified": 0,
        "all_subjects_notified": False,
        "agency_notified_at": None,
        "public_notified_at": None,
        "notified_at": None,
        "notified_in_time": None,
        "closed_on": None,
    }
    _scope(row, e.categories, e.beneficiary_ids, e.estimated_count)
    return row


def _scope(
    row: Row, categories: Iterable[str], ids: Iterable[UUID], estimated_count: int | None
) -> None:
    listed = [str(i) for i in ids]
    row["categories"] = json.dumps(list(categories))
    row["beneficiary_ids"] = json.dumps(listed)
    row["estimated_count"] = estimated_count
    row["affected_count"] = len(listed) or estimated_count or 0


def _notice(row: Row, e: Breach.NoticeSent) -> None:
    sent_at = utc_text(e.sent_at)
    cases = [str(i) for i in e.beneficiary_ids]
    row["notices"] = _appended(
        row["notices"],
        {
            "recipient": e.recipient,
            "channel": e.channel,
            "sent_at": sent_at,
            "cases": cases,
            "to_all": e.to_all_subjects,
            "document_number": e.document.number if e.document else None,
            "on": e.occurred_on.isoformat(),
            "by": e.actor.user_id,
        },
    )
    if e.recipient == NoticeRecipient.SUBJECT:
        notified = {c for n in json.loads(row["notices"]) for c in n["cases"]}
        row["subjects_notified"] = len(notified & set(json.loads(row["beneficiary_ids"])))
        row["all_subjects_notified"] = row["all_subjects_notified"] or e.to_all_subjects
    elif e.recipient == NoticeRecipient.AGENCY:
        row["agency_notified_at"] = row["agency_notified_at"] or sent_at
    else:
        row["public_notified_at"] = row["public_notified_at"] or sent_at


def _appended(stored: str, item: dict[str, Any]) -> str:
    return json.dumps([*json.loads(stored), item])
