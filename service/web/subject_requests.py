"""The register of data subjects' requests, `/privacy/requests`: each request with its
3x24-hour clock, the form recording one, and a request's page with its steps (ADR 0051) and,
for an access request, her own data as a PDF (ADR 0057).

The officer records and answers; supervisors read. Clocks are judged at the moment the pages
judge on: now, or the demo's viewing day at the present time of day (ADR 0050).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import pass_context
from jinja2.runtime import Context

from domain.access import READ_ROLES, Read
from domain.privacy.request_lifecycle import SUBJECT_REQUEST_LIFECYCLE
from domain.privacy.subject_request import WITA, SubjectRequest
from service.api.deps import JejakDep
from service.api.subject_requests import pdf_response
from service.errors import NotFound
from service.files.access_copy import COPY_ROLES, copy_or_not_found
from service.i18n import gettext
from service.notices.outbox import Outbox
from service.queries import record_names
from service.queries.read_models import ReadModels
from service.queries.subject_requests import SubjectRequestQueries
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.commands import Prepare, Subject, form_or_step, forms_now
from service.web.forms import Refusal
from service.web.i18n import language_of
from service.web.names import StaffNames
from service.web.privacy_clocks import clocks_judged_at
from service.web.rendering import (
    forbidden_page,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

router = APIRouter(include_in_schema=False)


@pass_context
def _coded(context: Context, key: str) -> str:
    """The catalogue's name for a full key (`choice.RequestKind.erasure`), or its last part."""
    text = gettext(language_of(context["request"]), key)
    return key.rpartition(".")[2] if text == key else text


templates.env.filters["coded"] = _coded

READERS: Final = READ_ROLES[Read.PRIVACY_REGISTERS]
LIST: Final = "/privacy/requests"
NEW_REQUEST: Final = Subject(
    SUBJECT_REQUEST_LIFECYCLE, None, None, None, "", LIST, steps_at=f"{LIST}/new"
)
# The form's fields that name her case: typed as its case number.
CASE_FIELD: Final = "beneficiary_id"
NOTICES_SHOWN: Final = 20
TIME_FIELD: Final = "received_at"


def request_page(number: str) -> str:
    """A request's page, by its register number."""
    return f"{LIST}/{number}"


def _may_read(viewer: Account) -> bool:
    return viewer.role in READERS


def _subject(jejak: Jejak, number: str) -> Subject | None:
    try:
        found = jejak.app.load(SubjectRequest, SubjectRequest.create_id(number))
    except NotFound:
        return None
    return Subject(
        SUBJECT_REQUEST_LIFECYCLE,
        found.id,
        found.state,
        found.version,
        found.number,
        request_page(found.number),
    )


def _case_numbers_to_ids(jejak: Jejak, viewer: Account, language: str) -> Prepare:
    """The form's case number turned into her case's id, and a time of receipt typed without
    its zone read as WITA (the form says so)."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))

    def prepare(sent: Mapping[str, str]) -> Mapping[str, str] | Refusal:
        prepared = dict(sent)
        typed = sent.get(TIME_FIELD, "").strip()
        if typed:
            try:
                moment = datetime.fromisoformat(typed)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is None:
                prepared[TIME_FIELD] = moment.replace(tzinfo=WITA).isoformat()
        case = sent.get(CASE_FIELD, "").strip().upper()
        if case:
            try:
                prepared[CASE_FIELD] = str(reads.beneficiaries.id_of_case(case))
            except NotFound:
                message = gettext(language, "Not found: %(name)s.") % {"name": case}
                return Refusal({CASE_FIELD: message})
        return prepared

    return prepare


async def _step(
    request: Request,
    jejak: Jejak,
    find: Callable[[], Subject | None],
    command: str,
    *,
    post: bool,
) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not _may_read(viewer):
        return forbidden_page(request, viewer)
    subject = find()
    if subject is None:
        return not_found_page(request, viewer)
    prepare = _case_numbers_to_ids(jejak, viewer, language_of(request)) if post else None
    return await form_or_step(request, jejak, viewer, subject, command, post=post, prepare=prepare)


@router.get(LIST, response_class=HTMLResponse)
def requests_page(request: Request, jejak: JejakDep) -> Response:
    """The register of requests, open ones first, each with its clock."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    if not _may_read(viewer):
        return forbidden_page(request, viewer)
    now = clocks_judged_at(request)
    found = SubjectRequestQueries(jejak.engine).requests(now=now, limit=500, offset=0)
    # What became of the notices of clocks that ran out: a failed one must reach a person too.
    notices = Outbox(jejak.engine).notices(limit=NOTICES_SHOWN)
    return templates.TemplateResponse(
        request,
        "subject_requests.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "requests": found.items,
            "total": found.total,
            "now": now,
            "notices": notices,
            "may_record": viewer.role
            in SUBJECT_REQUEST_LIFECYCLE.roles_for("record_subject_request"),
            "done": done,
        },
    )


