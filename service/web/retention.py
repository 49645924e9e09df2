"""The retention pages: `/privacy/retention` (the periods in force with their history, what is
due for destruction and what holds it, the legal holds, the destructions) and
`/privacy/retention/destructions/{number}` (one destruction, its approval and its berita
acara). Every form is a lifecycle step's form (ADR 0051), posted to the API's own route.

Read by the roles that read the privacy registers; nothing here shows personal data: people
are named by case number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Final
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.access import READ_ROLES, Read
from domain.privacy.destruction import DESTRUCTION_LIFECYCLE, Destruction
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE, LegalHold
from domain.privacy.retention import RETENTION_POLICY_LIFECYCLE
from service.api.deps import JejakDep
from service.errors import NotFound
from service.i18n import gettext
from service.queries import retention as queries
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import command_routes
from service.web.commands import (
    CommandForm,
    Prepare,
    Subject,
    command_form,
    form_or_step,
    forms_now,
    step_target,
)
from service.web.forms import Refusal
from service.web.i18n import language_of
from service.web.names import StaffNames
from service.web.rendering import (
    deadlines_judged_on,
    forbidden_page,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

router = APIRouter(include_in_schema=False)

PAGE: Final = "/privacy/retention"
NEW_PERIOD: Final = Subject(
    RETENTION_POLICY_LIFECYCLE, None, None, None, "", PAGE, f"{PAGE}/periods/new"
)
NEW_HOLD: Final = Subject(LEGAL_HOLD_LIFECYCLE, None, None, None, "", PAGE, f"{PAGE}/holds/new")
NEW_DESTRUCTION: Final = Subject(
    DESTRUCTION_LIFECYCLE, None, None, None, "", PAGE, f"{PAGE}/destructions/new"
)
NEW: Final = {"periods": NEW_PERIOD, "holds": NEW_HOLD, "destructions": NEW_DESTRUCTION}


def _reader(request: Request, jejak: Jejak) -> Account | Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in READ_ROLES[Read.PRIVACY_REGISTERS]:
        return forbidden_page(request, viewer)
    return viewer


def _creation_form(
    request: Request, jejak: Jejak, viewer: Account, subject: Subject, command: str
) -> CommandForm | None:
    """The form of the step creating a record of `subject`'s lifecycle, when the viewer's role
    may take it."""
    route = command_routes(request.app).get((subject.lifecycle.aggregate, command))
    if route is None or not route.may(viewer.role):
        return None
    return command_form(request, jejak, route, subject, step_target(subject, command))


@router.get(PAGE, response_class=HTMLResponse)
def retention_page(request: Request, jejak: JejakDep) -> Response:
    """The periods in force, what is due today and what holds it, legal holds, destructions."""
    viewer = _reader(request, jejak)
    if not isinstance(viewer, Account):
        return viewer
    done = settled(request, jejak)
    asked = request.query_params.get("as_of", "")
    try:
        today = date.fromisoformat(asked) if asked else deadlines_judged_on(request)
    except ValueError:
        today = deadlines_judged_on(request)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    names = StaffNames(jejak)
    periods = []
    for period in queries.periods(jejak.engine).values():
        history = (
            timeline(reads, names, viewer, UUID(period.policy_id), "RetentionPolicy")
            if period.policy_id
            else []
        )
        periods.append({"period": period, "timeline": history})
    holds = queries.holds(jejak.engine)
    for hold in holds:
        hold["steps"] = f"{PAGE}/holds/{hold['hold_id']}/steps/lift_legal_hold"
    return templates.TemplateResponse(
        request,
        "retention.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "done": done,
            "today": today,
            "periods": periods,
            "due": queries.due(jejak.engine, today),
            "holds": holds,
            "may_lift": viewer.role in LEGAL_HOLD_LIFECYCLE.roles_for("lift_legal_hold"),
            "destructions": queries.destruction_list(jejak.engine),
            "new_period": _creation_form(
                request, jejak, viewer, NEW_PERIOD, "set_retention_period"
            ),
            "new_hold": _creation_form(request, jejak, viewer, NEW_HOLD, "place_legal_hold"),
            "new_destruction": _creation_form(
                request, jejak, viewer, NEW_DESTRUCTION, "propose_destruction"
            ),
        },
    )


def _case_numbers(jejak: Jejak, viewer: Account, language: str) -> Prepare:
    """The hold's people typed as case numbers, one a line, turned into their ids."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))

    def prepare(sent: Mapping[str, str]) -> Mapping[str, str] | Refusal:
        ids, refused = [], []
        for line in (x.strip() for x in sent.get("beneficiary_ids", "").splitlines()):
            if not line:
                continue
            try:
                ids.append(str(reads.beneficiaries.id_of_case(line.upper())))
            except NotFound:
                refused.append(line)
        if refused:
            message = gettext(language, "Not found: %(name)s.") % {"name": ", ".join(refused)}
            return Refusal({"beneficiary_ids": message})
        return {**sent, "beneficiary_ids": "\n".join(ids)}

    return prepare


