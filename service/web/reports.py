"""Published reports in the browser (issue 16): every report sent out, one report's versions
with its figures beside today's for the same period (the API's comparison), and the forms that
publish a report and a corrected version, for the roles the declaration names.

A report is named in an address by its kind and period
(`/reports/programme_figures-2019-07-01-2019-09-30`): a kind and period is published once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.report_lifecycles import REPORT_LIFECYCLE
from service.api import reports as reports_api
from service.api.deps import Forbidden, JejakDep
from service.errors import NotFound
from service.security.accounts import Account
from service.system import Jejak
from service.web.commands import Subject, form_or_step, forms_now
from service.web.names import StaffNames, report_page
from service.web.rendering import (
    forbidden_page,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)

router = APIRouter(include_in_schema=False)

# Reports are few (a kind per quarter at most): one page lists them all.
LISTED: Final = 500
FIGURES_SHOWN: Final = 500


def _reports(jejak: Jejak, viewer: Account) -> list[dict[str, Any]]:
    found = reports_api.list_reports(
        user=viewer,
        jejak=jejak,
        response=Response(),
        report_kind=None,
        limit=LISTED,
        offset=0,
        after=None,
    )
    items: list[dict[str, Any]] = found["items"]
    for item in items:
        item["href"] = report_page(item["report_kind"], item["period_start"], item["period_end"])
    return items


def _named(jejak: Jejak, viewer: Account, key: str) -> dict[str, Any] | None:
    """The report whose address names it `key`, or None."""
    return next(
        (r for r in _reports(jejak, viewer) if r["href"] == f"/reports/{key}"),
        None,
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, jejak: JejakDep) -> Response:
    """Every report sent out, latest period first, with its reference, addressee and hash."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    # After a step, wait until the read models have read it (the page shows what was done).
    done = settled(request, jejak)
    return templates.TemplateResponse(
        request,
        "reports.html",
        {
            "viewer": viewer,
            "section": "audit",
            "reports": _reports(jejak, viewer),
            "may_publish": viewer.role in REPORT_LIFECYCLE.roles_for("publish_report"),
            "done": done,
        },
    )


def _subject(jejak: Jejak, viewer: Account, key: str) -> Subject | None:
    report = _named(jejak, viewer, key)
    if report is None:
        return None
    aggregate = jejak.app.published_report(UUID(str(report["report_id"])))
    return Subject(
        REPORT_LIFECYCLE,
        aggregate.id,
        aggregate.state,
        aggregate.version,
        f"{report['document_number']}",
        str(report["href"]),
    )


NEW_REPORT: Final = Subject(REPORT_LIFECYCLE, None, None, None, "", "/reports/new")


async def _step(
    request: Request,
    jejak: Jejak,
    find: Callable[[Account], Subject | None],
    command: str,
    *,
    post: bool,
) -> Response:
    """A publication's form (GET) or the publication taken (POST)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in REPORT_LIFECYCLE.roles_for(command):
        return forbidden_page(request, viewer)
    subject = await run_in_threadpool(find, viewer)
    if subject is None:
        return not_found_page(request, viewer)
    return await form_or_step(request, jejak, viewer, subject, command, post=post)


@router.get("/reports/new", response_class=HTMLResponse)
async def new_report_form(request: Request, jejak: JejakDep) -> Response:
    """The form publishing a period's figures."""
    return await _step(request, jejak, lambda _: NEW_REPORT, "publish_report", post=False)


@router.post("/reports/new", response_class=HTMLResponse)
async def new_report(request: Request, jejak: JejakDep) -> Response:
    """Publish a period's figures, through the API's route."""
    return await _step(request, jejak, lambda _: NEW_REPORT, "publish_report", post=True)


@router.get("/reports/{report}/steps/{command}", response_class=HTMLResponse)
async def report_step_form(
    request: Request, jejak: JejakDep, report: str, command: str
) -> Response:
    """A step's form on a report (a corrected version)."""
    return await _step(
        request, jejak, lambda viewer: _subject(jejak, viewer, report), command, post=False
    )


@router.post("/reports/{report}/steps/{command}", response_class=HTMLResponse)
async def report_step(request: Request, jejak: JejakDep, report: str, command: str) -> Response:
    """Take a step on a report, through the API's route."""
    return await _step(
        request, jejak, lambda viewer: _subject(jejak, viewer, report), command, post=True
    )


def _version(request: Request) -> int | None:
    text = request.query_params.get("version", "")
    return int(text) if text.isdigit() and int(text) >= 1 else None


@router.get("/reports/{report}", response_class=HTMLResponse)
def report_detail(request: Request, jejak: JejakDep, report: str) -> Response:
    """One report: its versions, and a version's figures beside today's for the same period
    with the events recorded since that changed them (for the roles that read past states;
    others see the figures as sent)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    # After a step, wait until the read models have read it (the page shows what was done).
    done = settled(request, jejak)
    found = _named(jejak, viewer, report)
    if found is None:
        return not_found_page(request, viewer)
    report_id = UUID(str(found["report_id"]))
    version = _version(request)
    changed_only = request.query_params.get("changed") == "1"
    try:
        about = reports_api.one_report(
            report_id=report_id, user=viewer, jejak=jejak, version=version
        )
    except NotFound:
        return not_found_page(request, viewer)
    try:
        comparison: dict[str, Any] | None = reports_api.compare_report(
            report_id=report_id,
            user=viewer,
            jejak=jejak,
            version=version,
            changed_only=changed_only,
            limit=FIGURES_SHOWN,
            offset=0,
        )
    except Forbidden:
        comparison = None
    names = StaffNames(jejak)
    for record in about["versions"]:
        record["who"] = names.person(str((record.get("actor") or {}).get("user_id") or ""))
    subject = _subject(jejak, viewer, report)
    assert subject is not None
    return templates.TemplateResponse(
        request,
        "report.html",
        {
            "viewer": viewer,
            "section": "audit",
            "report": found,
            "about": about,
            "comparison": comparison,
            "figures": _figures(comparison, about),
            "changed_only": changed_only,
            "actions": forms_now(request, jejak, viewer, subject),
            "done": done,
        },
    )


def _figures(comparison: dict[str, Any] | None, about: dict[str, Any]) -> list[dict[str, Any]]:
    """Figures as a table reads them: the part of the report (a site's code, or the programme)
    and the figure's own name; without a comparison, the version's figures as sent."""
    rows: list[dict[str, Any]] = comparison["figures"] if comparison else []
    if comparison is None:
        rows = [
            {"figure": name, "published": value, "today": None, "changed": False}
            for name, value in _flat(about.get("content") or {})
        ]
    for row in rows:
        head, _, rest = str(row["figure"]).partition(".")
        if head == "sites":
            part, _, name = rest.partition(".")
        else:
            part, name = "", str(row["figure"])
        row["part"], row["name"] = part, name
    return rows


def _flat(content: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for name, value in content.items():
        if isinstance(value, dict):
            flat += _flat(value, f"{prefix}{name}.")
        else:
            flat.append((f"{prefix}{name}", value))
    return flat
