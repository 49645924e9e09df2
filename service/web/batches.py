"""The supervisors' money pages: payment batches named by their own number (`/batches`,
`/batches/{number}`), preparing one, its approval by a second supervisor and its withdrawal,
the bank's transfer file and its result file; and the approvals queue (`/approvals`) of all
that waits for a second pair of eyes.

Every command runs the API route's own function (ADR 0051): approving and cancelling through
the step forms of `service/web/commands.py`; preparing, the transfer file and the result file
through the routes' functions in `service/api/money.py`. Four-eyes, the lines a batch may hold
and the bank file's rules are the domain's: a page only shows its refusal.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from domain.entitlement import PaymentChannel
from domain.errors import DomainError
from domain.money_lifecycles import (
    BATCH_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
    ORDERABLE_ENTITLEMENT_STATES,
)
from domain.recording import Role
from projections.entitlement_status import entitlement_label
from service.api.deps import JejakDep
from service.api.documents import form_in_memory
from service.api.errors import refusal_status
from service.api.models import CommandIn
from service.api.money import READERS_OF_MONEY, apply_bank_result, export_transfer_file
from service.errors import NotFound
from service.files.bankfiles import BankFileRejected
from service.files.documents import DocumentError
from service.i18n import gettext, refusal_for
from service.queries.batches import batch_numbered, batches, entitlement_rows
from service.queries.paging import Row
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import command_routes
from service.web.commands import (
    Subject,
    command_form,
    forms_now,
    placed_step,
    step_form_page,
    take_step_on,
)
from service.web.forms import (
    FormField,
    Refusal,
    fields_of,
    validate,
)
from service.web.i18n import language_of
from service.web.names import StaffNames
from service.web.rendering import (
    deadlines_judged_on,
    forbidden_page,
    may,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.submissions import Outcome, take_once
from service.web.timeline import timeline

router = APIRouter(include_in_schema=False)
Applied = TypeVar("Applied")

# The steps a batch's page offers as forms; the transfer file and the result file are a
# download and an upload, offered by forms of their own.
BATCH_STEPS: Final = ("approve_batch", "cancel_batch")
# An upload form carries its CSRF token, the business date and the document's number.
UPLOAD_FIELDS: Final = 3
NEW_BATCH: Final = Subject(BATCH_LIFECYCLE, None, None, None, "", "/batches/new")
LINES_SHOWN: Final = 500


# --- who may look ------------------------------------------------------------------------


def admitted(request: Request, jejak: Jejak, roles: tuple[Role, ...]) -> Account | Response:
    """The viewer, when the role may use the page and the scope is the programme's (money is
    the programme's, not a unit's: outside it the pages do not exist, as the API's 404)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in roles:
        return forbidden_page(request, viewer)
    if not of_account(jejak.scopes, viewer).everything:
        return not_found_page(request, viewer)
    return viewer


def approvers() -> tuple[Role, ...]:
    """The roles that give a second pair of eyes: those the lifecycles let approve."""
    roles = set(BATCH_LIFECYCLE.roles_for("approve_batch"))
    roles |= set(ENTITLEMENT_LIFECYCLE.roles_for("approve_money_correction"))
    return tuple(sorted(roles))


def sources_of(command: str) -> frozenset[str]:
    """The states a batch's command may be taken from, as the declaration says."""
    return frozenset(s for t in BATCH_LIFECYCLE.transitions_for(command) for s in t.sources or ())


def reads_money(viewer: Account | None) -> bool:
    """Whether the viewer's role reads the money pages (the API's readers of money)."""
    return viewer is not None and viewer.role in READERS_OF_MONEY


def gives_second_eyes(viewer: Account | None) -> bool:
    """Whether the viewer's role approves what another asked for (the approvals queue)."""
    return viewer is not None and viewer.role in approvers()


templates.env.globals["reads_money"] = reads_money
templates.env.globals["gives_second_eyes"] = gives_second_eyes


