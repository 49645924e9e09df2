"""The worklist: open work with its next action and due date (the worklist read model)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, select

from domain.units import Scope
from projections.beneficiary_status import beneficiary_status
from projections.custody import case_units
from projections.entitlement_status import entitlement_status
from projections.worklist import worklist
from service.queries.paging import Page, Row, page_of
from service.security.scope import cases_in, scoped_to_cases, sites_in


class WorklistQueries:
    """The work due, from worklist."""

    def __init__(self, engine: Engine, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope

    def list(
        self,
        *,
        as_of: date,
        overdue_only: bool,
        site_id: UUID | None,
        kind: str | None,
        limit: int,
        offset: int,
        state: str | None = None,
        due_from: date | None = None,
        due_until: date | None = None,
    ) -> Page[Row]:
        """Open cases with their next action and due date, most urgent first; optionally
        only those in `state` or due between `due_from` and `due_until` (both included).
        An entitlement's row carries the case number of the woman it is owed to."""
        c = worklist.c
        e = entitlement_status.c
        # Rows without a next action (an order awaiting the bank) are the worklist's memory,
        # not work: the batch's row carries the wait for the bank.
        query = (
            select(worklist, e.case_number)
            .join_from(worklist, entitlement_status, e.entitlement_id == c.subject_id, isouter=True)
            .where(c.next_action.is_not(None))
            .order_by(c.due_on.is_(None), c.due_on, c.label)
        )
        query = self._scoped(query)
        if overdue_only:
            query = query.where(c.due_on < as_of)
        if site_id:
            query = query.where(c.site_id == str(site_id))
        if kind:
            query = query.where(c.subject_kind == kind)
        if state:
            query = query.where(c.state == state)
        if due_from:
            query = query.where(c.due_on >= due_from)
        if due_until:
            query = query.where(c.due_on <= due_until)
        page = page_of(self.engine, query, limit, offset)
        self._present(page.items, as_of)
        for item in page.items:
            item.pop("milestones")
            item.pop("milestone_versions")
        return page

    def cases_at_site(self, site_id: UUID, *, as_of: date, limit: int, offset: int) -> Page[Row]:
        """The cases of one site the scope holds, in case-number order, each with its state
        and, where it has one, its next action and due date; no personal data."""
        b, w = beneficiary_status.c, worklist.c
        query = scoped_to_cases(
            select(
                b.beneficiary_id.label("subject_id"),
                b.case_number,
                b.state,
                w.next_action,
                w.due_on,
            )
            .join_from(beneficiary_status, worklist, w.subject_id == b.beneficiary_id, isouter=True)
            .where(b.site_id == str(site_id))
            .order_by(b.case_number),
            self.scope,
            b.beneficiary_id,
        )
        page = page_of(self.engine, query, limit, offset)
        self._present(page.items, as_of)
        return page

    def next_step_of(self, subject_id: UUID, *, as_of: date) -> Row | None:
        """The next action and due date of one site or case, as the worklist shows it; None
        when it has none (or the scope does not hold it)."""
        c = worklist.c
        query = select(c.subject_id, c.next_action, c.due_on, c.deadline).where(
            c.subject_id == str(subject_id), c.next_action.is_not(None)
        )
        if not self.scope.everything:
            query = query.where(
                sites_in(self.scope, c.subject_id) | cases_in(self.scope, c.subject_id)
            )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        self._present(rows, as_of)
        return rows[0] if rows else None

    def _present(self, items: Sequence[Row], as_of: date) -> None:
        """Each item's next action as this viewer's unit meets it, and how overdue it is."""
        awaiting = self._awaiting_acceptance([i["subject_id"] for i in items])
        for item in items:
            if item["subject_id"] in awaiting:
                # Her case waits for this unit to accept it before anything else it does.
                item["next_action"] = "accept_hand_over"
            item["overdue"] = item["due_on"] is not None and item["due_on"] < as_of
            item["days_overdue"] = (as_of - item["due_on"]).days if item["overdue"] else 0

    def states(self) -> Sequence[tuple[str, str]]:
        """The (subject kind, state) pairs of the open work the viewer sees, for a filter."""
        c = worklist.c
        query = self._scoped(
            select(c.subject_kind, c.state)
            .where(c.next_action.is_not(None))
            .distinct()
            .order_by(c.subject_kind, c.state)
        )
        with self.engine.connect() as conn:
            return [(str(kind), str(state)) for kind, state in conn.execute(query)]

    def _scoped(self, query: Select[Any]) -> Select[Any]:
        if self.scope.everything:
            return query
        c = worklist.c
        # A unit's work is its sites' and its cases'; a batch's wait for the bank is the
        # programme's.
        return query.where(
            ((c.subject_kind == "site") & sites_in(self.scope, c.subject_id))
            | ((c.subject_kind == "beneficiary") & cases_in(self.scope, c.subject_id))
        )

    def _awaiting_acceptance(self, subject_ids: Sequence[str]) -> frozenset[str]:
        """The cases among `subject_ids` whose hand-over awaits a unit of the viewer's."""
        if self.scope.everything or not subject_ids:
            return frozenset()
        c = case_units.c
        query = select(c.beneficiary_id).where(
            c.beneficiary_id.in_(subject_ids), c.incoming_unit.in_(self.scope.units)
        )
        with self.engine.connect() as conn:
            return frozenset(conn.execute(query).scalars())
