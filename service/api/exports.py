"""The auditors' exports over HTTP: a woman's payment history as PDF, the ledger as XLSX or
CSV. Each is a download written to the access log; `after` waits for the read models as the
other queries do."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from domain.units import Scope
from service.api.answers import ProgrammeWide, ScopeDep, caught_up, require_held
from service.api.deps import JejakDep, UserDep, require_role
from service.api.inputs import After
from service.api.money import LedgerFilterDep
from service.commands.export_records import record_export
from service.files.money_exports import (
    LEDGER_EXPORT_ROLES,
    PAYMENT_HISTORY_ROLES,
    ExportFile,
    HistoryFormat,
    LedgerExports,
    LedgerFormat,
)
from service.queries.money import LedgerFilter
from service.security.accounts import Account
from service.system import Jejak

router = APIRouter(prefix="/api", tags=["exports"])


@router.get("/beneficiaries/{beneficiary_id}/payments.pdf", response_class=Response)
def payment_history_pdf(
    beneficiary_id: UUID, user: UserDep, jejak: JejakDep, caller: ScopeDep, after: After = None
) -> Response:
    """Her payment history as PDF: every money event of her entitlements with her running
    total; her name masked for auditors and administrators."""
    return payment_history(beneficiary_id, user, jejak, caller, HistoryFormat.PDF, after)


@router.get("/beneficiaries/{beneficiary_id}/payments.xlsx", response_class=Response)
def payment_history_xlsx(
    beneficiary_id: UUID, user: UserDep, jejak: JejakDep, caller: ScopeDep, after: After = None
) -> Response:
    """Her payment history as an Excel workbook: the same report as the PDF."""
    return payment_history(beneficiary_id, user, jejak, caller, HistoryFormat.XLSX, after)


def payment_history(
    beneficiary_id: UUID,
    user: Account,
    jejak: Jejak,
    caller: Scope,
    fmt: HistoryFormat,
    after: int | None = None,
) -> Response:
    """Her payment history as a download, for the roles and scope that may take it (the
    pages' buttons take it through here too)."""
    require_role(user, PAYMENT_HISTORY_ROLES, "export a payment history")
    require_held(jejak, caller, beneficiary_id, "Beneficiary")
    progress = Response()
    caught_up(jejak, after, progress)
    export = LedgerExports.of(jejak).payment_history(user, beneficiary_id, fmt)
    return download(jejak, user, export, progress)


@router.get("/ledger.xlsx", response_class=Response, dependencies=ProgrammeWide)
def ledger_xlsx(
    user: UserDep, jejak: JejakDep, filters: LedgerFilterDep, after: After = None
) -> Response:
    """The payment ledger (filtered as `GET /api/ledger`) with its total, the budget position
    of each commitment and net paid per site, as an Excel workbook."""
    return ledger_export(user, jejak, filters, LedgerFormat.XLSX, after)


@router.get("/ledger.csv", response_class=Response, dependencies=ProgrammeWide)
def ledger_csv(
    user: UserDep, jejak: JejakDep, filters: LedgerFilterDep, after: After = None
) -> Response:
    """The payment ledger (filtered as `GET /api/ledger`) as CSV: one row per ledger row."""
    return ledger_export(user, jejak, filters, LedgerFormat.CSV, after)


def ledger_export(
    user: Account, jejak: Jejak, filters: LedgerFilter, fmt: LedgerFormat, after: int | None
) -> Response:
    """The ledger as a download for the roles that may take it (the ledger page's buttons
    take it through here too)."""
    require_role(user, LEDGER_EXPORT_ROLES, "export the ledger")
    progress = Response()
    caught_up(jejak, after, progress)
    return download(jejak, user, LedgerExports.of(jejak).ledger(user, filters, fmt), progress)


def download(jejak: Jejak, user: Account, export: ExportFile, progress: Response) -> Response:
    """The export's bytes as a download, once it is recorded as an export event."""
    # The export is recorded as an event before a byte is handed out (ADR 0017).
    receipt = record_export(
        jejak,
        user,
        name=export.name,
        filters=export.filters,
        rows=export.rows,
        content=export.content,
    )
    # A returned Response does not take the headers set on an injected one, so the read
    # models' position headers are carried over by hand.
    carried = {k: v for k, v in progress.headers.items() if k.startswith("x-jejak-")}
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            **carried,
            **receipt.headers(),
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
