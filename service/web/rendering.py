"""What every page shares: the templates (with the reader's language, filters and CSRF token),
who is looking, the pages that answer a request for something not there or not allowed, and
the day the pages judge deadlines on (ADR 0050)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.access import READ_ROLES, WRITE_ROLES, Read, Write
from domain.lifecycle_docs import LIFECYCLES
from service.api.deps import NotAuthenticated, current_user, get_jejak
from service.i18n import action_name, gettext
from service.i18n.formats import number
from service.provenance import today_wita
from service.security.accounts import Account
from service.system import Jejak
from service.web.i18n import install_i18n, language_of
from service.web.security import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
install_i18n(templates)
# Every form sends it back in its `csrftoken` field (ADR 0049).
templates.env.globals["csrf_token"] = csrf_token


def may(viewer: Account | None, aggregate: str, command: str) -> bool:
    """Whether the lifecycle of `aggregate` lets the viewer's role issue `command`: the pages
    offer a link to a step's form only to the roles the declaration names."""
    return viewer is not None and any(
        viewer.role in lifecycle.roles_for(command)
        for lifecycle in LIFECYCLES
        if lifecycle.aggregate == aggregate
    )


def may_upload(viewer: Account | None) -> bool:
    """Whether the viewer's role may add a document to the store."""
    return viewer is not None and viewer.role in WRITE_ROLES[Write.UPLOAD_DOCUMENT]


templates.env.globals["may"] = may
templates.env.globals["may_upload"] = may_upload


def viewer_of(request: Request, jejak: Jejak) -> Account | None:
    """The signed-in account, or None when the page must ask for a login."""
    try:
        return current_user(request, jejak, None)
    except NotAuthenticated:
        return None


def to_login(request: Request) -> Response:
    """Off to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def not_found_page(request: Request, viewer: Account | None) -> HTMLResponse:
    """404: the same page for a record that does not exist and one the viewer may not see, so
    a page does not tell what lies outside the viewer's units."""
    return templates.TemplateResponse(
        request, "refused.html", {"viewer": viewer, "status": 404}, status_code=404
    )


def forbidden_page(request: Request, viewer: Account | None) -> HTMLResponse:
    """403: the viewer's role may not do what the page does."""
    return templates.TemplateResponse(
        request, "refused.html", {"viewer": viewer, "status": 403}, status_code=403
    )


def settled(request: Request, jejak: Jejak) -> str | None:
    """After a step (`?after=<position>&done=<command>`): wait until the read models have read
    it, so the page shows what was just done, and say what was saved."""
    after = request.query_params.get("after", "")
    if after.isdigit():
        jejak.runner.wait_for(int(after), jejak.settings.read_your_writes_timeout_seconds)
    language = language_of(request)
    done = request.query_params.get("done")
    if done:
        saved = gettext(language, "Saved: %(step)s.") % {"step": action_name(language, done)}
        if request.query_params.get("handed_over") == "1":
            held = gettext(
                language, "Her case is now held by another unit; it is no longer on your pages."
            )
            return f"{saved} {held}"
        return saved
    registered = request.query_params.get("registered", "")
    if registered.isdigit():
        return gettext(language, "Registered: %(count)s people.") % {
            "count": number(int(registered))
        }
    return None


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


def may_read_privacy(viewer: Account | None) -> bool:
    """Whether the viewer's role reads the privacy registers (the menu shows the link)."""
    return viewer is not None and viewer.role in READ_ROLES[Read.PRIVACY_REGISTERS]


templates.env.globals["may_read_privacy"] = may_read_privacy
