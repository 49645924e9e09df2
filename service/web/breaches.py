"""The breach register's pages (UU PDP Pasal 46): `/privacy/breaches`, the register with each
breach's 3x24-hour clock and the form recording a suspected breach; `/privacy/breaches/{number}`,
one breach with what was exposed, the remediation, the notices sent and still owed, the notices
to download as PDF letters, and the forms of the steps open now (ADR 0051).

The pages read through the API's own route functions (their role checks and queries) and take
a step through the API's route. The record form names the categories of data as checkboxes and
the cases by their numbers; its endpoint turns them into the API's own body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, Any, Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from domain.access import DataCategory
from domain.errors import InvalidValue
from domain.privacy.breach import LONG_TEXT, MAX_ESTIMATE, BreachChannel
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from service.api import breaches as api
from service.api.deps import Forbidden, JejakDep
from service.api.inputs import BusinessDate, FromJson, Line, Text
from service.api.models import CommandIn, CommandOut
from service.errors import NotFound
from service.provenance import WITA, today_wita
from service.queries.breaches import BreachQueries
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import CommandRoute
from service.web.commands import Subject, command_form, form_or_step, forms_now, take_step
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

RECORD: Final = "record_suspected_breach"
REGISTER_SHOWN: Final = 500
TIMES: Final = (
    "discovered_at",
    "due_at",
    "agency_notified_at",
    "public_notified_at",
    "notified_at",
)
NEW_BREACH: Final = Subject(
    BREACH_LIFECYCLE, None, None, None, "", "/privacy/breaches", "/privacy/breaches/new"
)


class RecordBreachFormIn(CommandIn):
    """The record form: the categories of data exposed ticked, the cases by number, one a line."""

    number: Line = Field(pattern=r"^[A-Z0-9][A-Z0-9.-]{0,39}$")
    discovered_on: BusinessDate
    discovered_time: api.ClockTime
    happened_from: BusinessDate
    happened_to: BusinessDate | None = None
    channel: Annotated[BreachChannel, FromJson]
    identity_exposed: bool = False
    case_file_exposed: bool = False
    financial_exposed: bool = False
    case_numbers: api.CaseNumbers = Field(default_factory=list)
    estimated_count: int | None = Field(default=None, gt=0, le=MAX_ESTIMATE)
    description: Text = Field(min_length=1, max_length=LONG_TEXT)


def _categories(body: RecordBreachFormIn) -> list[DataCategory]:
    ticked = (
        (body.identity_exposed, DataCategory.IDENTITY),
        (body.case_file_exposed, DataCategory.CASE_FILE),
        (body.financial_exposed, DataCategory.FINANCIAL),
    )
    categories = [category for on, category in ticked if on]
    if not categories:
        raise InvalidValue("tick at least one category of data", field="identity_exposed")
    return categories


def _record(body: RecordBreachFormIn, user: Account, jejak: Jejak) -> CommandOut:
    api_body = api.RecordBreachIn(
        number=body.number,
        discovered_on=body.discovered_on,
        discovered_time=body.discovered_time,
        happened_from=body.happened_from,
        happened_to=body.happened_to,
        channel=body.channel,
        categories=_categories(body),
        case_numbers=body.case_numbers,
        estimated_count=body.estimated_count,
        description=body.description,
        occurred_on=body.occurred_on,
        document=body.document,
        reason=body.reason,
    )
    return api.record_suspected_breach(api_body, user, jejak)


RECORD_FORM: Final = CommandRoute(BREACH_LIFECYCLE, RECORD, _record, RecordBreachFormIn, None)


def judged_at(request: Request) -> datetime:
    """The moment the pages judge the clocks at: now, or the end of the demo's viewing day
    (ADR 0050), so a demo's breach is not judged years after the story it belongs to."""
    day = deadlines_judged_on(request)
    if day == today_wita():
        return datetime.now(WITA)
    return datetime.combine(day, time(23, 59), WITA)


def _clock_times(row: dict[str, Any]) -> dict[str, Any]:
    """The register's times as aware moments, for the pages' formats."""
    for name in TIMES:
        if row.get(name):
            row[name] = datetime.fromisoformat(str(row[name])).astimezone(WITA)
    for remediation in row.get("remediations", ()):
        remediation["on"] = date.fromisoformat(str(remediation["on"]))
    for notice in row.get("notices", ()):
        notice["sent_at"] = datetime.fromisoformat(str(notice["sent_at"])).astimezone(WITA)
    return row


