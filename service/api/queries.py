"""Query endpoints over the read models. Each accepts `after`, a position returned by a
command: the response waits (briefly) until the read models have reached it."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from domain.decree import AidComponent
from domain.errors import InvalidValue
from domain.funding import FundingSource
from domain.lifecycle import Lifecycle
from domain.lifecycle_docs import LIFECYCLES
from service.api.deps import JejakDep, UserDep
from service.api.inputs import After, BusinessDate, DeadlinesJudgedOn, Limit, Offset
from service.provenance import today_wita
from service.queries.money_at import budget_at
from service.queries.paging import Page
from service.queries.read_models import LedgerFilter, ReadModels
from service.queries.time_travel import Cut, known_position
from service.system import Jejak

router = APIRouter(prefix="/api", tags=["queries"])


def read_models(jejak: JejakDep) -> ReadModels:
    """The read-model queries over the wired system."""
    return ReadModels(jejak.engine, jejak.vault, jejak.access_log, jejak.app)


ReadDep = Annotated[ReadModels, Depends(read_models)]


def caught_up(jejak: Jejak, after: int | None, response: Response) -> None:
    """Read-your-writes: wait for the projections, and say in a header how far they are."""
    if after is not None:
        reached = jejak.runner.wait_for(after, jejak.settings.read_your_writes_timeout_seconds)
        if not reached:
            response.headers["X-Jejak-Stale"] = "true"
    response.headers["X-Jejak-Position"] = str(jejak.runner.position())


KnownAt = Annotated[
    str | None,
    Query(
        description="as known at this log position, or recording time (ISO 8601 with its "
        "zone): what the system said then"
    ),
]
AsAt = Annotated[
    BusinessDate | None,
    Query(description="as at this business date: what had happened by then, late entries too"),
]


def report_cut(jejak: JejakDep, known_at: KnownAt = None, as_at: AsAt = None) -> Cut | None:
    """The time-travel cut a report is asked at, or None for today's report (ADR 0023)."""
    if known_at is None and as_at is None:
        return None
    try:
        position = None if known_at is None else known_position(jejak, known_at)
    except ValueError as error:
        raise InvalidValue(str(error), field="known_at") from None
    return Cut(known_at=position, as_at=as_at)


CutDep = Annotated[Cut | None, Depends(report_cut)]


def cut_body(cut: Cut | None) -> dict[str, Any]:
    """The cut a report was taken at, as its response states it (nothing for today's)."""
    return {} if cut is None else {"known_at": cut.known_at, "as_at": cut.as_at}


def page_body(page: Page[Any]) -> dict[str, Any]:
    """A page as its JSON body."""
    return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/dashboard")
def dashboard(
    user: UserDep, jejak: JejakDep, reads: ReadDep, response: Response, after: After = None
) -> dict[str, Any]:
    """Per site: counts per state; headcount at pendataan vs at closure vs now."""
    caught_up(jejak, after, response)
    return reads.dashboard()


