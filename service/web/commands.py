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
from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from domain.beneficiary_errors import DocumentRequired
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import DomainError, TransitionNotAllowed
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from service.api.audit_register import RecordFindingIn
from service.api.deps import JejakDep
from service.api.errors import refusal_status
from service.api.models import RegionIn, RegisterBeneficiaryIn, RegisterSiteIn
from service.api.reports import PublishIn
from service.commands.base import VersionConflict
from service.commands.idempotency import (
    IdempotencyKeyRefused,
    StoredResponse,
    parse_idempotency_key,
    request_fingerprint,
)
from service.errors import NotFound
from service.i18n import (
    action_name,
    component_name,
    document_kind_name,
    event_name,
    gettext,
    refusal_for,
)
from service.i18n.formats import date_id
from service.provenance import today_wita
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import CommandRoute, command_routes, corrections_offered, offered_now
from service.web.forms import (
    CSRF_FIELD,
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
from service.web.rendering import forbidden_page, not_found_page, templates, viewer_of

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
    jejak: Jejak, language: str, route: CommandRoute, subject: Subject
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
                str(event.originator_version),
                f"{event.originator_version}. "
                f"{event_name(language, aggregate, type(event).__name__)}"
                f" ({date_id(event.occurred_on)})",
            )
            for event in jejak.app.history(subject.path_id)
            if hasattr(event, "occurred_on")
        ]
    return choices


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
        choices=_choices(jejak, language, route, subject),
        hidden=hidden,
        required_groups=DOCUMENT if _rests_on_a_document(route) else frozenset(),
    )
    defaults = {"occurred_on": today_wita().isoformat()}
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
    """Where a step's form is sent: a new site's to its own page, any other to its record's."""
    if subject.path_id is None:
        return subject.page
    return f"{subject.steps_at or subject.page}/steps/{command}"


