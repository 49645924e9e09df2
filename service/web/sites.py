"""A site's page, `/sites/{code}`: its state, headcounts, closure decree, its cases with their
next action, and its timeline, all through the viewer's scope."""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain.identity import RegionScheme, default_registry
from service.api.deps import JejakDep
from service.errors import NotFound
from service.queries.paging import Page, Row
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.commands import forms_now, site_subject
from service.web.names import StaffNames, site_named
from service.web.past import as_it_stood, date_cut
from service.web.rendering import (
    deadlines_judged_on,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

CASES_PER_PAGE: Final = 50

router = APIRouter(include_in_schema=False)


def site_page_context(
    request: Request, jejak: Jejak, viewer: Account, code: str, page: int = 1
) -> dict[str, Any]:
    """What the site page shows, by name: `site` (its site_status row), `kelurahan` (the
    kelurahan's name, or None), `figures` (its programme_dashboard row: headcounts), `cases`
    (one page of its cases with state, next action and due date), `pager`, `next_step` (the
    site's own next action and due date, or None), `timeline`, `today`. NotFound when no site
    the viewer may see has this code."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    site = site_named(reads, code)
    site_id = UUID(site["site_id"])
    # Deadlines as the other pages judge them: as at the day the store is shown (ADR 0050).
    today = deadlines_judged_on(request)
    page = max(page, 1)
    cases = reads.worklist.cases_at_site(
        site_id, as_of=today, limit=CASES_PER_PAGE, offset=(page - 1) * CASES_PER_PAGE
    )
    board = reads.dashboard.now()["sites"]
    return {
        "viewer": viewer,
        "site": site,
        "kelurahan": default_registry().name_of(
            RegionScheme(site["kelurahan_scheme"]), site["kelurahan_code"]
        ),
        "figures": next((s for s in board if s["site_id"] == site["site_id"]), None),
        "cases": cases,
        "pager": pager(cases, page),
        "next_step": reads.worklist.next_step_of(site_id, as_of=today),
        "timeline": timeline(reads, StaffNames(jejak), viewer, site_id, "Site"),
        "today": today,
    }


def pager(items: Page[Row], page: int) -> dict[str, int | None]:
    """Which page of a list this is, of how many, and the previous and next page numbers."""
    pages = max(1, -(-items.total // items.limit))
    return {
        "page": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
    }


@router.get("/sites/{code}", response_class=HTMLResponse)
def site_page(request: Request, jejak: JejakDep, code: str, page: int = 1) -> Response:
    """One site's page, by its code (`/sites/TRK-JP`); `page` pages its list of cases."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    try:
        context = site_page_context(request, jejak, viewer, code, page)
    except NotFound:
        return not_found_page(request, viewer)
    past = as_it_stood(
        jejak,
        UUID(context["site"]["site_id"]),
        context["timeline"],
        date_cut(request, jejak, viewer),
    )
    subject = site_subject(jejak, viewer, code)
    actions = forms_now(request, jejak, viewer, subject) if subject else None
    context.update(actions=actions, done=done, **past)
    return templates.TemplateResponse(request, "site.html", context)
