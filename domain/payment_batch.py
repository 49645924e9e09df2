"""PaymentBatch: entitlements ordered together, approved by a second supervisor, sent to a bank.

The batch holds its lines (transfer reference, entitlement, amount). Approval orders every line's
entitlement in the same save, so an entitlement is in at most one approved batch at a time. The
bank's result files are recorded by their SHA-256, so importing the same file again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.entitlement import PaymentChannel
from domain.errors import InvalidValue
from domain.guards import require_amount, require_reason
from domain.money_errors import BatchLineConflict, FourEyesRequired
from domain.money_lifecycles import BATCH_LIFECYCLE
from domain.recording import SHA256_HEX, Actor, DocumentRef, Provenance

MAX_LINES = 99_999
BATCH_NUMBER_LENGTH = 32


@dataclass(frozen=True)
class BatchLine:
    """One transfer in a batch."""

    transfer_ref: str
    entitlement_id: UUID
    amount: int


def transfer_ref(batch_number: str, line_no: int) -> str:
    """The reference the bank echoes back: batch number and a five-digit line number."""
    return f"{batch_number}-{line_no:05d}"


class PaymentBatch(LifecycleAggregate):
    """A payment batch from preparation to the last line's bank result."""

    lifecycle = BATCH_LIFECYCLE

    class BatchCreated(LifecycleAggregate.Created):
        """A supervisor prepared the batch."""

        batch_number: str
        channel: PaymentChannel
        lines: tuple[BatchLine, ...]
        total: int

    class BatchApproved(LifecycleAggregate.Event):
        """A second supervisor approved it; every line's entitlement was ordered."""

    class BatchCancelled(LifecycleAggregate.Event):
        """The draft was withdrawn; `reason` explains."""

    class TransferFileExported(LifecycleAggregate.Event):
        """The bank's transfer file was produced; its hash is kept, the file itself encrypted."""

        file_sha256: str
        lines: int

    class BankResultImported(LifecycleAggregate.Event):
        """A bank result file was applied; the counts are of lines that changed something."""

        file_sha256: str
        credited: int
        failed: int
        unchanged: int

    class BatchSettled(LifecycleAggregate.Event):
        """Every line is credited or failed."""

    @staticmethod
    def create_id(batch_number: str) -> UUID:
        """Deterministic: a batch number is used once."""
        return uuid5(NAMESPACE_URL, f"jejak:batch:{batch_number}")

    @classmethod
    def prepare(
        cls,
        *,
        batch_number: str,
        channel: PaymentChannel,
        entitlements: Sequence[tuple[UUID, int]],
        provenance: Provenance,
    ) -> PaymentBatch:
        """Prepare a batch of (entitlement id, amount) pairs in the order given."""
        number = batch_number.strip()
        if not number or len(number) > BATCH_NUMBER_LENGTH or not number.isprintable():
            raise InvalidValue(
                f"must be 1 to {BATCH_NUMBER_LENGTH} printable characters", field="batch_number"
            )
        if not entitlements:
            raise InvalidValue("a batch has at least one line", field="entitlement_ids")
        if len(entitlements) > MAX_LINES:
            raise InvalidValue(f"a batch has at most {MAX_LINES} lines", field="entitlement_ids")
        if len({e for e, _ in entitlements}) != len(entitlements):
            raise InvalidValue("an entitlement appears twice", field="entitlement_ids")
        lines = tuple(
            BatchLine(transfer_ref(number, n), entitlement, require_amount(amount))
            for n, (entitlement, amount) in enumerate(entitlements, start=1)
        )
        return cls(
            batch_number=number,
            channel=PaymentChannel(channel),
            lines=lines,
            total=sum(line.amount for line in lines),
            **provenance.event_fields(),
        )

    @event(BatchCreated)
    def __init__(
        self,
        batch_number: str,
        channel: PaymentChannel,
        lines: tuple[BatchLine, ...],
        total: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.batch_number = batch_number
        self.channel = PaymentChannel(channel)
        self.lines = {line.transfer_ref: line for line in lines}
        self.total = total
        self.created_by = actor.user_id
        self.approved_on: date | None = None
        self.imported_files: set[str] = set()
        self.exported_files: set[str] = set()
        # Each line resolves once: a credited line stays credited, and a failed one is
        # re-ordered in a new batch, so counting the lines each import changed is enough.
        self.resolved_lines = 0

    def approve(self, *, provenance: Provenance) -> None:
        """Approve the batch; the caller orders every entitlement in the same save."""
        self._allowed("approve_batch")
        if provenance.actor.user_id == self.created_by:
            raise FourEyesRequired("the supervisor who prepared a batch cannot approve it")
        self._approved(**provenance.event_fields())

    @event(BatchApproved)
    def _approved(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        self.approved_on = occurred_on

    def cancel(self, *, provenance: Provenance) -> None:
        """Withdraw the draft."""
        self._allowed("cancel_batch")
        require_reason(provenance)
        self._cancelled(**provenance.event_fields())

    @event(BatchCancelled)
    def _cancelled(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def record_export(self, *, file_sha256: str, provenance: Provenance) -> bool:
        """Record that the transfer file with this hash was produced; False (and nothing
        recorded) when this very file was recorded before, so a retried export writes nothing.
        """
        self._allowed("export_transfer_file")
        _require_sha256(file_sha256)
        if file_sha256 in self.exported_files:
            return False
        self._exported(file_sha256=file_sha256, lines=len(self.lines), **provenance.event_fields())
        return True

    @event(TransferFileExported)
    def _exported(
        self,
        file_sha256: str,
        lines: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.exported_files.add(file_sha256)

    def lines_to_transfer(self) -> list[BatchLine]:
        """The lines the bank's transfer file carries, in order; only a bank-transfer batch has
        such a file (InvalidValue for a batch paid at the post office)."""
        if self.channel is not PaymentChannel.BANK_TRANSFER:
            raise InvalidValue("only a bank-transfer batch has a transfer file", field="channel")
        return list(self.lines.values())

    def line_for(self, transfer_ref: str) -> BatchLine:
        """The line a bank result names by its transfer reference (BATCH_LINE_CONFLICT when
        this batch has no such line: the result belongs to another batch)."""
        line = self.lines.get(transfer_ref)
        if line is None:
            raise BatchLineConflict("a result line is not in this batch", field="transfer_ref")
        return line

    def has_imported(self, file_sha256: str) -> bool:
        """True when this exact result file was applied before."""
        return file_sha256 in self.imported_files

    def record_result(
        self,
        *,
        file_sha256: str,
        credited: Sequence[str],
        failed: Sequence[str],
        unchanged: int,
        provenance: Provenance,
    ) -> None:
        """Record an applied result file; settles the batch once every line is resolved."""
        self._allowed("import_bank_result")
        _require_sha256(file_sha256)
        unknown = [ref for ref in (*credited, *failed) if ref not in self.lines]
        if unknown:
            raise InvalidValue("the result names lines not in this batch", field="transfer_ref")
        self._result_imported(
            file_sha256=file_sha256,
            credited=len(credited),
            failed=len(failed),
            unchanged=unchanged,
            **provenance.event_fields(),
        )
        if self.resolved_lines == len(self.lines):
            self._settled(**provenance.event_fields())

    @event(BankResultImported)
    def _result_imported(
        self,
        file_sha256: str,
        credited: int,
        failed: int,
        unchanged: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.imported_files.add(file_sha256)
        self.resolved_lines += credited + failed

    @event(BatchSettled)
    def _settled(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass


def _require_sha256(value: str) -> None:
    if not SHA256_HEX.match(value):
        raise InvalidValue("must be 64 lowercase hexadecimal characters", field="file_sha256")
