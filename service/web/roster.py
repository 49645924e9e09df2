"""The roster import page: a pendataan roster (CSV or XLSX) registered at a site, all of it or,
when any line is refused, nothing.

The page posts to the same command handler as `POST /api/sites/{site_id}/roster`, with rows
checked by the same model (`RosterRowIn`, in `service.files.roster_file`) and the command's
fields by `RosterIn`. Every refused line is shown at once, named by its line in the file; the
handler's own refusals (a case number already registered, or of another site) name their line
too. The form carries an idempotency key, so a double submit registers once (ADR 0012).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import DomainError
from domain.recording import DocumentKind
from domain.site import Site
from service.api.access import command_writers
from service.api.deps import JejakDep
from service.api.documents import form_in_memory
from service.api.models import RosterIn, RosterRowIn
from service.commands.beneficiaries import NewBeneficiary, RosterRowInvalid
from service.commands.idempotency import (
    RequestInProgress,
    StoredResponse,
    parse_idempotency_key,
    request_fingerprint,
)
from service.errors import NotFound
from service.files.documents import DocumentTooLarge
from service.files.roster_file import (
    HEADERS,
    MAX_PEOPLE,
    MAX_ROSTER_BYTES,
    REQUIRED_COLUMNS,
    RosterFile,
    RosterFileRefused,
    RowProblem,
    read_roster_file,
)
from service.i18n import document_kind_name, gettext, refusal_for, validation_message
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.forms import field_label, refusal_of
from service.web.i18n import language_of
from service.web.rendering import forbidden_page, not_found_page, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

# Who may import a roster: whoever the lifecycle lets register a person, as the API asks.
REGISTRARS: Final = command_writers(BENEFICIARY_LIFECYCLE, "register_beneficiary")
FILE_FIELD: Final = "file"
KEY_FIELD: Final = "idempotency_key"
# The command's fields as the form names them; the document's are `document.<field>`.
COMMAND_FIELDS: Final = ("occurred_on", "reason")
DOCUMENT_FIELDS: Final = ("kind", "number", "issued_on", "issuer", "sha256")
FORM_FIELDS: Final = frozenset(COMMAND_FIELDS) | {f"document.{name}" for name in DOCUMENT_FIELDS}
# The form's text fields: the CSRF token, the key, the command's and the document's.
MAX_FORM_FIELDS: Final = 2 + len(COMMAND_FIELDS) + len(DOCUMENT_FIELDS)
# How long a second submit waits for the first one, still running, to give its answer.
WAIT_FOR_FIRST_SECONDS: Final = 10.0


@dataclass
class RosterForm:
    """What the page shows: the values typed in, and every problem found."""

    values: dict[str, str] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)
    lines: list[tuple[int | None, str]] = field(default_factory=list)
    file: str | None = None
    refusal: str | None = None

    @property
    def refused(self) -> bool:
        """Whether anything stops the roster from being registered."""
        return bool(self.fields or self.lines or self.file or self.refusal)


def _site_in_scope(jejak: Jejak, viewer: Account, code: str) -> dict[str, Any] | None:
    """The site with this code, if the viewer's scope holds it."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    try:
        return reads.sites.one(Site.create_id(code))
    except NotFound:
        return None


def _admitted(
    request: Request, jejak: Jejak, code: str
) -> Response | tuple[Account, dict[str, Any]]:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in REGISTRARS.roles:
        return forbidden_page(request, viewer)
    site = _site_in_scope(jejak, viewer, code)
    if site is None:
        return not_found_page(request, viewer)
    return viewer, site


def _page(
    request: Request, viewer: Account, site: Mapping[str, Any], form: RosterForm, status: int
) -> HTMLResponse:
    language = language_of(request)
    return templates.TemplateResponse(
        request,
        "roster.html",
        {
            "viewer": viewer,
            "site": site,
            "form": form,
            # A new key for each form shown: a corrected file is a new request.
            "idempotency_key": uuid.uuid4().hex,
            "headers": _accepted_headers(language),
            "max_people": MAX_PEOPLE,
            "max_megabytes": MAX_ROSTER_BYTES // (1024 * 1024),
            "document_kinds": [
                (kind.value, document_kind_name(language, kind.value)) for kind in DocumentKind
            ],
        },
        status_code=status,
    )