async def _step(
    request: Request,
    jejak: Jejak,
    find: Callable[[], Subject | None],
    command: str,
    *,
    post: bool,
    prepare: Prepare | None = None,
) -> Response:
    viewer = _reader(request, jejak)
    if not isinstance(viewer, Account):
        return viewer
    subject = await run_in_threadpool(find)
    if subject is None:
        return not_found_page(request, viewer)
    return await form_or_step(request, jejak, viewer, subject, command, post=post, prepare=prepare)


_CREATES: Final = {
    "periods": "set_retention_period",
    "holds": "place_legal_hold",
    "destructions": "propose_destruction",
}


@router.get(PAGE + "/{kind}/new", response_class=HTMLResponse)
async def new_form(request: Request, jejak: JejakDep, kind: str) -> Response:
    """The form setting a period, placing a hold or proposing a destruction."""
    subject = NEW.get(kind)
    return await _step(request, jejak, lambda: subject, _CREATES.get(kind, ""), post=False)


@router.post(PAGE + "/{kind}/new", response_class=HTMLResponse)
async def new_step(request: Request, jejak: JejakDep, kind: str) -> Response:
    """Set a period, place a hold or propose a destruction, through the API's route."""
    viewer = viewer_of(request, jejak)
    prepare = (
        _case_numbers(jejak, viewer, language_of(request)) if viewer and kind == "holds" else None
    )
    subject = NEW.get(kind)
    return await _step(
        request, jejak, lambda: subject, _CREATES.get(kind, ""), post=True, prepare=prepare
    )


def _hold_subject(jejak: Jejak, hold_id: str) -> Subject | None:
    try:
        hold = jejak.app.load(LegalHold, UUID(hold_id))
    except (NotFound, ValueError):
        return None
    return Subject(
        LEGAL_HOLD_LIFECYCLE, hold.id, hold.state, hold.version, hold.kind, PAGE,
        f"{PAGE}/holds/{hold.id}",
    )  # fmt: skip


@router.get(PAGE + "/holds/{hold_id}/steps/{command}", response_class=HTMLResponse)
async def hold_step_form(request: Request, jejak: JejakDep, hold_id: str, command: str) -> Response:
    """A step's form on a legal hold (its lifting)."""
    return await _step(request, jejak, lambda: _hold_subject(jejak, hold_id), command, post=False)


@router.post(PAGE + "/holds/{hold_id}/steps/{command}", response_class=HTMLResponse)
async def hold_step(request: Request, jejak: JejakDep, hold_id: str, command: str) -> Response:
    """Take a step on a legal hold, through the API's route."""
    return await _step(request, jejak, lambda: _hold_subject(jejak, hold_id), command, post=True)


def _destruction_subject(jejak: Jejak, number: str) -> Subject | None:
    try:
        row = queries.destruction(jejak.engine, number)
    except NotFound:
        return None
    destruction = jejak.app.load(Destruction, UUID(row["destruction_id"]))
    return Subject(
        DESTRUCTION_LIFECYCLE,
        destruction.id,
        destruction.state,
        destruction.version,
        destruction.number,
        f"{PAGE}/destructions/{destruction.number}",
    )


@router.get(PAGE + "/destructions/{number}/steps/{command}", response_class=HTMLResponse)
async def destruction_step_form(
    request: Request, jejak: JejakDep, number: str, command: str
) -> Response:
    """A step's form on a destruction (approval, rejection)."""
    find = lambda: _destruction_subject(jejak, number)  # noqa: E731
    return await _step(request, jejak, find, command, post=False)


@router.post(PAGE + "/destructions/{number}/steps/{command}", response_class=HTMLResponse)
async def destruction_step(
    request: Request, jejak: JejakDep, number: str, command: str
) -> Response:
    """Approve or reject a destruction, through the API's route."""
    find = lambda: _destruction_subject(jejak, number)  # noqa: E731
    return await _step(request, jejak, find, command, post=True)


@router.get(PAGE + "/destructions/{number}", response_class=HTMLResponse)
def destruction_page(request: Request, jejak: JejakDep, number: str) -> Response:
    """One destruction: what was proposed, withheld and why, destroyed; its history, the
    steps open now and the berita acara."""
    viewer = _reader(request, jejak)
    if not isinstance(viewer, Account):
        return viewer
    done = settled(request, jejak)
    subject = _destruction_subject(jejak, number)
    if subject is None or subject.path_id is None:
        return not_found_page(request, viewer)
    row = queries.destruction(jejak.engine, number)
    for column in ("items", "destroyed"):
        for item in row[column]:
            item["ends_on"] = date.fromisoformat(item["ends_on"])
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    return templates.TemplateResponse(
        request,
        "retention_destruction.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "done": done,
            "destruction": row,
            "subject": subject,
            "timeline": timeline(reads, StaffNames(jejak), viewer, subject.path_id, "Destruction"),
            "actions": forms_now(request, jejak, viewer, subject),
            "download": f"/api/privacy/retention/destructions/{row['number']}/berita-acara",
        },
    )
