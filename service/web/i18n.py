"""The pages speak the reader's language (ADR 0048): Jinja2's i18n extension on the pages'
templates, the catalogue chosen per request, and the one formatter per format as filters.

The language is the `jejak_lang` cookie's, else Indonesian. A logged-in reader's choice in the
page header is also kept as the account's own (service/security/account_settings.py), and
logging in sets the cookie from it: the choice is the person's, on any browser.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from service.api.deps import JejakDep, NotAuthenticated, current_user
from service.i18n import (
    AGGREGATE_OF_KIND,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    action_name,
    event_name,
    gettext,
    state_name,
    supported,
    translations,
)
from service.i18n.formats import date_id, datetime_id, number, rupiah, time_id
from service.queries.reveal import MARKER_WORDS, worded

LANGUAGE_COOKIE: Final = "jejak_lang"
# Each language named in itself, as a switch offers it.
LANGUAGE_NAMES: Final = (("id", "Bahasa Indonesia"), ("en", "English"))
ONE_YEAR_SECONDS: Final = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def language_of(request: Request) -> str:
    """The language the pages speak to this request."""
    return supported(request.cookies.get(LANGUAGE_COOKIE), DEFAULT_LANGUAGE)


def _language(context: Context) -> str:
    return supported(context.get("language"), DEFAULT_LANGUAGE)


@pass_context
def _gettext(context: Context, message: str) -> str:
    return gettext(_language(context), message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return str(translations(_language(context)).ngettext(singular, plural, n))


@pass_context
def _state(context: Context, state: str | None, aggregate: str) -> str:
    return state_name(_language(context), aggregate, state) if state else "\u2013"


@pass_context
def _action(context: Context, command: str | None) -> str:
    return action_name(_language(context), command) if command else "\u2013"


@pass_context
def _role(context: Context, role: str) -> str:
    return _named(context, "role", role)


@pass_context
def _event(context: Context, event: str, aggregate: str) -> str:
    return event_name(_language(context), aggregate, event)


@pass_context
def _document_kind(context: Context, kind: str) -> str:
    return _named(context, "document", kind)


@pass_context
def _component(context: Context, component: str) -> str:
    return _named(context, "component", component)


@pass_context
def _case_field(context: Context, field: str) -> str:
    return _named(context, "field", field)


def _named(context: Context, prefix: str, code: str) -> str:
    """The catalogue's name for a code (`role.operator`), or the code where it has none."""
    key = f"{prefix}.{code}"
    text = gettext(_language(context), key)
    return code if text == key else text


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Every value a page writes passes here: a marker the reveal gives in place of her data
    (`[erased]`) becomes the catalogue's word ("dihapus")."""
    if value.__class__ is str and value in MARKER_WORDS:
        return worded(_language(context), value)
    return value


def _aggregate(kind: str) -> str:
    return AGGREGATE_OF_KIND.get(kind, kind)


def _page_language(request: Request) -> dict[str, Any]:
    return {"language": language_of(request), "languages": LANGUAGE_NAMES}


def install_i18n(templates: Jinja2Templates) -> None:
    """Give `templates` the i18n extension, the language per request and the format filters."""
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.finalize = _finalize
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.filters.update(
        state=_state,
        action=_action,
        role=_role,
        event=_event,
        document_kind=_document_kind,
        component=_component,
        case_field=_case_field,
        aggregate=_aggregate,
        rupiah=rupiah,
        number=number,
        date_id=date_id,
        time_id=time_id,
        datetime_id=datetime_id,
    )
    templates.context_processors.append(_page_language)


def _safe_next(target: str | None) -> str:
    # Only local paths: a language link must not become an open redirect.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def remember_language(response: Response, language: str) -> None:
    """Have this browser speak `language` from the next page on."""
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=ONE_YEAR_SECONDS, httponly=True, samesite="lax"
    )


@router.get("/language/{language}")
def choose_language(
    language: str, next_page: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """Before logging in: remember the reader's language (`id` or `en`) in this browser and go
    back to the page."""
    response = RedirectResponse(_safe_next(next_page), status_code=303)
    if language in LANGUAGES:
        remember_language(response, language)
    return response


@router.post("/language/{language}")
def choose_account_language(
    request: Request,
    jejak: JejakDep,
    language: str,
    next_page: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    """Logged in: keep the language as the account's own (a POST behind the CSRF check, as it
    changes what the server keeps), and speak it in this browser at once."""
    response = RedirectResponse(_safe_next(next_page), status_code=303)
    if language not in LANGUAGES:
        return response
    try:
        account = current_user(request, jejak, None)
    except NotAuthenticated:
        return RedirectResponse(f"/login?next={_safe_next(next_page)}", status_code=303)
    jejak.account_settings.choose_language(account.username, language)
    remember_language(response, language)
    return response
