"""What every page shares: the templates with their language, filters and CSRF token; the
signed-in viewer; and the day the pages judge deadlines on (ADR 0050)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from service.api.deps import NotAuthenticated, current_user, get_jejak
from service.provenance import today_wita
from service.security.accounts import Account
from service.system import Jejak
from service.web.i18n import install_i18n
from service.web.security import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
install_i18n(templates)
# Every form sends it back in its `csrftoken` field (ADR 0049).
templates.env.globals["csrf_token"] = csrf_token


def viewer_of(request: Request, jejak: Jejak) -> Account | None:
    """The signed-in account, or None when the page must ask for a login."""
    try:
        return current_user(request, jejak, None)
    except NotAuthenticated:
        return None


def not_found(request: Request, viewer: Account | None) -> Response:
    """The page for a record that does not exist or is outside the viewer's units: the same
    answer for both, so a page does not tell what lies outside them."""
    return templates.TemplateResponse(request, "not_found.html", {"viewer": viewer}, 404)


def viewed_as_of(request: Request) -> date | None:
    """The day the store is shown as at (JEJAK_VIEW_AS_OF), or None for today."""
    return get_jejak(request).settings.view_as_of


def deadlines_judged_on(request: Request) -> date:
    """The day overdue work is judged on: the configured viewing day, else today in WITA."""
    return viewed_as_of(request) or today_wita()


def _viewing_day(request: Request) -> dict[str, Any]:
    # Every page names the day it is shown as at, so no one takes the demo's past for today.
    return {"viewed_as_of": viewed_as_of(request)}


templates.context_processors.append(_viewing_day)
