"""The access log page, `/access-log`: who read whose data, what, when (WITA), why and from
which interface, newest first, filtered and paged, with its CSV and Excel export and the
verification of its own hash chain. For the roles the API lets read it (the data-protection
officer and the auditors, ADR 0042); it names accounts and case numbers, never a person's
data nor a record's id. Each read goes through the API's own route functions in
`service/api/access_log.py`, which seal the log first and write the read to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain.recording import Role
from service.api.access_log import (
    MAX_CASE_NUMBER_LENGTH,
    READERS,
    read_access_log,
    verify_access_log,
)
from service.api.deps import JejakDep
from service.queries.access_log import WITA, AccessLogFilter
from service.queries.read_models import ReadModels
from service.security.access_log import ACTION, MAX_USER_ID_LENGTH, AccessAction, Interface
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.rendering import forbidden_page, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE: Final = 50
MAX_PAGE: Final = 100_000
# Actions written by the command line and the bundles beside those the service names.
OTHER_ACTIONS: Final = (
    "export_evidence_bundle",
    "sign_checkpoint",
    "password_set",
    "account_moved",
    "account_deactivated",
    "account_reactivated",
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def may_read_access_log(viewer: Account | None) -> bool:
    """Whether the viewer's role may read the access log (the menu shows the link)."""
    return viewer is not None and viewer.role in READERS


templates.env.globals["may_read_access_log"] = may_read_access_log


@dataclass
class AccessLogChoice:
    """The page's filters as read from its query string: a value the page cannot use is
    dropped and named in `refused`, so a hand-edited address still shows a list."""

    user: str = ""
    role: str = ""
    action: str = ""
    case: str = ""
    interface: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1
    refused: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, params: dict[str, str]) -> AccessLogChoice:
        """The filters in `params`, each checked as the API checks it."""
        chosen = cls()
        user = params.get("user", "").strip()
        if user:
            if len(user) > MAX_USER_ID_LENGTH or _CONTROL.search(user):
                chosen.refused.add("user")
            else:
                chosen.user = user
        role = params.get("role", "")
        chosen.role = role if role in {r.value for r in Role} else ""
        action = params.get("action", "").strip()
        if action:
            if ACTION.match(action):
                chosen.action = action
            else:
                chosen.refused.add("action")
        case = params.get("case", "").strip().upper()
        if case:
            if len(case) > MAX_CASE_NUMBER_LENGTH or _CONTROL.search(case):
                chosen.refused.add("case")
            else:
                chosen.case = case
        interface = params.get("interface", "")
        chosen.interface = interface if interface in {i.value for i in Interface} else ""
        chosen.start = chosen._day(params, "from")
        chosen.end = chosen._day(params, "to")
        page = params.get("page", "1")
        chosen.page = int(page) if page.isdigit() and 0 < int(page) < MAX_PAGE else 1
        return chosen

    def _day(self, params: dict[str, str], name: str) -> date | None:
        text = params.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.refused.add(name)
            return None

    def filters(self) -> AccessLogFilter:
        """The API's filter: days in WITA, the last one included."""
        return AccessLogFilter(
            user_id=self.user or None,
            role=Role(self.role) if self.role else None,
            action=self.action or None,
            case_number=self.case or None,
            interface=Interface(self.interface) if self.interface else None,
            start=_midnight(self.start),
            end=_midnight(self.end + timedelta(days=1)) if self.end else None,
        )

    def query_string(self, page: int) -> str:
        """The page's address for `page` of this filtered list."""
        values = {
            "user": self.user,
            "role": self.role,
            "action": self.action,
            "case": self.case,
            "interface": self.interface,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "page": str(page) if page > 1 else "",
        }
        return urlencode({k: v for k, v in values.items() if v})

    def export_query(self, fmt: str) -> str:
        """The API export's query for the same entries (its own parameter names)."""
        chosen = self.filters()
        values = {
            "format": fmt,
            "user_id": chosen.user_id or "",
            "role": self.role,
            "action": self.action,
            "case_number": self.case,
            "interface": self.interface,
            "from": chosen.start.isoformat() if chosen.start else "",
            "to": chosen.end.isoformat() if chosen.end else "",
        }
        return urlencode({k: v for k, v in values.items() if v})


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=WITA)


def _admitted(request: Request, jejak: Jejak) -> Response | Account:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in READERS:
        return forbidden_page(request, viewer)
    return viewer


def _subjects(jejak: Jejak, viewer: Account, items: list[dict[str, Any]]) -> None:
    """Name each entry's subject as people know it: her case number (the query gives it), a
    site's code; other subjects by their kind only, never by id."""
    site_ids = {UUID(str(i["subject_id"])) for i in items if i["subject_kind"] == "site"}
    codes: dict[str, str] = {}
    if site_ids:
        reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
        sites = reads.sites.list(state=None, limit=1000, offset=0).items
        codes = {str(s["site_id"]): s["code"] for s in sites}
    for item in items:
        item["site_code"] = codes.get(str(item["subject_id"]))
        del item["subject_id"]


def _page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    verified: dict[str, Any] | None = None,
) -> HTMLResponse:
    chosen = AccessLogChoice.read(dict(request.query_params))
    offset = (chosen.page - 1) * PAGE_SIZE
    body = read_access_log(viewer, jejak, chosen.filters(), PAGE_SIZE, offset)
    _subjects(jejak, viewer, body["items"])
    total = body["total"]
    pages = max(1, -(-total // PAGE_SIZE))
    context: dict[str, Any] = {
        "viewer": viewer,
        "section": "access-log",
        "entries": body["items"],
        "total": total,
        "chosen": chosen,
        "roles": [r.value for r in Role],
        "actions": [a.value for a in AccessAction] + list(OTHER_ACTIONS),
        "interfaces": [i.value for i in Interface],
        "page": chosen.page,
        "pages": pages,
        "previous": chosen.query_string(chosen.page - 1) if chosen.page > 1 else None,
        "next": chosen.query_string(chosen.page + 1) if chosen.page < pages else None,
        "csv": chosen.export_query("csv"),
        "xlsx": chosen.export_query("xlsx"),
        "here": chosen.query_string(chosen.page),
        "verified": verified,
        "checkpoint_count": len(jejak.access_log_chain.all_checkpoints()),
    }
    return templates.TemplateResponse(request, "access_log.html", context)


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, jejak: JejakDep) -> Response:
    """The access log, newest first, filtered by account, role, action, case number,
    interface and days (WITA), fifty entries a page; the read is written to the log."""
    admitted = _admitted(request, jejak)
    if isinstance(admitted, Response):
        return admitted
    return _page(request, jejak, admitted)


@router.post("/access-log/verify", response_class=HTMLResponse)
def verify_access_log_page(request: Request, jejak: JejakDep) -> Response:
    """Seal the access log and verify its chain against its signed checkpoints, as
    `GET /api/access-log/verification` does (and logs); the page shows the outcome."""
    admitted = _admitted(request, jejak)
    if isinstance(admitted, Response):
        return admitted
    return _page(request, jejak, admitted, verify_access_log(admitted, jejak))
