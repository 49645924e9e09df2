"""The money ledger over HTTP: its commands (commitments, decrees, bank accounts, payment
batches, the bank's files, receipts and returns) and its reads (a woman's payments, the ledger,
the budget, the entitlements, reconciliation).

Command roles come from the lifecycle declarations, as for the case commands; every command's
answer carries the log position to wait for, and every read accepts `after`."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator

from domain.bank_statement import STATEMENT_LIFECYCLE
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.decree import AidComponent
from domain.errors import InvalidValue
from domain.funding import FundingSource
from domain.money_lifecycles import (
    BATCH_LIFECYCLE,
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
)
from domain.recording import DocumentKind, Role
from service.api.access import command_role
from service.api.answers import (
    CREATED,
    CutDep,
    ReadDep,
    caught_up,
    command_out,
    cut_body,
    page_body,
)
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, DeadlinesJudgedOn, Limit, Line, Offset
from service.api.models import CommandIn, CommandOut, DocumentIn, not_in_future
from service.api.money_models import (
    AllocateIn,
    AmendDecreeIn,
    BankAccountIn,
    CommitFundsIn,
    CreateBatchIn,
    IssueDecreeIn,
    TreasuryReturnIn,
    WithdrawalIn,
)
from service.commands.money import BankResultSummary, StatementSummary
from service.provenance import today_wita
from service.queries.money import LedgerFilter, budget_at
from service.queries.reconciliation import reconciliations_at
from service.security.access_log import AccessAction
from service.security.accounts import Account
from service.system import Jejak

# Every money command accepts an Idempotency-Key: a retried request gets the first answer.
router = APIRouter(prefix="/api", tags=["money"], route_class=IdempotentCommandRoute)
reads = APIRouter(prefix="/api", tags=["queries"])
READERS_OF_MONEY = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


# --- funding ---------------------------------------------------------------------------------


@router.post(
    "/funding-commitments",
    status_code=CREATED,
    dependencies=[command_role(COMMITMENT_LIFECYCLE, "commit_funds")],
)
def commit_funds(body: CommitFundsIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Commit a fiscal year's funds of one DIPA or DPA line (the document)."""
    return command_out(
        jejak,
        jejak.app.money.commit_funds(
            fiscal_year=body.fiscal_year,
            source=body.source,
            budget_line=body.budget_line,
            funder=body.funder,
            amount=body.amount,
            rebudgeted_from=body.rebudgeted_from,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/funding-commitments/{commitment_id}/allocations",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "allocate_funds")],
)
def allocate_funds(
    commitment_id: UUID, body: AllocateIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Fund entitlements from the commitment, all or none (409 COMMITMENT_EXCEEDED)."""
    return command_out(
        jejak,
        jejak.app.money.allocate_funds(
            commitment_id,
            entitlement_ids=body.entitlement_ids,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/funding-commitments/{commitment_id}/fiscal-year-closure",
    status_code=CREATED,
    dependencies=[command_role(COMMITMENT_LIFECYCLE, "close_fiscal_year")],
)
def close_fiscal_year(
    commitment_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Close the fiscal year: unpaid allocations lapse and can be re-budgeted later."""
    return command_out(
        jejak,
        jejak.app.money.close_fiscal_year(commitment_id, provenance=body.provenance_for(user)),
    )


# --- decrees ---------------------------------------------------------------------------------


@router.post(
    "/decrees", status_code=CREATED, dependencies=[command_role(DECREE_LIFECYCLE, "issue_decree")]
)
def issue_decree(body: IssueDecreeIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record a decree (SK); each line plans one entitlement at the decreed amount."""
    return command_out(
        jejak,
        jejak.app.money.issue_decree(
            authority=body.authority,
            number=body.number,
            legal_basis=body.legal_basis,
            payment_type=body.payment_type,
            lines=[line.to_line() for line in body.lines],
            court_decision=body.court_decision.to_domain() if body.court_decision else None,
            jadup_requires_arrival=body.jadup_requires_arrival,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/decrees/{decree_id}/amendments",
    status_code=CREATED,
    dependencies=[command_role(DECREE_LIFECYCLE, "amend_decree")],
)
def amend_decree(
    decree_id: UUID, body: AmendDecreeIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record an amending decree (lines already ordered cannot change)."""
    return command_out(
        jejak,
        jejak.app.money.amend_decree(
            decree_id,
            amendment_number=body.amendment_number,
            added=[line.to_line() for line in body.added],
            changed=[(line.to_key(), line.amount) for line in body.changed],
            removed=[line.to_key() for line in body.removed],
            provenance=body.provenance_for(user),
        ),
    )


# --- her account -----------------------------------------------------------------------------


@router.post(
    "/beneficiaries/{beneficiary_id}/bank-account",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "record_bank_account")],
)
def record_bank_account(
    beneficiary_id: UUID, body: BankAccountIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record her account (409 BANK_ACCOUNT_SHARED if another case uses it)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.record_bank_account(
            beneficiary_id,
            bank_code=body.bank_code,
            account_number=body.account_number,
            holder_name=body.holder_name,
            provenance=body.provenance_for(user),
        ),
    )


# --- payment batches -------------------------------------------------------------------------


@router.post(
    "/payment-batches",
    status_code=CREATED,
    dependencies=[command_role(BATCH_LIFECYCLE, "create_batch")],
)
def create_batch(body: CreateBatchIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Prepare a batch of entitlements ready to pay."""
    return command_out(
        jejak,
        jejak.app.money.create_batch(
            batch_number=body.batch_number,
            entitlement_ids=body.entitlement_ids,
            channel=body.channel,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/payment-batches/{batch_id}/approval",
    status_code=CREATED,
    dependencies=[command_role(BATCH_LIFECYCLE, "approve_batch")],
)
def approve_batch(batch_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Approve a batch (a second supervisor: 409 FOUR_EYES_REQUIRED otherwise)."""
    return command_out(
        jejak, jejak.app.money.approve_batch(batch_id, provenance=body.provenance_for(user))
    )


@router.post(
    "/payment-batches/{batch_id}/cancellation",
    status_code=CREATED,
    dependencies=[command_role(BATCH_LIFECYCLE, "cancel_batch")],
)
def cancel_batch(batch_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Withdraw a draft batch, with a reason."""
    return command_out(
        jejak, jejak.app.money.cancel_batch(batch_id, provenance=body.provenance_for(user))
    )


# --- after the bank --------------------------------------------------------------------------


@router.post(
    "/entitlements/{entitlement_id}/receipt",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "acknowledge_receipt")],
)
def acknowledge_receipt(
    entitlement_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record her signed receipt (BAST) as the document."""
    return command_out(
        jejak,
        jejak.app.money.acknowledge_receipt(entitlement_id, provenance=body.provenance_for(user)),
    )


@router.post(
    "/entitlements/{entitlement_id}/withdrawal",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "observe_withdrawal")],
)
def observe_withdrawal(
    entitlement_id: UUID, body: WithdrawalIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a withdrawal seen on a bank statement (the document)."""
    return command_out(
        jejak,
        jejak.app.money.observe_withdrawal(
            entitlement_id,
            bank_reference=body.bank_reference,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/entitlements/{entitlement_id}/unclaimed",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "mark_unclaimed")],
)
def mark_unclaimed(
    entitlement_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record that the money was not claimed by its deadline."""
    return command_out(
        jejak, jejak.app.money.mark_unclaimed(entitlement_id, provenance=body.provenance_for(user))
    )


@router.post(
    "/entitlements/{entitlement_id}/treasury-return",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "return_funds")],
)
def return_funds(
    entitlement_id: UUID, body: TreasuryReturnIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record unclaimed money deposited back to the treasury (the deposit slip)."""
    return command_out(
        jejak,
        jejak.app.money.return_funds(
            entitlement_id,
            treasury_reference=body.treasury_reference,
            provenance=body.provenance_for(user),
        ),
    )


# --- bank files ------------------------------------------------------------------------------
# The transfer file is a download, not a JSON answer an Idempotency-Key could replay; asking
# again for the same value date gives the same bytes and records nothing new. A result file
# already applied changes nothing, and its import takes an Idempotency-Key like every other
# money command.

files = APIRouter(prefix="/api", tags=["money"])


@files.post(
    "/payment-batches/{batch_id}/transfer-file",
    response_class=Response,
    dependencies=[command_role(BATCH_LIFECYCLE, "export_transfer_file")],
)
def export_transfer_file(
    batch_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> Response:
    """The bank's transfer file of an approved batch (CSV; `occurred_on` is the value date).

    It carries account numbers and names, so only supervisors get it, the download is written
    to the access log, and the file is kept encrypted by its hash. The file is the same bytes
    for the same batch and value date, so a retried request (with or without an
    Idempotency-Key) gets the same file and records nothing new.
    """
    content = jejak.app.money.export_transfer_file(batch_id, provenance=body.provenance_for(user))
    jejak.access_log.record(
        user.username, user.role, AccessAction.EXPORT_TRANSFER_FILE, "payment_batch", batch_id
    )
    jejak.runner.notify()
    batch = jejak.app.batch(batch_id)
    return Response(
        content,
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{batch.batch_number}.csv"',
            "Cache-Control": "no-store",
        },
    )


# The file uploads take the command's fields as query parameters; they carry the same rules as
# those fields (CommandIn, DocumentIn), so that a bad value is a 422 naming it, not a 500 when
# the command is built from them.
UploadDate = Annotated[BusinessDate, AfterValidator(not_in_future)]
DocumentNumber = Annotated[Line | None, Query(min_length=1, max_length=200)]
AccountLabel = Annotated[Line, Query(min_length=1, max_length=200)]


def csv_body(description: str, example: str) -> dict[str, Any]:
    """The OpenAPI description of a route that reads a CSV file as its whole request body."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": example}},
        }
    }


