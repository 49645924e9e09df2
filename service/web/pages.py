"""Plain HTML pages: the login form and the programme dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from service.api.auth import log_in
from service.api.deps import SESSION_COOKIE, JejakDep, current_user
from service.files.exports.indonesian import format_rupiah_id as rupiah_for_display
from service.provenance import today_wita
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.login_throttle import LoginThrottled
from service.security.scope import of_account

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


templates.env.filters["rupiah"] = rupiah_for_display


def _viewer(request: Request, jejak: JejakDep) -> Account | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return current_user(request, jejak, token)
    except Exception:
        return None


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
    """Log in and keep the token in an HTTP-only session cookie."""
    try:
        account = log_in(jejak, username, password, request)
    except LoginThrottled as held_back:
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "error": f"Too many failed logins. Try again in {held_back.retry_after_seconds} s.",
                "next": _safe_next(next_page),
            },
            429,
            headers={"Retry-After": str(held_back.retry_after_seconds)},
        )
    if account is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"error": "Wrong username or password.", "next": _safe_next(next_page)},
            401,
        )
    response = RedirectResponse(_safe_next(next_page), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        jejak.tokens.issue(account),
        httponly=True,
        samesite="strict",
        max_age=jejak.settings.token_minutes * 60,
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the session."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, jejak: JejakDep) -> Response:
    """The programme dashboard, figures straight from the read models."""
    viewer = _viewer(request, jejak)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    dashboard: dict[str, Any] = reads.dashboard.now()
    work = reads.worklist.list(
        as_of=today_wita(), overdue_only=True, site_id=None, kind=None, limit=15, offset=0
    )
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "viewer": viewer,
            "dashboard": dashboard,
            "overdue": work,
            "position": jejak.runner.position(),
            "today": today_wita(),
        },
    )
