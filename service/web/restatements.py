"""Restatements in the browser (issue 16): the record of every switch of rebuilt read models
with the rows each one changed, before and after; and a rebuild from the browser, whose
differences are shown before the supervisor confirms the switch.

A rebuild runs the same service code as `jejak rebuild` (`service.commands.restatements`:
prepare, compare, switch), so the switch records the same restatement. The rebuilt shadow
tables live between the two requests in this process (one rebuild at a time: the shadows are
one set of tables); the confirmation carries the rebuild's token and the log position of the
differences shown, and is refused when either is no longer the one held.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from domain.restatement import Restatement
from projections.side_by_side import ChainDiverged, LiveMoved, TableDiff, as_json
from service.api import restatements as restatements_api
from service.api.deps import Forbidden, JejakDep
from service.commands import restatements
from service.commands.restatements import Rebuild, ShownDiffStale
from service.i18n import gettext, refusal_for
from service.queries import record_names
from service.security.accounts import Account
from service.system import Jejak
from service.web.i18n import language_of
from service.web.names import StaffNames
from service.web.rendering import (
    forbidden_page,
    not_found_page,
    templates,
    to_login,
    viewer_of,
)

router = APIRouter(include_in_schema=False)

# Restatements are rare (a handful a year): one page lists them.
LISTED: Final = 500
# Rows of each kind of difference a rebuild's page shows per table (the counts are whole).
ROWS_SHOWN: Final = 20
UUID_TEXT: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RESTATE: Final = "restate_read_models"


# --- Rows as a reader reads them -----------------------------------------------------------


class Namer:
    """Ids in a diff's rows, keys and events turned into the names people know (a site's code,
    a case's number), or cut short where nothing names them: no UUID on a page."""

    def __init__(self, jejak: Jejak) -> None:
        self.names = record_names.every_site_and_case(jejak.engine)

    def text(self, value: object) -> str:
        """A value as a page shows it."""
        if value is None:
            return "\u2013"
        return UUID_TEXT.sub(
            lambda m: self.names.get(m.group(0), m.group(0)[:8] + "\u2026"), str(value)
        )


@dataclass(frozen=True)
class ShownRow:
    """One changed row: its table, kind, key, and each column before and after."""

    table: str
    kind: str
    key: str
    columns: list[tuple[str, str, str, bool]]  # name, before, after, differs
    events: list[str]


def shown_row(
    namer: Namer,
    language: str,
    table: str,
    kind: str,
    key: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    events: Iterable[Mapping[str, Any]] = (),
) -> ShownRow:
    """A changed row with its columns side by side; sealed columns stay sealed."""
    sealed = gettext(language, "(sealed)")
    names = sorted(set(before or {}) | set(after or {}))
    columns = []
    for name in names:
        old, new = (before or {}).get(name), (after or {}).get(name)
        differs = before is None or after is None or old != new
        if name.endswith("_sealed"):
            columns.append(
                (name, sealed if old else "\u2013", sealed if new else "\u2013", differs)
            )
        else:
            columns.append((name, namer.text(old), namer.text(new), differs))
    return ShownRow(
        table,
        kind,
        namer.text(key),
        columns,
        [f"{e['position']} {e['event']}" for e in events],
    )


# --- The record of restatements ------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """A switch's time, stored in UTC: SQLite gives it back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _listed(request: Request, jejak: Jejak, viewer: Account, limit: int, offset: int) -> Any:
    return restatements_api.list_restatements(user=viewer, jejak=jejak, limit=limit, offset=offset)


