"""The administrator's pages (`/admin/...`): staff accounts, units and the auditors' dated
assignments, with no programme data on them.

An account's change goes through `AccountAdministration`, the path `jejak users` takes too, so
it is recorded as a grant with its provenance (who, from which day, on which letter, why) and
in the access log. Units and assignments are the API's own command routes, taken through the
lifecycle steps' forms (`service.web.commands`). Only the roles that manage accounts
(`domain.access.WRITE_ROLES`) see these pages; every other role is answered 403. Accounts are
named by their usernames in the addresses.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Annotated, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, SecretStr

from domain.access import WRITE_ROLES, Write
from domain.assignments import ASSIGNMENT_LIFECYCLE
from domain.recording import DocumentKind, Role
from domain.staff import STAFF_LIFECYCLE
from domain.units import UNIT_LIFECYCLE, UnitInfo
from projections.custody import directory_of
from service.api.deps import JejakDep
from service.api.inputs import FromJson
from service.api.models import CommandIn, ShortText, Strict
from service.commands.accounts import AccountAdministration, AccountChange, generated_password
from service.i18n import action_name, document_kind_name, gettext
from service.provenance import actor_of
from service.security import grants
from service.security.accounts import Account
from service.system import Jejak
from service.web.actions import command_routes
from service.web.commands import CommandForm, Subject, command_form, take_step
from service.web.forms import IDEMPOTENCY_FIELD, Choice, Refusal, fields_of, validate, with_values
from service.web.i18n import language_of
from service.web.rendering import (
    deadlines_judged_on,
    forbidden_page,
    not_found_page,
    settled,
    templates,
    viewer_of,
)
from service.web.submissions import Outcome, placed, sent_again, sent_fields, take_once

router = APIRouter(include_in_schema=False)

MANAGERS: Final = WRITE_ROLES[Write.MANAGE_ACCOUNTS]
# The letters a grant rests on: an appointment decree (SK) or a letter of assignment.
GRANT_LETTERS: Final = (DocumentKind.DECREE, DocumentKind.SURAT)


class AccountIn(CommandIn):
    """A new account: its username, the officer's name, role and unit from `occurred_on`, and
    a temporary password (made for the administrator when left empty). The formats are the
    accounts' own rules (`service.security.accounts`), told next to their fields."""

    username: ShortText
    display_name: ShortText
    role: Annotated[Role, FromJson]
    unit: ShortText
    password: SecretStr | None = Field(default=None, max_length=200)


class RoleIn(CommandIn):
    """Another role for the account, from `occurred_on`."""

    role: Annotated[Role, FromJson]


class MoveIn(CommandIn):
    """Another unit for the account, from `occurred_on`."""

    unit: ShortText


class GrantIn(CommandIn):
    """A deactivation or reactivation, from `occurred_on`, on its letter, for its reason."""


class PasswordIn(Strict):
    """A temporary password for the account (made for the administrator when left empty)."""

    password: SecretStr | None = Field(default=None, max_length=200)


# Each change of an account a page offers: the lifecycle command it is (None: a password,
# which is no grant), what the service records, and its form's model.
CHANGES: Final[dict[str, tuple[str | None, AccountChange | None, type[BaseModel]]]] = {
    "role": ("change_role", AccountChange.ROLE, RoleIn),
    "unit": ("move_account", AccountChange.UNIT, MoveIn),
    "deactivate": ("deactivate_account", AccountChange.DEACTIVATE, GrantIn),
    "reactivate": ("reactivate_account", AccountChange.REACTIVATE, GrantIn),
    "password": (None, None, PasswordIn),
}


def may_administer(viewer: Account | None) -> bool:
    """Whether the viewer's role keeps the accounts: the administration pages are theirs."""
    return viewer is not None and viewer.role in MANAGERS


templates.env.globals["may_administer"] = may_administer


def _manager(request: Request, jejak: Jejak) -> Account | Response:
    """The administrator looking, or the page that answers anyone else."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not may_administer(viewer):
        return forbidden_page(request, viewer)
    return viewer


def _administration(jejak: Jejak) -> AccountAdministration:
    return AccountAdministration(jejak.accounts, jejak.access_log, jejak.app.staff)


def _units(jejak: Jejak) -> list[UnitInfo]:
    """Every unit by code, as the API's `GET /api/units` lists them."""
    with jejak.engine.connect() as conn:
        return list(directory_of(conn).all())


