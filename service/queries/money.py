"""Money: the payment ledger, the budget position and the entitlements, now and at a cut.

At a cut ("as at" a business date or "as known at" a log position, like the row read models, ADR
0023): the payment ledger keeps a line per money event with its position and business date, so
its cut is a WHERE clause (`LedgerFilter.known_at`, `.as_at`). The budget position is a fold of
the commitments' events and the bank's events on the entitlements they fund, with no history:
its cut is a replay of those events alone. They are chosen by topic in the event store's own
query, so the replay decodes a few thousand money events, not the whole log (`log_events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Engine, Select, Subquery, Table, case, cast, func, select

from domain.funding import FundingCommitment
from domain.units import Scope
from projections.budget_position import (
    BANK_EVENTS,
    COMMITMENT_EVENTS,
    BudgetState,
    budget_position,
    fold_budget,
)
from projections.entitlement_status import entitlement_status
from projections.payment_ledger import DIMENSIONS, payment_ledger
from service.errors import NotFound
from service.queries.beneficiaries import BeneficiaryQueries
from service.queries.paging import Page, Row, page_of
from service.queries.time_travel import Cut
from service.security.accounts import Account
from service.security.scope import require_programme_wide, scoped_to_cases
from service.store.event_log import EventLog, log_events, topics_of, topics_of_classes
from service.system import Jejak


@dataclass(frozen=True)
class LedgerFilter:
    """Which payment_ledger rows a question is about; None matches every row.

    The date range is inclusive and compares business dates (`occurred_on`), the dates on the
    papers, not the moments the events were recorded. `known_at` and `as_at` cut the ledger as
    the time-travel reports do (ADR 0023): the lines recorded up to a log position, the lines
    dated up to a business date, or both.
    """

    beneficiary_id: UUID | None = None
    site_id: UUID | None = None
    component: str | None = None
    fiscal_year: int | None = None
    source: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    known_at: int | None = None
    as_at: date | None = None

    def query(self) -> Select[Any]:
        """The selected rows in log order."""
        ledger = self._cut()
        c = ledger.c
        query = select(*ledger.c).order_by(c.position)
        for column, value in (
            (c.beneficiary_id, self.beneficiary_id),
            (c.site_id, self.site_id),
            (c.component, self.component),
            (c.fiscal_year, self.fiscal_year),
            (c.source, self.source),
        ):
            if value is not None:
                query = query.where(column == (str(value) if isinstance(value, UUID) else value))
        if self.occurred_from is not None:
            query = query.where(c.occurred_on >= self.occurred_from)
        if self.occurred_to is not None:
            query = query.where(c.occurred_on <= self.occurred_to)
        return query

    def _cut(self) -> Table | Subquery:
        """The ledger lines at the cut, with their running totals as they stood there.

        A line's stored totals count every line before it in log order, so the lines known at
        a position keep theirs. A date cut leaves out lines dated later that were recorded
        before, so its totals are summed again over the lines the cut keeps, in log order,
        before the other filters narrow the rows (a site's lines still carry the programme's
        running total per component).
        """
        c = payment_ledger.c
        if self.as_at is None:
            if self.known_at is None:
                return payment_ledger
            return select(payment_ledger).where(c.position <= self.known_at).subquery()
        totals = {f"paid_total_{dimension}": c[key] for dimension, key in DIMENSIONS}
        columns = [
            column
            if column.name not in totals
            else case(
                (totals[column.name].is_(None), None),
                # PostgreSQL sums a BIGINT as NUMERIC; rupiah stay whole integers.
                else_=cast(
                    func.sum(c.paid_effect).over(
                        partition_by=totals[column.name], order_by=c.position
                    ),
                    BigInteger,
                ),
            ).label(column.name)
            for column in payment_ledger.c
        ]
        cut = select(*columns).where(c.occurred_on <= self.as_at)
        if self.known_at is not None:
            cut = cut.where(c.position <= self.known_at)
        return cut.subquery()


class MoneyQueries:
    """The money read models: payment_ledger, budget_position and entitlement_status."""

    def __init__(self, engine: Engine, beneficiaries: BeneficiaryQueries, scope: Scope) -> None:
        self.engine = engine
        self.beneficiaries = beneficiaries
        self.scope = scope

    # The money read models hold ids, case numbers, amounts and references, never personal
    # data (bank accounts and payee names stay sealed in the events), so every role reads them
    # as they are; a person's name is revealed or masked where it is shown alongside.

    def ledger(self, filters: LedgerFilter, *, limit: int, offset: int) -> Page[Row]:
        """Every money event of every entitlement in log order, with running totals."""
        require_programme_wide(self.scope, "Ledger")
        return page_of(self.engine, filters.query(), limit, offset)

    def payments_of(
        self,
        viewer: Account,
        beneficiary_id: UUID,
        *,
        limit: int,
        offset: int,
        known_at: int | None = None,
        as_at: date | None = None,
    ) -> dict[str, Any]:
        """Her full payment history: her ledger rows in order, with who, when, on what
        document, the bank's reference and her running total; her name by the viewer's role.
        At a time-travel cut (`LedgerFilter`), the rows and running totals as they stood."""
        # Her case, if the viewer's scope holds it (NotFound otherwise): her own rows follow.
        person = self.beneficiaries.one(viewer, beneficiary_id)
        filters = LedgerFilter(beneficiary_id=beneficiary_id, known_at=known_at, as_at=as_at)
        page = page_of(self.engine, filters.query(), limit, offset)
        return {
            "beneficiary_id": str(beneficiary_id),
            "case_number": person["case_number"],
            "name": person["name"],
            "items": page.items,
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
        }

    def budget(self, *, fiscal_year: int | None, limit: int, offset: int) -> Page[Row]:
        """Each funding commitment: committed, allocated, ordered, credited, returned, lapsed."""
        require_programme_wide(self.scope, "Budget")
        c = budget_position.c
        query = select(budget_position).order_by(c.fiscal_year, c.source, c.budget_line)
        if fiscal_year is not None:
            query = query.where(c.fiscal_year == fiscal_year)
        return page_of(self.engine, query, limit, offset)

    def decrees(self) -> list[Row]:
        """Each decree (SK) with how many lines it plans, their amount and what of it was
        credited, in decree-number order: the programme's, as the budget is. (PostgreSQL
        sums a BIGINT as NUMERIC; rupiah stay whole integers.)"""
        require_programme_wide(self.scope, "Decrees")
        c = entitlement_status.c
        query = (
            select(
                c.decree_id,
                c.decree_number,
                func.count().label("lines"),
                cast(func.sum(c.amount), BigInteger).label("amount"),
                cast(func.sum(c.credited_amount), BigInteger).label("credited"),
                cast(func.sum(c.returned_amount), BigInteger).label("returned"),
            )
            .group_by(c.decree_id, c.decree_number)
            .order_by(c.decree_number)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def entitlements(
        self,
        *,
        state: str | None = None,
        site_id: UUID | None = None,
        beneficiary_id: UUID | None = None,
        batch_id: UUID | None = None,
        correction_pending: bool = False,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Entitlements in case-number, component and tranche order; with
        `correction_pending`, only those whose money correction awaits a second supervisor."""
        c = entitlement_status.c
        # A unit sees the entitlements of the cases it holds (ADR 0044).
        query = scoped_to_cases(
            select(entitlement_status).order_by(
                c.case_number, c.decree_number, c.component, c.tranche, c.entitlement_id
            ),
            self.scope,
            c.subject_id,
        )
        if state:
            query = query.where(c.state == state)
        if correction_pending:
            query = query.where(c.correction_requested_by.is_not(None))
        for column, ident in (
            (c.site_id, site_id),
            (c.subject_id, beneficiary_id),
            (c.batch_id, batch_id),
        ):
            if ident is not None:
                query = query.where(column == str(ident))
        return page_of(self.engine, query, limit, offset)

    def entitlement(self, entitlement_id: UUID) -> dict[str, Any]:
        """One entitlement's status."""
        c = entitlement_status.c
        query = scoped_to_cases(
            select(entitlement_status).where(c.entitlement_id == str(entitlement_id)),
            self.scope,
            c.subject_id,
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        if not rows:
            raise NotFound("Entitlement", entitlement_id)
        return rows[0]


def budget_at(
    app: EventLog,
    cut: Cut,
    *,
    fiscal_year: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Row]:
    """One page of the budget lines at `cut`, in the live list's order (fiscal year, source,
    budget line), optionally one fiscal year's."""
    topics = topics_of([FundingCommitment], COMMITMENT_EVENTS) + topics_of_classes(BANK_EVENTS)
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
