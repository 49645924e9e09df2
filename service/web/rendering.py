"""What every page shares: the templates (with the reader's language and the CSRF token),
who is looking, and the page that answers a request for something not there or not allowed."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from service.api.deps import JejakDep, NotAuthenticated, current_user
from service.security.accounts import Account
from service.web.i18n import install_i18n
from service.web.security import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
install_i18n(templates)
# Every form sends it back in its `csrftoken` field (ADR 0049).
templates.env.globals["csrf_token"] = csrf_token


def viewer_of(request: Request, jejak: JejakDep) -> Account | None:
    """The logged-in account, or None."""
    try:
        return current_user(request, jejak, None)
    except NotAuthenticated:
        return None


def to_login(request: Request) -> Response:
    """Off to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def not_found_page(request: Request, viewer: Account) -> HTMLResponse:
    """404: the same page for a record that does not exist and one the viewer may not see."""
    return templates.TemplateResponse(
        request, "refused.html", {"viewer": viewer, "status": 404}, status_code=404
    )


def forbidden_page(request: Request, viewer: Account) -> HTMLResponse:
    """403: the viewer's role may not do what the page does."""
    return templates.TemplateResponse(
        request, "refused.html", {"viewer": viewer, "status": 403}, status_code=403
    )
