"""The worklist over HTTP: the next action of every open case, and which are overdue."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from service.api.answers import ReadDep, caught_up, page_body
from service.api.deps import JejakDep, UserDep
from service.api.inputs import After, DeadlinesJudgedOn, Limit, Offset
from service.provenance import today_wita

reads = APIRouter(prefix="/api", tags=["queries"])


@reads.get("/worklist")
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
        reads.worklist.list(
            as_of=as_of or today_wita(),
            overdue_only=overdue,
            site_id=site_id,
            kind=kind,
            limit=limit,
            offset=offset,
        )
    )