def _hand_over_awaits(jejak: Jejak, viewer: Account, subject: Subject) -> bool:
    """Whether her case's hand-over awaits the viewer's unit: only that unit accepts it, so
    the sending unit, which sees the case too, is not offered the step."""
    guard = jejak.app.scope_guard
    if guard is None or subject.path_id is None:
        return True
    return guard.custody_of(jejak.app.beneficiary(subject.path_id)).incoming == viewer.org_unit


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
    prepare: Prepare | None = None,
) -> Response:
    """Take the step `command` on `subject` from a submitted form; `prepare` (if given) turns
    what was typed into what the command's model takes."""
    language = language_of(request)
    try:
        route = _route_for(request, subject, command, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    submitted = await request.form()
    sent = {k: v for k, v in submitted.items() if isinstance(v, str)}
    target = step_target(subject, command)

    def refused(refusal: Refusal, status: int, *, conflict: bool = False) -> Response:
        # After a conflict the form carries the version now stored: deciding again on what
        # the page now shows is the user's to do, not the form's.
        kept = {k: v for k, v in sent.items() if not (conflict and k == "expected_version")}
        form = command_form(request, jejak, route, subject, target, sent=kept, refusal=refusal)
        return _render(request, viewer, subject, form, status)

    try:
        key = parse_idempotency_key(sent.get(IDEMPOTENCY_FIELD, ""))
    except IdempotencyKeyRefused as bad:
        return refused(Refusal({}, (refusal_for(language, bad),)), 422)
    own = sorted((k, v) for k, v in sent.items() if k != CSRF_FIELD)
    fingerprint = request_fingerprint("POST", target, repr(own).encode())
    try:
        claim = await run_in_threadpool(jejak.idempotency.claim, viewer.username, key, fingerprint)
    except IdempotencyKeyRefused as bad:
        return refused(Refusal({}, (refusal_for(language, bad),)), refusal_status(bad))
    if isinstance(claim, StoredResponse):
        # The same form sent again (a double click, a reload): its first answer, nothing new.
        return RedirectResponse(claim.body, status_code=303)
    fields = command_form(request, jejak, route, subject, target).fields
    prepared = sent if prepare is None else await run_in_threadpool(prepare, sent)
    body = (
        prepared
        if isinstance(prepared, Refusal)
        else validate(route.model, fields, prepared, language)
    )
    if isinstance(body, Refusal):
        await run_in_threadpool(jejak.idempotency.release, claim)
        return refused(body, 422)
    try:
        out = await run_in_threadpool(
            route.perform, subject.path_id, body, user=viewer, jejak=jejak
        )
    except DomainError as refusal:
        await run_in_threadpool(jejak.idempotency.release, claim)
        placed = _placed(refusal, fields, jejak, subject, sent, language)
        conflict = isinstance(refusal, VersionConflict)
        return refused(placed, refusal_status(refusal), conflict=conflict)
    except NotFound:
        await run_in_threadpool(jejak.idempotency.release, claim)
        return not_found_page(request, viewer)
    page, handed_over = await run_in_threadpool(
        _page_still_held, jejak, viewer, subject, _page_after(subject, body), out.position
    )
    location = f"{page}?after={out.position}&done={command}"
    if handed_over:
        location += "&handed_over=1"
    await run_in_threadpool(jejak.idempotency.complete, claim, StoredResponse(303, location))
    return RedirectResponse(location, status_code=303)


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
        return await take_step(request, jejak, viewer, subject, command, prepare)
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


def _placed(
    refusal: DomainError,
    fields: list[FormField],
    jejak: Jejak,
    subject: Subject,
    sent: Mapping[str, str],
    language: str,
) -> Refusal:
    """A domain refusal on the form: next to the field it names, else above the form; a version
    conflict says who changed the record meanwhile."""
    if isinstance(refusal, VersionConflict):
        since = sent.get("expected_version")
        who = _changed_by(jejak, subject, int(since) if since and since.isdigit() else None)
        message = gettext(
            language, "Changed meanwhile by %(user)s: read the page again before deciding."
        ) % {"user": who}
        return Refusal({}, (message,))
    message = f"{refusal_for(language, refusal)} ({refusal.code})"
    names = {f.name for f in fields if f.widget != "hidden"}
    if refusal.field in names:
        return Refusal({refusal.field: message})
    nested = next((n for n in names if refusal.field and n.startswith(refusal.field + ".")), None)
    if nested:
        return Refusal({nested: message})
    return Refusal({}, (message,))


@router.get("/sites/{code}/steps/{command}", response_class=HTMLResponse)
def site_step_form(request: Request, jejak: JejakDep, code: str, command: str) -> Response:
    """One step's form on a site (or a record created under it)."""
    return _step_form(request, jejak, command, lambda viewer: site_subject(jejak, viewer, code))


@router.get("/cases/{case_number}/steps/{command}", response_class=HTMLResponse)
def case_step_form(request: Request, jejak: JejakDep, case_number: str, command: str) -> Response:
    """One step's form on her case."""
    return _step_form(
        request, jejak, command, lambda viewer: case_subject(jejak, viewer, case_number)
    )


def _step_form(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
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
    return await _take_step_on(
        request, jejak, command, lambda viewer: site_subject(jejak, viewer, code)
    )


@router.post("/cases/{case_number}/steps/{command}", response_class=HTMLResponse)
async def case_step(request: Request, jejak: JejakDep, case_number: str, command: str) -> Response:
    """Take a step on her case."""
    return await _take_step_on(
        request, jejak, command, lambda viewer: case_subject(jejak, viewer, case_number)
    )


async def _take_step_on(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
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
    return _step_form(
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
    return await _take_step_on(
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
    return _step_form(request, jejak, "register_site", lambda viewer: NEW_SITE)


@router.post("/sites/new", response_class=HTMLResponse)
async def new_site(request: Request, jejak: JejakDep) -> Response:
    """Register a site."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    return await take_step(request, jejak, viewer, NEW_SITE, "register_site")
