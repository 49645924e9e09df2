"""Money as the reader sees it (issue 16, point 2): her payment history,
`/cases/{case_number}/payments`, with her running total and its PDF and XLSX; and the payment
ledger, `/ledger`, with its filters, paging and exports. Both read through the API routes' own
functions, at the cut the page is asked at, and name sites and cases, never their ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from domain.access import may_reveal
from domain.decree import AidComponent
from domain.errors import DomainError
from domain.funding import FundingSource
from service.api.deps import Forbidden, JejakDep, get_jejak
from service.api.exports import ledger_export, payment_history
from service.api.inputs import BusinessDate
from service.api.money import beneficiary_payments, ledger_filter, list_ledger
from service.errors import NotFound
from service.files.money_exports import HistoryFormat, LedgerFormat
from service.i18n import refusal_for
from service.queries.money import LedgerFilter
from service.queries.read_models import ReadModels
from service.queries.reveal import RevealedField, RevealNotAllowed
from service.security.accounts import Account
from service.security.scope import of_account, require_programme_wide
from service.store.db import as_utc
from service.system import Jejak
from service.web.cases import reveal_on_page, shown
from service.web.cuts import cut_context, cut_of_page
from service.web.i18n import language_of
from service.web.names import case_numbered
from service.web.rendering import (
    forbidden_page,
    not_found_page,
    templates,
    to_login,
    viewer_of,
)

router = APIRouter(include_in_schema=False)


def oversees_programme(request: Request, viewer: Account | None) -> bool:
    """Whether the viewer reads the programme's own records (the ledger, the budget), which
    a unit's account is told do not exist: the menu offers them only to those who may."""
    return viewer is not None and of_account(get_jejak(request).scopes, viewer).everything


templates.env.globals["oversees_programme"] = oversees_programme

ROWS_PER_PAGE: Final = 50
# The same check the API's date filters get.
_BUSINESS_DATE = TypeAdapter(BusinessDate)
# The ledger rows' running totals, by the filter that names their dimension: a page filtered by
# site shows the site's running total, unfiltered the programme's per component.
RUNNING_TOTAL_OF: Final = (
    ("site", "paid_total_site"),
    ("source", "paid_total_source"),
    ("fiscal_year", "paid_total_fiscal_year"),
)


def _reads(jejak: Jejak, viewer: Account) -> ReadModels:
    return ReadModels.of(jejak, of_account(jejak.scopes, viewer))


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return max(int(text), 1) if text.isdigit() else 1