def _choices(jejak: Jejak, language: str) -> dict[str, list[Choice]]:
    """The options of the account forms: roles by their names, units by code and name, and
    the letters a grant rests on."""
    return {
        "role": [Choice(r.value, gettext(language, f"role.{r.value}")) for r in Role],
        "unit": [Choice(u.code, f"{u.code} \u00b7 {u.name}") for u in _units(jejak)],
        "document.kind": [
            Choice(k.value, document_kind_name(language, k.value)) for k in GRANT_LETTERS
        ],
    }


def _form(
    request: Request,
    jejak: Jejak,
    model: type[BaseModel],
    command: str,
    title: str,
    target: str,
    *,
    hidden: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> CommandForm:
    language = language_of(request)
    fields = fields_of(model, language, choices=_choices(jejak, language), hidden=hidden)
    # As the steps do (ADR 0050): the day the pages judge on, the demo's viewing day there.
    defaults = {"occurred_on": deadlines_judged_on(request).isoformat()}
    fields = with_values(fields, {**defaults, **(sent or {})}, refusal)
    key = (sent or {}).get(IDEMPOTENCY_FIELD) or secrets.token_urlsafe(18)
    return CommandForm(command, title, target, fields, key, refusal.general if refusal else ())


def _render_form(
    request: Request, viewer: Account, form: CommandForm, back: str, status: int = 200
) -> Response:
    return templates.TemplateResponse(
        request,
        "admin_form.html",
        {"viewer": viewer, "section": "admin", "form": form, "back": back},
        status,
    )


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, jejak: JejakDep) -> Response:
    """Every staff account: its username, name, role, unit and whether it may sign in."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    return templates.TemplateResponse(
        request,
        "admin_accounts.html",
        {
            "viewer": viewer,
            "section": "admin",
            "tab": "accounts",
            "accounts": jejak.accounts.list(),
            "done": settled(request, jejak),
        },
    )


def _new_account_form(request: Request, jejak: Jejak, **kept: Any) -> CommandForm:
    language = language_of(request)
    return _form(
        request,
        jejak,
        AccountIn,
        "open_account",
        action_name(language, "open_account"),
        "/admin/accounts/new",
        **kept,
    )


@router.get("/admin/accounts/new", response_class=HTMLResponse)
def new_account_form(request: Request, jejak: JejakDep) -> Response:
    """The form opening an account."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    return _render_form(request, viewer, _new_account_form(request, jejak), "/admin/accounts")


@router.post("/admin/accounts/new", response_class=HTMLResponse)
async def new_account(request: Request, jejak: JejakDep) -> Response:
    """Open an account; a password made for it is shown once, on the page that answers."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    language = language_of(request)
    sent = await sent_fields(request)
    fields = _new_account_form(request, jejak).fields

    def refused(refusal: Refusal, status: int, conflict: bool) -> Response:
        form = _new_account_form(request, jejak, sent=sent_again(sent, conflict), refusal=refusal)
        return _render_form(request, viewer, form, "/admin/accounts", status)

    def attempt() -> Outcome | Refusal:
        body = validate(AccountIn, fields, sent, language)
        if isinstance(body, Refusal):
            return body
        assert isinstance(body, AccountIn)
        password, made = _password_of(body.password)
        _administration(jejak).add(
            body.username,
            password,
            body.role,
            body.unit,
            body.display_name,
            provenance=body.provenance_for(viewer),
        )
        # The page of the new account once the read models hold its opening.
        page = f"/admin/accounts/{body.username}?after={jejak.app.position()}&done=open_account"
        return Outcome(page, _password_page(request, viewer, body.username, password, made, page))

    return await take_once(
        request,
        jejak,
        viewer,
        "/admin/accounts/new",
        sent,
        refused=refused,
        attempt=attempt,
        place=lambda refusal: placed(refusal, fields, language, lambda: "?"),
    )


def _password_of(sent: SecretStr | None) -> tuple[str, bool]:
    """The password the administrator typed, or one made now; and whether it was made."""
    typed = sent.get_secret_value() if sent is not None else ""
    return (typed, False) if typed else (generated_password(), True)


def _password_page(
    request: Request, viewer: Account, username: str, password: str, made: bool, back: str
) -> Response:
    """The page after an account is opened or its password reset: a password made by the
    system is shown here once, and never again (it is kept only as its hash)."""
    return templates.TemplateResponse(
        request,
        "admin_password.html",
        {
            "viewer": viewer,
            "section": "admin",
            "username": username,
            "password": password if made else None,
            "back": back,
        },
    )


def _account_forms(
    request: Request, jejak: Jejak, account: Account, version: int | None
) -> list[CommandForm]:
    """The changes the staff lifecycle allows from the account's state, and its password."""
    state = "ACTIVE" if account.active else "INACTIVE"
    allowed = {t.command for t in STAFF_LIFECYCLE.commands_from(state)}
    hidden = {} if version is None else {"expected_version": str(version)}
    forms = []
    for change, (command, _, _) in CHANGES.items():
        if command is not None and command not in allowed:
            continue
        forms.append(_change_form(request, jejak, account.username, change, hidden=hidden))
    return forms


