"""The audit pages (issue 16): the automatic audit checks with the cases and sites they concern
and a supervisor's acknowledgement, and the register of external (BPK) audit findings with
their 60-day clocks and the forms of its commands.

Both read through the API's own route functions (their role checks and queries), and take a
command through the API's route via `service/web/commands.py::take_step`.

A check's finding has no number people know: a page names it by its rule and the case, site or
bank reference it concerns, and its address carries its rule and a short digest of its id.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.audit.acknowledgement import ACKNOWLEDGEMENT_LIFECYCLE
from domain.audit.catalogue import RULES
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from service.api import audit_checks as checks_api
from service.api import audit_register as register_api
from service.api.deps import Forbidden, JejakDep
from service.errors import NotFound
from service.i18n import gettext
from service.queries import audit_checks as audit
from service.queries import record_names
from service.queries.audit_register import AuditRegisterQueries
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.commands import Prepare, Subject, form_or_step, forms_now
from service.web.cuts import cut_context, cut_of_page
from service.web.forms import Refusal
from service.web.i18n import language_of
from service.web.names import StaffNames, finding_page
from service.web.rendering import (
    deadlines_judged_on,
    forbidden_page,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

router = APIRouter(include_in_schema=False)

PAGE_SIZE: Final = 50
ACKNOWLEDGE: Final = "acknowledge_finding"
RULE_IDS: Final = tuple(rule.rule_id for rule in RULES)
# The register's link fields, typed as the names people know, and how each name is found.
LINK_FIELDS: Final = ("site_ids", "beneficiary_ids", "batch_ids")


def may_read_audit(viewer: Account | None) -> bool:
    """Whether the viewer's role reads the audit pages (the API's readers of findings)."""
    return viewer is not None and viewer.role in checks_api.READERS_OF_FINDINGS


templates.env.globals["may_read_audit"] = may_read_audit


# --- The automatic checks ------------------------------------------------------------------


def check_key(finding: Mapping[str, Any]) -> str:
    """How a page's address names a check's finding: its rule and a digest of its id (no
    UUID in an address)."""
    digest = hashlib.sha256(str(finding["finding_id"]).encode()).hexdigest()[:12]
    return f"{finding['rule_id']}-{digest}"


def subject_names(jejak: Jejak, findings: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Each finding's subject by the name people know it by, with the page it is on: a case
    by its number, an entitlement by her case number and component (on her page), a site by
    its code, a bank reference as it is."""
    wanted: dict[str, set[str]] = {}
    for f in findings:
        wanted.setdefault(str(f["subject_kind"]), set()).add(str(f["subject_id"]))
    found = record_names.names_of(jejak.engine, wanted)
    cases = record_names.case_numbers_of_entitlements(
        jejak.engine, wanted.get(record_names.ENTITLEMENT, ())
    )
    names: dict[str, dict[str, str]] = {}
    for record_id, (kind, name) in found.items():
        if kind == record_names.SITE:
            href = f"/sites/{quote(name)}"
        elif kind == record_names.BENEFICIARY:
            href = f"/cases/{quote(name)}"
        elif record_id in cases:
            href = f"/cases/{quote(cases[record_id])}"
        else:
            href = ""
        names[record_id] = {"label": name, "href": href}
    for reference in wanted.get("bank_reference", ()):
        names.setdefault(reference, {"label": reference, "href": ""})
    return names


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _check_filters(request: Request) -> checks_api.FindingFilters:
    params = request.query_params
    rule = params.get("rule", "")
    status = params.get("status", "")
    acknowledged = params.get("acknowledged", "")
    return checks_api.FindingFilters(
        rule=rule if rule in RULE_IDS else None,
        status=status if status in audit.STATUSES else None,
        acknowledged={"yes": True, "no": False}.get(acknowledged),
    )


