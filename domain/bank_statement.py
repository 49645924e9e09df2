"""BankStatement: the programme account's statement (rekening koran), kept to reconcile against.

A statement is recorded once per file (its id derives from the file's SHA-256). Its lines hold
dates, bank references, amounts and kinds only: banks print the counterparty's name in the
description, so the description never enters an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import require_amount, require_document
from domain.lifecycle import SUPERVISOR_ONLY, Lifecycle, StateSpec, Transition
from domain.recording import SHA256_HEX, Actor, DocumentRef, Provenance


class MovementKind(StrEnum):
    """What a statement line records."""

    TRANSFER_OUT = "TRANSFER_OUT"  # from the programme account to a recipient's account
    WITHDRAWAL = "WITHDRAWAL"  # the recipient took the money out (reference of the credit)
    RETURNED = "RETURNED"  # money came back to the programme account


@dataclass(frozen=True)
class Movement:
    """One line of a statement."""

    value_date: date
    bank_reference: str
    amount: int
    kind: MovementKind


STATEMENT_LIFECYCLE = Lifecycle(
    aggregate="BankStatement",
    states=(
        StateSpec("RECORDED", "Kept for reconciliation; a statement never changes", terminal=True),
    ),
    transitions=(
        Transition(
            "import_bank_statement",
            "StatementImported",
            None,
            "RECORDED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "BANK_FILE_REJECTED: every line well formed, none repeated",
                "DOCUMENT_REQUIRED: the statement as the document",
            ),
        ),
    ),
)


class BankStatement(LifecycleAggregate):
    """One imported statement file and its movements."""

    lifecycle = STATEMENT_LIFECYCLE

    class StatementImported(LifecycleAggregate.Created):
        """The statement for `period_from`..`period_to` was imported from this file."""

        file_sha256: str
        account_label: str
        period_from: date
        period_to: date
        movements: tuple[Movement, ...]

    @staticmethod
    def create_id(file_sha256: str) -> UUID:
        """Deterministic: the same file is one statement, however often it is imported."""
        return uuid5(NAMESPACE_URL, f"jejak:statement:{file_sha256}")

    @classmethod
    def record(
        cls,
        *,
        file_sha256: str,
        account_label: str,
        movements: Sequence[Movement],
        provenance: Provenance,
    ) -> BankStatement:
        """Record a statement; the period is the span of its value dates."""
        if not SHA256_HEX.match(file_sha256):
            raise InvalidValue("must be 64 lowercase hexadecimal characters", field="file_sha256")
        if not account_label.strip():
            raise InvalidValue("name the programme account", field="account_label")
        # Kept in clear (ADR 0041): name the account by its bank and purpose, not its number.
        require_no_personal_data(account_label, field="account_label")
        if not movements:
            raise InvalidValue("a statement has at least one line", field="file")
        for movement in movements:
            require_amount(movement.amount, "amount")
        require_document(provenance, "the bank statement")
        dates = [m.value_date for m in movements]
        return cls(
            file_sha256=file_sha256,
            account_label=account_label.strip(),
            period_from=min(dates),
            period_to=max(dates),
            movements=tuple(movements),
            **provenance.event_fields(),
        )

    @event(StatementImported)
    def __init__(
        self,
        file_sha256: str,
        account_label: str,
        period_from: date,
        period_to: date,
        movements: tuple[Movement, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.file_sha256 = file_sha256
        self.account_label = account_label
        self.period_from = period_from
        self.period_to = period_to
        self.movements = movements