@router.get("/restatements", response_class=HTMLResponse)
def restatements_page(request: Request, jejak: JejakDep) -> Response:
    """Every restatement, newest first, numbered in the order they were made."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        found = _listed(request, jejak, viewer, LISTED, 0)
    except Forbidden:
        return forbidden_page(request, viewer)
    names = StaffNames(jejak)
    for index, item in enumerate(found["items"]):
        item["number"] = found["total"] - found["offset"] - index
        item["switched_at"] = _utc(item["switched_at"])
        item["who"] = names.person(item["actor_id"])
        item["counts"] = {
            k: sum(t.get(k, 0) for t in item["summary"].values())
            for k in ("added", "removed", "changed")
        }
    return templates.TemplateResponse(
        request,
        "restatements.html",
        {
            "viewer": viewer,
            "section": "audit",
            "restatements": found["items"],
            "total": found["total"],
            "done": _switched_message(request),
        },
    )


def _switched_message(request: Request) -> str | None:
    number = request.query_params.get("switched", "")
    if not number.isdigit():
        return None
    return gettext(language_of(request), "Switched; recorded as restatement %(number)s.") % {
        "number": number
    }


@router.get("/restatements/{restatement_number}", response_class=HTMLResponse)
def restatement_page(request: Request, jejak: JejakDep, restatement_number: int) -> Response:
    """One restatement: who, why, with which code, and every row it changed, before and
    after, with the events behind each row."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        total = _listed(request, jejak, viewer, 1, 0)["total"]
    except Forbidden:
        return forbidden_page(request, viewer)
    if not 1 <= restatement_number <= total:
        return not_found_page(request, viewer)
    item = _listed(request, jejak, viewer, 1, total - restatement_number)["items"][0]
    found = restatements_api.one_restatement(
        restatement_id=item["restatement_id"], user=viewer, jejak=jejak, limit=500, offset=0
    )
    found["switched_at"] = _utc(found["switched_at"])
    language = language_of(request)
    namer = Namer(jejak)
    rows = [
        shown_row(
            namer, language, r["table"], r["kind"], r["key"], r["before"], r["after"], r["events"]
        )
        for r in found["rows"]
    ]
    return templates.TemplateResponse(
        request,
        "restatement.html",
        {
            "viewer": viewer,
            "section": "audit",
            "number": restatement_number,
            "restatement": found,
            "who": StaffNames(jejak).person(found["actor_id"]),
            "rows": rows,
        },
    )


# --- A rebuild from the browser ------------------------------------------------------------


@dataclass
class HeldRebuild:
    """A rebuild prepared and compared, waiting for its confirmation."""

    token: str
    rebuild: Rebuild
    diffs: list[TableDiff]
    reason: str
    started_by: str