# --- the approvals queue -----------------------------------------------------------------


@dataclass(frozen=True)
class Awaiting:
    """One thing waiting for a second pair of eyes."""

    kind: str  # batch or money_correction
    what: str
    amount: int | None
    asked_by: str
    role: str | None
    unit: str | None
    since: date | None
    recorded_at: datetime | None
    href: str | None


def _asker(jejak: Jejak, names: StaffNames, username: str) -> tuple[str, str | None, str | None]:
    account = jejak.accounts.get(username)
    if account is None:
        return username, None, None
    return names.person(username), str(account.role), names.unit(account.org_unit)


def awaiting_approval(jejak: Jejak, viewer: Account) -> list[Awaiting]:
    """Batches awaiting approval and money corrections awaiting a second supervisor, the
    longest waiting first."""
    names = StaffNames(jejak)
    queue: list[Awaiting] = []
    scope = of_account(jejak.scopes, viewer)
    reads = ReadModels.of(jejak, scope)
    for batch in batches(jejak.app, scope):
        if batch.state not in sources_of("approve_batch"):
            continue
        queue.append(
            Awaiting(
                "batch",
                batch.number,
                batch.total,
                names.person(batch.prepared_by),
                batch.prepared_role,
                names.unit(batch.prepared_unit),
                batch.prepared_on,
                batch.prepared_at,
                # The batch's own page, its approval form open: the approver sees what she approves.
                f"/batches/{quote(batch.number, safe='')}?open=approve_batch#step-approve_batch",
            )
        )
    pending = reads.money.entitlements(correction_pending=True, limit=1000, offset=0).items
    for row in pending:
        who, role, unit = _asker(jejak, names, str(row["correction_requested_by"]))
        key = f"{row['component']}-{row['tranche']}"
        href = (
            f"/cases/{quote(row['case_number'], safe='')}/entitlements/{key}"
            "/steps/approve_money_correction"
            if row.get("case_number")
            else None
        )
        label = entitlement_label(
            row.get("case_number"), row["decree_number"], row["component"], row["tranche"]
        )
        queue.append(
            Awaiting(
                "money_correction",
                label,
                row.get("correction_amount"),
                who,
                role,
                unit,
                row.get("correction_requested_on"),
                None,
                href,
            )
        )
    queue.sort(key=lambda a: (a.since or date.max, a.what))
    return queue


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, jejak: JejakDep) -> Response:
    """Everything waiting for a second pair of eyes, who asked and since when."""
    found = admitted(request, jejak, approvers())
    if isinstance(found, Response):
        return found
    queue = awaiting_approval(jejak, found)
    return templates.TemplateResponse(
        request,
        "approvals.html",
        {"viewer": found, "section": "approvals", "queue": queue, "done": settled(request, jejak)},
    )


# --- the list of batches -----------------------------------------------------------------


@router.get("/batches", response_class=HTMLResponse)
def batches_page(request: Request, jejak: JejakDep) -> Response:
    """Every batch by its number, state and total, filtered by state and year."""
    found = admitted(request, jejak, READERS_OF_MONEY)
    if isinstance(found, Response):
        return found
    everything = batches(jejak.app, of_account(jejak.scopes, found))
    states = [s.name for s in BATCH_LIFECYCLE.states]
    state = request.query_params.get("state", "")
    state = state if state in states else ""
    year_text = request.query_params.get("year", "")
    years = sorted({b.year for b in everything}, reverse=True)
    year = int(year_text) if year_text.isdigit() and int(year_text) in years else None
    number = request.query_params.get("number", "").strip()
    shown = [
        b
        for b in everything
        if (not state or b.state == state)
        and (year is None or b.year == year)
        and (not number or number.upper() in b.number.upper())
    ]
    return templates.TemplateResponse(
        request,
        "batches.html",
        {
            "viewer": found,
            "section": "batches",
            "batches": shown,
            "states": states,
            "years": years,
            "chosen": {"state": state, "year": year, "number": number},
            "total": sum(b.total for b in shown),
            "may_prepare": may(found, "PaymentBatch", "create_batch"),
        },
    )


