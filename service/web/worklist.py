"""The worklist page: the open work the viewer's units answer for, with its next action and due
date, filtered by site, state, kind and due window, judged as at a day (ADR 0050), each row a
link to the page where its action is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from domain.recording import EARLIEST_BUSINESS_DATE, LATEST_BUSINESS_DATE
from service.api.deps import JejakDep
from service.api.inputs import BusinessDate
from service.queries.paging import Row
from service.queries.read_models import ReadModels
from service.security.scope import of_account
from service.web.names import finding_page
from service.web.privacy_clocks import clocks_judged_at, running_clocks
from service.web.rendering import deadlines_judged_on, templates, viewer_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE: Final = 50
# The due windows a filter offers: the value in the URL -> days ahead of the judging day
# (None: already overdue).
DUE_WINDOWS: Final[dict[str, int | None]] = {"overdue": None, "7": 7, "30": 30}
AUDIT_LABEL: Final = " temuan "
KINDS: Final = ("site", "beneficiary", "entitlement", "batch", "audit_finding")
# The same check the API's `as_of` gets (DeadlinesJudgedOn): an ISO date within the
# programme's business dates.
_JUDGING_DAY = TypeAdapter(BusinessDate)


def page_of_work(item: Row) -> str | None:
    """The page where a worklist row's next action is done: its site's, its case's, its
    payment batch's (named by its number) or its audit finding's."""
    kind = item["subject_kind"]
    if kind == "site":
        return f"/sites/{quote(item['label'], safe='')}"
    if kind == "beneficiary":
        return f"/cases/{quote(item['label'], safe='')}"
    if kind == "entitlement" and item.get("case_number"):
        return f"/cases/{quote(item['case_number'], safe='')}"
    if kind == "batch":
        return f"/batches/{quote(item['label'], safe='')}"
    if kind == "audit_finding" and AUDIT_LABEL in item["label"]:
        # Labelled `<LHP number> temuan <finding number>` by the worklist's fold.
        lhp_number, _, finding_number = item["label"].rpartition(AUDIT_LABEL)
        return finding_page(finding_number, lhp_number)
    return None


@dataclass
class WorklistFilter:
    """The worklist's filters as read from the page's query string; what is not understood
    is dropped rather than refused, so that a hand-edited address still shows a list."""

    site: str = ""
    kind: str = ""
    state: str = ""
    due: str = ""
    as_of: date | None = None
    page: int = 1
    # The fields given a value the page could not use, shown next to them.
    refused: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, params: dict[str, str], default_day: date) -> WorklistFilter:
        """The filters in `params`; `default_day` is the judging day when none is given."""
        chosen = cls(
            site=params.get("site", "").strip().upper(),
            kind=params.get("kind", "") if params.get("kind") in KINDS else "",
            state=params.get("state", "").strip(),
            due=params.get("due", "") if params.get("due") in DUE_WINDOWS else "",
        )
        if "." in chosen.state:
            # A state is named with its kind (`beneficiary.RETURNED`): two lifecycles share
            # some state names; a chosen state implies its kind.
            chosen.kind, _, chosen.state = chosen.state.partition(".")
        else:
            chosen.state = ""
        day = params.get("as_of", "").strip()
        try:
            chosen.as_of = _JUDGING_DAY.validate_python(day) if day else default_day
        except ValidationError:
            chosen.as_of = default_day
            chosen.refused.add("as_of")
        page = params.get("page", "1")
        chosen.page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
        return chosen

    def query_string(self, page: int, default_day: date) -> str:
        """The address's query for `page` of this filtered list."""
        values = {
            "site": self.site,
            "state": f"{self.kind}.{self.state}" if self.state else "",
            "kind": self.kind if not self.state else "",
            "due": self.due,
            "as_of": self.as_of.isoformat() if self.as_of and self.as_of != default_day else "",
            "page": str(page) if page > 1 else "",
        }
        return urlencode({k: v for k, v in values.items() if v})


@router.get("/worklist", response_class=HTMLResponse)
def worklist_page(request: Request, jejak: JejakDep) -> Response:
    """The worklist: open work with its next action, due date and days overdue, most urgent
    first, filtered by site, kind, state and due window, judged as at a chosen day."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login?next=/worklist", status_code=303)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    default_day = deadlines_judged_on(request)
    chosen = WorklistFilter.read(dict(request.query_params), default_day)
    judged_on = chosen.as_of or default_day
    sites = reads.sites.list(state=None, limit=1000, offset=0).items
    site_ids = {s["code"]: s["site_id"] for s in sites}
    window: dict[str, Any] = {}
    if chosen.due == "overdue":
        window["due_until"] = judged_on - timedelta(days=1)
    elif chosen.due:
        window = {
            "due_from": judged_on,
            "due_until": judged_on + timedelta(days=DUE_WINDOWS[chosen.due] or 0),
        }
    if chosen.site and chosen.site not in site_ids:
        # A site the viewer does not see has no work here, as an unknown one.
        work: Any = None
    else:
        work = reads.worklist.list(
            as_of=judged_on,
            overdue_only=False,
            site_id=site_ids.get(chosen.site),
            kind=chosen.kind or None,
            state=chosen.state or None,
            limit=PAGE_SIZE,
            offset=(chosen.page - 1) * PAGE_SIZE,
            **window,
        )
        for item in work.items:
            item["href"] = page_of_work(item)
    total = work.total if work else 0
    pages = max(1, -(-total // PAGE_SIZE))
    # The 72-hour clocks of UU PDP run in hours, beside the day deadlines (ADR 0057).
    clocks_now = clocks_judged_at(request)
    return templates.TemplateResponse(
        request,
        "worklist.html",
        {
            "viewer": viewer,
            "section": "worklist",
            "work": work.items if work else [],
            "total": total,
            "chosen": chosen,
            "judged_on": judged_on,
            "earliest_day": EARLIEST_BUSINESS_DATE,
            "latest_day": LATEST_BUSINESS_DATE,
            "sites": sites,
            "states": reads.worklist.states(),
            "clocks": running_clocks(jejak, viewer, clocks_now),
            "clocks_now": clocks_now,
            "page": chosen.page,
            "pages": pages,
            "previous": chosen.query_string(chosen.page - 1, default_day)
            if chosen.page > 1
            else None,
            "next": chosen.query_string(chosen.page + 1, default_day)
            if chosen.page < pages
            else None,
        },
    )
