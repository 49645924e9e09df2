"""The forms of the lifecycle steps, on the pages of the records they act on (ADR 0051).

`/cases/{case_number}/steps/{command}` and `/sites/{code}/steps/{command}` show one step's form
and take it; the site and case pages show the same forms for every step allowed now. A form
carries the version its page was built on (a step taken meanwhile by someone else is told,
never overwritten) and an idempotency key (a double click or a reload writes once). A refusal
comes back on the form, next to its field, in the reader's language.
"""

from __future__ import annotations

import secrets
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from domain.beneficiary_errors import DocumentRequired
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import DomainError, TransitionNotAllowed
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from projections.custody import case_units
from service.api.audit_register import RecordFindingIn
from service.api.deps import JejakDep
from service.api.models import RegionIn, RegisterBeneficiaryIn, RegisterSiteIn
from service.api.reports import PublishIn
from service.errors import NotFound
from service.i18n import (
    action_name,
    component_name,
    document_kind_name,
    event_name,
    refusal_for,
)
from service.i18n.formats import date_id
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import CommandRoute, command_routes, corrections_offered, offered_now
from service.web.forms import (
    IDEMPOTENCY_FIELD,
    Choice,
    FormField,
    Refusal,
    fields_of,
    validate,
    with_values,
)
from service.web.i18n import language_of
from service.web.names import finding_page, report_page
from service.web.rendering import (
    deadlines_judged_on,
    forbidden_page,
    not_found_page,
    templates,
    viewer_of,
)
from service.web.submissions import Outcome, placed, sent_again, sent_fields, take_once

router = APIRouter(include_in_schema=False)

# An entitlement in one of these states is history: a newer one of the same component and
# tranche is the one her page acts on.
ENTITLEMENT_ENDED: Final = frozenset(s.name for s in ENTITLEMENT_LIFECYCLE.states if s.terminal)
# The schemes a region code may be written in, by the names officers know them by.
REGION_SCHEMES: Final = (("kemendagri", "Kemendagri"), ("bps", "BPS"))
DOCUMENT: Final = frozenset({"document"})
# Steps that create a record under a site's page rather than act on the site itself.
CREATED_UNDER_SITE: Final = {"register_beneficiary": BENEFICIARY_LIFECYCLE}


@dataclass(frozen=True)
class Subject:
    """The record a step acts on, as a page names it.

    `path_id` is what the API route's path parameter takes (the site, for a woman registered
    there); `state` and `version` are the aggregate's own, not a read model's, so the form
    carries the version the decision was made on."""

    lifecycle: Lifecycle
    path_id: UUID | None
    state: str | None
    version: int | None
    label: str
    page: str
    # Where its steps' forms live, when not under `page` (her entitlements' are under hers).
    steps_at: str | None = None


@dataclass(frozen=True)
class CommandForm:
    """One step's form as a template draws it."""

    command: str
    title: str
    target: str
    fields: list[FormField]
    idempotency_key: str
    general: tuple[str, ...] = ()

    @property
    def sections(self) -> list[tuple[str | None, list[FormField]]]:
        """The fields in order, those of one nested model (a document, a region) together
        under its legend."""
        sections: list[tuple[str | None, list[FormField]]] = []
        for f in self.fields:
            legend = f.group_label if f.widget != "hidden" else None
            if sections and sections[-1][0] == legend:
                sections[-1][1].append(f)
            else:
                sections.append((legend, [f]))
        return sections


def _caught_up(jejak: Jejak, find: Callable[[], UUID]) -> UUID | None:
    """The id `find` finds; asked again once the read models have read the whole log, so a
    record made a moment ago (the page a registration leads to) is found."""
    try:
        return find()
    except NotFound:
        if not jejak.runner.wait_for(
            jejak.app.position(), jejak.settings.read_your_writes_timeout_seconds
        ):
            return None
    try:
        return find()
    except NotFound:
        return None


