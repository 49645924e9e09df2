"""Queries over the read models, with personal data revealed or masked by role and logged.

Current-state questions read the read-model tables only; the event store is read for a single
aggregate's history, which is its own question ("what happened to this case, and who did it?").
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Engine, Select, Subquery, Table, case, cast, func, select

from domain.access import (
    ALL_CATEGORIES,
    categories_of_document,
    category_of_sealed,
    sees_all_in_clear,
    sees_in_clear,
)
from domain.corrections import CorrectionEvent
from domain.sealed import Sealed, sealed_from_json
from projections.payment_ledger import DIMENSIONS
from projections.tables import (
    beneficiary_status,
    budget_position,
    entitlement_status,
    ledger_totals,
    payment_ledger,
    programme_dashboard,
    site_status,
    worklist,
)
from service.commands.application import ProgrammeApplication
from service.errors import NotFound
from service.queries.paging import Page as Page
from service.security.access_log import AccessLog
from service.security.accounts import Account
from service.security.vault import SealBroken, Vault, mask

ERASED = "[erased]"


Row = dict[str, Any]


@dataclasses.dataclass(frozen=True)
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


class Reveal:
    """Decrypts sealed fields each in clear or masked, as `domain.access` decides for the
    viewer's role and the category of the field.

    `clear_reason` is the reason a role that sees personal data in clear only for a reason
    (an auditor) gave for this one request; the caller checks it and writes it to the access
    log.
    """

    def __init__(self, vault: Vault, viewer: Account, *, clear_reason: str | None = None) -> None:
        self.vault = vault
        self.viewer = viewer
        self.clear_reason = clear_reason
        self.full = sees_all_in_clear(viewer.role, ALL_CATEGORIES, reason_given=self._reason)

    @property
    def _reason(self) -> bool:
        return self.clear_reason is not None

    def __call__(self, sealed: Sealed | None) -> str | None:
        if sealed is None:
            return None
        try:
            plaintext = self.vault.open(sealed)
        except SealBroken:
            return "[unreadable]"
        if plaintext is None:
            return ERASED
        category = category_of_sealed(sealed.field, sealed.purpose)
        if sees_in_clear(self.viewer.role, category, reason_given=self._reason):
            return plaintext
        return mask(plaintext)

    def column(self, text: str | None) -> str | None:
        """Reveal a read-model column holding a sealed value's JSON."""
        return self(sealed_from_json(text)) if text else None

    def shows_document(self, kind: str) -> bool:
        """Whether the viewer may have a stored document of `kind` (a file cannot be masked)."""
        return sees_all_in_clear(
            self.viewer.role, categories_of_document(kind), reason_given=self._reason
        )