@router.get("/audit/checks", response_class=HTMLResponse)
def checks_page(request: Request, jejak: JejakDep) -> Response:
    """The automatic audit checks' findings, at a cut, each linked to the case or site it
    concerns; a supervisor acknowledges one from here."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    # After a step, wait until the read models have read it (the page shows what was done).
    done = settled(request, jejak)
    page_cut = cut_of_page(request, jejak)
    filters = _check_filters(request)
    page_number = max(int(p) if (p := request.query_params.get("page", "")).isdigit() else 1, 1)
    try:
        found = checks_api.list_findings(
            user=viewer,
            jejak=jejak,
            response=Response(),
            cut=page_cut.cut,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
            after=None,
        )
    except Forbidden:
        return forbidden_page(request, viewer)
    names = subject_names(jejak, found["items"])
    staff = StaffNames(jejak)
    for item in found["items"]:
        if item["acknowledged_by"]:
            item["acknowledged_by"] = staff.person(str(item["acknowledged_by"]))
        item["key"] = check_key(item)
        item["subject"] = names.get(str(item["subject_id"]), {"label": "\u2013", "href": ""})
    chosen = {
        "rule": filters.rule or "",
        "status": filters.status or "",
        "acknowledged": _yes_no(filters.acknowledged),
    }
    keep = {k: v for k, v in (chosen | page_cut.query()).items() if v}
    pages = max((found["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return templates.TemplateResponse(
        request,
        "audit_checks.html",
        {
            "viewer": viewer,
            "section": "audit",
            "findings": found["items"],
            "total": found["total"],
            "rules": RULE_IDS,
            "rule_names": {r: gettext(language_of(request), f"audit_rule.{r}") for r in RULE_IDS},
            "chosen": chosen,
            "keep_filters": {k: v for k, v in chosen.items() if v},
            "page": page_number,
            "pages": pages,
            "previous": urlencode(keep | {"page": page_number - 1}) if page_number > 1 else None,
            "next": urlencode(keep | {"page": page_number + 1}) if page_number < pages else None,
            "may_acknowledge": viewer.role in ACKNOWLEDGEMENT_LIFECYCLE.roles_for(ACKNOWLEDGE),
            "done": done,
            **cut_context(page_cut),
        },
    )


def _check_subject(jejak: Jejak, key: str) -> Subject | None:
    """The acknowledgement of the finding `key` names, as the step's form acts on it."""
    rule = key.partition("-")[0]
    if rule not in RULE_IDS:
        return None
    found = audit.findings(jejak, rule=rule, limit=checks_api.MAX_EXPORT_ROWS)
    finding = next((f for f in found.items if check_key(f) == key), None)
    if finding is None:
        return None
    label = subject_names(jejak, [finding]).get(str(finding["subject_id"]), {"label": ""})
    return Subject(
        ACKNOWLEDGEMENT_LIFECYCLE,
        UUID(str(finding["finding_id"])),
        "ACKNOWLEDGED" if finding["acknowledged"] else None,
        None,
        f"{rule} \u00b7 {label['label']}",
        "/audit/checks",
        f"/audit/checks/{key}",
    )


async def _step(
    request: Request,
    jejak: Jejak,
    find: Callable[[], Subject | None],
    command: str,
    *,
    post: bool,
    prepare: Prepare | None = None,
) -> Response:
    """A step's form (GET) or the step taken (POST) on the record `find` finds."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not may_read_audit(viewer):
        return forbidden_page(request, viewer)
    subject = await run_in_threadpool(find)
    if subject is None:
        return not_found_page(request, viewer)
    return await form_or_step(request, jejak, viewer, subject, command, post=post, prepare=prepare)


@router.get("/audit/checks/{check}/steps/{command}", response_class=HTMLResponse)
async def check_step_form(request: Request, jejak: JejakDep, check: str, command: str) -> Response:
    """The acknowledgement's form for one finding."""
    return await _step(request, jejak, lambda: _check_subject(jejak, check), command, post=False)


@router.post("/audit/checks/{check}/steps/{command}", response_class=HTMLResponse)
async def check_step(request: Request, jejak: JejakDep, check: str, command: str) -> Response:
    """Acknowledge one finding, through the API's route."""
    return await _step(request, jejak, lambda: _check_subject(jejak, check), command, post=True)


# --- The register of external audit findings ----------------------------------------------


def _register_rows(jejak: Jejak, request: Request) -> list[dict[str, Any]]:
    page = AuditRegisterQueries(jejak.engine).findings(
        as_of=deadlines_judged_on(request), limit=checks_api.MAX_EXPORT_ROWS, offset=0
    )
    return page.items