def _reads(jejak: Jejak, viewer: Account) -> ReadModels:
    return ReadModels.of(jejak, of_account(jejak.scopes, viewer))


def _site_id(jejak: Jejak, viewer: Account, code: str) -> UUID | None:
    reads = _reads(jejak, viewer)
    return _caught_up(jejak, lambda: UUID(str(reads.sites.by_code(code)["site_id"])))


def _case_id(jejak: Jejak, viewer: Account, case_number: str) -> UUID | None:
    reads = _reads(jejak, viewer)
    return _caught_up(jejak, lambda: reads.beneficiaries.id_of_case(case_number))


def site_subject(jejak: Jejak, viewer: Account, code: str) -> Subject | None:
    """The site with `code`, if the viewer's units hold it."""
    site_id = _site_id(jejak, viewer, code)
    if site_id is None:
        return None
    site = jejak.app.site(site_id)
    return Subject(SITE_LIFECYCLE, site_id, site.state, site.version, code, f"/sites/{code}")


def case_subject(jejak: Jejak, viewer: Account, case_number: str) -> Subject | None:
    """Her case with `case_number`, if the viewer's units hold it."""
    case_id = _case_id(jejak, viewer, case_number)
    if case_id is None:
        return None
    case = jejak.app.beneficiary(case_id)
    return Subject(
        BENEFICIARY_LIFECYCLE,
        case_id,
        case.state,
        case.version,
        case_number,
        f"/cases/{case_number}",
    )


def _region_scheme_fields(model: type[BaseModel]) -> list[str]:
    """The scheme fields of the model's regions (`kelurahan.scheme`): a choice, not text."""
    return [
        f"{name}.scheme"
        for name, info in model.model_fields.items()
        if any(
            isinstance(a, type) and issubclass(a, RegionIn)
            for a in (info.annotation, *typing.get_args(info.annotation))
        )
    ]


def entitlement_subjects(
    jejak: Jejak, viewer: Account, case_number: str, language: str
) -> list[Subject]:
    """Her entitlements, each named on her page by its component and tranche
    (`/cases/TRK-JP-0004/entitlements/jadup-1`), with the state and version of the aggregate."""
    reads = _reads(jejak, viewer)
    case_id = _case_id(jejak, viewer, case_number)
    if case_id is None:
        return []
    rows = reads.money.entitlements(beneficiary_id=case_id, limit=100, offset=0).items
    subjects: dict[str, Subject] = {}
    for row in rows:
        key = f"{row['component']}-{row['tranche']}"
        entitlement = jejak.app.entitlement(UUID(str(row["entitlement_id"])))
        if key in subjects and entitlement.state in ENTITLEMENT_ENDED:
            continue  # a cancelled earlier grant does not hide the one in force
        subjects[key] = Subject(
            ENTITLEMENT_LIFECYCLE,
            entitlement.id,
            entitlement.state,
            entitlement.version,
            f"{case_number} \u00b7 {component_name(language, row['component'])} {row['tranche']}",
            f"/cases/{case_number}",
            f"/cases/{case_number}/entitlements/{key}",
        )
    return list(subjects.values())


def entitlement_subject(
    jejak: Jejak, viewer: Account, case_number: str, key: str, language: str
) -> Subject | None:
    """Her entitlement named `key` (component-tranche), if the viewer's units hold her case."""
    return next(
        (
            s
            for s in entitlement_subjects(jejak, viewer, case_number, language)
            if s.steps_at and s.steps_at.endswith(f"/{key}")
        ),
        None,
    )


