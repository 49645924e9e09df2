"""Time travel over HTTP: a read model "as at" a business date or "as known at" a position, and
one aggregate at a past version or date (replayed from the log)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from domain.errors import InvalidValue
from domain.recording import Role
from service.api.deps import JejakDep, UserDep, require_role
from service.application import NotFound
from service.queries import Reveal, event_as_dict
from service.time_travel import Cut, aggregate_at, read_model_at

router = APIRouter(prefix="/api/time-travel", tags=["time travel"])
READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


@router.get("/read-models/{name}")
async def read_model(
    name: str,
    user: UserDep,
    jejak: JejakDep,
    known_at: int | None = None,
    as_at: date | None = None,
) -> dict[str, Any]:
    """The read model's rows "as known at" log position `known_at` (what the system said then)
    and/or "as at" business date `as_at` (what had happened by then, late entries included)."""
    require_role(user, READERS, "read a past state")
    if known_at is None and as_at is None:
        raise InvalidValue("give known_at, as_at or both", field="known_at")
    cut = Cut(known_at=known_at, as_at=as_at)
    try:
        rows = await run_in_threadpool(read_model_at, jejak, name, cut)
    except LookupError as error:
        raise NotFound("read model", name) from error
    return {"read_model": name, "known_at": known_at, "as_at": as_at, "rows": rows}


@router.get("/aggregates/{aggregate_id}")
def aggregate(
    aggregate_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    version: int | None = None,
    as_at: date | None = None,
) -> dict[str, Any]:
    """One site, case, entitlement or batch as it stood at a version or business date: its
    state, version, milestones and the last event folded (personal data masked by role)."""
    require_role(user, READERS, "read a past state")
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