# --- preparing a batch -------------------------------------------------------------------


def _orderable(reads: ReadModels) -> dict[str, Row]:
    """The entitlements ready to be put in a batch, by the label people know them by."""
    ready: dict[str, Row] = {}
    for state in ORDERABLE_ENTITLEMENT_STATES:
        for row in reads.money.entitlements(state=state, limit=5000, offset=0).items:
            label = entitlement_label(
                row.get("case_number"), row["decree_number"], row["component"], row["tranche"]
            )
            ready[label] = row
    return ready


def _suggested_number(jejak: Jejak, viewer: Account, day: date) -> str:
    """A batch number not used yet: `B<year>-<serial>`, the serial after that year's batches."""
    used = {b.number for b in batches(jejak.app, of_account(jejak.scopes, viewer))}
    serial = 1 + sum(1 for b in used if b.startswith(f"B{day.year}-"))
    while f"B{day.year}-{serial:03d}" in used:
        serial += 1
    return f"B{day.year}-{serial:03d}"


def _new_batch_page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    *,
    sent: dict[str, str] | None = None,
    chosen: frozenset[str] = frozenset(),
    refusal: Refusal | None = None,
    status: int = 200,
) -> Response:
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    day = deadlines_judged_on(request)
    route = command_routes(request.app)[("PaymentBatch", "create_batch")]
    shown = dict(sent or {})
    shown.pop("entitlement_ids", None)  # ids are never shown: the lines are chosen by label
    if sent is None:
        shown = {"batch_number": _suggested_number(jejak, viewer, day)}
    form = command_form(
        request, jejak, route, NEW_BATCH, NEW_BATCH.page, sent=shown, refusal=refusal
    )
    lines_field = next(f for f in form.fields if f.name == "entitlement_ids")
    ready = _orderable(reads)
    return templates.TemplateResponse(
        request,
        "batch_new.html",
        {
            "viewer": viewer,
            "section": "batches",
            "form": replace(form, fields=[f for f in form.fields if f.name != "entitlement_ids"]),
            "lines_field": lines_field,
            "ready": ready,
            "chosen": chosen if sent is not None else frozenset(ready),
        },
        status_code=status,
    )


@router.get("/batches/new", response_class=HTMLResponse)
def new_batch_form(request: Request, jejak: JejakDep) -> Response:
    """The form preparing a batch: its number, channel and date, and the entitlements ready
    to pay, each named by her case number, component and tranche."""
    found = admitted(request, jejak, BATCH_LIFECYCLE.roles_for("create_batch"))
    if isinstance(found, Response):
        return found
    return _new_batch_page(request, jejak, found)