def _choices(
    request: Request, jejak: Jejak, language: str, route: CommandRoute, subject: Subject
) -> dict[str, list[Choice]]:
    choices: dict[str, list[Choice]] = {}
    kinds = route.lifecycle.documents_for(route.command)
    if kinds:
        choices["document.kind"] = [
            Choice(str(k.value), document_kind_name(language, k.value)) for k in kinds
        ]
    for name in _region_scheme_fields(route.model):
        choices[name] = [Choice(scheme, label) for scheme, label in REGION_SCHEMES]
    if "corrects_version" in route.model.model_fields and subject.path_id is not None:
        # A correction names the step it corrects by that step's version in the record.
        aggregate = subject.lifecycle.aggregate
        choices["corrects_version"] = [
            Choice(
                str(version),
                f"{version}. {event_name(language, aggregate, event)} ({date_id(occurred_on)})",
            )
            for version, event, occurred_on in _dated_steps(request, jejak, subject.path_id)
        ]
    return choices


def _dated_steps(request: Request, jejak: Jejak, record_id: UUID) -> list[tuple[int, str, date]]:
    """The record's dated steps (version, event, business date), read from its history once
    per request: a page with several correction forms reads the history once, not per form."""
    read: dict[UUID, list[tuple[int, str, date]]] = getattr(request.state, "dated_steps", {})
    if record_id not in read:
        read[record_id] = [
            (event.originator_version, type(event).__name__, event.occurred_on)
            for event in jejak.app.history(record_id)
            if hasattr(event, "occurred_on")
        ]
        request.state.dated_steps = read
    return read[record_id]


def _rests_on_a_document(route: CommandRoute) -> bool:
    # The declaration says so in its guards ("DOCUMENT_REQUIRED: the bank statement").
    lifecycle, command = route.lifecycle, route.command
    guards = [g for t in lifecycle.transitions_for(command) for g in t.guards]
    guards += [g for c in lifecycle.corrections_for(command) for g in c.guards]
    return any(g.startswith(DocumentRequired.code) for g in guards)


def command_form(
    request: Request,
    jejak: Jejak,
    route: CommandRoute,
    subject: Subject,
    target: str,
    *,
    sent: Mapping[str, str] | None = None,
    refusal: Refusal | None = None,
) -> CommandForm:
    """The form of `route`'s command for `subject`, empty or holding what was sent."""
    language = language_of(request)
    creates = route.lifecycle is not subject.lifecycle or subject.state is None
    hidden = (
        {} if creates or subject.version is None else {"expected_version": str(subject.version)}
    )
    fields = fields_of(
        route.model,
        language,
        choices=_choices(request, jejak, language, route, subject),
        hidden=hidden,
        required_groups=DOCUMENT if _rests_on_a_document(route) else frozenset(),
    )
    # The day a step happened defaults to the day the pages judge on: today, or the demo's
    # viewing day (ADR 0050), so a demo step is not dated years after the story it continues.
    defaults = {"occurred_on": deadlines_judged_on(request).isoformat()}
    fields = with_values(fields, {**defaults, **(sent or {})}, refusal)
    # Random, and not shaped like a record's id: no page shows a UUID.
    key = (sent or {}).get(IDEMPOTENCY_FIELD) or secrets.token_urlsafe(18)
    return CommandForm(
        route.command,
        action_name(language, route.command),
        target,
        fields,
        key,
        refusal.general if refusal else (),
    )


def step_target(subject: Subject, command: str) -> str:
    """Where a step's form is sent: a new record's to the page it is made from (or `steps_at`,
    where one page makes records by several commands), any other to its record's."""
    if subject.path_id is None:
        return subject.steps_at or subject.page
    return f"{subject.steps_at or subject.page}/steps/{command}"


def _hand_over_awaits(jejak: Jejak, viewer: Account, subject: Subject) -> bool:
    """Whether her case's hand-over awaits the viewer's unit: only that unit accepts it, so
    the sending unit, which sees the case too, is not offered the step.

    Read from the custody read model, which the page has waited for (`settled`): offering a
    form needs no replay of her history; the command itself is judged on her events."""
    if jejak.app.scope_guard is None or subject.path_id is None:
        return True
    with jejak.engine.connect() as conn:
        incoming = conn.execute(
            select(case_units.c.incoming_unit).where(
                case_units.c.beneficiary_id == str(subject.path_id)
            )
        ).scalar_one_or_none()
    return incoming == viewer.org_unit


