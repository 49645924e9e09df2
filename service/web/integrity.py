"""The integrity page, `/integrity`, for those who verify the log (supervisors, auditors,
administrators, across the programme): the verification of the event log against its chain
and the signed checkpoints, run on request (it re-reads the whole log), the checkpoints with
their signatures checked, their download, and evidence bundles asked for by case number, site
code or period. Every answer comes from the API's own route functions in
`service/api/integrity.py`, which also write the access log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Final, Literal, cast
from uuid import UUID

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from domain.access import WRITE_ROLES, Write, clear_on_reason
from domain.errors import DomainError
from domain.units import Scope
from service.api.access import clear_reason
from service.api.deps import JejakDep
from service.api.inputs import BusinessDate
from service.api.integrity import VERIFIERS, evidence_bundle, sign_checkpoint, verification
from service.errors import NotFound
from service.i18n import gettext, refusal_for
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.checkpoints import signature_valid
from service.security.scope import of_account
from service.system import Jejak
from service.web.i18n import language_of
from service.web.rendering import forbidden_page, not_found_page, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

# The newest checkpoints listed on the page; the download holds every one.
CHECKPOINTS_SHOWN: Final = 20
BUNDLE_SCOPES: Final = ("beneficiary", "site", "period", "programme")
SIGNERS: Final = WRITE_ROLES[Write.SIGN_CHECKPOINT]
_BUSINESS_DATE = TypeAdapter(BusinessDate)


def may_verify(viewer: Account | None) -> bool:
    """Whether the viewer's role verifies the log (the menu shows the link)."""
    return viewer is not None and viewer.role in VERIFIERS


templates.env.globals["may_verify"] = may_verify


@dataclass
class BundleRequest:
    """What the evidence form asked for, as typed, and the refusal to show next to a field."""

    scope: str = "programme"
    case_number: str = ""
    site_code: str = ""
    start: str = ""
    end: str = ""
    in_clear: bool = False
    reason: str = ""
    problems: dict[str, str] = field(default_factory=dict)


def _admitted(request: Request, jejak: Jejak) -> Response | tuple[Account, Scope]:
    """The viewer and her scope, or the page that refuses her: a role that does not verify
    the log is refused (403); a unit that does not oversee the programme does not see its
    records (404), as the API answers it."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in VERIFIERS:
        return forbidden_page(request, viewer)
    scope = of_account(jejak.scopes, viewer)
    if not scope.everything:
        return not_found_page(request, viewer)
    return viewer, scope


def _page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    *,
    result: dict[str, Any] | None = None,
    bundle: BundleRequest | None = None,
    signed: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    signer = jejak.checkpoints.signer
    checkpoints = jejak.checkpoints.all()
    newest = [
        {
            "position": c.position,
            "signed_at": c.signed_at,
            "key_id": c.key_id,
            "valid": signature_valid(c, signer.public_key),
        }
        for c in reversed(checkpoints[-CHECKPOINTS_SHOWN:])
    ]
    context: dict[str, Any] = {
        "viewer": viewer,
        "section": "integrity",
        "result": result,
        "checkpoints": newest,
        "checkpoint_count": len(checkpoints),
        "key_id": signer.key_id,
        "bundle": bundle or BundleRequest(),
        "asks_reason": clear_on_reason(viewer.role),
        "may_sign": viewer.role in SIGNERS,
        "signed": signed,
        "position": jejak.runner.position(),
    }
    return templates.TemplateResponse(request, "integrity.html", context, status_code=status)


@router.get("/integrity", response_class=HTMLResponse)
def integrity_page(request: Request, jejak: JejakDep) -> Response:
    """The checkpoints, their download, the evidence form and the button that verifies the
    log (not run on every visit: it re-reads the whole log)."""
    admitted = _admitted(request, jejak)
    if isinstance(admitted, Response):
        return admitted
    return _page(request, jejak, admitted[0])


@router.post("/integrity/verify", response_class=HTMLResponse)
async def verify_log(request: Request, jejak: JejakDep) -> Response:
    """Verify the whole log now, as `GET /api/verification` does (and logs), and show where
    it is intact up to, or where and how it breaks."""
    admitted = await run_in_threadpool(_admitted, request, jejak)
    if isinstance(admitted, Response):
        return admitted
    viewer = admitted[0]
    result = await verification(viewer, jejak)
    return await run_in_threadpool(lambda: _page(request, jejak, viewer, result=result))


@router.post("/integrity/checkpoints", response_class=HTMLResponse)
def sign_head(request: Request, jejak: JejakDep) -> Response:
    """Sign the chain's head now, as `POST /api/checkpoints` does (administrators)."""
    admitted = _admitted(request, jejak)
    if isinstance(admitted, Response):
        return admitted
    viewer = admitted[0]
    if viewer.role not in SIGNERS:
        return forbidden_page(request, viewer)
    signed = sign_checkpoint(viewer, jejak)["checkpoint"]
    return _page(request, jejak, viewer, signed=signed or {})