@router.post("/batches/new", response_class=HTMLResponse)
async def new_batch(request: Request, jejak: JejakDep) -> Response:
    """Prepare the batch through the API route's own function (`create_batch`)."""
    found = await run_in_threadpool(
        admitted, request, jejak, BATCH_LIFECYCLE.roles_for("create_batch")
    )
    if isinstance(found, Response):
        return found
    viewer, language = found, language_of(request)
    submitted = await request.form()
    chosen = frozenset(v for v in submitted.getlist("line") if isinstance(v, str))
    sent = {k: v for k, v in submitted.items() if isinstance(v, str) and k != "line"}

    def refused(refusal: Refusal, status: int) -> Response:
        return _new_batch_page(
            request, jejak, viewer, sent=sent, chosen=chosen, refusal=refusal, status=status
        )

    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    ready = await run_in_threadpool(_orderable, reads)
    gone = sorted(chosen - set(ready))
    if gone:
        message = gettext(language, "No longer ready to pay: %(lines)s.") % {
            "lines": ", ".join(gone)
        }
        return refused(Refusal({"entitlement_ids": message}), 409)
    route = command_routes(request.app)[("PaymentBatch", "create_batch")]
    fields = command_form(request, jejak, route, NEW_BATCH, NEW_BATCH.page).fields
    # Her entitlements in the order the page lists them, so line numbers follow the page.
    ids = [str(row["entitlement_id"]) for label, row in ready.items() if label in chosen]
    body = validate(route.model, fields, {**sent, "entitlement_ids": "\n".join(ids)}, language)
    if isinstance(body, Refusal):
        return refused(body, 422)
    target = f"/batches/{quote(str(sent.get('batch_number', '')).strip(), safe='')}"

    def attempt() -> Outcome:
        out = route.perform(None, body, user=viewer, jejak=jejak)
        return Outcome(f"{target}?after={out.position}&done=create_batch")

    # The lines chosen are part of what the form asks: the same key with other lines is
    # another request, refused, not answered with the first one's page.
    return await take_once(
        request,
        jejak,
        viewer,
        request.url.path,
        {**sent, "line": "\n".join(sorted(chosen))},
        refused=lambda refusal, status, _conflict: refused(refusal, status),
        attempt=attempt,
        place=lambda error: placed_step(error, fields, jejak, NEW_BATCH, sent, language),
    )


# --- one batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchLineRow:
    """One line of a batch as its page lists it."""

    transfer_ref: str
    label: str
    case_number: str | None
    amount: int
    state: str | None
    bank_reference: str | None


def _lines(jejak: Jejak, batch_id: UUID) -> list[BatchLineRow]:
    """The batch's lines in order, each with her entitlement's label and where it stands."""
    lines = list(jejak.app.batch(batch_id).lines.values())[:LINES_SHOWN]
    rows = entitlement_rows(jejak.engine, [str(line.entitlement_id) for line in lines])
    shown = []
    for line in lines:
        row = rows.get(str(line.entitlement_id))
        shown.append(
            BatchLineRow(
                line.transfer_ref,
                entitlement_label(
                    row["case_number"], row["decree_number"], row["component"], row["tranche"]
                )
                if row
                else line.transfer_ref,
                row["case_number"] if row else None,
                line.amount,
                row["state"] if row else None,
                row["bank_reference"] if row else None,
            )
        )
    return shown


def batch_subject(jejak: Jejak, viewer: Account, number: str) -> Subject | None:
    """The batch numbered `number`, as the step forms act on it."""
    try:
        summary = batch_numbered(jejak.app, of_account(jejak.scopes, viewer), number)
    except NotFound:
        return None
    batch = jejak.app.batch(summary.batch_id)
    return Subject(
        BATCH_LIFECYCLE,
        batch.id,
        batch.state,
        batch.version,
        summary.number,
        f"/batches/{quote(summary.number, safe='')}",
    )


def _batch_page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    number: str,
    *,
    problems: list[dict[str, Any]] | None = None,
    upload_error: str | None = None,
    export_error: str | None = None,
    status: int = 200,
) -> Response:
    scope = of_account(jejak.scopes, viewer)
    try:
        summary = batch_numbered(jejak.app, scope, number)
    except NotFound:
        return not_found_page(request, viewer)
    subject = batch_subject(jejak, viewer, number)
    assert subject is not None
    reads = ReadModels.of(jejak, scope)
    names = StaffNames(jejak)
    day = deadlines_judged_on(request)
    actions: dict[str, Any] = {"steps": [], "corrections": []}
    if may(viewer, "PaymentBatch", "approve_batch") or may(viewer, "PaymentBatch", "cancel_batch"):
        offered = forms_now(request, jejak, viewer, subject)
        actions["steps"] = [f for f in offered["steps"] if f.command in BATCH_STEPS]
    state = subject.state or ""
    context = {
        "viewer": viewer,
        "section": "batches",
        "batch": summary,
        "subject": subject,
        "approved_by": names.person(summary.approved_by) if summary.approved_by else None,
        "prepared_by": names.person(summary.prepared_by),
        "prepared_unit": names.unit(summary.prepared_unit),
        "lines": _lines(jejak, summary.batch_id),
        "lines_shown": LINES_SHOWN,
        "timeline": timeline(reads, names, viewer, summary.batch_id, "PaymentBatch"),
        "actions": actions,
        "may_export": state in sources_of("export_transfer_file")
        and summary.channel == PaymentChannel.BANK_TRANSFER
        and may(viewer, "PaymentBatch", "export_transfer_file"),
        "may_upload_result": state in sources_of("import_bank_result")
        and may(viewer, "PaymentBatch", "import_bank_result"),
        "day": day,
        "upload_key": secrets.token_urlsafe(18),
        "problems": problems,
        "upload_error": upload_error,
        "export_error": export_error,
        "done": settled(request, jejak),
        "open_step": request.query_params.get("open"),
        "reconciliation": "/reconciliation?" + urlencode({"batch": summary.number}),
    }
    return templates.TemplateResponse(request, "batch.html", context, status_code=status)


