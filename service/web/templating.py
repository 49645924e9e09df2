"""What every page shares: the templates with their language and formats, the signed-in
viewer, and the one page for a record that is unknown or not the viewer's to see."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from service.api.deps import NotAuthenticated, current_user
from service.security.accounts import Account
from service.system import Jejak
from service.web.i18n import install_i18n
from service.web.security import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
install_i18n(templates)
# Every form sends it back in its `csrftoken` field (ADR 0049).
templates.env.globals["csrf_token"] = csrf_token


def signed_in(request: Request, jejak: Jejak) -> Account | None:
    """The account of the session the request carries, or None."""
    try:
        return current_user(request, jejak, None)
    except NotAuthenticated:
        return None


def not_found(request: Request, viewer: Account | None) -> Response:
    """The page for a record that does not exist or is outside the viewer's units: the same
    answer for both, so a page does not tell what lies outside them."""
    return templates.TemplateResponse(request, "not_found.html", {"viewer": viewer}, 404)
