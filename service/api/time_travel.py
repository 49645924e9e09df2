"""Time travel over HTTP: a read model or the dashboard "as at" a business date or "as known at"
a log position or recording time, and one aggregate at a past version or date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from domain.errors import InvalidValue
from domain.recording import Role
from service.api.answers import ProgrammeWide, ScopeDep, page_body, require_held
from service.api.deps import JejakDep, UserDep, require_role
from service.api.inputs import BusinessDate, Limit, Offset
from service.errors import NotFound
from service.queries.dashboard import dashboard_at
from service.queries.history import event_as_dict
from service.queries.reveal import Reveal
from service.queries.time_travel import Cut, aggregate_at, known_position, read_model_page
from service.store.db import MAX_STORED_INTEGER
from service.system import Jejak

router = APIRouter(prefix="/api/time-travel", tags=["time travel"])
READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


@router.get("/read-models/{name}", dependencies=ProgrammeWide)
async def read_model(
    name: str,
    user: UserDep,
    jejak: JejakDep,
    known_at: str | None = None,
    as_at: BusinessDate | None = None,
    site_id: UUID | None = None,
    state: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """One page of the read model's rows "as known at" `known_at` (a log position, or a
    recording time in ISO 8601 with its zone: what the system said then) and/or "as at"
    business date `as_at` (what had happened by then, late entries included), optionally one
    site's or one state's rows, in key order."""
    require_role(user, READERS, "read a past state")
    cut = await run_in_threadpool(_cut, jejak, known_at, as_at)
    where = {k: str(v) for k, v in (("site_id", site_id), ("state", state)) if v is not None}
    try:
        page = await run_in_threadpool(
            read_model_page, jejak, name, cut, where, limit=limit, offset=offset
        )
    except KeyError as error:
        raise InvalidValue(f"{name} cannot be filtered by site", field="site_id") from error
    except LookupError as error:
        raise NotFound("read model", name) from error
    return {
        "read_model": name,
        "known_at": cut.known_at,
        "as_at": as_at,
        **page_body(page),
        "rows": page.items,
    }


@router.get("/dashboard", dependencies=ProgrammeWide)
async def dashboard(
    user: UserDep, jejak: JejakDep, known_at: str | None = None, as_at: BusinessDate | None = None
) -> dict[str, Any]:
    """The programme dashboard's figures (per site and in total, with the rupiah credited) as
    known at `known_at` and/or as at `as_at`."""
    require_role(user, READERS, "read a past state")
    cut = await run_in_threadpool(_cut, jejak, known_at, as_at)
    board = await run_in_threadpool(dashboard_at, jejak, cut)
    return {"known_at": cut.known_at, "as_at": as_at, **board}


def _cut(jejak: Jejak, known_at: str | None, as_at: date | None) -> Cut:
    if known_at is None and as_at is None:
        raise InvalidValue("give known_at, as_at or both", field="known_at")
    if known_at is None:
        return Cut(as_at=as_at)
    try:
        return Cut(known_at=known_position(jejak, known_at), as_at=as_at)
    except ValueError as error:
        raise InvalidValue(str(error), field="known_at") from error


@router.get("/aggregates/{aggregate_id}")
def aggregate(
    aggregate_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    caller: ScopeDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_STORED_INTEGER)] = None,
    as_at: BusinessDate | None = None,
) -> dict[str, Any]:
    """One site, case, entitlement or batch as it stood at a version or business date: its
    state, version, milestones and the last event folded (personal data masked by role)."""
    require_role(user, READERS, "read a past state")
    # A site's, a case's or an entitlement's past for whoever holds it; a batch's or a
    # commitment's is the programme's (ADR 0044).
    require_held(jejak, caller, aggregate_id, "aggregate at that cut")
    if version is None and as_at is None:
        raise InvalidValue("give version, as_at or both", field="version")
    try:
        past = aggregate_at(jejak, aggregate_id, version=version, as_at=as_at)
    except LookupError as error:
        raise NotFound("aggregate at that cut", aggregate_id) from error
    last = jejak.app.history(aggregate_id)[past.version - 1]
    return {
        "aggregate_id": str(aggregate_id),
        "type": type(past).__name__,
        "version": past.version,
        "state": past.state,
        "milestones": past.milestones,
        "last_event": event_as_dict(last, Reveal(jejak.vault, user)),
    }