@router.get("/batches/{number}", response_class=HTMLResponse)
def batch_page(request: Request, jejak: JejakDep, number: str) -> Response:
    """One batch: its lines, totals, state, the history of its events and the steps open now."""
    found = admitted(request, jejak, READERS_OF_MONEY)
    if isinstance(found, Response):
        return found
    return _batch_page(request, jejak, found, number)


def _batch_step_subject(jejak: Jejak, number: str, command: str) -> Any:
    def find(viewer: Account) -> Subject | None:
        if command not in BATCH_STEPS or not of_account(jejak.scopes, viewer).everything:
            return None
        return batch_subject(jejak, viewer, number)

    return find


@router.get("/batches/{number}/steps/{command}", response_class=HTMLResponse)
def batch_step_form(request: Request, jejak: JejakDep, number: str, command: str) -> Response:
    """One step's form on a batch (approve, cancel)."""
    return step_form_page(request, jejak, command, _batch_step_subject(jejak, number, command))


@router.post("/batches/{number}/steps/{command}", response_class=HTMLResponse)
async def batch_step(request: Request, jejak: JejakDep, number: str, command: str) -> Response:
    """Take a step on a batch; a preparer approving their own batch is refused by the domain
    (FOUR_EYES_REQUIRED), and the form says so."""
    return await take_step_on(request, jejak, command, _batch_step_subject(jejak, number, command))


# --- the bank's files --------------------------------------------------------------------


def dated_body(sent: FormData | dict[str, Any], language: str) -> CommandIn | Refusal:
    """The business date of a download or an upload, checked as every command's is."""
    fields: list[FormField] = [f for f in fields_of(CommandIn, language) if f.name == "occurred_on"]
    text = {k: v for k, v in sent.items() if isinstance(v, str)}
    body = validate(CommandIn, fields, text, language)
    assert isinstance(body, CommandIn | Refusal)
    return body


def first_message(refusal: Refusal) -> str:
    return next(iter(refusal.by_field.values()), None) or "; ".join(refusal.general)


@router.post("/batches/{number}/transfer-file")
async def transfer_file(request: Request, jejak: JejakDep, number: str) -> Response:
    """The bank's transfer file of an approved batch, through the API route's own function
    (the download is written to the access log there)."""
    found = await _batch_for(request, jejak, number, "export_transfer_file")
    if isinstance(found, Response):
        return found
    (viewer, _, batch_id), language = found, language_of(request)
    body = dated_body(await request.form(), language)
    if isinstance(body, Refusal):
        return await run_in_threadpool(
            lambda: _batch_page(
                request, jejak, viewer, number, export_error=first_message(body), status=422
            )
        )
    try:
        return await run_in_threadpool(export_transfer_file, batch_id, body, viewer, jejak)
    except DomainError as error:
        message, status = f"{refusal_for(language, error)} ({error.code})", refusal_status(error)
        return await run_in_threadpool(
            lambda: _batch_page(request, jejak, viewer, number, export_error=message, status=status)
        )