@router.get("/sites")
def list_sites(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    state: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Sites and where each stands."""
    caught_up(jejak, after, response)
    return page_body(reads.sites(state=state, limit=limit, offset=offset))


@router.get("/sites/{site_id}")
def get_site(
    site_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One site's status."""
    caught_up(jejak, after, response)
    return reads.site(site_id)


@router.get("/sites/{site_id}/history")
def site_history(site_id: UUID, user: UserDep, reads: ReadDep) -> list[dict[str, Any]]:
    """Every event of the site with who, when, on what document."""
    return reads.history(user, site_id)


@router.get("/beneficiaries")
def list_beneficiaries(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    site_id: UUID | None = None,
    state: str | None = None,
    case_number: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Cases, filtered by site, state or case-number prefix. Names are masked for auditors."""
    caught_up(jejak, after, response)
    return page_body(
        reads.beneficiaries(
            user, site_id=site_id, state=state, case_number=case_number, limit=limit, offset=offset
        )
    )


@router.get("/beneficiaries/{beneficiary_id}")
def get_beneficiary(
    beneficiary_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One case, with its identity (masked for auditors)."""
    caught_up(jejak, after, response)
    return reads.beneficiary(user, beneficiary_id)


@router.get("/beneficiaries/{beneficiary_id}/history")
def beneficiary_history(
    beneficiary_id: UUID, user: UserDep, reads: ReadDep
) -> list[dict[str, Any]]:
    """Every event of the case with its metadata; personal fields by role."""
    return reads.history(user, beneficiary_id)


@router.get("/worklist")
def get_worklist(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    as_of: DeadlinesJudgedOn = None,
    overdue: bool = False,
    site_id: UUID | None = None,
    kind: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Open cases: next action, due date, overdue (as of today in WITA unless given)."""
    caught_up(jejak, after, response)
    return page_body(
        reads.worklist(
            as_of=as_of or today_wita(),
            overdue_only=overdue,
            site_id=site_id,
            kind=kind,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/beneficiaries/{beneficiary_id}/payments")
def beneficiary_payments(
    beneficiary_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    cut: CutDep,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Her payment history: every money event of her entitlements in order, with who, when,
    the document, the bank's reference and her running total (her name masked for auditors);
    optionally as known at a position or time and/or as at a business date."""
    caught_up(jejak, after, response)
    history = reads.payments_of(user, beneficiary_id, limit=limit, offset=offset, **cut_body(cut))
    return history | cut_body(cut)


def ledger_filter(
    site_id: UUID | None = None,
    component: AidComponent | None = None,
    fiscal_year: int | None = None,
    source: FundingSource | None = None,
    beneficiary_id: UUID | None = None,
    occurred_from: Annotated[
        BusinessDate | None, Query(description="from this business date (inclusive)")
    ] = None,
    occurred_to: Annotated[
        BusinessDate | None, Query(description="to this business date (inclusive)")
    ] = None,
) -> LedgerFilter:
    """The ledger's query filters, shared by the JSON list and its exports."""
    return LedgerFilter(
        beneficiary_id=beneficiary_id,
        site_id=site_id,
        component=component.value if component else None,
        fiscal_year=fiscal_year,
        source=source.value if source else None,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )


LedgerFilterDep = Annotated[LedgerFilter, Depends(ledger_filter)]


@router.get("/ledger")
def list_ledger(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    filters: LedgerFilterDep,
    cut: CutDep,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """The payment ledger in log order, with running totals per beneficiary, site, component,
    source and fiscal year; optionally as known at a position or time and/or as at a business
    date, the running totals as they stood at that cut."""
    caught_up(jejak, after, response)
    if cut is not None:
        filters = dataclasses.replace(filters, known_at=cut.known_at, as_at=cut.as_at)
    return page_body(reads.ledger(filters, limit=limit, offset=offset)) | cut_body(cut)


@router.get("/budget")
def list_budget(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    cut: CutDep,
    fiscal_year: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Each funding commitment: committed, allocated, ordered, credited, returned, lapsed;
    optionally as known at a position or time and/or as at a business date (replayed from the
    money events)."""
    caught_up(jejak, after, response)
    if cut is None:
        return page_body(reads.budget(fiscal_year=fiscal_year, limit=limit, offset=offset))
    page = budget_at(jejak.app, cut, fiscal_year=fiscal_year, limit=limit, offset=offset)
    return page_body(page) | cut_body(cut)


@router.get("/entitlements")
def list_entitlements(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    state: str | None = None,
    site_id: UUID | None = None,
    beneficiary_id: UUID | None = None,
    batch_id: UUID | None = None,
    correction_pending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Decreed aid components and where each stands, filtered by state, site, person or batch;
    `correction_pending=true` lists those whose money correction awaits a second supervisor
    (`correction_requested_by`, `correction_of`, `correction_amount`, `correction_reference`)."""
    caught_up(jejak, after, response)
    return page_body(
        reads.entitlements(
            state=state,
            site_id=site_id,
            beneficiary_id=beneficiary_id,
            batch_id=batch_id,
            correction_pending=correction_pending,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/entitlements/{entitlement_id}")
def get_entitlement(
    entitlement_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One entitlement: its state, funding, batch and bank result."""
    caught_up(jejak, after, response)
    return reads.entitlement(entitlement_id)


@router.get("/entitlements/{entitlement_id}/history")
def entitlement_history(
    entitlement_id: UUID, user: UserDep, reads: ReadDep
) -> list[dict[str, Any]]:
    """Every event of the entitlement: its money facts, and any correction of them."""
    return reads.history(user, entitlement_id)


@router.get("/lifecycles")
def lifecycles(user: UserDep) -> dict[str, Any]:
    """The lifecycle declarations the server enforces (states, transitions, deadlines)."""
    return {lc.aggregate: _lifecycle(lc) for lc in LIFECYCLES}


def _lifecycle(lc: Lifecycle) -> dict[str, Any]:
    return {
        "states": [
            {
                "name": s.name,
                "description": s.description,
                "terminal": s.terminal,
                "next_action": s.next_action,
            }
            for s in lc.states
        ],
        "transitions": [
            {
                "command": t.command,
                "event": t.event,
                "from": t.sources,
                "to": t.target,
                "roles": [str(r) for r in t.roles],
                "guards": t.guards,
                "not_dated_before": lc.steps_followed(t),
            }
            for t in lc.transitions
        ],
        "corrections": [
            {
                "command": c.command,
                "event": c.event,
                "roles": [str(r) for r in c.roles],
                "guards": c.guards,
            }
            for c in lc.corrections
        ],
        "deadlines": [
            {
                "setting": d.setting,
                "states": d.states,
                "clock_starts": d.clock_starts,
                "default_days": d.default_days,
                "description": d.description,
            }
            for d in lc.deadlines
        ],
    }