def _change_form(
    request: Request, jejak: Jejak, username: str, change: str, **kept: Any
) -> CommandForm:
    command, _, model = CHANGES[change]
    language = language_of(request)
    title = (
        action_name(language, command)
        if command is not None
        else gettext(language, "Reset the password")
    )
    target = f"/admin/accounts/{username}/{change}"
    return _form(request, jejak, model, command or "reset_password", title, target, **kept)


@router.get("/admin/accounts/{username}", response_class=HTMLResponse)
def account_page(request: Request, jejak: JejakDep, username: str) -> Response:
    """One account: what it holds now, its grants by date, its assignments, and the changes
    an administrator may make to it."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    done = settled(request, jejak)
    account = jejak.accounts.get(username)
    if account is None:
        return not_found_page(request, viewer)
    recorded = jejak.app.staff.account(username)
    with jejak.engine.connect() as conn:
        held = grants.history(conn, username)
        assigned = grants.assignments_of(conn, username)
    return templates.TemplateResponse(
        request,
        "admin_account.html",
        {
            "viewer": viewer,
            "section": "admin",
            "tab": "accounts",
            "account": account,
            "grants": held,
            "assignments": assigned,
            "changes": _account_forms(
                request, jejak, account, None if recorded is None else recorded.version
            ),
            "done": done,
        },
    )


@router.post("/admin/accounts/{username}/{change}", response_class=HTMLResponse)
async def change_account(request: Request, jejak: JejakDep, username: str, change: str) -> Response:
    """Change an account's role, unit, whether it may act, or its password."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    if change not in CHANGES or jejak.accounts.get(username) is None:
        return not_found_page(request, viewer)
    language = language_of(request)
    command, recorded_as, model = CHANGES[change]
    sent = await sent_fields(request)
    page = f"/admin/accounts/{username}"
    version = sent.get("expected_version", "")
    hidden = {"expected_version": version} if version else {}
    fields = _change_form(request, jejak, username, change, hidden=hidden).fields

    def refused(refusal: Refusal, status: int, conflict: bool) -> Response:
        kept = sent_again(sent, conflict)
        if conflict:
            recorded = jejak.app.staff.account(username)
            kept_hidden = {} if recorded is None else {"expected_version": str(recorded.version)}
        else:
            kept_hidden = hidden
        form = _change_form(
            request, jejak, username, change, hidden=kept_hidden, sent=kept, refusal=refusal
        )
        return _render_form(request, viewer, form, page, status)

    def attempt() -> Outcome | Refusal:
        body = validate(model, fields, sent, language)
        if isinstance(body, Refusal):
            return body
        if isinstance(body, PasswordIn):
            password, made = _password_of(body.password)
            _administration(jejak).set_password(username, password, manager=actor_of(viewer))
            return Outcome(page, _password_page(request, viewer, username, password, made, page))
        assert isinstance(body, CommandIn) and recorded_as is not None
        to = body.role.value if isinstance(body, RoleIn) else getattr(body, "unit", "")
        _administration(jejak).change(
            username,
            recorded_as,
            provenance=body.provenance_for(viewer),
            to=to,
            expected_version=body.expected_version,
        )
        return Outcome(f"{page}?after={jejak.app.position()}&done={command}")

    def changed_by() -> str:
        recorded = jejak.app.staff.account(username)
        events = [] if recorded is None else jejak.app.history(recorded.id)
        return str(events[-1].actor.user_id) if events else "?"

    return await take_once(
        request,
        jejak,
        viewer,
        f"{page}/{change}",
        sent,
        refused=refused,
        attempt=attempt,
        place=lambda refusal: placed(refusal, fields, language, changed_by),
    )