def _restater(request: Request, jejak: Jejak) -> Account | Response:
    """The signed-in account if its role may restate read models; else the page to answer."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in Restatement.lifecycle.roles_for(RESTATE):
        return forbidden_page(request, viewer)
    return viewer


def _held(request: Request) -> HeldRebuild | None:
    held: HeldRebuild | None = getattr(request.app.state, "web_rebuild", None)
    return held


def _rebuild_page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    *,
    held: HeldRebuild | None = None,
    refused: str | None = None,
    chosen: str = "",
    reason: str = "",
    status: int = 200,
) -> Response:
    language = language_of(request)
    diffs: list[dict[str, Any]] = []
    if held is not None:
        namer = Namer(jejak)
        for diff in held.diffs:
            shown = []
            for kind in ("added", "removed", "changed"):
                changes = [c for c in diff.changes if c.kind == kind][:ROWS_SHOWN]
                shown += [
                    shown_row(
                        namer,
                        language,
                        c.table,
                        c.kind,
                        c.key,
                        _plain(c.before),
                        _plain(c.after),
                    )
                    for c in changes
                ]
            diffs.append(
                {
                    "table": diff.table,
                    "rows": diff.rows,
                    "counts": diff.counts(),
                    "checks": diff.checks,
                    "settings": restatements.setting_causes(diff.settings),
                    "shown": shown,
                }
            )
    return templates.TemplateResponse(
        request,
        "rebuild.html",
        {
            "viewer": viewer,
            "section": "audit",
            "read_models": restatements.side_by_side_names(jejak),
            "held": held,
            "position": held.rebuild.compared[0] if held and held.rebuild.compared else None,
            "diffs": diffs,
            "unchanged": held is not None and not any(d.changes for d in held.diffs),
            "refused": refused,
            "chosen": chosen or (", ".join(held.rebuild.names) if held else ""),
            "reason": reason or (held.reason if held else ""),
        },
        status,
    )


def _plain(row: dict[str, Any] | None) -> dict[str, Any] | None:
    text = as_json(row)
    return None if text is None else dict(json.loads(text))


@router.get("/rebuild", response_class=HTMLResponse)
def rebuild_form(request: Request, jejak: JejakDep) -> Response:
    """Choose a read model to rebuild side by side, and say why."""
    viewer = _restater(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    return _rebuild_page(request, jejak, viewer)


def _refusal(language: str, error: Exception) -> str:
    code = getattr(error, "code", None)
    message = refusal_for(language, error) if isinstance(error, DomainError) else str(error)
    return f"{message} ({code})" if code else message


@router.post("/rebuild", response_class=HTMLResponse)
async def start_rebuild(request: Request, jejak: JejakDep) -> Response:
    """Rebuild the chosen read model next to the live one and show what would change;
    nothing is switched yet."""
    viewer = _restater(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    language = language_of(request)
    form = await request.form()
    chosen = str(form.get("read_model", "")).strip()
    reason = str(form.get("reason", "")).strip()
    try:
        Restatement.check_reason(reason)
        if chosen not in restatements.side_by_side_names(jejak):
            raise ValueError(gettext(language, "Choose a read model from the list."))
        rebuild = await run_in_threadpool(restatements.prepare, jejak, [chosen])
        diffs = await run_in_threadpool(restatements.compare, rebuild)
    except (DomainError, ValueError, LiveMoved) as error:
        return _rebuild_page(
            request,
            jejak,
            viewer,
            refused=_refusal(language, error),
            chosen=chosen,
            reason=reason,
            status=422,
        )
    # A new rebuild takes the shadow tables over: an older one's confirmation is stale.
    held = HeldRebuild(secrets.token_urlsafe(18), rebuild, diffs, reason, viewer.username)
    request.app.state.web_rebuild = held
    return _rebuild_page(request, jejak, viewer, held=held)


@router.post("/rebuild/switch", response_class=HTMLResponse)
async def confirm_rebuild(request: Request, jejak: JejakDep) -> Response:
    """Switch to the rebuilt read model the page showed, recording the restatement; refused
    when the rebuild or the position shown is no longer the one held."""
    viewer = _restater(request, jejak)
    if isinstance(viewer, Response):
        return viewer
    language = language_of(request)
    form = await request.form()
    token = str(form.get("rebuild", ""))
    shown = str(form.get("position", ""))
    held = _held(request)
    stale = gettext(
        language,
        "What you confirmed is no longer what would be switched: the read model moved on or"
        " another rebuild was started. Check the differences again.",
    )
    if held is None or not secrets.compare_digest(held.token, token) or not shown.isdigit():
        return _rebuild_page(request, jejak, viewer, held=held, refused=stale, status=409)
    try:
        done = await run_in_threadpool(
            restatements.switch, held.rebuild, viewer, held.reason, int(shown)
        )
    except (ShownDiffStale, LiveMoved):
        # Compare again so the page shows what a switch would now do.
        held.diffs = await run_in_threadpool(restatements.compare, held.rebuild)
        return _rebuild_page(request, jejak, viewer, held=held, refused=stale, status=409)
    except (ChainDiverged, DomainError) as error:
        return _rebuild_page(
            request, jejak, viewer, held=held, refused=_refusal(language, error), status=409
        )
    request.app.state.web_rebuild = None
    number = restatements_api.list_restatements(user=viewer, jejak=jejak, limit=1, offset=0)[
        "total"
    ]
    jejak.runner.wait_for(done.event_position, jejak.settings.read_your_writes_timeout_seconds)
    return RedirectResponse(f"/restatements?switched={number}", status_code=303)
