"""Plain HTML pages: the login form and the programme dashboard; the other pages' routers
are included here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.auth import log_in
from service.api.deps import SESSION_COOKIE, JejakDep
from service.api.time_travel import READERS as TIME_TRAVELLERS
from service.i18n import gettext
from service.queries.dashboard import dashboard_at
from service.queries.read_models import ReadModels
from service.security.login_throttle import LoginThrottled
from service.security.scope import of_account
from service.web.access_log import router as access_log_router
from service.web.admin import router as admin_router
from service.web.audit import router as audit_router
from service.web.batches import router as batches_router
from service.web.commands import router as commands_router
from service.web.cuts import PageCut, cut_context, cut_of_page
from service.web.documents import router as documents_router
from service.web.funding import router as funding_router
from service.web.i18n import language_of, remember_language
from service.web.i18n import router as language_router
from service.web.integrity import router as integrity_router
from service.web.ledger import router as ledger_router
from service.web.pictures import budget_chart, stage_chart
from service.web.pictures import router as pictures_router
from service.web.privacy import router as privacy_router
from service.web.privacy_clocks import clock_banner
from service.web.reconciliation import router as reconciliation_router
from service.web.rendering import deadlines_judged_on, templates, viewer_of
from service.web.reports import router as reports_router
from service.web.restatements import router as restatements_router
from service.web.roster import router as roster_router
from service.web.search import router as search_router
from service.web.worklist import page_of_work
from service.web.worklist import router as worklist_router

__all__ = ["router", "templates"]

router = APIRouter(include_in_schema=False)
router.include_router(language_router)
router.include_router(worklist_router)
router.include_router(search_router)
router.include_router(commands_router)
router.include_router(roster_router)
router.include_router(documents_router)
router.include_router(integrity_router)
router.include_router(access_log_router)
router.include_router(admin_router)
router.include_router(pictures_router)
router.include_router(batches_router)
router.include_router(reconciliation_router)
router.include_router(ledger_router)
router.include_router(funding_router)
router.include_router(audit_router)
router.include_router(restatements_router)
router.include_router(reports_router)
router.include_router(privacy_router)


def _safe_next(target: str | None) -> str:
    # Only local paths: a login form must not become an open redirect.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next_page: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The login page; `next` is where to go after logging in."""
    return templates.TemplateResponse(
        request, "login.html", {"error": None, "next": _safe_next(next_page)}
    )


@router.post("/login")
def login(
    request: Request,
    jejak: JejakDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next_page: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Log in: open a session on the server and give the browser its id in an HTTP-only
    cookie (Secure outside local development, see service/web/security.py)."""
    try:
        account = log_in(jejak, username, password, request)
    except LoginThrottled as held_back:
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "error": gettext(
                    language_of(request), "Too many failed logins. Try again in %(seconds)s s."
                )
                % {"seconds": held_back.retry_after_seconds},
                "next": _safe_next(next_page),
            },
            429,
            headers={"Retry-After": str(held_back.retry_after_seconds)},
        )
    if account is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "error": gettext(language_of(request), "Wrong username or password."),
                "next": _safe_next(next_page),
            },
            401,
        )
    response = RedirectResponse(_safe_next(next_page), status_code=303)
    # A session cookie (no max-age): the browser forgets it when it closes; the server ends
    # the session on logout, after inactivity, or at its absolute lifetime (ADR 0049).
    response.set_cookie(
        SESSION_COOKIE, jejak.sessions.open(account.username), httponly=True, samesite="strict"
    )
    chosen = jejak.account_settings.language(account.username)
    if chosen:
        remember_language(response, chosen)
    return response


@router.post("/logout")
def logout(request: Request, jejak: JejakDep) -> Response:
    """End the session on the server and forget its cookie."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        jejak.sessions.revoke(session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, jejak: JejakDep) -> Response:
    """The programme dashboard, figures straight from the read models."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    scope = of_account(jejak.scopes, viewer)
    reads = ReadModels.of(jejak, scope)
    # A past cut is read from the version histories, programme-wide: offered to the roles the
    # API's time travel serves, whose scope is the whole programme.
    may_travel = viewer.role in TIME_TRAVELLERS and scope.everything
    page_cut = cut_of_page(request, jejak) if may_travel else PageCut()
    dashboard: dict[str, Any] = (
        reads.dashboard.now() if page_cut.cut is None else dashboard_at(jejak, page_cut.cut)
    )
    judged_on = page_cut.as_at or deadlines_judged_on(request)
    work = reads.worklist.list(
        as_of=judged_on, overdue_only=True, site_id=None, kind=None, limit=15, offset=0
    )
    for item in work.items:
        item["href"] = page_of_work(item)
    language = language_of(request)
    stages = stage_chart(
        jejak,
        language,
        dashboard["sites"],
        page_cut.cut,
        judged_on,
        request.query_params.get("site", "").strip().upper(),
    )
    # The budget is the programme's (require_programme_wide): drawn for whoever sees it all.
    budget = budget_chart(jejak, reads, language, page_cut.cut) if scope.everything else None
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "viewer": viewer,
            "section": "dashboard",
            "dashboard": dashboard,
            "overdue": work,
            "position": jejak.runner.position(),
            "today": judged_on,
            "may_travel": may_travel,
            "stages": stages,
            "budget": budget,
            **clock_banner(jejak, viewer, request),
            **cut_context(page_cut),
        },
    )
