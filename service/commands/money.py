"""The money ledger's commands: commitments, decrees, allocations, batches and the bank's answers.

Every command loads the aggregates it touches, hands them to the aggregates' own methods or to
the domain service `domain.money_rules` for the decisions that span several of them, and saves
all of their events in one atomic save through the base: an allocation with its commitment, a
batch approval with every order, a bank result with every credit. When the save meets a
concurrent change, the whole command is decided once more on fresh state, so a concurrent
over-allocation or a second credit is refused by the aggregates' own rules, never written and
never lost (ADR 0014, ADR 0039).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from domain import money_rules
from domain.aggregate import LifecycleAggregate
from domain.bank_statement import BankStatement, Movement, MovementKind
from domain.beneficiary import Beneficiary
from domain.decree import AidComponent, Decree, DecreeLine, PaymentType
from domain.entitlement import Entitlement, PaymentChannel
from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText, require_no_personal_data
from domain.funding import FundingCommitment, FundingSource
from domain.money_errors import BankAccountMissing
from domain.payment_batch import PaymentBatch
from domain.recording import DocumentRef, Provenance
from domain.sealed import KeyPurpose
from service.commands.base import CommandBase, CommandResult
from service.commands.sealed_fields import refuse_name_in_case
from service.files.bankfiles import (
    ResultLine,
    TransferLine,
    file_sha256,
    parse_result_file,
    parse_statement_file,
    render_transfer_file,
)


@dataclass(frozen=True)
class NewDecreeLine:
    """One line of a decree as entered: the beneficiary (or a compensation payee's name)."""

    component: AidComponent
    amount: int
    tranche: int = 1
    beneficiary_id: UUID | None = None
    payee_name: str | None = None


@dataclass(frozen=True)
class LineKey:
    """Names an existing decree line: whose, which component, which tranche."""

    subject_id: UUID
    component: AidComponent
    tranche: int = 1

    @property
    def entitlement_id(self) -> UUID:
        """The entitlement the line planned."""
        return DecreeLine(self.subject_id, self.component, self.tranche, 1).entitlement_id


@dataclass(frozen=True)
class StatementSummary:
    """What importing a bank statement did."""

    statement_id: UUID
    file_sha256: str
    movements: int
    already_imported: bool
    position: int


class _AlreadyImported(Exception):
    """This exact result file was applied before; nothing is written again."""


@dataclass(frozen=True)
class BankResultSummary:
    """What applying a bank result file did."""

    batch_id: UUID
    file_sha256: str
    credited: int
    failed: int
    unchanged: int
    already_imported: bool
    position: int


class MoneyCommands:
    """Money commands: funding, decrees, payment batches, the bank's files and what follows."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- funding ----------------------------------------------------------------------------

    def commit_funds(
        self,
        *,
        fiscal_year: int,
        source: FundingSource,
        budget_line: str,
        funder: str,
        amount: int,
        provenance: Provenance,
        rebudgeted_from: UUID | None = None,
    ) -> CommandResult:
        """Record a fiscal year's commitment of one DIPA or DPA line."""
        if rebudgeted_from is not None:
            money_rules.check_rebudgeting(self.app.commitment(rebudgeted_from), fiscal_year)
        commitment = FundingCommitment.commit(
            fiscal_year=fiscal_year,
            source=source,
            budget_line=budget_line,
            funder=funder,
            amount=amount,
            provenance=provenance,
            rebudgeted_from=rebudgeted_from,
        )
        return self.app.saved(commitment, what=f"budget line {budget_line} of {fiscal_year}")

    def allocate_funds(
        self, commitment_id: UUID, *, entitlement_ids: Sequence[UUID], provenance: Provenance
    ) -> CommandResult:
        """Fund entitlements from a commitment; all of them or none, with the commitment."""
        money_rules.check_allocation_request(entitlement_ids)
        app = self.app

        def command() -> CommandResult:
            commitment = app.commitment(commitment_id)
            entitlements = [app.entitlement(e) for e in entitlement_ids]
            money_rules.allocate(commitment, entitlements, provenance)
            return app.saved(commitment, *entitlements)

        return app.retrying(command)

    def close_fiscal_year(self, commitment_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Close a commitment's fiscal year: unpaid allocations lapse, the rest is recorded."""
        app = self.app

        def command() -> CommandResult:
            commitment = app.commitment(commitment_id)
            allocated = [app.entitlement(e) for e in list(commitment.allocations)]
            lapsed = money_rules.close_fiscal_year(commitment, allocated, provenance)
            return app.saved(commitment, *lapsed)

        return app.retrying(command)

    # --- decrees ----------------------------------------------------------------------------

    def issue_decree(
        self,
        *,
        authority: str,
        number: str,
        legal_basis: str,
        payment_type: PaymentType,
        lines: Sequence[NewDecreeLine],
        provenance: Provenance,
        court_decision: DocumentRef | None = None,
        jadup_requires_arrival: bool = True,
    ) -> CommandResult:
        """Record a decree, plan one entitlement per line, and note it in each named case."""
        decree_id = Decree.create_id(authority, number)
        decree_lines = self._decree_lines(decree_id, lines)
        beneficiaries = self._named_beneficiaries(decree_lines, payment_type)
        decree = Decree.issue(
            authority=authority,
            number=number,
            legal_basis=legal_basis,
            payment_type=payment_type,
            lines=decree_lines,
            eligibility=money_rules.eligibility(beneficiaries),
            provenance=provenance,
            court_decision=court_decision,
            jadup_requires_arrival=jadup_requires_arrival,
        )
        money_rules.refuse_decreed_twice(decree_lines, self._decreed(decree_lines))
        entitlements = money_rules.plan(decree, decree_lines, beneficiaries, provenance)
        return self.app.saved(
            decree, *entitlements, *beneficiaries.values(), what=f"decree {number}"
        )

    def amend_decree(
        self,
        decree_id: UUID,
        *,
        amendment_number: str,
        added: Sequence[NewDecreeLine] = (),
        changed: Sequence[tuple[LineKey, int]] = (),
        removed: Sequence[LineKey] = (),
        provenance: Provenance,
    ) -> CommandResult:
        """Record an amending decree: new lines planned, amounts changed, lines cancelled."""
        app = self.app

        def command() -> CommandResult:
            decree = app.decree(decree_id)
            added_lines = self._decree_lines(decree_id, added)
            beneficiaries = self._named_beneficiaries(added_lines, decree.payment_type)
            changed_lines = [
                DecreeLine(key.subject_id, key.component, key.tranche, amount)
                for key, amount in changed
            ]
            decree.amend(
                amendment_number=amendment_number,
                added=added_lines,
                changed=changed_lines,
                removed=[key.entitlement_id for key in removed],
                eligibility=money_rules.eligibility(beneficiaries),
                provenance=provenance,
            )
            money_rules.refuse_decreed_twice(added_lines, self._decreed(added_lines))
            amended = [
                (app.entitlement(line.entitlement_id), line.amount) for line in changed_lines
            ]
            cancelled = [app.entitlement(key.entitlement_id) for key in removed]
            commitments: dict[UUID, FundingCommitment] = {}
            for entitlement in [e for e, _ in amended] + cancelled:
                app.commitment_of(entitlement, commitments)
            money_rules.amend_amounts(amendment_number, amended, commitments, provenance)
            money_rules.remove_lines(amendment_number, cancelled, commitments, provenance)
            planned = money_rules.plan(decree, added_lines, beneficiaries, provenance)
            touched: list[LifecycleAggregate] = [*(e for e, _ in amended), *cancelled]
            return app.saved(
                decree, *planned, *touched, *commitments.values(), *beneficiaries.values()
            )

        return app.retrying(command)

    def _decree_lines(self, decree_id: UUID, lines: Sequence[NewDecreeLine]) -> list[DecreeLine]:
        """Decree lines with compensation payees given subject ids and sealed names."""
        vault = self.app.vault
        result: list[DecreeLine] = []
        payees: list[tuple[int, UUID, str]] = []
        for index, line in enumerate(lines):
            if line.beneficiary_id is not None:
                result.append(
                    DecreeLine(line.beneficiary_id, line.component, line.tranche, line.amount)
                )
                continue
            if not (line.payee_name and line.payee_name.strip()):
                raise InvalidValue(
                    "each line names a beneficiary or a payee", field=f"lines[{index}]"
                )
            payee_id = uuid5(NAMESPACE_URL, f"jejak:payee:{decree_id}:{index}")
            payees.append((index, payee_id, line.payee_name.strip()))
            result.append(DecreeLine(payee_id, line.component, line.tranche, line.amount))
        if payees:
            # A payee's name is personal data too: sealed under the payee's own keys.
            vault.store_subject_keys(vault.new_subject_keys([p for _, p, _ in payees]))
            for index, payee_id, name in payees:
                sealed = vault.sealer_for(payee_id).seal(KeyPurpose.IDENTITY, "payee_name", name)
                unsealed = result[index]
                result[index] = DecreeLine(
                    unsealed.subject_id,
                    unsealed.component,
                    unsealed.tranche,
                    unsealed.amount,
                    sealed,
                )
        return result

    def _named_beneficiaries(
        self, lines: Sequence[DecreeLine], payment_type: PaymentType
    ) -> dict[UUID, Beneficiary]:
        if payment_type is PaymentType.COMPENSATION:
            return {}
        named: dict[UUID, Beneficiary] = {}
        for line in lines:
            if line.subject_id not in named:
                named[line.subject_id] = self.app.beneficiary(line.subject_id)
        return named

    def _decreed(self, lines: Sequence[DecreeLine]) -> set[UUID]:
        """The entitlements of `lines` that the store already holds."""
        return {line.entitlement_id for line in lines if self.app.exists(line.entitlement_id)}

    # --- payment batches --------------------------------------------------------------------

    def create_batch(
        self,
        *,
        batch_number: str,
        entitlement_ids: Sequence[UUID],
        provenance: Provenance,
        channel: PaymentChannel = PaymentChannel.BANK_TRANSFER,
    ) -> CommandResult:
        """Prepare a batch of entitlements that are ready to pay."""
        app = self.app
        entitlements = [app.entitlement(e) for e in entitlement_ids]
        commitments: dict[UUID, FundingCommitment] = {}
        for entitlement in entitlements:
            money_rules.check_orderable(
                entitlement,
                self._case_of(entitlement),
                app.commitment_of(entitlement, commitments),
                rules=app.rules,
                order_date=provenance.occurred_on,
                channel=channel,
            )
        batch = PaymentBatch.prepare(
            batch_number=batch_number,
            channel=channel,
            entitlements=[(e.id, e.amount) for e in entitlements],
            provenance=provenance,
        )
        return app.saved(batch, what=f"batch {batch_number}")

    def approve_batch(self, batch_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Approve a batch (a second supervisor) and order every line in the same save."""
        app = self.app

        def command() -> CommandResult:
            batch = app.batch(batch_id)
            batch.approve(provenance=provenance)
            ordered: list[Entitlement] = []
            commitments: dict[UUID, FundingCommitment] = {}
            for line in batch.lines.values():
                entitlement = app.entitlement(line.entitlement_id)
                money_rules.order_line(
                    batch,
                    line,
                    entitlement,
                    self._case_of(entitlement),
                    app.commitment_of(entitlement, commitments),
                    rules=app.rules,
                    provenance=provenance,
                )
                ordered.append(entitlement)
            return app.saved(batch, *ordered)

        return app.retrying(command)

    def cancel_batch(self, batch_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Withdraw a draft batch."""
        batch = self.app.batch(batch_id)
        batch.cancel(provenance=provenance)
        return self.app.saved(batch)

    def _case_of(self, entitlement: Entitlement) -> Beneficiary | None:
        """The case an entitlement pays, which ordering consults; None for a payee."""
        if not money_rules.names_a_case(entitlement):
            return None
        return self.app.beneficiary(entitlement.subject_id)

    # --- the bank's files ---------------------------------------------------------------------

    def export_transfer_file(self, batch_id: UUID, *, provenance: Provenance) -> bytes:
        """The bank's transfer file of an approved batch: kept encrypted by its hash, and its
        production recorded on the batch. The file holds account numbers and names, so it is
        made on demand and handed to the bank, never stored in clear."""
        batch = self.app.batch(batch_id)
        lines = [
            self._transfer_line(line.transfer_ref, line.entitlement_id)
            for line in batch.lines_to_transfer()
        ]
        content = render_transfer_file(
            batch_number=batch.batch_number,
            programme_code=self.app.rules.programme_code,
            value_date=provenance.occurred_on,
            lines=lines,
        )
        cited = self._keep(content, f"{batch.batch_number}.csv", "transfer_file", provenance)
        self.record_transfer_export(batch_id, file_sha256=file_sha256(content), provenance=cited)
        return content

    def _transfer_line(self, transfer_ref: str, entitlement_id: UUID) -> TransferLine:
        entitlement = self.app.entitlement(entitlement_id)
        beneficiary = self.app.beneficiary(entitlement.subject_id)
        account = (
            self.app.vault.open(beneficiary.bank_account) if beneficiary.bank_account else None
        )
        # Banks match a transfer on the holder's name as the passbook prints it; an account
        # recorded before that name was kept carries her registered name, as it always did.
        holder = self.app.vault.open(beneficiary.bank_account_holder or beneficiary.name)
        if account is None or holder is None or beneficiary.bank_code is None:
            raise BankAccountMissing(
                "an account or name in this batch can no longer be read", field="batch_id"
            )
        return TransferLine(
            transfer_ref=transfer_ref,
            bank_code=beneficiary.bank_code,
            account_number=account,
            account_holder=holder,
            amount=entitlement.amount,
        )

    def import_bank_result(
        self, batch_id: UUID, *, content: bytes, provenance: Provenance
    ) -> BankResultSummary:
        """Read the bank's result file (every bad line reported, nothing half-applied), keep
        it by its hash, and apply it. The same file again changes nothing."""
        batch = self.app.batch(batch_id)
        lines = parse_result_file(
            content,
            batch_number=batch.batch_number,
            expected={ref: line.amount for ref, line in batch.lines.items()},
        )
        cited = self._keep(
            content, f"{batch.batch_number}-result.csv", "bank_result_file", provenance
        )
        return self.apply_bank_result(
            batch_id, file_sha256=file_sha256(content), lines=lines, provenance=cited
        )

    def _keep(self, content: bytes, filename: str, kind: str, provenance: Provenance) -> Provenance:
        """Store the file by content and return `provenance` citing it by its hash, so every
        event the file causes links to the very bytes it rests on."""
        if self.app.documents is not None:
            self.app.documents.put(
                content,
                media_type="text/csv",
                filename=filename,
                kind=kind,
                uploaded_by=provenance.actor,
            )
        paper = provenance.document
        cited = DocumentRef(
            kind=paper.kind if paper else kind,
            number=paper.number if paper else filename,
            issued_on=paper.issued_on if paper else provenance.occurred_on,
            issuer=paper.issuer if paper else provenance.actor.org_unit,
            sha256=file_sha256(content),
        )
        return Provenance(provenance.actor, provenance.occurred_on, cited, provenance.reason)

    def import_bank_statement(
        self, *, content: bytes, account_label: str, provenance: Provenance
    ) -> StatementSummary:
        """Keep the programme account's statement for reconciliation; recorded once per file.

        The statement is evidence as it stands: reconciliation reads its withdrawals directly,
        and no entitlement changes because of it (a withdrawal is recorded on an entitlement
        by its own command, on the statement as the document)."""
        movements = [
            Movement(m.value_date, m.bank_reference, m.amount, MovementKind(m.kind))
            for m in parse_statement_file(content)
        ]
        digest = file_sha256(content)
        statement_id = BankStatement.create_id(digest)
        if self.app.exists(statement_id):
            return StatementSummary(statement_id, digest, len(movements), True, 0)
        statement = BankStatement.record(
            file_sha256=digest,
            account_label=account_label,
            movements=movements,
            provenance=self._keep(
                content, f"statement-{digest[:12]}.csv", "bank_statement", provenance
            ),
        )
        result = self.app.saved(statement, what="statement")
        return StatementSummary(statement_id, digest, len(movements), False, result.position)

    def record_transfer_export(
        self, batch_id: UUID, *, file_sha256: str, provenance: Provenance
    ) -> CommandResult:
        """Record that the bank's transfer file (kept by its hash) was produced and sent."""
        batch = self.app.batch(batch_id)
        batch.record_export(file_sha256=file_sha256, provenance=provenance)
        return self.app.saved(batch)

    def apply_bank_result(
        self,
        batch_id: UUID,
        *,
        file_sha256: str,
        lines: Sequence[ResultLine],
        provenance: Provenance,
    ) -> BankResultSummary:
        """Apply the bank's result lines: credits dated by their value date, failures with the
        bank's reason. The same file again, or lines already applied, change nothing."""

        # The counts of the attempt that was saved (a retried attempt decides afresh).
        counts = {"credited": 0, "failed": 0}

        def command() -> CommandResult:
            batch = self.app.batch(batch_id)
            if batch.has_imported(file_sha256):
                raise _AlreadyImported
            changed, credited, failed = self._apply_lines(batch, lines, provenance)
            batch.record_result(
                file_sha256=file_sha256,
                credited=credited,
                failed=failed,
                unchanged=len(lines) - len(credited) - len(failed),
                provenance=provenance,
            )
            counts.update(credited=len(credited), failed=len(failed))
            return self.app.saved(batch, *changed)

        try:
            result = self.app.retrying(command)
        except _AlreadyImported:
            return BankResultSummary(batch_id, file_sha256, 0, 0, len(lines), True, 0)
        unchanged = len(lines) - counts["credited"] - counts["failed"]
        return BankResultSummary(
            batch_id,
            file_sha256,
            counts["credited"],
            counts["failed"],
            unchanged,
            False,
            result.position,
        )

    def _apply_lines(
        self, batch: PaymentBatch, lines: Sequence[ResultLine], provenance: Provenance
    ) -> tuple[list[Entitlement], list[str], list[str]]:
        changed: list[Entitlement] = []
        credited: list[str] = []
        failed: list[str] = []
        for line in lines:
            entitlement = self.app.entitlement(batch.line_for(line.transfer_ref).entitlement_id)
            if line.status == "CREDITED":
                assert line.bank_reference is not None and line.value_date is not None
                applied = entitlement.record_credit(
                    transfer_ref=line.transfer_ref,
                    bank_reference=line.bank_reference,
                    amount=line.amount,
                    provenance=_dated(provenance, line.value_date),
                )
                if applied:
                    credited.append(line.transfer_ref)
            else:
                self._refuse_personal_data_in_failure(entitlement, line, provenance)
                applied = entitlement.record_failure(
                    transfer_ref=line.transfer_ref,
                    provenance=money_rules.with_reason(provenance, line.failure_reason or "failed"),
                )
                if applied:
                    failed.append(line.transfer_ref)
            if applied:
                changed.append(entitlement)
        return changed, credited, failed

    def _refuse_personal_data_in_failure(
        self, entitlement: Entitlement, line: ResultLine, provenance: Provenance
    ) -> None:
        """The bank's failure reason is kept in clear as the failure's reason when the import
        gives none (ADR 0041): no number and not her name, which banks print; the refusal
        names the line's transfer."""
        if provenance.reason or not line.failure_reason or not entitlement.allows("record_failure"):
            return  # not what is kept, or no failure to record (one already recorded)
        try:
            require_no_personal_data(line.failure_reason, field="failure_reason")
            refuse_name_in_case(
                self.app, entitlement.subject_id, {"failure_reason": line.failure_reason}
            )
        except PersonalDataInText as error:
            raise PersonalDataInText(
                f"transfer {line.transfer_ref}: {error.message}", field=error.field
            ) from None

    # --- after the bank ---------------------------------------------------------------------

    def acknowledge_receipt(self, entitlement_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Record her signed receipt (BAST) for one credited entitlement."""
        return self._entitlement_step(
            entitlement_id, provenance, lambda e: e.acknowledge_receipt(provenance=provenance)
        )

    def observe_withdrawal(
        self, entitlement_id: UUID, *, bank_reference: str, provenance: Provenance
    ) -> CommandResult:
        """Record a withdrawal seen on a bank statement."""
        return self._entitlement_step(
            entitlement_id,
            provenance,
            lambda e: e.observe_withdrawal(bank_reference=bank_reference, provenance=provenance),
        )

    def mark_unclaimed(self, entitlement_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Record that the money was not claimed by its deadline."""
        return self._entitlement_step(
            entitlement_id, provenance, lambda e: e.mark_unclaimed(provenance=provenance)
        )

    def return_funds(
        self, entitlement_id: UUID, *, treasury_reference: str, provenance: Provenance
    ) -> CommandResult:
        """Record unclaimed money deposited back into the treasury."""
        return self._entitlement_step(
            entitlement_id,
            provenance,
            lambda e: e.return_funds(treasury_reference=treasury_reference, provenance=provenance),
        )

    def _entitlement_step(
        self,
        entitlement_id: UUID,
        provenance: Provenance,
        decide: Callable[[Entitlement], None],
    ) -> CommandResult:
        """One step of one entitlement of hers; its reason must not name her (ADR 0041)."""

        def command() -> CommandResult:
            entitlement = self.app.entitlement(entitlement_id)
            refuse_name_in_case(self.app, entitlement.subject_id, {"reason": provenance.reason})
            decide(entitlement)
            return self.app.saved(entitlement)

        return self.app.retrying(command)


def _dated(provenance: Provenance, occurred_on: date) -> Provenance:
    return Provenance(
        actor=provenance.actor,
        occurred_on=occurred_on,
        document=provenance.document,
        reason=provenance.reason,
    )
