"""The money reports at a cut: the budget position "as at" a business date or "as known at" a
log position, like the row read models (ADR 0023).

The payment ledger keeps a line per money event with its position and business date, so its cut
is a WHERE clause (`LedgerFilter.known_at`, `.as_at`). The budget position is a fold of the
commitments' events and the bank's events on the entitlements they fund, with no history: its
cut is a replay of those events alone. They are chosen by topic in the event store's own query,
so the replay decodes a few thousand money events, not the whole log (`log_events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from domain.entitlement import Entitlement
from domain.funding import FundingCommitment
from projections.base import Row
from projections.budget_position import BANK_EVENTS, COMMITMENT_EVENTS, BudgetState, fold_budget
from projections.tables import budget_position, payment_ledger
from service.commands.application import ProgrammeApplication
from service.queries.read_models import LedgerFilter, Page, page_of
from service.queries.time_travel import Cut, log_events
from service.system import Jejak


def budget_at(
    app: ProgrammeApplication,
    cut: Cut,
    *,
    fiscal_year: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Row]:
    """One page of the budget lines at `cut`, in the live list's order (fiscal year, source,
    budget line), optionally one fiscal year's."""
    topics = topics_of((FundingCommitment, Entitlement), COMMITMENT_EVENTS | BANK_EVENTS)
    state = BudgetState()
    for event in log_events(app, cut.known_at, topics):
        if cut.keeps(event):
            fold_budget(state, event)
    columns = budget_position.c.keys()
    rows = [
        {name: row.get(name) for name in columns}
        for row in state.budgets.values()
        if fiscal_year is None or row["fiscal_year"] == fiscal_year
    ]
    rows.sort(key=lambda r: (r["fiscal_year"], r["source"], r["budget_line"]))
    end = None if limit is None else offset + limit
    return Page(rows[offset:end], len(rows), limit or len(rows), offset)


def money_report_at(
    jejak: Jejak,
    name: str,
    cut: Cut,
    where: Mapping[str, str],
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Row] | None:
    """One page of payment_ledger or budget_position at `cut` (None for another name), for the
    command line's `jejak read-model`. The ledger takes a site; the budget takes no filter."""
    if name == payment_ledger.name:
        site = where.get("site_id")
        filters = LedgerFilter(
            site_id=UUID(site) if site else None, known_at=cut.known_at, as_at=cut.as_at
        )
        if limit is not None:
            return page_of(jejak.engine, filters.query(), limit, offset)
        with jejak.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(filters.query().offset(offset)).mappings()]
        return Page(rows, offset + len(rows), len(rows), offset)
    if name == budget_position.name:
        if where:
            raise KeyError(f"{name} has no column {sorted(where)[0]}")
        return budget_at(jejak.app, cut, limit=limit, offset=offset)
    return None


def topics_of(aggregates: Iterable[type], names: Iterable[str]) -> list[str]:
    """The stored topics of the events called `names` on `aggregates` (inherited ones too)."""
    wanted = set(names)
    found = {
        get_topic(member)
        for aggregate in aggregates
        for name in dir(aggregate)
        if name in wanted
        and isinstance(member := getattr(aggregate, name), type)
        and issubclass(member, DomainEvent)
    }
    return sorted(found)