@router.get("/audit/findings", response_class=HTMLResponse)
def findings_page(request: Request, jejak: JejakDep) -> Response:
    """The register of audit findings, most urgent first, with the days left to answer or the
    days overdue, judged on the day the pages judge deadlines on."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    # After a step, wait until the read models have read it (the page shows what was done).
    done = settled(request, jejak)
    if not may_read_audit(viewer):
        return forbidden_page(request, viewer)
    judged_on = deadlines_judged_on(request)
    states = [s.name for s in AUDIT_FINDING_LIFECYCLE.states]
    state = request.query_params.get("state", "")
    overdue = request.query_params.get("overdue", "")
    found = register_api.list_findings(
        user=viewer,
        jejak=jejak,
        queries=AuditRegisterQueries(jejak.engine),
        response=Response(),
        state=state if state in states else None,
        overdue=True if overdue == "yes" else None,
        as_of=judged_on,
        limit=checks_api.MAX_EXPORT_ROWS,
        offset=0,
        after=None,
    )
    shared = _shared_numbers(_register_rows(jejak, request))
    for item in found["items"]:
        item["href"] = _page_of(item, shared)
        _clock(item, judged_on)
    return templates.TemplateResponse(
        request,
        "audit_findings.html",
        {
            "viewer": viewer,
            "section": "audit",
            "findings": found["items"],
            "total": found["total"],
            "today": judged_on,
            "states": states,
            "chosen": {"state": state if state in states else "", "overdue": overdue == "yes"},
            "may_record": viewer.role in AUDIT_FINDING_LIFECYCLE.roles_for("record_finding"),
            "done": done,
        },
    )


def _shared_numbers(rows: list[dict[str, Any]]) -> set[str]:
    """The finding numbers more than one audit report uses (`1`, `2` … in each LHP)."""
    numbers = Counter(str(r["finding_number"]) for r in rows)
    return {n for n, count in numbers.items() if count > 1}


def _page_of(row: Mapping[str, Any], shared: set[str]) -> str:
    """A finding's page: by its number alone, or with its report's where others share it."""
    number = str(row["finding_number"])
    return finding_page(number, str(row["lhp_number"]) if number in shared else None)


def _clock(item: dict[str, Any], judged_on: Any) -> None:
    """The days left to answer, beside the days overdue the query judged."""
    due = item["due_on"]
    item["days_left"] = None if due is None or item["overdue"] else (due - judged_on).days


def _finding_row(jejak: Jejak, request: Request, number: str) -> tuple[dict[str, Any], str] | None:
    """The register's finding an address names, and the page that names it: `3.1` alone, or
    `<LHP number>/3.1` (where several reports number a finding alike); None when none is."""
    rows = _register_rows(jejak, request)
    alone = [r for r in rows if r["finding_number"] == number]
    if len(alone) == 1:
        return alone[0], finding_page(number)
    with_report = [r for r in rows if f"{r['lhp_number']}/{r['finding_number']}" == number]
    if len(with_report) == 1:
        row = with_report[0]
        return row, finding_page(str(row["finding_number"]), str(row["lhp_number"]))
    return None


def _finding_subject(jejak: Jejak, request: Request, number: str) -> Subject | None:
    found = _finding_row(jejak, request, number)
    if found is None:
        return None
    row, page = found
    finding = jejak.app.finding(UUID(str(row["finding_id"])))
    return Subject(
        AUDIT_FINDING_LIFECYCLE,
        finding.id,
        finding.state,
        finding.version,
        f"{row['lhp_number']} \u00b7 {row['finding_number']}",
        page,
    )


NEW_FINDING: Final = Subject(AUDIT_FINDING_LIFECYCLE, None, None, None, "", "/audit/findings/new")


def _linked_ids(jejak: Jejak, viewer: Account, language: str) -> Prepare:
    """The record form's links typed as site codes, case numbers and batch numbers, turned
    into the ids the command takes; an unknown name is refused next to its field."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))

    finders: dict[str, Callable[[str], str]] = {
        "site_ids": lambda code: str(reads.sites.by_code(code.upper())["site_id"]),
        "beneficiary_ids": lambda number: str(reads.beneficiaries.id_of_case(number.upper())),
        "batch_ids": lambda number: record_names.batch_id(jejak.engine, number.strip()),
    }

    def prepare(sent: Mapping[str, str]) -> Mapping[str, str] | Refusal:
        prepared = dict(sent)
        refused: dict[str, str] = {}
        for name, find in finders.items():
            ids = []
            for line in (x.strip() for x in sent.get(name, "").splitlines()):
                if not line:
                    continue
                try:
                    ids.append(find(line))
                except NotFound:
                    refused[name] = gettext(language, "Not found: %(name)s.") % {"name": line}
            prepared[name] = "\n".join(ids)
        return Refusal(refused) if refused else prepared

    return prepare


