"""The money ledger's commands: commitments, decrees, allocations, batches and the bank's answers.

Every command loads the aggregates it touches, lets each decide, and saves all of their events
in one atomic save: an allocation with its commitment, a batch approval with every order, a
bank result with every credit. When the save meets a concurrent change, the whole command is
decided once more on fresh state, so a concurrent over-allocation or a second credit is
refused by the aggregates' own rules, never written and never lost (ADR 0014).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import Recording

from domain.aggregate import LifecycleAggregate
from domain.bank_statement import BankStatement, Movement, MovementKind
from domain.beneficiary import Beneficiary
from domain.decree import AidComponent, Decree, DecreeLine, Eligibility, PaymentType
from domain.entitlement import Entitlement, PaymentChannel, Recipient
from domain.errors import InvalidValue
from domain.funding import FundingCommitment, FundingSource
from domain.money_errors import (
    AccountChangeWhileOrdered,
    BankAccountMissing,
    BankAccountShared,
    BatchLineConflict,
    EntitlementAlreadyDecreed,
    EntitlementNotReady,
)
from domain.payment_batch import PaymentBatch
from domain.recording import DocumentRef, Provenance
from domain.rules import ProgrammeRules
from domain.sealed import KeyPurpose
from service.files.bankfiles import (
    ResultLine,
    TransferLine,
    file_sha256,
    parse_result_file,
    parse_statement_file,
    render_transfer_file,
)

if TYPE_CHECKING:
    from service.commands.application import CommandResult
    from service.files.documents import DocumentStore
    from service.security.vault import Vault

A = TypeVar("A", bound=LifecycleAggregate)

# States from which a case can no longer receive money; open entitlements are cancelled.
EXIT_REASONS = {"DECEASED": "died", "WITHDRAWN": "withdrew from the programme"}


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


class LedgerCommands:
    """Money commands, mixed into `ProgrammeApplication` (which provides the plumbing)."""

    vault: Vault
    rules: ProgrammeRules
    documents: DocumentStore | None

    # --- provided by ProgrammeApplication ---------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID) -> A:
        raise NotImplementedError

    def _reload(self, cls: type[A], aggregate_id: UUID) -> A:
        raise NotImplementedError

    def _save(
        self, *aggregates: LifecycleAggregate, what: str | None = None
    ) -> list[Recording[UUID]]:
        raise NotImplementedError

    def _exists(self, aggregate_id: UUID) -> bool:
        raise NotImplementedError

    def _retrying(self, command: Callable[[], CommandResult]) -> CommandResult:
        raise NotImplementedError

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
            earlier = self._get(FundingCommitment, rebudgeted_from)
            if earlier.fiscal_year >= fiscal_year:
                raise InvalidValue(
                    "funds are re-budgeted into a later fiscal year", field="fiscal_year"
                )
        commitment = FundingCommitment.commit(
            fiscal_year=fiscal_year,
            source=source,
            budget_line=budget_line,
            funder=funder,
            amount=amount,
            provenance=provenance,
            rebudgeted_from=rebudgeted_from,
        )
        return self._result(
            commitment, self._save(commitment, what=f"budget line {budget_line} of {fiscal_year}")
        )

    def allocate_funds(
        self, commitment_id: UUID, *, entitlement_ids: Sequence[UUID], provenance: Provenance
    ) -> CommandResult:
        """Fund entitlements from a commitment; all of them or none, with the commitment."""
        if not entitlement_ids:
            raise InvalidValue("name at least one entitlement", field="entitlement_ids")
        if len(set(entitlement_ids)) != len(entitlement_ids):
            raise InvalidValue("an entitlement appears twice", field="entitlement_ids")

        def command() -> CommandResult:
            commitment = self._get(FundingCommitment, commitment_id)
            entitlements = [self._get(Entitlement, e) for e in entitlement_ids]
            for entitlement in entitlements:
                entitlement.allocate(commitment=commitment, provenance=provenance)
            return self._result(commitment, self._save(commitment, *entitlements))

        return self._retrying(command)

    def close_fiscal_year(self, commitment_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Close a commitment's fiscal year: unpaid allocations lapse, the rest is recorded."""

        def command() -> CommandResult:
            commitment = self._get(FundingCommitment, commitment_id)
            lapsing = [
                e
                for e in (self._get(Entitlement, i) for i in list(commitment.allocations))
                if e.state in ("ALLOCATED", "FAILED")
            ]
            for entitlement in lapsing:
                entitlement.lapse(commitment=commitment, provenance=provenance)
            commitment.close_fiscal_year(provenance=provenance)
            return self._result(commitment, self._save(commitment, *lapsing))

        return self._retrying(command)

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
            eligibility=_eligibility(beneficiaries),
            provenance=provenance,
            court_decision=court_decision,
            jadup_requires_arrival=jadup_requires_arrival,
        )
        self._refuse_decreed_twice(decree_lines)
        entitlements = self._plan(decree, decree_lines, beneficiaries, provenance)
        return self._result(
            decree,
            self._save(decree, *entitlements, *beneficiaries.values(), what=f"decree {number}"),
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

        def command() -> CommandResult:
            decree = self._get(Decree, decree_id)
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
                eligibility=_eligibility(beneficiaries),
                provenance=provenance,
            )
            self._refuse_decreed_twice(added_lines)
            touched: list[LifecycleAggregate] = []
            commitments: dict[UUID, FundingCommitment] = {}
            for line in changed_lines:
                entitlement = self._get(Entitlement, line.entitlement_id)
                entitlement.amend_amount(
                    amendment_number=amendment_number,
                    amount=line.amount,
                    commitment=self._commitment_of(entitlement, commitments),
                    provenance=provenance,
                )
                touched.append(entitlement)
            for key in removed:
                entitlement = self._get(Entitlement, key.entitlement_id)
                entitlement.cancel(
                    commitment=self._commitment_of(entitlement, commitments),
                    provenance=_with_reason(provenance, f"removed by {amendment_number}"),
                )
                touched.append(entitlement)
            planned = self._plan(decree, added_lines, beneficiaries, provenance)
            return self._result(
                decree,
                self._save(
                    decree,
                    *planned,
                    *touched,
                    *commitments.values(),
                    *beneficiaries.values(),
                ),
            )

        return self._retrying(command)

    def _decree_lines(self, decree_id: UUID, lines: Sequence[NewDecreeLine]) -> list[DecreeLine]:
        """Decree lines with compensation payees given subject ids and sealed names."""
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
            self.vault.store_subject_keys(self.vault.new_subject_keys([p for _, p, _ in payees]))
            for index, payee_id, name in payees:
                sealed = self.vault.sealer_for(payee_id).seal(
                    KeyPurpose.IDENTITY, "payee_name", name
                )
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
                named[line.subject_id] = self._get(Beneficiary, line.subject_id)
        return named

    def _refuse_decreed_twice(self, lines: Sequence[DecreeLine]) -> None:
        for line in lines:
            if self._exists(line.entitlement_id):
                raise EntitlementAlreadyDecreed(
                    f"{line.component} tranche {line.tranche} is already decreed for this "
                    "person (amend that decree instead)",
                    field="lines",
                )

    @staticmethod
    def _plan(
        decree: Decree,
        lines: Sequence[DecreeLine],
        beneficiaries: dict[UUID, Beneficiary],
        provenance: Provenance,
    ) -> list[Entitlement]:
        planned = []
        # Each person's entitlements, gathered in one pass: a decree may name 40,000 people.
        entitlements_of: dict[UUID, list[UUID]] = {}
        for line in lines:
            named = beneficiaries.get(line.subject_id)
            planned.append(
                Entitlement.plan(
                    decree=decree,
                    line=line,
                    site_id=named.site_id if named else None,
                    provenance=provenance,
                )
            )
            entitlements_of.setdefault(line.subject_id, []).append(line.entitlement_id)
        for beneficiary in beneficiaries.values():
            beneficiary.include_in_decree(
                decree_id=decree.id,
                decree_number=decree.number,
                entitlement_ids=tuple(entitlements_of.get(beneficiary.id, ())),
                provenance=provenance,
            )
        return planned

    def _commitment_of(
        self, entitlement: Entitlement, loaded: dict[UUID, FundingCommitment]
    ) -> FundingCommitment | None:
        if entitlement.commitment_id is None:
            return None
        if entitlement.commitment_id not in loaded:
            loaded[entitlement.commitment_id] = self._get(
                FundingCommitment, entitlement.commitment_id
            )
        return loaded[entitlement.commitment_id]

    # --- her bank account and her exit -------------------------------------------------------

    def record_bank_account(
        self,
        beneficiary_id: UUID,
        *,
        bank_code: str,
        account_number: str,
        holder_name: str,
        provenance: Provenance,
    ) -> CommandResult:
        """Record her account: the holder's name is compared with hers, and an account that
        another case already uses is refused (G-B4)."""
        beneficiary = self._get(Beneficiary, beneficiary_id)
        if beneficiary.bank_account is not None and any(
            self._get(Entitlement, e).state == "ORDERED" for e in beneficiary.entitlement_ids
        ):
            # Redirecting money already at the bank is how aid is diverted (G-B8): the change
            # waits for the bank's answer, and a failed transfer is re-ordered to the new one.
            raise AccountChangeWhileOrdered(
                "a transfer to her current account is at the bank; wait for its result",
                field="account_number",
            )
        her_name = self.vault.open(beneficiary.name)
        matches = her_name is not None and same_holder_name(her_name, holder_name)
        claim = self.vault.claim("bank_account", account_number, beneficiary_id)
        if claim.held_by_another:
            raise BankAccountShared(
                "this account is already recorded for another case", field="account_number"
            )
        try:
            beneficiary.record_bank_account(
                bank_code=bank_code,
                account_number=account_number,
                holder_name=holder_name,
                holder_name_matches=matches,
                sealer=self.vault.sealer_for(beneficiary_id),
                provenance=provenance,
            )
            result = self._result(beneficiary, self._save(beneficiary))
        except BaseException:
            # The same account recorded again must stay hers (ADR 0029).
            held = self._reload(Beneficiary, beneficiary_id).bank_account
            self.vault.give_back(claim, still_held=None if held is None else self.vault.open(held))
            raise
        return result

    def cancel_open_entitlements(
        self, beneficiary: Beneficiary, provenance: Provenance
    ) -> list[LifecycleAggregate]:
        """After death or withdrawal: cancel what was not yet ordered (returned, not saved)."""
        reason = EXIT_REASONS.get(beneficiary.state)
        if reason is None:
            return []
        commitments: dict[UUID, FundingCommitment] = {}
        cancelled: list[LifecycleAggregate] = []
        for entitlement_id in beneficiary.entitlement_ids:
            entitlement = self._get(Entitlement, entitlement_id)
            if entitlement.state not in ("PLANNED", "ALLOCATED", "LAPSED", "FAILED"):
                continue
            entitlement.cancel(
                commitment=self._commitment_of(entitlement, commitments),
                provenance=_with_reason(provenance, f"she {reason}"),
            )
            cancelled.append(entitlement)
        return [*cancelled, *commitments.values()]

    def aid_settled(self, beneficiary: Beneficiary) -> bool:
        """True when every entitlement decreed for her is settled."""
        return all(self._get(Entitlement, e).is_settled for e in beneficiary.entitlement_ids)

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
        entitlements = [self._get(Entitlement, e) for e in entitlement_ids]
        commitments: dict[UUID, FundingCommitment] = {}
        for entitlement in entitlements:
            self._check_orderable(entitlement, provenance, channel, commitments)
        batch = PaymentBatch.prepare(
            batch_number=batch_number,
            channel=channel,
            entitlements=[(e.id, e.amount) for e in entitlements],
            provenance=provenance,
        )
        return self._result(batch, self._save(batch, what=f"batch {batch_number}"))

    def approve_batch(self, batch_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Approve a batch (a second supervisor) and order every line in the same save."""

        def command() -> CommandResult:
            batch = self._get(PaymentBatch, batch_id)
            batch.approve(provenance=provenance)
            ordered: list[Entitlement] = []
            commitments: dict[UUID, FundingCommitment] = {}
            for line in batch.lines.values():
                entitlement = self._get(Entitlement, line.entitlement_id)
                if entitlement.amount != line.amount:
                    raise EntitlementNotReady(
                        "an amount changed since the batch was prepared", field="entitlement_ids"
                    )
                self._check_orderable(entitlement, provenance, batch.channel, commitments)
                entitlement.order(
                    batch_id=batch.id,
                    transfer_ref=line.transfer_ref,
                    channel=batch.channel,
                    provenance=provenance,
                )
                ordered.append(entitlement)
            return self._result(batch, self._save(batch, *ordered))

        return self._retrying(command)

    def cancel_batch(self, batch_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Withdraw a draft batch."""
        batch = self._get(PaymentBatch, batch_id)
        batch.cancel(provenance=provenance)
        return self._result(batch, self._save(batch))

    def _check_orderable(
        self,
        entitlement: Entitlement,
        provenance: Provenance,
        channel: PaymentChannel,
        commitments: dict[UUID, FundingCommitment],
    ) -> None:
        """Every guard of ordering; `commitments` holds those this command already loaded.

        A batch's lines mostly share one commitment, which holds an allocation per line:
        loading (copying) it again for each of 40,000 lines made a batch quadratic.
        """
        if entitlement.state not in ("ALLOCATED", "FAILED"):
            raise EntitlementNotReady(
                f"an entitlement in state {entitlement.state} cannot be ordered",
                field="entitlement_ids",
            )
        commitment = self._commitment_of(entitlement, commitments)
        assert commitment is not None  # ALLOCATED and FAILED are funded
        entitlement.check_orderable(
            recipient=self._recipient(entitlement),
            rules=self.rules,
            commitment=commitment,
            order_date=provenance.occurred_on,
            channel=channel,
        )

    def _recipient(self, entitlement: Entitlement) -> Recipient:
        if entitlement.component is AidComponent.COMPENSATION:
            # A payee is not a case: the court decision is the basis, not her lifecycle. Payee
            # accounts are not recorded yet, so compensation is paid through the post office.
            return Recipient(None, True, True, False, False)
        beneficiary = self._get(Beneficiary, entitlement.subject_id)
        return Recipient(
            exited=beneficiary.exit_state,
            arrival_confirmed=beneficiary.arrival_confirmed,
            training_completed=beneficiary.training_completed,
            has_bank_account=beneficiary.bank_account is not None,
            account_holder_matches=beneficiary.account_holder_matches,
        )

    def export_transfer_file(self, batch_id: UUID, *, provenance: Provenance) -> bytes:
        """The bank's transfer file of an approved batch: kept encrypted by its hash, and its
        production recorded on the batch. The file holds account numbers and names, so it is
        made on demand and handed to the bank, never stored in clear."""
        batch = self._get(PaymentBatch, batch_id)
        if batch.channel is not PaymentChannel.BANK_TRANSFER:
            raise InvalidValue("only a bank-transfer batch has a transfer file", field="channel")
        lines = [
            self._transfer_line(line.transfer_ref, line.entitlement_id)
            for line in batch.lines.values()
        ]
        content = render_transfer_file(
            batch_number=batch.batch_number,
            programme_code=self.rules.programme_code,
            value_date=provenance.occurred_on,
            lines=lines,
        )
        cited = self._keep(content, f"{batch.batch_number}.csv", "transfer_file", provenance)
        self.record_transfer_export(batch_id, file_sha256=file_sha256(content), provenance=cited)
        return content

    def _transfer_line(self, transfer_ref: str, entitlement_id: UUID) -> TransferLine:
        entitlement = self._get(Entitlement, entitlement_id)
        beneficiary = self._get(Beneficiary, entitlement.subject_id)
        account = self.vault.open(beneficiary.bank_account) if beneficiary.bank_account else None
        # Banks match a transfer on the holder's name as the passbook prints it; an account
        # recorded before that name was kept carries her registered name, as it always did.
        holder = self.vault.open(beneficiary.bank_account_holder or beneficiary.name)
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
        batch = self._get(PaymentBatch, batch_id)
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
        if self.documents is not None:
            self.documents.put(
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
        if self._exists(statement_id):
            return StatementSummary(statement_id, digest, len(movements), True, 0)
        statement = BankStatement.record(
            file_sha256=digest,
            account_label=account_label,
            movements=movements,
            provenance=self._keep(
                content, f"statement-{digest[:12]}.csv", "bank_statement", provenance
            ),
        )
        result = self._result(statement, self._save(statement, what="statement"))
        return StatementSummary(statement_id, digest, len(movements), False, result.position)

    def record_transfer_export(
        self, batch_id: UUID, *, file_sha256: str, provenance: Provenance
    ) -> CommandResult:
        """Record that the bank's transfer file (kept by its hash) was produced and sent."""
        batch = self._get(PaymentBatch, batch_id)
        batch.record_export(file_sha256=file_sha256, provenance=provenance)
        return self._result(batch, self._save(batch))

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
            batch = self._get(PaymentBatch, batch_id)
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
            return self._result(batch, self._save(batch, *changed))

        try:
            result = self._retrying(command)
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
            batch_line = batch.lines.get(line.transfer_ref)
            if batch_line is None:
                raise BatchLineConflict("a result line is not in this batch", field="transfer_ref")
            entitlement = self._get(Entitlement, batch_line.entitlement_id)
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
                applied = entitlement.record_failure(
                    transfer_ref=line.transfer_ref,
                    provenance=_with_reason(provenance, line.failure_reason or "failed"),
                )
                if applied:
                    failed.append(line.transfer_ref)
            if applied:
                changed.append(entitlement)
        return changed, credited, failed

    # --- after the bank ---------------------------------------------------------------------

    def acknowledge_receipt(self, entitlement_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Record her signed receipt (BAST) for one credited entitlement."""
        return self._entitlement_step(
            entitlement_id, lambda e: e.acknowledge_receipt(provenance=provenance)
        )

    def observe_withdrawal(
        self, entitlement_id: UUID, *, bank_reference: str, provenance: Provenance
    ) -> CommandResult:
        """Record a withdrawal seen on a bank statement."""
        return self._entitlement_step(
            entitlement_id,
            lambda e: e.observe_withdrawal(bank_reference=bank_reference, provenance=provenance),
        )

    def mark_unclaimed(self, entitlement_id: UUID, *, provenance: Provenance) -> CommandResult:
        """Record that the money was not claimed by its deadline."""
        return self._entitlement_step(
            entitlement_id, lambda e: e.mark_unclaimed(provenance=provenance)
        )

    def return_funds(
        self, entitlement_id: UUID, *, treasury_reference: str, provenance: Provenance
    ) -> CommandResult:
        """Record unclaimed money deposited back into the treasury."""
        return self._entitlement_step(
            entitlement_id,
            lambda e: e.return_funds(treasury_reference=treasury_reference, provenance=provenance),
        )

    def _entitlement_step(
        self, entitlement_id: UUID, decide: Callable[[Entitlement], None]
    ) -> CommandResult:
        def command() -> CommandResult:
            entitlement = self._get(Entitlement, entitlement_id)
            decide(entitlement)
            return self._result(entitlement, self._save(entitlement))

        return self._retrying(command)

    # --- reading ----------------------------------------------------------------------------

    def entitlement(self, entitlement_id: UUID) -> Entitlement:
        """The current entitlement aggregate."""
        return self._get(Entitlement, entitlement_id)

    def batch(self, batch_id: UUID) -> PaymentBatch:
        """The current payment batch aggregate."""
        return self._get(PaymentBatch, batch_id)

    def commitment(self, commitment_id: UUID) -> FundingCommitment:
        """The current funding commitment aggregate."""
        return self._get(FundingCommitment, commitment_id)

    def decree(self, decree_id: UUID) -> Decree:
        """The current decree aggregate."""
        return self._get(Decree, decree_id)

    @staticmethod
    def _result(
        aggregate: LifecycleAggregate, recordings: Iterable[Recording[UUID]]
    ) -> CommandResult:
        raise NotImplementedError


def _eligibility(beneficiaries: dict[UUID, Beneficiary]) -> dict[UUID, Eligibility]:
    return {
        b.id: Eligibility(identity_verified=b.identity_verified, in_programme=not b.is_terminal)
        for b in beneficiaries.values()
    }


def _dated(provenance: Provenance, occurred_on: date) -> Provenance:
    return Provenance(
        actor=provenance.actor,
        occurred_on=occurred_on,
        document=provenance.document,
        reason=provenance.reason,
    )


def _with_reason(provenance: Provenance, reason: str) -> Provenance:
    return Provenance(
        actor=provenance.actor,
        occurred_on=provenance.occurred_on,
        document=provenance.document,
        reason=provenance.reason or reason,
    )


def same_holder_name(recorded: str, holder: str) -> bool:
    """Banks print names in capitals and may drop punctuation; compare on letters and spaces."""

    def normal(name: str) -> str:
        letters = "".join(c if c.isalpha() else " " for c in name.casefold())
        return " ".join(letters.split())

    return normal(recorded) == normal(holder) and bool(normal(recorded))