def _unit_subject(language: str) -> Subject:
    return Subject(UNIT_LIFECYCLE, None, None, None, gettext(language, "Units"), "/admin/units")


@router.get("/admin/units", response_class=HTMLResponse)
def units_page(request: Request, jejak: JejakDep) -> Response:
    """Every unit by code, with the form setting up another (the API's `POST /api/units`)."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    done = settled(request, jejak)
    subject = _unit_subject(language_of(request))
    route = command_routes(request.app)[(UNIT_LIFECYCLE.aggregate, "establish_unit")]
    return templates.TemplateResponse(
        request,
        "admin_units.html",
        {
            "viewer": viewer,
            "section": "admin",
            "tab": "units",
            "units": _units(jejak),
            "form": command_form(request, jejak, route, subject, subject.page),
            "done": done,
        },
    )


@router.post("/admin/units", response_class=HTMLResponse)
async def establish_unit(request: Request, jejak: JejakDep) -> Response:
    """Set up a unit, through the API's own route."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    return await take_step(
        request, jejak, viewer, _unit_subject(language_of(request)), "establish_unit"
    )


def _assignment_subject(language: str, steps_at: str | None = None) -> Subject:
    label = gettext(language, "Auditors' assignments")
    return Subject(
        ASSIGNMENT_LIFECYCLE, None, None, None, label, "/admin/assignments", steps_at=steps_at
    )


WITHDRAWALS: Final = "/admin/assignments/withdrawals"


@router.get("/admin/assignments", response_class=HTMLResponse)
def assignments_page(request: Request, jejak: JejakDep) -> Response:
    """The auditors' assignments with their days, the form giving one and, on each still in
    force or to come, the form withdrawing it."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    done = settled(request, jejak)
    language = language_of(request)
    routes = command_routes(request.app)
    give = routes[(ASSIGNMENT_LIFECYCLE.aggregate, "give_assignment")]
    withdraw = routes[(ASSIGNMENT_LIFECYCLE.aggregate, "withdraw_assignment")]
    giving = _assignment_subject(language)
    withdrawing = _assignment_subject(language, WITHDRAWALS)
    today = deadlines_judged_on(request)
    with jejak.engine.connect() as conn:
        found = grants.assignments_of(conn)
    rows: list[dict[str, Any]] = []
    for a in found:
        form = None
        if a.withdrawn_on is None and a.valid_until >= today:
            form = command_form(request, jejak, withdraw, withdrawing, WITHDRAWALS)
            named = {"auditor": a.auditor, "letter_number": a.letter_number}
            # Each row's form has its own element ids (`s-withdraw-assignment-2-...`).
            form = replace(
                form,
                command=f"withdraw_assignment_{len(rows) + 1}",
                fields=[
                    replace(f, widget="hidden", value=named[f.name]) if f.name in named else f
                    for f in form.fields
                ],
            )
        rows.append({"assignment": a, "withdraw": form})
    return templates.TemplateResponse(
        request,
        "admin_assignments.html",
        {
            "viewer": viewer,
            "section": "admin",
            "tab": "assignments",
            "rows": rows,
            "today": today,
            "form": command_form(request, jejak, give, giving, giving.page),
            "done": done,
        },
    )


@router.post("/admin/assignments", response_class=HTMLResponse)
async def give_assignment(request: Request, jejak: JejakDep) -> Response:
    """Give an auditor an assignment, through the API's own route."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    subject = _assignment_subject(language_of(request))
    return await take_step(request, jejak, viewer, subject, "give_assignment")


@router.post(WITHDRAWALS, response_class=HTMLResponse)
async def withdraw_assignment(request: Request, jejak: JejakDep) -> Response:
    """Withdraw an assignment early, through the API's own route."""
    viewer = _manager(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    subject = _assignment_subject(language_of(request), WITHDRAWALS)
    return await take_step(request, jejak, viewer, subject, "withdraw_assignment")