@router.post("/integrity/evidence", response_class=HTMLResponse)
async def evidence(
    request: Request,
    jejak: JejakDep,
    scope: Annotated[str, Form()] = "programme",
    case_number: Annotated[str, Form()] = "",
    site_code: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    in_clear: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """An evidence bundle (zip) for a case (by number), a site (by code), a period or the
    whole programme, made by the API's own `GET /api/evidence`; a refusal is shown next to
    the field it concerns, the form keeping what was typed."""
    admitted = await run_in_threadpool(_admitted, request, jejak)
    if isinstance(admitted, Response):
        return admitted
    viewer, caller = admitted
    asked = BundleRequest(
        scope=scope,
        case_number=case_number.strip().upper(),
        site_code=site_code.strip().upper(),
        start=start.strip(),
        end=end.strip(),
        in_clear=bool(in_clear),
        reason=reason,
    )
    language = language_of(request)
    try:
        arguments = await run_in_threadpool(
            _bundle_arguments, jejak, viewer, caller, asked, language
        )
        if not asked.problems:
            return await evidence_bundle(viewer, jejak, caller, **arguments)
    except NotFound:
        asked.problems["scope"] = gettext(language, "Nothing to bundle for this choice.")
    except DomainError as refused:
        asked.problems[_field_of(refused)] = refusal_for(language, refused)
    except HTTPException:
        return forbidden_page(request, viewer)
    return await run_in_threadpool(lambda: _page(request, jejak, viewer, bundle=asked, status=422))


# The form's fields a refusal can be shown beside; any other (the subject, or none) is about
# the choice of what the bundle covers.
BUNDLE_FIELDS: Final = frozenset({"case_number", "site_code", "start", "end", "reason"})


def _field_of(error: DomainError) -> str:
    named = getattr(error, "field", None)
    return named if named in BUNDLE_FIELDS else "scope"


def _bundle_arguments(
    jejak: Jejak, viewer: Account, caller: Scope, asked: BundleRequest, language: str
) -> dict[str, Any]:
    """The API's arguments for what the form asked, names resolved to records through the
    viewer's scope; what cannot be used is put in `asked.problems`, by field."""
    reads = ReadModels.of(jejak, caller)
    arguments: dict[str, Any] = {
        "scope": "programme",
        "subject_id": None,
        "start": None,
        "end": None,
        "clear": clear_reason(viewer, in_clear=asked.in_clear, reason=asked.reason or None),
    }
    if asked.scope not in BUNDLE_SCOPES:
        asked.problems["scope"] = gettext(language, "Choose what the bundle covers.")
        return arguments
    arguments["scope"] = cast(Literal["beneficiary", "site", "period", "programme"], asked.scope)
    if asked.scope == "beneficiary":
        try:
            arguments["subject_id"] = reads.beneficiaries.id_of_case(asked.case_number)
        except NotFound:
            asked.problems["case_number"] = gettext(language, "No case has this number.")
    elif asked.scope == "site":
        try:
            arguments["subject_id"] = UUID(str(reads.sites.by_code(asked.site_code)["site_id"]))
        except NotFound:
            asked.problems["site_code"] = gettext(language, "No site has this code.")
    elif asked.scope == "period":
        arguments["start"] = _day(asked, "start", language)
        arguments["end"] = _day(asked, "end", language)
    return arguments


def _day(asked: BundleRequest, name: str, language: str) -> date | None:
    try:
        day: date = _BUSINESS_DATE.validate_python(getattr(asked, name))
    except ValidationError:
        asked.problems[name] = gettext(
            language, "Enter a date within the programme's business dates."
        )
        return None
    return day
