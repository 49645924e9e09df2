"""Restatements over HTTP: every switch of rebuilt read models, and the rows each one changed.

Read-only: restatements are made with `jejak rebuild` or from the `/rebuild` page, which run
the same service code (ADR 0053)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from domain.recording import Role
from service.api.deps import JejakDep, UserDep, require_role
from service.api.inputs import Limit, Offset
from service.commands.restatements import Restatements
from service.errors import NotFound

router = APIRouter(prefix="/api/restatements", tags=["restatements"])
READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


@router.get("")
def list_restatements(
    user: UserDep, jejak: JejakDep, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Every restatement, newest first: who, why, which code and read models, up to which log
    position, and how many rows each table gained, lost or changed."""
    require_role(user, READERS, "read the restatements")
    return Restatements(jejak).list(limit, offset)


@router.get("/{restatement_id}")
def one_restatement(
    restatement_id: UUID, user: UserDep, jejak: JejakDep, limit: Limit = 500, offset: Offset = 0
) -> dict[str, Any]:
    """One restatement with the rows it changed, before and after, and the log positions of
    the events that last wrote them (personal data stays sealed, as in the read models)."""
    require_role(user, READERS, "read the restatements")
    found = Restatements(jejak).one(restatement_id, limit, offset)
    if found is None:
        raise NotFound("restatement", restatement_id)
    return found