def _accepted_headers(language: str) -> list[tuple[str, list[str], bool]]:
    """Each column's name on the page, the headers that give it, and whether it is required."""
    by_field: dict[str, list[str]] = {}
    for header, name in HEADERS.items():
        by_field.setdefault(name, []).append(header)
    return [
        (field_label(language, RosterRowIn, name, None), headers, name in REQUIRED_COLUMNS)
        for name, headers in by_field.items()
    ]


@router.get("/sites/{code}/roster", response_class=HTMLResponse)
def roster_form(code: str, request: Request, jejak: JejakDep) -> Response:
    """The roster import form of the site with this code."""
    admitted = _admitted(request, jejak, code)
    if isinstance(admitted, Response):
        return admitted
    viewer, site = admitted
    return _page(request, viewer, site, RosterForm(), 200)


@router.post("/sites/{code}/roster", response_class=HTMLResponse)
async def import_roster(code: str, request: Request, jejak: JejakDep) -> Response:
    """Register the roster file's people at the site: every line or, when any is refused,
    none; then back to the site's page, which says how many were registered."""
    admitted = await run_in_threadpool(_admitted, request, jejak, code)
    if isinstance(admitted, Response):
        return admitted
    viewer, site = admitted
    form = RosterForm()
    try:
        data = await form_in_memory(request, MAX_ROSTER_BYTES, max_fields=MAX_FORM_FIELDS)
    except DocumentTooLarge:
        form.file = _file_refusal(language_of(request), RosterFileRefused("too_large"))
        return _page(request, viewer, site, form, 413)
    form.values = {k: v for k, v in data.multi_items() if isinstance(v, str) and k != "csrftoken"}
    upload = data.get(FILE_FIELD)
    filename, content = None, b""
    if isinstance(upload, UploadFile):
        filename, content = upload.filename, await upload.read(MAX_ROSTER_BYTES + 1)
        await upload.close()
    return await run_in_threadpool(_register, request, jejak, viewer, site, form, filename, content)


def _register(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    site: dict[str, Any],
    form: RosterForm,
    filename: str | None,
    content: bytes,
) -> Response:
    language = language_of(request)
    roster = _read_file(language, form, filename, content)
    body = _command_body(form.values)
    try:
        command = RosterIn.model_validate(
            {**body, "people": [line.row for line in roster.rows] if roster.rows else [None]}
        )
    except ValidationError as error:
        # The people's problems are the file's, named by line; the rest sit by their field.
        form.fields = refusal_of(error, FORM_FIELDS, language).by_field
        command = None
    if form.refused or command is None:
        return _page(request, viewer, site, form, 422)
    people = [
        NewBeneficiary(r.row.case_number, r.row.name, r.row.phone, r.line) for r in roster.rows
    ]
    location = f"/sites/{site['code']}"

    def register() -> int:
        results = jejak.app.beneficiaries.register_roster(
            Site.create_id(site["code"]), people, provenance=command.provenance_for(viewer)
        )
        jejak.runner.notify()
        return len(results)

    try:
        registered = _at_most_once(jejak, viewer, request, form.values, content, register)
    except DomainError as refusal:
        line = getattr(refusal, "line", None)
        if line is not None:
            # The line's rule in its own words, after the line's number the page gives.
            broken = refusal.broken if isinstance(refusal, RosterRowInvalid) else refusal
            text = refusal_for(language, broken, broken.message.removeprefix(f"line {line}: "))
            form.lines = [(line, text)]
        else:
            form.refusal = refusal_for(language, refusal)
        return _page(request, viewer, site, form, 409)
    return RedirectResponse(f"{location}?registered={registered}", status_code=303)


def _read_file(language: str, form: RosterForm, filename: str | None, content: bytes) -> RosterFile:
    if not filename:
        form.file = gettext(language, "Choose the roster file (CSV or XLSX).")
        return RosterFile()
    try:
        roster = read_roster_file(filename, content)
    except RosterFileRefused as refused:
        form.file = _file_refusal(language, refused)
        return RosterFile()
    form.lines = [(p.line, _line_problem(language, p)) for p in roster.problems]
    return roster