@router.get("/privacy/breaches", response_class=HTMLResponse)
def breaches_page(request: Request, jejak: JejakDep) -> Response:
    """The breach register, those still owing notices first, each with its clock."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        found = api.list_breaches(
            user=viewer,
            jejak=jejak,
            queries=BreachQueries(jejak.engine),
            response=Response(),
            state=None,
            as_at=judged_at(request),
            limit=REGISTER_SHOWN,
            offset=0,
            after=None,
        )
    except Forbidden:
        return forbidden_page(request, viewer)
    may_record = RECORD_FORM.may(viewer.role)
    return templates.TemplateResponse(
        request,
        "breaches.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "breaches": [_clock_times(b) for b in found["items"]],
            "total": found["total"],
            "may_record": may_record,
            "done": done,
        },
    )


async def _new(request: Request, jejak: Jejak, *, post: bool) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not RECORD_FORM.may(viewer.role):
        return forbidden_page(request, viewer)
    if post:
        return await take_step(request, jejak, viewer, NEW_BREACH, RECORD, page_route=RECORD_FORM)
    form = command_form(request, jejak, RECORD_FORM, NEW_BREACH, "/privacy/breaches/new")
    return templates.TemplateResponse(
        request, "step.html", {"viewer": viewer, "subject": NEW_BREACH, "form": form}
    )


@router.get("/privacy/breaches/new", response_class=HTMLResponse)
async def new_breach_form(request: Request, jejak: JejakDep) -> Response:
    """The form recording a suspected breach."""
    return await _new(request, jejak, post=False)


@router.post("/privacy/breaches/new", response_class=HTMLResponse)
async def new_breach(request: Request, jejak: JejakDep) -> Response:
    """Record a suspected breach, through the API's route."""
    return await _new(request, jejak, post=True)


def _subject(jejak: Jejak, number: str) -> Subject | None:
    """The breach numbered `number`, as its steps act on it."""
    breach_id = BreachQueries(jejak.engine).breach_id(number)
    if breach_id is None:
        return None
    breach = jejak.app.breaches.breach(breach_id)
    return Subject(
        BREACH_LIFECYCLE,
        breach.id,
        breach.state,
        breach.version,
        number,
        f"/privacy/breaches/{number}",
    )


async def _step(
    request: Request, jejak: Jejak, find: Callable[[], Subject | None], command: str, *, post: bool
) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in api.READERS:
        return forbidden_page(request, viewer)
    subject = await run_in_threadpool(find)
    if subject is None:
        return not_found_page(request, viewer)
    return await form_or_step(request, jejak, viewer, subject, command, post=post)


@router.get("/privacy/breaches/{number}/steps/{command}", response_class=HTMLResponse)
async def breach_step_form(
    request: Request, jejak: JejakDep, number: str, command: str
) -> Response:
    """One step's form on a breach."""
    return await _step(request, jejak, lambda: _subject(jejak, number), command, post=False)


@router.post("/privacy/breaches/{number}/steps/{command}", response_class=HTMLResponse)
async def breach_step(request: Request, jejak: JejakDep, number: str, command: str) -> Response:
    """Take a step on a breach, through the API's route."""
    return await _step(request, jejak, lambda: _subject(jejak, number), command, post=True)


@router.get("/privacy/breaches/{number}", response_class=HTMLResponse)
def breach_page(request: Request, jejak: JejakDep, number: str) -> Response:
    """One breach: what was exposed, when and how, its clock, the remediation, the notices sent
    and owed, the notices to download, the steps open now and its history."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    try:
        breach = api.get_breach(
            number=number,
            user=viewer,
            jejak=jejak,
            queries=BreachQueries(jejak.engine),
            reads=reads,
            response=Response(),
            as_at=judged_at(request),
            after=None,
        )
    except Forbidden:
        return forbidden_page(request, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    subject = _subject(jejak, number)
    assert subject is not None and subject.path_id is not None
    history = timeline(reads, StaffNames(jejak), viewer, subject.path_id, "Breach")
    return templates.TemplateResponse(
        request,
        "breach.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "breach": _clock_times(breach),
            "subject": subject,
            "timeline": history,
            "done": done,
            "actions": forms_now(request, jejak, viewer, subject),
        },
    )


def _download(request: Request, jejak: Jejak, make: Callable[[Account], Response]) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        return make(viewer)
    except Forbidden:
        return forbidden_page(request, viewer)
    except (NotFound, InvalidValue):
        return not_found_page(request, viewer)


@router.get("/privacy/breaches/{number}/notices/agency.pdf")
def agency_notice(request: Request, jejak: JejakDep, number: str) -> Response:
    """The notice to the agency, as a PDF letter."""
    queries = BreachQueries(jejak.engine)
    return _download(request, jejak, lambda v: api.agency_notice_pdf(number, v, jejak, queries))


@router.get("/privacy/breaches/{number}/notices/subjects.pdf")
def subjects_notice(request: Request, jejak: JejakDep, number: str) -> Response:
    """The one notice to all the subjects, as a PDF letter."""
    queries = BreachQueries(jejak.engine)
    return _download(request, jejak, lambda v: api.subjects_notice_pdf(number, v, jejak, queries))


@router.get("/privacy/breaches/{number}/notices/subjects/{case_number}.pdf")
def subject_notice(request: Request, jejak: JejakDep, number: str, case_number: str) -> Response:
    """The notice to the subject of one affected case, as a PDF letter."""
    queries = BreachQueries(jejak.engine)
    return _download(
        request, jejak, lambda v: api.subject_notice_pdf(number, case_number, v, jejak, queries)
    )