def forms_now(request: Request, jejak: Jejak, viewer: Account, subject: Subject) -> dict[str, Any]:
    """The forms a record's page shows: the steps allowed now, the records it may create, and
    the corrections, each for the viewer's role."""
    app = request.app
    steps = offered_now(app, subject.lifecycle, subject.state or "", viewer.role)
    if subject.lifecycle is SITE_LIFECYCLE:
        routes = command_routes(app)
        steps += [
            route
            for command, lifecycle in CREATED_UNDER_SITE.items()
            if (route := routes.get((lifecycle.aggregate, command))) and route.may(viewer.role)
        ]
    if subject.lifecycle is BENEFICIARY_LIFECYCLE and not _hand_over_awaits(jejak, viewer, subject):
        steps = [r for r in steps if r.command != "accept_hand_over"]
    corrections = corrections_offered(app, subject.lifecycle, viewer.role)
    return {
        "steps": [
            command_form(request, jejak, r, subject, step_target(subject, r.command)) for r in steps
        ],
        "corrections": [
            command_form(request, jejak, r, subject, step_target(subject, r.command))
            for r in corrections
        ],
    }


def _route_for(request: Request, subject: Subject, command: str, viewer: Account) -> CommandRoute:
    lifecycle = subject.lifecycle
    if subject.lifecycle is SITE_LIFECYCLE and command in CREATED_UNDER_SITE:
        lifecycle = CREATED_UNDER_SITE[command]
    route = command_routes(request.app).get((lifecycle.aggregate, command))
    if route is None or not route.may(viewer.role):
        raise NotFound("step", command)
    return route


def _closed_now(language: str, subject: Subject, route: CommandRoute) -> tuple[str, ...]:
    """Why a step's form cannot be taken in the record's state, before anyone fills it in: a
    form reached by its address is told as the domain would refuse it on saving."""
    lifecycle, state = route.lifecycle, subject.state
    if (
        lifecycle is not subject.lifecycle
        or state is None
        or lifecycle.corrections_for(route.command)
    ):
        return ()
    if any(t.command == route.command for t in lifecycle.commands_from(state)):
        return ()
    closed = TransitionNotAllowed(
        f"{route.command} is not allowed in state {state}",
        aggregate=lifecycle.aggregate,
        command=route.command,
        state=state,
    )
    return (f"{refusal_for(language, closed)} ({closed.code})",)


def _render(
    request: Request, viewer: Account, subject: Subject, form: CommandForm, status: int = 200
) -> Response:
    return templates.TemplateResponse(
        request,
        "step.html",
        {"viewer": viewer, "subject": subject, "form": form},
        status,
    )


def _changed_by(jejak: Jejak, subject: Subject, since: int | None) -> str:
    events = (
        [
            e
            for e in jejak.app.history(subject.path_id)
            if since is None or e.originator_version > since
        ]
        if subject.path_id
        else []
    )
    return str(events[-1].actor.user_id) if events and hasattr(events[-1], "actor") else "?"


# What a page may do to a submitted form before its model reads it: names people know turned
# into the ids the command takes (site codes, case numbers), or a refusal by field.
Prepare = Callable[[Mapping[str, str]], "Mapping[str, str] | Refusal"]


