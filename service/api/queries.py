"""Query endpoints over the read models. Each accepts `after`, a position returned by a
command: the response waits (briefly) until the read models have reached it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.lifecycle import Lifecycle
from domain.site import SITE_LIFECYCLE
from service.api.deps import JejakDep, UserDep, today_wita
from service.queries import Page, ReadModels
from service.system import Jejak

router = APIRouter(prefix="/api", tags=["queries"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
After = Annotated[int | None, Query(ge=0, description="wait until this log position is read")]


def read_models(jejak: JejakDep) -> ReadModels:
    """The read-model queries over the wired system."""
    return ReadModels(jejak.engine, jejak.vault, jejak.access_log, jejak.app)


ReadDep = Annotated[ReadModels, Depends(read_models)]


def _caught_up(jejak: Jejak, after: int | None, response: Response) -> None:
    """Read-your-writes: wait for the projections, and say in a header how far they are."""
    if after is not None:
        reached = jejak.runner.wait_for(after, jejak.settings.read_your_writes_timeout_seconds)
        if not reached:
            response.headers["X-Jejak-Stale"] = "true"
    response.headers["X-Jejak-Position"] = str(jejak.runner.position())


def page_body(page: Page[Any]) -> dict[str, Any]:
    """A page as its JSON body."""
    return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/dashboard")
def dashboard(
    user: UserDep, jejak: JejakDep, reads: ReadDep, response: Response, after: After = None
) -> dict[str, Any]:
    """Per site: counts per state; headcount at pendataan vs at closure vs now."""
    _caught_up(jejak, after, response)
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
    _caught_up(jejak, after, response)
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
    _caught_up(jejak, after, response)
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
    _caught_up(jejak, after, response)
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
    _caught_up(jejak, after, response)
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
    as_of: date | None = None,
    overdue: bool = False,
    site_id: UUID | None = None,
    kind: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Open cases: next action, due date, overdue (as of today in WITA unless given)."""
    _caught_up(jejak, after, response)
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


@router.get("/payments")
def list_payments(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    beneficiary_id: UUID | None = None,
    site_id: UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Grant requests, approvals, payments and reversals in log order."""
    _caught_up(jejak, after, response)
    return page_body(
        reads.payments(
            user, beneficiary_id=beneficiary_id, site_id=site_id, limit=limit, offset=offset
        )
    )


@router.get("/lifecycles")
def lifecycles(user: UserDep) -> dict[str, Any]:
    """The lifecycle declarations the server enforces (states, transitions, deadlines)."""
    return {lc.aggregate: _lifecycle(lc) for lc in (SITE_LIFECYCLE, BENEFICIARY_LIFECYCLE)}


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
            }
            for t in lc.transitions
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