async def _batch_for(
    request: Request, jejak: Jejak, number: str, command: str
) -> tuple[Account, Subject, UUID] | Response:
    """The viewer, the batch numbered `number` and its id, when the role may take `command`."""
    found = await run_in_threadpool(admitted, request, jejak, BATCH_LIFECYCLE.roles_for(command))
    if isinstance(found, Response):
        return found
    subject = await run_in_threadpool(batch_subject, jejak, found, number)
    if subject is None or subject.path_id is None:
        return not_found_page(request, found)
    return found, subject, subject.path_id


async def bank_file_applied(
    page: Callable[..., Response], language: str, apply: Callable[[], Applied]
) -> Applied | Response:
    """What applying a bank file gave, or the page again saying why not: a rejected file's
    problems by line (nothing was written), or the domain's refusal."""
    try:
        return await run_in_threadpool(apply)
    except BankFileRejected as rejected:
        rows = problem_rows(language, rejected)
        return await run_in_threadpool(lambda: page(problems=rows, status=422))
    except DomainError as error:
        message, status = f"{refusal_for(language, error)} ({error.code})", refusal_status(error)
        return await run_in_threadpool(lambda: page(upload_error=message, status=status))


def problem_rows(language: str, rejected: BankFileRejected) -> list[dict[str, Any]]:
    """A rejected bank file's problems, line by line, in the reader's language."""
    return [
        {
            "line": p.line,
            "field": p.field,
            "code": p.code,
            "message": _problem_text(language, p.code, p.message),
        }
        for p in rejected.problems
    ]


def _problem_text(language: str, code: str, message: str) -> str:
    """The problem in the reader's language; the file checker's own words for a code the
    catalogue does not name yet."""
    key = "bank_problem." + code
    text = gettext(language, key)
    return message if text == key else text


async def read_upload(
    request: Request, jejak: Jejak, language: str
) -> tuple[FormData, bytes] | str:
    """The upload form and its file's bytes, or why it cannot be read."""
    try:
        form = await form_in_memory(
            request, jejak.settings.document_max_bytes, max_fields=UPLOAD_FIELDS
        )
    except DocumentError as refused:
        return refusal_for(language, refused)
    except RequestValidationError:
        return gettext(language, "Choose the file to upload.")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return gettext(language, "Choose the file to upload.")
    content = await upload.read(jejak.settings.document_max_bytes + 1)
    await upload.close()
    if not content:
        return gettext(language, "The file is empty.")
    return form, content


@router.post("/batches/{number}/bank-result", response_class=HTMLResponse)
async def bank_result(request: Request, jejak: JejakDep, number: str) -> Response:
    """Apply the bank's result file; every bad line is shown by its number and nothing is
    applied (BANK_FILE_REJECTED)."""
    found = await _batch_for(request, jejak, number, "import_bank_result")
    if isinstance(found, Response):
        return found
    (viewer, subject, batch_id), language = found, language_of(request)

    def page(**kwargs: Any) -> Response:
        return _batch_page(request, jejak, viewer, number, **kwargs)

    read = await read_upload(request, jejak, language)
    if isinstance(read, str):
        return await run_in_threadpool(lambda: page(upload_error=read, status=422))
    form, content = read
    body = dated_body(form, language)
    if isinstance(body, Refusal):
        return await run_in_threadpool(lambda: page(upload_error=first_message(body), status=422))
    document = form.get("document_number")
    document_number = document.strip()[:200] if isinstance(document, str) else ""
    occurred_on = body.occurred_on
    summary = await bank_file_applied(
        page,
        language,
        lambda: apply_bank_result(
            jejak, viewer, batch_id, content, occurred_on, document_number or None
        ),
    )
    if isinstance(summary, Response):
        return summary
    return RedirectResponse(
        f"{subject.page}?after={summary.position}&done=import_bank_result", status_code=303
    )