@router.get("/audit/findings/new", response_class=HTMLResponse)
async def new_finding_form(request: Request, jejak: JejakDep) -> Response:
    """The form recording a finding of an audit report (LHP)."""
    return await _step(request, jejak, lambda: NEW_FINDING, "record_finding", post=False)


@router.post("/audit/findings/new", response_class=HTMLResponse)
async def new_finding(request: Request, jejak: JejakDep) -> Response:
    """Record a finding, through the API's route."""
    viewer = viewer_of(request, jejak)
    prepare = _linked_ids(jejak, viewer, language_of(request)) if viewer else None
    return await _step(
        request, jejak, lambda: NEW_FINDING, "record_finding", post=True, prepare=prepare
    )


@router.get("/audit/findings/{finding_number:path}/steps/{command}", response_class=HTMLResponse)
async def finding_step_form(
    request: Request, jejak: JejakDep, finding_number: str, command: str
) -> Response:
    """One step's form on a finding (an answer, the audit body's judgement, the closure)."""
    find = lambda: _finding_subject(jejak, request, finding_number)  # noqa: E731
    return await _step(request, jejak, find, command, post=False)


@router.post("/audit/findings/{finding_number:path}/steps/{command}", response_class=HTMLResponse)
async def finding_step(
    request: Request, jejak: JejakDep, finding_number: str, command: str
) -> Response:
    """Take a step on a finding, through the API's route."""
    find = lambda: _finding_subject(jejak, request, finding_number)  # noqa: E731
    return await _step(request, jejak, find, command, post=True)


@router.get("/audit/findings/{finding_number:path}", response_class=HTMLResponse)
def finding_detail(request: Request, jejak: JejakDep, finding_number: str) -> Response:
    """One finding: its report, recommendation, clock, answers and history, and the forms of
    the steps open now to the viewer's role."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    # After a step, wait until the read models have read it (the page shows what was done).
    done = settled(request, jejak)
    if not may_read_audit(viewer):
        return forbidden_page(request, viewer)
    found = _finding_row(jejak, request, finding_number)
    if found is None:
        return not_found_page(request, viewer)
    row = found[0]
    judged_on = deadlines_judged_on(request)
    finding = register_api.get_finding(
        finding_id=UUID(str(row["finding_id"])),
        user=viewer,
        jejak=jejak,
        queries=AuditRegisterQueries(jejak.engine),
        reads=ReadModels.of(jejak, of_account(jejak.scopes, viewer)),
        response=Response(),
        as_of=judged_on,
        after=None,
    )
    _clock(finding, judged_on)
    subject = _finding_subject(jejak, request, finding_number)
    assert subject is not None and subject.path_id is not None
    links = _link_names(jejak, finding)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    history = timeline(reads, StaffNames(jejak), viewer, subject.path_id, "AuditFinding")
    return templates.TemplateResponse(
        request,
        "audit_finding.html",
        {
            "viewer": viewer,
            "section": "audit",
            "finding": finding,
            "links": links,
            "today": judged_on,
            "subject": subject,
            "timeline": history,
            "done": done,
            "actions": forms_now(request, jejak, viewer, subject),
        },
    )


def _link_names(jejak: Jejak, finding: Mapping[str, Any]) -> list[dict[str, str]]:
    """The sites, cases and batches a finding names, by the names people know them by."""
    kinds = {
        record_names.SITE: "site_ids",
        record_names.BENEFICIARY: "beneficiary_ids",
        record_names.BATCH: "batch_ids",
    }
    subjects = [
        {"subject_kind": kind, "subject_id": str(i)}
        for kind, column in kinds.items()
        for i in finding[column]
    ]
    names = subject_names(jejak, subjects)
    return [names[s["subject_id"]] for s in subjects if s["subject_id"] in names]
