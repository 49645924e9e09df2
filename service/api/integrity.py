"""Integrity endpoints: the signing public key, the signed checkpoints, and verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from domain.recording import Role
from service.access_log import AccessAction
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute

# Signing a checkpoint is a command: a retried request gets the first answer back.
router = APIRouter(prefix="/api", tags=["integrity"], route_class=IdempotentCommandRoute)
VERIFIERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


@router.get("/public-key", response_class=Response)
def public_key(user: UserDep, jejak: JejakDep) -> Response:
    """The Ed25519 public key that signs chain checkpoints (PEM), for auditors to pin. Like
    every endpoint but login and health it needs an account, although the key is public."""
    signer = jejak.checkpoints.signer
    return Response(
        signer.public_key_pem(),
        media_type="application/x-pem-file",
        headers={"X-Jejak-Key-Id": signer.key_id},
    )


@router.get("/checkpoints")
def checkpoints(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Every signed checkpoint, oldest first: the export auditors keep outside the system."""
    require_role(user, VERIFIERS, "read the checkpoints")
    signer = jejak.checkpoints.signer
    return {
        "key_id": signer.key_id,
        "public_key": signer.public_key_pem(),
        "checkpoints": [c.as_dict() for c in jejak.checkpoints.all()],
    }


@router.post("/checkpoints", status_code=201)
def sign_checkpoint(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Sign the chain head now (after bringing the chain up to date)."""
    require_role(user, (Role.SUPERVISOR, Role.ADMIN), "sign a checkpoint")
    jejak.runner.catch_up()
    signed = jejak.checkpoints.sign_head()
    return {"checkpoint": signed.as_dict() if signed else None}


@router.get("/verification")
async def verification(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Re-read the whole log against its chain and the signed checkpoints: either intact up to
    position N, or the first position where it breaks and how."""
    require_role(user, VERIFIERS, "verify the log")
    result = await run_in_threadpool(jejak.verify_log)
    jejak.access_log.record(user.username, user.role, AccessAction.VERIFY_LOG)
    broken = result.first_break
    return {
        "intact": result.intact,
        "intact_up_to": result.intact_up_to,
        "events_checked": result.events_checked,
        "checkpoints_checked": result.checkpoints_checked,
        "unchained": result.unchained,
        "first_break": (
            {"position": broken.position, "kind": broken.kind, "detail": broken.detail}
            if broken
            else None
        ),
        "summary": result.summary(),
    }