async def take_step(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    subject: Subject,
    command: str,
    *,
    page_route: CommandRoute | None = None,
    prepare: Prepare | None = None,
) -> Response:
    """Take the step `command` on `subject` from a submitted form. `page_route` stands for
    the API's route where the page's form names records as people know them (case numbers,
    an SK number) and its endpoint turns them into the ids the API's route takes; `prepare`
    (if given) turns what was typed into what the command's model takes."""
    language = language_of(request)
    try:
        route = page_route or _route_for(request, subject, command, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    if not route.may(viewer.role):
        return not_found_page(request, viewer)
    sent = await sent_fields(request)
    target = step_target(subject, command)

    def refused(refusal: Refusal, status: int, conflict: bool) -> Response:
        kept = sent_again(sent, conflict)
        form = command_form(request, jejak, route, subject, target, sent=kept, refusal=refusal)
        return _render(request, viewer, subject, form, status)

    fields = command_form(request, jejak, route, subject, target).fields

    def attempt() -> Outcome | Refusal:
        prepared = sent if prepare is None else prepare(sent)
        if isinstance(prepared, Refusal):
            return prepared
        body = validate(route.model, fields, prepared, language)
        if isinstance(body, Refusal):
            return body
        out = route.perform(subject.path_id, body, user=viewer, jejak=jejak)
        page, handed_over = _page_still_held(
            jejak, viewer, subject, _page_after(subject, body), out.position
        )
        location = f"{page}?after={out.position}&done={command}"
        return Outcome(location + ("&handed_over=1" if handed_over else ""))

    return await take_once(
        request,
        jejak,
        viewer,
        target,
        sent,
        refused=refused,
        attempt=attempt,
        place=lambda refusal: placed_step(refusal, fields, jejak, subject, sent, language),
    )


async def form_or_step(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    subject: Subject,
    command: str,
    *,
    post: bool,
    prepare: Prepare | None = None,
) -> Response:
    """A step's form on `subject` (GET), or the step taken (POST): 404 for a command no API
    route carries, 403 for a role the declaration does not name."""
    route = command_routes(request.app).get((subject.lifecycle.aggregate, command))
    if route is None:
        return not_found_page(request, viewer)
    if not route.may(viewer.role):
        return forbidden_page(request, viewer)
    if post:
        return await take_step(request, jejak, viewer, subject, command, prepare=prepare)
    form = command_form(request, jejak, route, subject, step_target(subject, command))
    return _render(request, viewer, subject, form)


def _page_after(subject: Subject, body: BaseModel) -> str:
    # A new record's page is named by what the form gave it.
    if isinstance(body, RegisterBeneficiaryIn):
        return f"/cases/{body.case_number}"
    if isinstance(body, RegisterSiteIn):
        return f"/sites/{body.code}"
    if isinstance(body, RecordFindingIn):
        return finding_page(body.finding_number, body.lhp_number)
    if isinstance(body, PublishIn):
        return report_page(body.report_kind.value, body.period_start, body.period_end)
    return subject.page


def _page_still_held(
    jejak: Jejak, viewer: Account, subject: Subject, page: str, position: int
) -> tuple[str, bool]:
    """The page a step leads to, if the viewer still holds its record, and whether her case
    left the viewer's units. A step that hands her case to a unit the viewer is not in (her
    return home to a region outside it, ADR 0044) leads to her site's page instead, which says
    so: never to a page not found."""
    if subject.lifecycle is not BENEFICIARY_LIFECYCLE or subject.path_id is None:
        return page, False
    jejak.runner.wait_for(position, jejak.settings.read_your_writes_timeout_seconds)
    if _case_id(jejak, viewer, subject.label) is not None:
        return page, False
    site = jejak.app.site(jejak.app.beneficiary(subject.path_id).site_id)
    return (f"/sites/{site.code}" if _site_id(jejak, viewer, site.code) else "/"), True


def placed_step(
    refusal: DomainError,
    fields: list[FormField],
    jejak: Jejak,
    subject: Subject,
    sent: Mapping[str, str],
    language: str,
) -> Refusal:
    """A domain refusal on the form; a version conflict names who changed the record since
    the version the form was built on."""
    since = sent.get("expected_version")
    return placed(
        refusal,
        fields,
        language,
        lambda: _changed_by(jejak, subject, int(since) if since and since.isdigit() else None),
    )


@router.get("/sites/{code}/steps/{command}", response_class=HTMLResponse)
def site_step_form(request: Request, jejak: JejakDep, code: str, command: str) -> Response:
    """One step's form on a site (or a record created under it)."""
    return step_form_page(request, jejak, command, lambda viewer: site_subject(jejak, viewer, code))


@router.get("/cases/{case_number}/steps/{command}", response_class=HTMLResponse)
def case_step_form(request: Request, jejak: JejakDep, case_number: str, command: str) -> Response:
    """One step's form on her case."""
    return step_form_page(
        request, jejak, command, lambda viewer: case_subject(jejak, viewer, case_number)
    )


def step_form_page(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
    """The page of one step's form on the record `find` gives the viewer (404 when none)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    subject = find(viewer)
    if subject is None:
        return not_found_page(request, viewer)
    try:
        route = _route_for(request, subject, command, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    form = command_form(request, jejak, route, subject, step_target(subject, command))
    closed = _closed_now(language_of(request), subject, route)
    if closed:
        form = replace(form, general=closed)
    return _render(request, viewer, subject, form, 409 if closed else 200)


@router.post("/sites/{code}/steps/{command}", response_class=HTMLResponse)
async def site_step(request: Request, jejak: JejakDep, code: str, command: str) -> Response:
    """Take a step on a site (or register a woman there)."""
    return await take_step_on(
        request, jejak, command, lambda viewer: site_subject(jejak, viewer, code)
    )


@router.post("/cases/{case_number}/steps/{command}", response_class=HTMLResponse)
async def case_step(request: Request, jejak: JejakDep, case_number: str, command: str) -> Response:
    """Take a step on her case."""
    return await take_step_on(
        request, jejak, command, lambda viewer: case_subject(jejak, viewer, case_number)
    )


async def take_step_on(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
    """Take the step a form sent on the record `find` gives the viewer: the record's pages
    (sites, cases, batches) share this one way of taking a step."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    subject = await run_in_threadpool(find, viewer)
    if subject is None:
        return not_found_page(request, viewer)
    return await take_step(request, jejak, viewer, subject, command)


@router.get("/cases/{case_number}/entitlements/{key}/steps/{command}", response_class=HTMLResponse)
def entitlement_step_form(
    request: Request, jejak: JejakDep, case_number: str, key: str, command: str
) -> Response:
    """One step's form on one of her entitlements (a receipt, a withdrawal seen)."""
    language = language_of(request)
    return step_form_page(
        request,
        jejak,
        command,
        lambda viewer: entitlement_subject(jejak, viewer, case_number, key, language),
    )


@router.post("/cases/{case_number}/entitlements/{key}/steps/{command}", response_class=HTMLResponse)
async def entitlement_step(
    request: Request, jejak: JejakDep, case_number: str, key: str, command: str
) -> Response:
    """Take a step on one of her entitlements."""
    language = language_of(request)
    return await take_step_on(
        request,
        jejak,
        command,
        lambda viewer: entitlement_subject(jejak, viewer, case_number, key, language),
    )


def entitlement_forms(
    request: Request, jejak: Jejak, viewer: Account, case_number: str
) -> list[dict[str, Any]]:
    """The steps open now on each of her entitlements, for the viewer's role."""
    language = language_of(request)
    grants = []
    for subject in entitlement_subjects(jejak, viewer, case_number, language):
        steps = offered_now(request.app, ENTITLEMENT_LIFECYCLE, subject.state or "", viewer.role)
        if steps:
            grants.append(
                {
                    "subject": subject,
                    "steps": [
                        command_form(request, jejak, r, subject, step_target(subject, r.command))
                        for r in steps
                    ],
                }
            )
    return grants


NEW_SITE: Final = Subject(SITE_LIFECYCLE, None, None, None, "", "/sites/new")


@router.get("/sites/new", response_class=HTMLResponse)
def new_site_form(request: Request, jejak: JejakDep) -> Response:
    """The form registering a site."""
    return step_form_page(request, jejak, "register_site", lambda viewer: NEW_SITE)


@router.post("/sites/new", response_class=HTMLResponse)
async def new_site(request: Request, jejak: JejakDep) -> Response:
    """Register a site."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    return await take_step(request, jejak, viewer, NEW_SITE, "register_site")