def _pages(total: int, page: int) -> dict[str, int]:
    last = max((total + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE, 1)
    return {"page": min(page, last), "last": last, "total": total}


def _recorded_in_utc(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite gives back the recording time without its zone; it was stored in UTC.
    return {**row, "recorded_at": as_utc(row["recorded_at"])}


# --- her payment history ---------------------------------------------------------------------


def _payments_context(
    request: Request, jejak: Jejak, viewer: Account, case_number: str
) -> dict[str, Any]:
    """Her history as the API answers it for the viewer and the page's cut: NotFound when the
    viewer's scope does not hold her case."""
    reads = _reads(jejak, viewer)
    beneficiary_id, case = case_numbered(reads, viewer, case_number)
    page_cut = cut_of_page(request, jejak)

    def answer(limit: int, offset: int) -> dict[str, Any]:
        return beneficiary_payments(
            beneficiary_id,
            user=viewer,
            jejak=jejak,
            reads=reads,
            response=Response(),
            cut=page_cut.cut,
            limit=limit,
            offset=offset,
        )

    asked = _page_number(request)
    history = answer(ROWS_PER_PAGE, (asked - 1) * ROWS_PER_PAGE)
    paging = _pages(history["total"], asked)
    if paging["page"] != asked:
        history = answer(ROWS_PER_PAGE, (paging["page"] - 1) * ROWS_PER_PAGE)
    # Her net received is the running total of her last line at the cut.
    last = history["items"][-1:]
    if paging["page"] != paging["last"]:
        last = answer(1, history["total"] - 1)["items"]
    history["items"] = [_recorded_in_utc(row) for row in history["items"]]
    return {
        "viewer": viewer,
        "case": case,
        "history": history,
        "paging": paging,
        "net_received": last[0]["paid_total_beneficiary"] if last else 0,
        "name_revealable": may_reveal(viewer.role, "name"),
        "entitlements": _entitlement_keys(reads, beneficiary_id),
        "revealed": None,
        "reveal_error": None,
        **cut_context(page_cut),
    }


def _entitlement_keys(reads: ReadModels, beneficiary_id: UUID) -> list[dict[str, Any]]:
    """Her entitlements as her page names them (`jadup-1`), for the money-correction links."""
    rows = reads.money.entitlements(beneficiary_id=beneficiary_id, limit=100, offset=0).items
    named: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = f"{row['component']}-{row['tranche']}"
        named[key] = {"key": key, "component": row["component"], "tranche": row["tranche"]}
    return list(named.values())


@router.get("/cases/{case_number}/payments", response_class=HTMLResponse)
def payments_page(request: Request, jejak: JejakDep, case_number: str) -> Response:
    """Her payment history by her case number (`/cases/TRK-JP-0004/payments`)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        context = _payments_context(request, jejak, viewer, case_number)
    except NotFound:
        return not_found_page(request, viewer)
    return templates.TemplateResponse(request, "payments.html", context)


@router.post("/cases/{case_number}/payments/reveal", response_class=HTMLResponse)
def reveal_name(
    request: Request,
    jejak: JejakDep,
    case_number: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Her name in clear on her payment history, for the reason typed in: the case page's
    reveal act, which writes the access log first."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    revealed: RevealedField | None = None
    refusal: str | None = None
    status = 200
    try:
        revealed = shown(reveal_on_page(jejak, viewer, case_number, "name", reason))
    except NotFound:
        return not_found_page(request, viewer)
    except (DomainError, RevealNotAllowed) as error:
        status = 403 if isinstance(error, RevealNotAllowed) else 422
        refusal = refusal_for(language_of(request), error)
    try:
        context = _payments_context(request, jejak, viewer, case_number)
    except NotFound:
        return not_found_page(request, viewer)
    context.update(revealed=revealed, reveal_error=refusal)
    return templates.TemplateResponse(request, "payments.html", context, status)


@router.get("/cases/{case_number}/payments.{fmt}", response_class=Response)
def payments_download(request: Request, jejak: JejakDep, case_number: str, fmt: str) -> Response:
    """Her payment history as PDF or XLSX, through the API's own export (logged, recorded)."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        chosen = HistoryFormat(fmt)
        scope = of_account(jejak.scopes, viewer)
        beneficiary_id = ReadModels.of(jejak, scope).beneficiaries.id_of_case(case_number)
        return payment_history(beneficiary_id, viewer, jejak, scope, chosen)
    except (NotFound, ValueError):
        return not_found_page(request, viewer)
    except Forbidden:
        return forbidden_page(request, viewer)


# --- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerQuery:
    """The ledger's filters as the page's address gives them: by the names people know (a
    site's code), what was typed (shown back), and the fields that could not be used."""

    filters: LedgerFilter
    typed: dict[str, str] = field(default_factory=dict)
    refused: frozenset[str] = frozenset()

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for paging links and downloads that keep them."""
        return {k: v for k, v in self.typed.items() if k not in self.refused}


FILTER_NAMES: Final = ("site", "component", "fiscal_year", "source", "from", "to")


def ledger_query(params: Mapping[str, str], sites_by_code: Mapping[str, UUID]) -> LedgerQuery:
    """The filters in the page's address, each checked as the API checks it; a value that is
    not understood is refused (and left out) rather than guessed."""
    typed = {n: params.get(n, "").strip() for n in FILTER_NAMES if params.get(n, "").strip()}
    refused: set[str] = set()
    values: dict[str, Any] = {}

    def take(name: str, convert: Any) -> Any:
        if name not in typed:
            return None
        try:
            return convert(typed[name])
        except (ValueError, KeyError, ValidationError):
            refused.add(name)
            return None

    values["site_id"] = take("site", lambda code: sites_by_code[code])
    values["component"] = take("component", AidComponent)
    values["fiscal_year"] = take("fiscal_year", _year)
    values["source"] = take("source", FundingSource)
    values["occurred_from"] = take("from", _BUSINESS_DATE.validate_python)
    values["occurred_to"] = take("to", _BUSINESS_DATE.validate_python)
    return LedgerQuery(ledger_filter(**values), typed, frozenset(refused))


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(text)
    return int(text)


def _running_total_key(query: LedgerQuery) -> str:
    return next(
        (key for name, key in RUNNING_TOTAL_OF if name in query.query()), "paid_total_component"
    )


def _ledger_context(request: Request, jejak: Jejak, viewer: Account) -> dict[str, Any]:
    """The ledger page for the viewer: NotFound outside the programme's overseers, as the API."""
    scope = of_account(jejak.scopes, viewer)
    require_programme_wide(scope, "Ledger")
    reads = ReadModels.of(jejak, scope)
    sites = reads.sites.list(state=None, limit=1000, offset=0).items
    query = ledger_query(request.query_params, {s["code"]: UUID(str(s["site_id"])) for s in sites})
    page_cut = cut_of_page(request, jejak)
    page = _page_number(request)
    answer = list_ledger(
        user=viewer,
        jejak=jejak,
        reads=reads,
        response=Response(),
        filters=query.filters,
        cut=page_cut.cut,
        limit=ROWS_PER_PAGE,
        offset=(page - 1) * ROWS_PER_PAGE,
    )
    code_of = {str(s["site_id"]): s["code"] for s in sites}
    return {
        "viewer": viewer,
        "section": "ledger",
        "rows": [
            {**row, "site_code": code_of.get(str(row["site_id"]), "")} for row in answer["items"]
        ],
        "paging": _pages(answer["total"], page),
        "ledger_query": query,
        "running_total": _running_total_key(query),
        "sites": [{"code": s["code"], "name": s["name"]} for s in sites],
        "components": [c.value for c in AidComponent],
        "sources": [s.value for s in FundingSource],
        "keep": {**query.query(), **page_cut.query()},
        **cut_context(page_cut),
    }


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, jejak: JejakDep) -> Response:
    """The payment ledger, filtered and paged, at the page's cut."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        context = _ledger_context(request, jejak, viewer)
    except NotFound:
        return not_found_page(request, viewer)
    return templates.TemplateResponse(request, "ledger.html", context)


@router.get("/ledger.{fmt}", response_class=Response)
def ledger_download(request: Request, jejak: JejakDep, fmt: str) -> Response:
    """The ledger with the page's filters as XLSX or CSV, through the API's own export."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    try:
        chosen = LedgerFormat(fmt)
        scope = of_account(jejak.scopes, viewer)
        require_programme_wide(scope, "Ledger")
        sites = ReadModels.of(jejak, scope).sites.list(state=None, limit=1000, offset=0).items
        query = ledger_query(
            request.query_params, {s["code"]: UUID(str(s["site_id"])) for s in sites}
        )
        return ledger_export(viewer, jejak, query.filters, chosen, None)
    except (NotFound, ValueError):
        return not_found_page(request, viewer)
    except Forbidden:
        return forbidden_page(request, viewer)