@router.post(
    "/payment-batches/{batch_id}/bank-result",
    status_code=CREATED,
    openapi_extra=csv_body(
        "The bank's result file: UTF-8 CSV with the header `batch_number, transfer_ref, "
        "amount, status, bank_reference, value_date, failure_reason`, one line per transfer "
        "the bank processed (docs/bank-files.md).",
        "batch_number,transfer_ref,amount,status,bank_reference,value_date,failure_reason\n"
        "B2019-001,B2019-001-0001,5500000,CREDITED,TRX20190305-000123,05/03/2019,\n"
        "B2019-001,B2019-001-0002,5500000,FAILED,,,account closed\n",
    ),
    dependencies=[command_role(BATCH_LIFECYCLE, "import_bank_result")],
)
async def import_bank_result(
    batch_id: UUID,
    request: Request,
    user: UserDep,
    jejak: JejakDep,
    occurred_on: UploadDate,
    document_number: DocumentNumber = None,
) -> BankResultSummary:
    """Apply the bank's result file, sent as the request body (`text/csv`).

    Every bad line is reported at once (422 BANK_FILE_REJECTED with `problems`) and nothing is
    applied; the same file again changes nothing (`already_imported`).
    """
    content = await _body_at_most(request, jejak.settings.document_max_bytes)
    return await run_in_threadpool(
        apply_bank_result, jejak, user, batch_id, content, occurred_on, document_number
    )