def _line_problem(language: str, problem: RowProblem) -> str:
    """A refused line told as the forms tell a field's refusal, after the column's name."""
    if problem.field is None:
        return gettext(language, "a value stands in a column without a header")
    told = validation_message(
        language, problem.rule, problem.rule, problem.context, field=problem.field
    )
    return f"{field_label(language, RosterRowIn, problem.field, None)}: {told}"


def _command_body(values: Mapping[str, str]) -> dict[str, Any]:
    """The command's JSON body from the form: blank fields are absent, and a document only
    when one of its fields is filled in."""
    body: dict[str, Any] = {
        name: values[name].strip() for name in COMMAND_FIELDS if values.get(name, "").strip()
    }
    document = {
        name: values[f"document.{name}"].strip()
        for name in DOCUMENT_FIELDS
        if values.get(f"document.{name}", "").strip()
    }
    if document:
        body["document"] = document
    return body


def _at_most_once(
    jejak: Jejak,
    viewer: Account,
    request: Request,
    values: Mapping[str, str],
    content: bytes,
    register: Callable[[], int],
) -> int:
    """Run `register` once per idempotency key: a second submit of the same form gets the
    first one's count (after waiting for it if it is still running) and writes nothing."""
    raw_key = values.get(KEY_FIELD)
    if not raw_key:
        return register()
    key = parse_idempotency_key(raw_key)
    asked = {k: v for k, v in sorted(values.items()) if k != KEY_FIELD}
    asked["file.sha256"] = hashlib.sha256(content).hexdigest()
    fingerprint = request_fingerprint("POST", request.url.path, json.dumps(asked).encode())
    store = jejak.idempotency
    deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
    while True:
        try:
            claim = store.claim(viewer.username, key, fingerprint)
            break
        except RequestInProgress:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    if isinstance(claim, StoredResponse):
        return int(json.loads(claim.body)["registered"])
    try:
        registered = register()
    except Exception:
        # Nothing was written: a corrected form may use the key again.
        store.release(claim)
        raise
    store.complete(claim, StoredResponse(303, json.dumps({"registered": registered})))
    return registered


def _file_refusal(language: str, refused: RosterFileRefused) -> str:
    """Why the file as a whole cannot be read as a roster."""
    # A missing column is named by the headers that would give it.
    columns = ", ".join(
        " / ".join(h for h, name in HEADERS.items() if name == column) or column
        for column in refused.columns
    )
    line = refused.line or 0
    limit = refused.limit or 0
    sentences = {
        "format": gettext(language, "The roster must be a .csv or .xlsx file."),
        "empty": gettext(language, "The file holds no people after its header row."),
        "too_large": gettext(language, "The file is larger than %(megabytes)s MB.")
        % {"megabytes": MAX_ROSTER_BYTES // (1024 * 1024)},
        "unpacked_too_large": gettext(language, "The spreadsheet unpacks to more than allowed."),
        "not_utf8": gettext(
            language, "Line %(line)s is not UTF-8 text; save the roster as CSV UTF-8."
        )
        % {"line": line},
        "not_csv": gettext(language, "Line %(line)s cannot be read as CSV.") % {"line": line},
        "not_xlsx": gettext(language, "The file cannot be opened as an Excel workbook (.xlsx)."),
        "unknown_columns": gettext(
            language, "Line %(line)s names columns the roster does not have: %(columns)s."
        )
        % {"line": line, "columns": columns},
        "missing_columns": gettext(language, "Line %(line)s lacks the columns: %(columns)s.")
        % {"line": line, "columns": columns},
        "repeated_columns": gettext(language, "Line %(line)s repeats the columns: %(columns)s.")
        % {"line": line, "columns": columns},
        "too_many_rows": gettext(
            language, "The roster has more than %(limit)s people (from line %(line)s)."
        )
        % {"limit": limit, "line": line},
    }
    return sentences.get(refused.rule, sentences["format"])
