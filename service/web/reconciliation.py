"""The reconciliation page (`/reconciliation`): the bank statement set against the ledger, for
one batch (named by its number) or a period, at today's state or a past cut, readable by
supervisors and auditors; and the statement's upload, line errors shown by line.

It asks `reconciliations_at`, as `GET /api/reconciliation` does, and names each line as people
know it: her case number, component and tranche, the batch's number, the budget line.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from domain.bank_statement import STATEMENT_LIFECYCLE
from domain.payment_batch import PaymentBatch
from domain.reconciliation import LedgerCredit
from projections.budget_position import budget_position
from projections.entitlement_status import entitlement_label
from service.api.deps import JejakDep
from service.api.inputs import BusinessDate
from service.api.money import READERS_OF_MONEY, keep_bank_statement
from service.i18n import gettext
from service.queries.batches import batches, entitlement_rows
from service.queries.reconciliation import ReconciliationReport, reconciliations_at
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.batches import (
    admitted,
    bank_file_applied,
    dated_body,
    first_message,
    read_upload,
)
from service.web.cuts import cut_context, cut_of_page
from service.web.forms import Refusal
from service.web.i18n import language_of
from service.web.rendering import deadlines_judged_on, may, settled, templates

router = APIRouter(include_in_schema=False)

# A period with no dates given starts here: the programme's first payments.
PROGRAMME_START: Final = date(2016, 1, 1)
MATCHED_SHOWN: Final = 300
_DATE = TypeAdapter(BusinessDate)


def _day(text: str) -> date | None:
    try:
        return _DATE.validate_python(text) if text else None
    except ValidationError:
        return None


def _named_credit(
    credit: LedgerCredit, labels: dict[str, str], numbers: dict[str, str]
) -> dict[str, Any]:
    return {
        "label": labels.get(str(credit.entitlement_id)),
        "batch": numbers.get(str(credit.batch_id)),
        "bank_reference": credit.bank_reference,
        "amount": credit.amount,
        "value_date": credit.value_date,
        "returned": credit.returned_amount,
    }


def _view(jejak: Jejak, report: ReconciliationReport, numbers: dict[str, str]) -> dict[str, Any]:
    """The report with every line named as people know it, never by an id."""
    r = report.result
    credits = [c for c, _ in r.matched] + r.not_on_statement + r.not_withdrawn
    credits += [m.credit for m in r.amount_mismatches]
    rows = entitlement_rows(jejak.engine, sorted({str(c.entitlement_id) for c in credits}))
    labels = {
        key: entitlement_label(
            row["case_number"], row["decree_number"], row["component"], row["tranche"]
        )
        for key, row in rows.items()
    }
    with jejak.engine.connect() as conn:
        lines = {
            str(
                row["commitment_id"]
            ): f"{row['budget_line']} ({str(row['source']).upper()} {row['fiscal_year']})"
            for row in conn.execute(select(budget_position)).mappings()
        }

    def named(c: LedgerCredit) -> dict[str, Any]:
        return _named_credit(c, labels, numbers)

    return {
        "clean": report.clean,
        "system_total": r.system_total,
        "bank_total": r.bank_total,
        "difference": r.system_total - r.bank_total,
        "counts": report.as_dict()["counts"],
        "matched": [named(c) | {"bank_amount": m.amount} for c, m in r.matched[:MATCHED_SHOWN]],
        "matched_more": max(0, len(r.matched) - MATCHED_SHOWN),
        "not_on_statement": [named(c) for c in r.not_on_statement],
        "amount_mismatches": [
            named(m.credit) | {"bank_amount": m.movement.amount} for m in r.amount_mismatches
        ],
        "not_withdrawn": [named(c) for c in r.not_withdrawn],
        "unknown_to_system": list(r.unknown_to_system),
        "returns_unmatched": list(r.returns_unmatched),
        "budget_lines": [
            {
                "line": lines.get(b.commitment_id),
                "ledger_net": b.ledger_net,
                "bank_net": b.bank_net,
                "agrees": b.agrees,
            }
            for b in report.budget_lines
        ],
    }


def _page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    *,
    problems: list[dict[str, Any]] | None = None,
    upload_error: str | None = None,
    status: int = 200,
) -> Response:
    page_cut = cut_of_page(request, jejak)
    judged_on = page_cut.as_at or deadlines_judged_on(request)
    known = batches(jejak.app, of_account(jejak.scopes, viewer))
    numbers = {str(b.batch_id): b.number for b in known}
    params = request.query_params
    number = params.get("batch", "").strip()
    start, end = _day(params.get("start", "").strip()), _day(params.get("end", "").strip())
    refused: set[str] = set()
    reports = reconciliations_at(jejak, page_cut.cut)
    if number:
        batch_id = PaymentBatch.create_id(number)
        if str(batch_id) not in numbers:
            refused.add("batch")
            report = None
        else:
            report = reports.for_batch(batch_id, judged_on)
    else:
        if params.get("start") and start is None:
            refused.add("start")
        if params.get("end") and end is None:
            refused.add("end")
        start, end = start or PROGRAMME_START, end or judged_on
        if end < start:
            refused.add("end")
            report = None
        else:
            report = reports.for_period(start, end, judged_on)
    # The cut's control keeps what the report is of.
    keep = {"batch": number} if number else {}
    if start is not None and end is not None and not number:
        keep |= {"start": start.isoformat(), "end": end.isoformat()}
    context = {
        "viewer": viewer,
        "section": "reconciliation",
        "report": _view(jejak, report, numbers) if report else None,
        "batches": [b.number for b in known],
        "chosen": {"batch": number, "start": start, "end": end},
        "refused": refused,
        "judged_on": judged_on,
        "keep": keep,
        "may_keep_statement": may(viewer, STATEMENT_LIFECYCLE.aggregate, "import_bank_statement"),
        "day": deadlines_judged_on(request),
        "problems": problems,
        "upload_error": upload_error,
        "done": settled(request, jejak),
        **cut_context(page_cut),
    }
    return templates.TemplateResponse(request, "reconciliation.html", context, status_code=status)


@router.get("/reconciliation", response_class=HTMLResponse)
def reconciliation_page(request: Request, jejak: JejakDep) -> Response:
    """The reconciliation of one batch (`?batch=B2019-001`) or of a period (`?start=&end=`),
    at a cut (`?as_at=`, `?known_at=`)."""
    viewer = admitted(request, jejak, READERS_OF_MONEY)
    if isinstance(viewer, Response):
        return viewer
    return _page(request, jejak, viewer)


@router.post("/reconciliation/statement", response_class=HTMLResponse)
async def upload_statement(request: Request, jejak: JejakDep) -> Response:
    """Keep the programme account's statement (rekening koran); a file with bad lines is
    shown line by line and nothing is kept."""
    found = await run_in_threadpool(
        admitted, request, jejak, STATEMENT_LIFECYCLE.roles_for("import_bank_statement")
    )
    if isinstance(found, Response):
        return found
    viewer, language = found, language_of(request)

    def page(**kwargs: Any) -> Response:
        return _page(request, jejak, viewer, **kwargs)

    read = await read_upload(request, jejak, language)
    if isinstance(read, str):
        return await run_in_threadpool(lambda: page(upload_error=read, status=422))
    form, content = read
    body = dated_body(form, language)
    label = form.get("account_label")
    account_label = label.strip() if isinstance(label, str) else ""
    if isinstance(body, Refusal) or not account_label:
        message = (
            first_message(body)
            if isinstance(body, Refusal)
            else gettext(language, "Name the account the statement is of.")
        )
        return await run_in_threadpool(lambda: page(upload_error=message, status=422))
    occurred_on = body.occurred_on
    summary = await bank_file_applied(
        page,
        language,
        lambda: keep_bank_statement(jejak, viewer, content, occurred_on, account_label[:200]),
    )
    if isinstance(summary, Response):
        return summary
    back = urlencode({"after": summary.position, "done": "import_bank_statement"})
    return RedirectResponse(f"/reconciliation?{back}", status_code=303)