def apply_bank_result(
    jejak: Jejak,
    user: Account,
    batch_id: UUID,
    content: bytes,
    occurred_on: date,
    document_number: str | None,
) -> BankResultSummary:
    """Apply a result file for `user` (the route's work, shared with the batch's page)."""
    query = CommandIn(
        occurred_on=occurred_on,
        document=DocumentIn(
            kind=DocumentKind.BANK_RESULT_FILE,
            number=document_number or "hasil transfer",
            issued_on=occurred_on,
            issuer="bank",
        ),
    )
    summary = jejak.app.money.import_bank_result(
        batch_id, content=content, provenance=query.provenance_for(user)
    )
    jejak.runner.notify()
    return summary


@router.post(
    "/bank-statements",
    status_code=CREATED,
    openapi_extra=csv_body(
        "The programme account's statement (rekening koran): UTF-8 CSV with the header "
        "`value_date, bank_reference, amount, kind[, description]` (docs/bank-files.md); the "
        "descriptions are dropped unread.",
        "value_date,bank_reference,amount,kind,description\n"
        "05/03/2019,TRX20190305-000123,5500000,TRANSFER_OUT,TRF KE CONTOH ANI\n",
    ),
    dependencies=[command_role(STATEMENT_LIFECYCLE, "import_bank_statement")],
)
async def import_bank_statement(
    request: Request,
    user: UserDep,
    jejak: JejakDep,
    occurred_on: UploadDate,
    account_label: AccountLabel,
) -> StatementSummary:
    """Keep the programme account's statement (`text/csv` body) for reconciliation; the same
    file again changes nothing. Descriptions, which may hold names, are never kept."""
    content = await _body_at_most(request, jejak.settings.document_max_bytes)
    return await run_in_threadpool(
        keep_bank_statement, jejak, user, content, occurred_on, account_label
    )


def keep_bank_statement(
    jejak: Jejak, user: Account, content: bytes, occurred_on: date, account_label: str
) -> StatementSummary:
    """Keep a statement for `user` (the route's work, shared with the reconciliation page)."""
    command = CommandIn(
        occurred_on=occurred_on,
        document=DocumentIn(
            kind=DocumentKind.BANK_STATEMENT,
            number=account_label[:200],
            issued_on=occurred_on,
            issuer="bank",
        ),
    )
    summary = jejak.app.money.import_bank_statement(
        content=content, account_label=account_label, provenance=command.provenance_for(user)
    )
    jejak.runner.notify()
    return summary


