"""Integrity endpoints: the signing public key, the signed checkpoints, and verification."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from domain.access import Write
from domain.errors import InvalidValue
from domain.recording import Role
from service.api.access import ClearReason, write_role
from service.api.answers import ProgrammeWide, ScopeDep, require_held
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import BusinessDate
from service.commands.export_records import record_export
from service.errors import NotFound
from service.files.evidence.bundle import Scope
from service.files.evidence.export import export_bundle
from service.security.access_log import AccessAction
from service.security.scope import require_programme_wide

# Signing a checkpoint is a command like any other, so it honours Idempotency-Key (ADR 0012).
router = APIRouter(prefix="/api", tags=["integrity"], route_class=IdempotentCommandRoute)
VERIFIERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


@router.get("/public-key", response_class=Response, dependencies=ProgrammeWide)
def public_key(user: UserDep, jejak: JejakDep) -> Response:
    """The Ed25519 public key that signs chain checkpoints (PEM), for auditors to pin. Like
    every endpoint but login and health it needs an account, although the key is public."""
    signer = jejak.checkpoints.signer
    return Response(
        signer.public_key_pem(),
        media_type="application/x-pem-file",
        headers={"X-Jejak-Key-Id": signer.key_id},
    )


@router.get("/checkpoints", dependencies=ProgrammeWide)
def checkpoints(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Every signed checkpoint, oldest first: the export auditors keep outside the system."""
    require_role(user, VERIFIERS, "read the checkpoints")
    return jejak.checkpoints.document()


@router.post(
    "/checkpoints",
    status_code=201,
    dependencies=[write_role(Write.SIGN_CHECKPOINT), *ProgrammeWide],
)
def sign_checkpoint(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Sign the chain head now (after bringing the chain up to date; administrators)."""
    jejak.runner.catch_up()
    signed = jejak.checkpoints.sign_head()
    return {"checkpoint": signed.as_dict() if signed else None}


@router.get("/verification", dependencies=ProgrammeWide)
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


@router.get("/evidence", response_class=Response)
async def evidence_bundle(
    user: UserDep,
    jejak: JejakDep,
    caller: ScopeDep,
    scope: Literal["beneficiary", "site", "period", "programme"],
    subject_id: UUID | None = None,
    start: BusinessDate | None = None,
    end: BusinessDate | None = None,
    clear: ClearReason = None,
) -> Response:
    """An evidence bundle (zip) an auditor checks offline with the verifier inside it: the
    events as stored, a readable form (personal data as the role sees it; an auditor's
    `in_clear=true` needs a `reason`, which the access log keeps), the chain proof to a signed
    checkpoint, the public key, the documents cited (those the requester may not see withheld,
    their hashes listed in `withheld.json`), a PDF summary and a signed manifest of every
    file."""
    require_role(user, VERIFIERS, "export an evidence bundle")
    # One case's bundle is hers, for whoever holds her case; a site's, a period's and the
    # programme's span units, so only the overseers have them (ADR 0044).
    if scope == "beneficiary":
        require_held(jejak, caller, subject_id, "evidence")
    else:
        require_programme_wide(caller, "evidence")
    if scope in ("beneficiary", "site") and subject_id is None:
        raise InvalidValue(f"a {scope} bundle names its subject_id", field="subject_id")
    if scope == "period" and (start is None or end is None or end < start):
        raise InvalidValue("a period bundle needs start <= end", field="start")
    wanted = Scope(scope, subject_id, start, end)
    try:
        bundle = await run_in_threadpool(export_bundle, jejak, user, wanted, clear_reason=clear)
    except LookupError as error:
        raise NotFound("evidence", wanted.describe()) from error
    receipt = await run_in_threadpool(
        lambda: record_export(
            jejak,
            user,
            name="evidence.zip",
            filters={
                "scope": scope,
                "subject_id": subject_id,
                "start": start,
                "end": end,
                "in_clear": not bundle.masked,
            },
            rows=bundle.events,
            content=bundle.content,
        )
    )
    name = f"bukti-{scope}-{bundle.checkpoint.position}.zip"
    return Response(
        bundle.content,
        media_type="application/zip",
        headers={
            **receipt.headers(),
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
