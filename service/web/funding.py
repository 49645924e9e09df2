"""The programme's money before it is paid (issue 16, point 1): `/funding`, the budget position
of each funding commitment at the page's cut, the aid decrees (SK), and the forms of their
commands for the roles the lifecycles name.

Records are named as people know them: a commitment by its fiscal year and budget line
(`/funding/2019-apbn-dipa-027-04-1-2019-akun-573111`), a decree by its SK number with its
slashes as dashes (`/decrees/DEMO-SK-REHSOS-2018-117`); never by an id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.decree import Decree
from domain.money_lifecycles import (
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
)
from service.api.deps import JejakDep
from service.api.money import list_budget
from service.errors import NotFound
from service.queries.paging import Row
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account, require_programme_wide
from service.system import Jejak
from service.web.actions import CommandRoute, command_routes, offered_now
from service.web.commands import Subject, command_form, step_target, take_step
from service.web.cuts import cut_context, cut_of_page
from service.web.funding_forms import page_route
from service.web.rendering import not_found_page, settled, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

# Budget lines of one programme are few (one or two a year): one page shows them all.
BUDGET_LINES_SHOWN: Final = 100
_NOT_IN_SLUGS = re.compile(r"[^a-z0-9]+")
NEW_COMMITMENT: Final = Subject(COMMITMENT_LIFECYCLE, None, None, None, "", "/funding")
NEW_DECREE: Final = Subject(DECREE_LIFECYCLE, None, None, None, "", "/decrees/new")
ALLOCATE: Final = "allocate_funds"


def commitment_slug(row: Row) -> str:
    """A commitment's name in an address: its fiscal year, source and budget line."""
    words = f"{row['fiscal_year']} {row['source']} {row['budget_line']}".lower()
    return _NOT_IN_SLUGS.sub("-", words).strip("-")


def decree_slug(number: str) -> str:
    """A decree's SK number in an address: its slashes and spaces as dashes."""
    return re.sub(r"[/\s]+", "-", number.strip())


def _reads(jejak: Jejak, viewer: Account) -> ReadModels:
    scope = of_account(jejak.scopes, viewer)
    # The budget and the decrees are the programme's: a unit's account is told they do not
    # exist, as the API tells it.
    require_programme_wide(scope, "Budget")
    return ReadModels.of(jejak, scope)


def _budget(jejak: Jejak, viewer: Account, reads: ReadModels, request: Request) -> dict[str, Any]:
    page_cut = cut_of_page(request, jejak)
    answer = list_budget(
        user=viewer,
        jejak=jejak,
        reads=reads,
        response=Response(),
        cut=page_cut.cut,
        fiscal_year=None,
        limit=BUDGET_LINES_SHOWN,
        offset=0,
    )
    lines = [{**row, "slug": commitment_slug(row)} for row in answer["items"]]
    return {"budget": lines, **cut_context(page_cut)}


def _commitment(jejak: Jejak, viewer: Account, slug: str) -> tuple[Row, Subject]:
    """Today's budget line named `slug`, and the commitment as its steps act on it."""
    reads = _reads(jejak, viewer)
    rows = reads.money.budget(fiscal_year=None, limit=BUDGET_LINES_SHOWN, offset=0).items
    row = next((r for r in rows if commitment_slug(r) == slug), None)
    if row is None:
        raise NotFound("Commitment", slug)
    commitment = jejak.app.commitment(UUID(str(row["commitment_id"])))
    subject = Subject(
        COMMITMENT_LIFECYCLE,
        commitment.id,
        commitment.state,
        commitment.version,
        f"{row['fiscal_year']} \u00b7 {row['budget_line']}",
        f"/funding/{slug}",
    )
    return row, subject


def _commitment_subject(jejak: Jejak, slug: str) -> Callable[[Account], Subject | None]:
    def find(viewer: Account) -> Subject | None:
        try:
            return _commitment(jejak, viewer, slug)[1]
        except NotFound:
            return None

    return find


