"""Payment batches as the supervisors' pages list them: each by its own number, with its state,
lines, total, who prepared and who approved it, and what the bank answered.

Batches are few (a handful a year, each of up to tens of thousands of lines), so the list is a
fold of the batches' own events, chosen by topic in the event store's query, not a table of
its own: the events carry the counts and totals, never the lines' ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from uuid import UUID

from sqlalchemy import Engine, select

from domain.money_lifecycles import BATCH_LIFECYCLE
from domain.payment_batch import PaymentBatch
from domain.units import Scope
from projections.base import Row
from projections.entitlement_status import entitlement_status
from service.errors import NotFound
from service.security.scope import require_programme_wide
from service.store.event_log import EventLog, log_events, topics_of

# Ids asked for in one IN (...) list.
CHUNK: Final = 500
# The state each batch event leaves a batch in; an event naming no new state keeps it.
STATE_AFTER: Final = {
    t.event: t.target for t in BATCH_LIFECYCLE.transitions if t.target is not None
}


@dataclass
class BatchSummary:
    """One batch as its events tell it."""

    batch_id: UUID
    number: str
    state: str
    channel: str
    lines: int
    total: int
    prepared_by: str
    prepared_role: str
    prepared_unit: str
    prepared_on: date
    prepared_at: datetime
    approved_by: str | None = None
    approved_on: date | None = None
    exported: int = 0
    credited: int = 0
    failed: int = 0

    @property
    def year(self) -> int:
        """The year it was prepared in (its business date)."""
        return self.prepared_on.year


def batches(log: EventLog, scope: Scope) -> list[BatchSummary]:
    """Every batch, newest first; programme-wide, as the money read models are (ADR 0044)."""
    require_programme_wide(scope, "Payment batches")
    found: dict[UUID, BatchSummary] = {}
    topics = topics_of([PaymentBatch], BATCH_LIFECYCLE.event_names)
    for positioned in log_events(log, None, topics):
        event = positioned.event
        if isinstance(event, PaymentBatch.BatchCreated):
            found[event.originator_id] = BatchSummary(
                batch_id=event.originator_id,
                number=event.batch_number,
                state=STATE_AFTER[positioned.name],
                channel=str(event.channel),
                lines=len(event.lines),
                total=event.total,
                prepared_by=event.actor.user_id,
                prepared_role=str(event.actor.role),
                prepared_unit=event.actor.org_unit,
                prepared_on=event.occurred_on,
                prepared_at=event.timestamp,
            )
            continue
        batch = found.get(event.originator_id)
        if batch is None:
            continue
        batch.state = STATE_AFTER.get(positioned.name, batch.state)
        if isinstance(event, PaymentBatch.BatchApproved):
            batch.approved_by, batch.approved_on = event.actor.user_id, event.occurred_on
        elif isinstance(event, PaymentBatch.TransferFileExported):
            batch.exported += 1
        elif isinstance(event, PaymentBatch.BankResultImported):
            batch.credited += event.credited
            batch.failed += event.failed
    return sorted(found.values(), key=lambda b: (b.prepared_on, b.number), reverse=True)


def batch_numbered(log: EventLog, scope: Scope, number: str) -> BatchSummary:
    """The batch whose number is `number`; NotFound when there is none."""
    wanted = PaymentBatch.create_id(number)
    found = next((b for b in batches(log, scope) if b.batch_id == wanted), None)
    if found is None:
        raise NotFound("Payment batch", number)
    return found


def entitlement_rows(engine: Engine, ids: Sequence[str]) -> dict[str, Row]:
    """The entitlement_status rows of `ids`, by id, read a few hundred at a time."""
    c = entitlement_status.c
    rows: dict[str, Row] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), CHUNK):
            query = select(entitlement_status).where(
                c.entitlement_id.in_(ids[start : start + CHUNK])
            )
            rows |= {str(r["entitlement_id"]): dict(r) for r in conn.execute(query).mappings()}
    return rows