class ReadModels:
    """The questions the programme team, supervisors and auditors ask."""

    def __init__(
        self, engine: Engine, vault: Vault, access_log: AccessLog, app: ProgrammeApplication
    ) -> None:
        self.engine = engine
        self.vault = vault
        self.access_log = access_log
        self.app = app

    def dashboard(self) -> dict[str, Any]:
        """Per-site counts, headcounts and rupiah credited net of returns, with totals."""
        rows = self._all(select(programme_dashboard).order_by(programme_dashboard.c.site_code))
        credited = dict(
            self._tuples(
                select(ledger_totals.c.key, ledger_totals.c.paid).where(
                    ledger_totals.c.dimension == "site"
                )
            )
        )
        return dashboard_figures(rows, credited)

    def sites(self, *, state: str | None, limit: int, offset: int) -> Page[Row]:
        """Sites, optionally in one state."""
        query = select(site_status).order_by(site_status.c.code)
        if state:
            query = query.where(site_status.c.state == state)
        page = self._page(query, limit, offset)
        for item in page.items:
            _present_site(item)
        return page

    def site(self, site_id: UUID) -> dict[str, Any]:
        """One site's status."""
        rows = self._all(select(site_status).where(site_status.c.site_id == str(site_id)))
        if not rows:
            raise NotFound("Site", site_id)
        return _present_site(rows[0])

    def beneficiaries(
        self,
        viewer: Account,
        *,
        site_id: UUID | None,
        state: str | None,
        case_number: str | None,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Cases, filtered; names revealed or masked by the viewer's role."""
        query = select(beneficiary_status).order_by(beneficiary_status.c.case_number)
        if site_id:
            query = query.where(beneficiary_status.c.site_id == str(site_id))
        if state:
            query = query.where(beneficiary_status.c.state == state)
        if case_number:
            query = query.where(beneficiary_status.c.case_number.startswith(case_number))
        page = self._page(query, limit, offset)
        reveal = Reveal(self.vault, viewer)
        for item in page.items:
            self._present_beneficiary(item, reveal)
        if page.items:
            self.access_log.record(
                viewer.username,
                viewer.role,
                "read_personal_data",
                "beneficiary_list",
                None,
                f"{len(page.items)} names, {_mode(reveal)}",
            )
        return page

    def beneficiary(self, viewer: Account, beneficiary_id: UUID) -> dict[str, Any]:
        """One case with its identity revealed or masked by the viewer's role."""
        rows = self._all(
            select(beneficiary_status).where(
                beneficiary_status.c.beneficiary_id == str(beneficiary_id)
            )
        )
        if not rows:
            raise NotFound("Beneficiary", beneficiary_id)
        reveal = Reveal(self.vault, viewer)
        item = self._present_beneficiary(rows[0], reveal, with_nik=True)
        self.access_log.record(
            viewer.username,
            viewer.role,
            "read_personal_data",
            "beneficiary",
            beneficiary_id,
            _mode(reveal),
        )
        return item

    def worklist(
        self,
        *,
        as_of: date,
        overdue_only: bool,
        site_id: UUID | None,
        kind: str | None,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Open cases with their next action and due date, most urgent first."""
        # Rows without a next action (an order awaiting the bank) are the worklist's memory,
        # not work: the batch's row carries the wait for the bank.
        query = (
            select(worklist)
            .where(worklist.c.next_action.is_not(None))
            .order_by(worklist.c.due_on.is_(None), worklist.c.due_on, worklist.c.label)
        )
        if overdue_only:
            query = query.where(worklist.c.due_on < as_of)
        if site_id:
            query = query.where(worklist.c.site_id == str(site_id))
        if kind:
            query = query.where(worklist.c.subject_kind == kind)
        page = self._page(query, limit, offset)
        for item in page.items:
            item["overdue"] = item["due_on"] is not None and item["due_on"] < as_of
            item["days_overdue"] = (as_of - item["due_on"]).days if item["overdue"] else 0
            item.pop("milestones")
            item.pop("milestone_versions")
        return page

    # The money read models hold ids, case numbers, amounts and references, never personal
    # data (bank accounts and payee names stay sealed in the events), so every role reads them
    # as they are; a person's name is revealed or masked where it is shown alongside.

    def ledger(self, filters: LedgerFilter, *, limit: int, offset: int) -> Page[Row]:
        """Every money event of every entitlement in log order, with running totals."""
        return self._page(filters.query(), limit, offset)

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
        person = self.beneficiary(viewer, beneficiary_id)
        filters = LedgerFilter(beneficiary_id=beneficiary_id, known_at=known_at, as_at=as_at)
        page = self.ledger(filters, limit=limit, offset=offset)
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
        c = budget_position.c
        query = select(budget_position).order_by(c.fiscal_year, c.source, c.budget_line)
        if fiscal_year is not None:
            query = query.where(c.fiscal_year == fiscal_year)
        return self._page(query, limit, offset)

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
        query = select(entitlement_status).order_by(
            c.case_number, c.decree_number, c.component, c.tranche, c.entitlement_id
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
        return self._page(query, limit, offset)

    def entitlement(self, entitlement_id: UUID) -> dict[str, Any]:
        """One entitlement's status."""
        c = entitlement_status.c
        rows = self._all(select(entitlement_status).where(c.entitlement_id == str(entitlement_id)))
        if not rows:
            raise NotFound("Entitlement", entitlement_id)
        return rows[0]

    def history(self, viewer: Account, aggregate_id: UUID) -> list[dict[str, Any]]:
        """Every event of one site, case or entitlement, with its metadata, oldest first.

        A corrected event stays as it was recorded; `corrections` lists the versions of the
        corrections that name it, which carry the old and new value, reason, actor, document.
        """
        reveal = Reveal(self.vault, viewer)
        events = self.app.history(aggregate_id)
        corrected_by: dict[int, list[int]] = {}
        for e in events:
            if isinstance(e, CorrectionEvent):
                corrected_by.setdefault(e.corrects_version, []).append(e.originator_version)
        out = [
            event_as_dict(e, reveal) | {"corrections": corrected_by.get(e.originator_version, [])}
            for e in events
        ]
        self.access_log.record(
            viewer.username, viewer.role, "read_history", "aggregate", aggregate_id, _mode(reveal)
        )
        return out

    @staticmethod
    def _present_beneficiary(
        item: dict[str, Any], reveal: Reveal, *, with_nik: bool = False
    ) -> dict[str, Any]:
        item["name"] = reveal.column(item.pop("name_sealed"))
        nik = item.pop("nik_sealed")
        if with_nik:
            item["nik"] = reveal.column(nik)
        return item

    def _page(self, query: Select[Any], limit: int, offset: int) -> Page[Row]:
        return page_of(self.engine, query, limit, offset)

    def _all(self, query: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def _tuples(self, query: Select[Any]) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]


def dashboard_figures(rows: list[Row], credited: dict[str, int]) -> dict[str, Any]:
    """The dashboard's sites, each with the rupiah credited there, and the programme's totals;
    `rows` are programme_dashboard rows with their counts decoded (live, or at a past cut)."""
    for row in rows:
        if isinstance(row["counts_by_state"], str):
            row["counts_by_state"] = json.loads(row["counts_by_state"])
        row["credited_rupiah"] = credited.get(row["site_id"], 0)
    totals: dict[str, Any] = {
        key: sum(r[key] or 0 for r in rows)
        for key in (
            "headcount_at_pendataan",
            "declared_headcount_at_closure",
            "registered",
            "in_programme_now",
            "credited_rupiah",
        )
    }
    by_state: dict[str, int] = {}
    for row in rows:
        for state, n in row["counts_by_state"].items():
            by_state[state] = by_state.get(state, 0) + n
    totals["counts_by_state"] = dict(sorted(by_state.items()))
    return {"sites": rows, "totals": totals}


def page_of(engine: Engine, query: Select[Any], limit: int, offset: int) -> Page[Row]:
    """One page of `query`'s rows, with the total count of its rows."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        items = [dict(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]
    return Page(items, total, limit, offset)


def _present_site(item: dict[str, Any]) -> dict[str, Any]:
    item["aliases"] = json.loads(item["aliases"])
    # The dates the site_status fold keeps for corrections; its own columns show them.
    item.pop("dated_events")
    return item


def _mode(reveal: Reveal) -> str:
    return "full" if reveal.full else "masked"


def event_as_dict(event: Any, reveal: Reveal) -> dict[str, Any]:
    """An event as JSON-ready data: its metadata, facts, and personal fields per role."""
    facts: dict[str, Any] = {}
    skip = {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "occurred_on",
        "document",
        "reason",
    }
    for name, value in vars(event).items():
        if name not in skip:
            facts[name] = _plain(value, reveal)
    return {
        "event": type(event).__name__,
        "version": event.originator_version,
        "occurred_on": event.occurred_on,
        "recorded_at": event.timestamp,
        "actor": _plain(event.actor, reveal),
        "document": _plain(event.document, reveal),
        "reason": event.reason,
        "facts": facts,
    }


def _plain(value: Any, reveal: Reveal) -> Any:
    if isinstance(value, Sealed):
        return reveal(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), reveal) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v, reveal) for v in value]
    if isinstance(value, UUID):
        return str(value)
    return value