async def _body_at_most(request: Request, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise InvalidValue(f"the file is larger than {max_bytes} bytes", field="file")
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise InvalidValue("the file is empty", field="file")
    return content


# --- reconciliation --------------------------------------------------------------------------


@files.get("/reconciliation")
def reconciliation(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    cut: CutDep,
    after: After = None,
    batch_id: UUID | None = None,
    start: BusinessDate | None = None,
    end: BusinessDate | None = None,
    as_of: DeadlinesJudgedOn = None,
) -> dict[str, Any]:
    """The bank statement against the ledger, for one batch or for a period [start, end]:
    matched; paid in the system but not on the statement; on the statement but unknown to the
    system; amount mismatches; credited but not withdrawn after the withdrawal deadline; and
    net totals per budget line. With `known_at` and/or `as_at`, both sides as they stood at
    that cut (withdrawals judged as of the `as_at` date unless `as_of` says otherwise)."""
    require_role(user, READERS_OF_MONEY, "read the reconciliation")
    if (batch_id is None) == (start is None or end is None):
        raise InvalidValue("give either batch_id or both start and end", field="batch_id")
    caught_up(jejak, after, response)
    reports = reconciliations_at(jejak, cut)
    day = as_of or (cut and cut.as_at) or today_wita()
    if batch_id is not None:
        return reports.for_batch(batch_id, day).as_dict() | cut_body(cut)
    assert start is not None and end is not None
    if end < start:
        raise InvalidValue("end is before start", field="end")
    return reports.for_period(start, end, day).as_dict() | cut_body(cut)


@reads.get("/beneficiaries/{beneficiary_id}/payments")
def beneficiary_payments(
    beneficiary_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    cut: CutDep,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Her payment history: every money event of her entitlements in order, with who, when,
    the document, the bank's reference and her running total (her name masked for auditors);
    optionally as known at a position or time and/or as at a business date."""
    caught_up(jejak, after, response)
    history = reads.money.payments_of(
        user, beneficiary_id, limit=limit, offset=offset, **cut_body(cut)
    )
    return history | cut_body(cut)


def ledger_filter(
    site_id: UUID | None = None,
    component: AidComponent | None = None,
    fiscal_year: int | None = None,
    source: FundingSource | None = None,
    beneficiary_id: UUID | None = None,
    occurred_from: Annotated[
        BusinessDate | None, Query(description="from this business date (inclusive)")
    ] = None,
    occurred_to: Annotated[
        BusinessDate | None, Query(description="to this business date (inclusive)")
    ] = None,
) -> LedgerFilter:
    """The ledger's query filters, shared by the JSON list and its exports."""
    return LedgerFilter(
        beneficiary_id=beneficiary_id,
        site_id=site_id,
        component=component.value if component else None,
        fiscal_year=fiscal_year,
        source=source.value if source else None,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )


LedgerFilterDep = Annotated[LedgerFilter, Depends(ledger_filter)]


@reads.get("/ledger")
def list_ledger(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    filters: LedgerFilterDep,
    cut: CutDep,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """The payment ledger in log order, with running totals per beneficiary, site, component,
    source and fiscal year; optionally as known at a position or time and/or as at a business
    date, the running totals as they stood at that cut."""
    caught_up(jejak, after, response)
    if cut is not None:
        filters = dataclasses.replace(filters, known_at=cut.known_at, as_at=cut.as_at)
    return page_body(reads.money.ledger(filters, limit=limit, offset=offset)) | cut_body(cut)


@reads.get("/budget")
def list_budget(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    cut: CutDep,
    fiscal_year: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Each funding commitment: committed, allocated, ordered, credited, returned, lapsed;
    optionally as known at a position or time and/or as at a business date (replayed from the
    money events)."""
    caught_up(jejak, after, response)
    if cut is None:
        return page_body(reads.money.budget(fiscal_year=fiscal_year, limit=limit, offset=offset))
    page = budget_at(jejak.app, cut, fiscal_year=fiscal_year, limit=limit, offset=offset)
    return page_body(page) | cut_body(cut)


@reads.get("/entitlements")
def list_entitlements(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    state: str | None = None,
    site_id: UUID | None = None,
    beneficiary_id: UUID | None = None,
    batch_id: UUID | None = None,
    correction_pending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Decreed aid components and where each stands, filtered by state, site, person or batch;
    `correction_pending=true` lists those whose money correction awaits a second supervisor
    (`correction_requested_by`, `correction_of`, `correction_amount`, `correction_reference`)."""
    caught_up(jejak, after, response)
    return page_body(
        reads.money.entitlements(
            state=state,
            site_id=site_id,
            beneficiary_id=beneficiary_id,
            batch_id=batch_id,
            correction_pending=correction_pending,
            limit=limit,
            offset=offset,
        )
    )


@reads.get("/entitlements/{entitlement_id}")
def get_entitlement(
    entitlement_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One entitlement: its state, funding, batch and bank result."""
    caught_up(jejak, after, response)
    return reads.money.entitlement(entitlement_id)


@reads.get("/entitlements/{entitlement_id}/history")
def entitlement_history(
    entitlement_id: UUID, user: UserDep, reads: ReadDep
) -> list[dict[str, Any]]:
    """Every event of the entitlement: its money facts, and any correction of them."""
    return reads.history.of(user, entitlement_id)