@router.get(f"{LIST}/new", response_class=HTMLResponse)
async def new_request_form(request: Request, jejak: JejakDep) -> Response:
    """The form recording a request as received."""
    return await _step(request, jejak, lambda: NEW_REQUEST, "record_subject_request", post=False)


@router.post(f"{LIST}/new", response_class=HTMLResponse)
async def new_request(request: Request, jejak: JejakDep) -> Response:
    """Record a request, through the API's route."""
    return await _step(request, jejak, lambda: NEW_REQUEST, "record_subject_request", post=True)


@router.get(LIST + "/{number}/steps/{command}", response_class=HTMLResponse)
async def request_step_form(
    request: Request, jejak: JejakDep, number: str, command: str
) -> Response:
    """One step's form on a request (the identity check, the answer)."""
    return await _step(request, jejak, lambda: _subject(jejak, number), command, post=False)


@router.post(LIST + "/{number}/steps/{command}", response_class=HTMLResponse)
async def request_step(request: Request, jejak: JejakDep, number: str, command: str) -> Response:
    """Take a step on a request, through the API's route."""
    return await _step(request, jejak, lambda: _subject(jejak, number), command, post=True)


@router.get(LIST + "/{number}", response_class=HTMLResponse)
def request_detail(request: Request, jejak: JejakDep, number: str) -> Response:
    """One request: what was asked, how the requester was checked, its clock, its answer, its
    history and the steps open now to the viewer's role."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    if not _may_read(viewer):
        return forbidden_page(request, viewer)
    now = clocks_judged_at(request)
    try:
        row = SubjectRequestQueries(jejak.engine).by_number(number, now=now)
    except NotFound:
        return not_found_page(request, viewer)
    subject = _subject(jejak, number)
    assert subject is not None and subject.path_id is not None
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    history = timeline(reads, StaffNames(jejak), viewer, subject.path_id, "SubjectRequest")
    return templates.TemplateResponse(
        request,
        "subject_request.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "item": row,
            "case_number": _case_number(jejak, row.get("beneficiary_id")),
            "now": now,
            "subject": subject,
            "timeline": history,
            "done": done,
            "actions": forms_now(request, jejak, viewer, subject),
            "may_copy": _may_copy(viewer, row),
        },
    )


@router.post(LIST + "/{number}/copy.pdf")
def access_copy_download(request: Request, jejak: JejakDep, number: str) -> Response:
    """Her copy as a PDF, produced by the officer (a logged read of her personal data)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in COPY_ROLES:
        return forbidden_page(request, viewer)
    try:
        copy = copy_or_not_found(jejak, viewer, number, datetime.now(WITA))
    except NotFound:
        return not_found_page(request, viewer)
    return pdf_response(copy)


def _may_copy(viewer: Account, row: Mapping[str, Any]) -> bool:
    """Her copy is produced by the officer, for an access request naming her case."""
    return bool(
        viewer.role in COPY_ROLES and row["kind"] == "access_copy" and row["beneficiary_id"]
    )


def _case_number(jejak: Jejak, beneficiary_id: str | None) -> str | None:
    """Her case's number (no personal data), for the link to her case."""
    if not beneficiary_id:
        return None
    found = record_names.names_of(jejak.engine, {record_names.BENEFICIARY: [beneficiary_id]})
    return found[beneficiary_id][1] if beneficiary_id in found else None