def _steps(request: Request, viewer: Account, subject: Subject) -> list[CommandRoute]:
    """The steps open on a commitment or a decree for the viewer, each with the page's form
    where the API's names records by id; on an open commitment, its allocation (the
    entitlement's step, declared on the commitment as `allocate`)."""
    state = subject.state or ""
    steps = offered_now(request.app, subject.lifecycle, state, viewer.role)
    if subject.lifecycle is COMMITMENT_LIFECYCLE and any(
        t.command == "allocate" for t in COMMITMENT_LIFECYCLE.commands_from(state)
    ):
        allocate = command_routes(request.app).get((ENTITLEMENT_LIFECYCLE.aggregate, ALLOCATE))
        if allocate is not None and allocate.may(viewer.role):
            steps.insert(0, allocate)
    return [page_route(r) for r in steps]


def _forms(request: Request, jejak: Jejak, viewer: Account, subject: Subject) -> list[Any]:
    return [
        command_form(request, jejak, r, subject, step_target(subject, r.command))
        for r in _steps(request, viewer, subject)
    ]


def _step_page(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    subject = find(viewer)
    if subject is None:
        return not_found_page(request, viewer)
    route = next((r for r in _steps(request, viewer, subject) if r.command == command), None)
    if route is None:
        return not_found_page(request, viewer)
    form = command_form(request, jejak, route, subject, step_target(subject, command))
    return templates.TemplateResponse(
        request, "step.html", {"viewer": viewer, "subject": subject, "form": form}
    )


async def _take(
    request: Request, jejak: Jejak, command: str, find: Callable[[Account], Subject | None]
) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    subject = await run_in_threadpool(find, viewer)
    if subject is None:
        return not_found_page(request, viewer)
    route = next((r for r in _steps(request, viewer, subject) if r.command == command), None)
    if route is None:
        return not_found_page(request, viewer)
    return await take_step(request, jejak, viewer, subject, command, page_route=route)


@router.get("/funding", response_class=HTMLResponse)
def funding_page(request: Request, jejak: JejakDep) -> Response:
    """The budget position of each commitment at the page's cut, the decrees, and the form
    recording a new commitment for the roles that may."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        reads = _reads(jejak, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    route = _commit_route(request, viewer)
    new_commitment = (
        None if route is None else command_form(request, jejak, route, NEW_COMMITMENT, "/funding")
    )
    decrees = [{**d, "slug": decree_slug(d["decree_number"])} for d in reads.money.decrees()]
    return templates.TemplateResponse(
        request,
        "funding.html",
        {
            "viewer": viewer,
            "section": "funding",
            "done": done,
            "decrees": decrees,
            "new_commitment": new_commitment,
            **_budget(jejak, viewer, reads, request),
        },
    )


@router.post("/funding", response_class=HTMLResponse)
async def commit_funds(request: Request, jejak: JejakDep) -> Response:
    """Record a funding commitment (the DIPA or DPA line)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    route = _commit_route(request, viewer)
    if route is None:
        return not_found_page(request, viewer)
    return await take_step(request, jejak, viewer, NEW_COMMITMENT, "commit_funds", page_route=route)


def _commit_route(request: Request, viewer: Account) -> CommandRoute | None:
    route = command_routes(request.app).get((COMMITMENT_LIFECYCLE.aggregate, "commit_funds"))
    return page_route(route) if route is not None and route.may(viewer.role) else None


@router.get("/funding/{slug}", response_class=HTMLResponse)
def commitment_page(request: Request, jejak: JejakDep, slug: str) -> Response:
    """One commitment: its budget position today and the steps open on it."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        row, subject = _commitment(jejak, viewer, slug)
    except NotFound:
        return not_found_page(request, viewer)
    return templates.TemplateResponse(
        request,
        "commitment.html",
        {
            "viewer": viewer,
            "section": "funding",
            "done": done,
            "line": row,
            "subject": subject,
            "steps": _forms(request, jejak, viewer, subject),
        },
    )


@router.get("/funding/{slug}/steps/{command}", response_class=HTMLResponse)
def commitment_step_form(request: Request, jejak: JejakDep, slug: str, command: str) -> Response:
    """One step's form on a commitment (an allocation, closing its fiscal year)."""
    return _step_page(request, jejak, command, _commitment_subject(jejak, slug))


@router.post("/funding/{slug}/steps/{command}", response_class=HTMLResponse)
async def commitment_step(request: Request, jejak: JejakDep, slug: str, command: str) -> Response:
    """Take a step on a commitment."""
    return await _take(request, jejak, command, _commitment_subject(jejak, slug))


@router.get("/decrees/new", response_class=HTMLResponse)
def new_decree_form(request: Request, jejak: JejakDep) -> Response:
    """The form recording a decree (SK), its lines by case number."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    route = _issue_route(request, viewer)
    if route is None:
        return not_found_page(request, viewer)
    form = command_form(request, jejak, route, NEW_DECREE, NEW_DECREE.page)
    return templates.TemplateResponse(
        request,
        "step.html",
        {"viewer": viewer, "subject": NEW_DECREE, "form": form, "done": done},
    )


@router.post("/decrees/new", response_class=HTMLResponse)
async def new_decree(request: Request, jejak: JejakDep) -> Response:
    """Record a decree (SK)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    route = _issue_route(request, viewer)
    if route is None:
        return not_found_page(request, viewer)
    return await take_step(request, jejak, viewer, NEW_DECREE, "issue_decree", page_route=route)


def _issue_route(request: Request, viewer: Account) -> CommandRoute | None:
    route = command_routes(request.app).get((DECREE_LIFECYCLE.aggregate, "issue_decree"))
    return page_route(route) if route is not None and route.may(viewer.role) else None


def _decree(jejak: Jejak, viewer: Account, slug: str) -> tuple[Row, Decree]:
    reads = _reads(jejak, viewer)
    row = next((d for d in reads.money.decrees() if decree_slug(d["decree_number"]) == slug), None)
    if row is None:
        raise NotFound("Decree", slug)
    return row, jejak.app.decree(UUID(str(row["decree_id"])))


def _decree_subject(jejak: Jejak, slug: str) -> Callable[[Account], Subject | None]:
    def find(viewer: Account) -> Subject | None:
        try:
            decree = _decree(jejak, viewer, slug)[1]
        except NotFound:
            return None
        return Subject(
            DECREE_LIFECYCLE,
            decree.id,
            decree.state,
            decree.version,
            f"SK {decree.number}",
            f"/decrees/{slug}",
        )

    return find


@router.get("/decrees/{slug}/steps/{command}", response_class=HTMLResponse)
def decree_step_form(request: Request, jejak: JejakDep, slug: str, command: str) -> Response:
    """One step's form on a decree (an amending decree)."""
    return _step_page(request, jejak, command, _decree_subject(jejak, slug))


@router.post("/decrees/{slug}/steps/{command}", response_class=HTMLResponse)
async def decree_step(request: Request, jejak: JejakDep, slug: str, command: str) -> Response:
    """Take a step on a decree."""
    return await _take(request, jejak, command, _decree_subject(jejak, slug))


@router.get("/decrees/{slug}", response_class=HTMLResponse)
def decree_page(request: Request, jejak: JejakDep, slug: str) -> Response:
    """One decree by its SK number: who signed it on what basis, and its lines by component."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        row, decree = _decree(jejak, viewer, slug)
    except NotFound:
        return not_found_page(request, viewer)
    subject = _decree_subject(jejak, slug)(viewer)
    assert subject is not None
    by_component: dict[str, dict[str, Any]] = {}
    for line in decree.lines.values():
        part = by_component.setdefault(
            str(line.component), {"component": str(line.component), "lines": 0, "amount": 0}
        )
        part["lines"] += 1
        part["amount"] += line.amount
    amendments = [
        {"number": e.amendment_number, "occurred_on": e.occurred_on}
        for e in jejak.app.history(decree.id)
        if isinstance(e, Decree.DecreeAmended)
    ]
    return templates.TemplateResponse(
        request,
        "decree.html",
        {
            "viewer": viewer,
            "section": "funding",
            "decree": decree,
            "row": row,
            "components": list(by_component.values()),
            "amendments": amendments,
            "done": done,
            "steps": _forms(request, jejak, viewer, subject),
        },
    )
