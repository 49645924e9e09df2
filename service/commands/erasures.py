"""Erasure requests: recorded by the data-protection officer, decided by a supervisor who did not
record them, carried out by destroying her case-file key (ADR 0055).

The key is destroyed before the approval is saved, as every vault write precedes the events that
rest on it (ADR 0005, write ordering): a crash in between leaves her case file erased and the
request still awaiting its decision, which approving again completes (erasing is idempotent).
It never leaves an event claiming an erasure that did not happen.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.entitlement import Entitlement
from domain.privacy.erasure import Erasure, ErasureAlreadyRequested
from domain.recording import Provenance
from domain.sealed import KeyPurpose
from service.commands.base import CommandBase, CommandResult, check_version


class ErasureCommands:
    """Record, approve and refuse erasure requests."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app
        # When her identity minimum's retention ends by the schedule in force (the retention
        # read model's answer, ADR 0056); set by the composition root. None, or an answer of
        # None (her case still open), leaves the category's default years from her last payment.
        self.retention_end: Callable[[UUID], date | None] | None = None

    def record_request(
        self, *, beneficiary_id: UUID, received_at: datetime, provenance: Provenance
    ) -> CommandResult:
        """Record her request (the letter is the document); her case must exist."""
        beneficiary = self.app.beneficiary(beneficiary_id)
        if self.app.vault.is_restricted(beneficiary_id):
            raise ErasureAlreadyRequested(
                "her case file was already erased", field="beneficiary_id"
            )
        erasure = Erasure.record_request(
            beneficiary_id=beneficiary_id,
            case_number=beneficiary.case_number,
            received_at=received_at,
            provenance=provenance,
        )
        assert provenance.document is not None
        return self.app.saved(
            erasure, what=f"the erasure request {provenance.document.number} of her case"
        )

    def approve(
        self, erasure_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Approve: destroy her case-file key, then record what was deleted and what is kept.

        The decision is tried on a copy first, so a refused approval (the same person, a
        request already decided) destroys nothing.
        """
        erasure = self.app.reload(Erasure, erasure_id)
        check_version(erasure, expected_version)
        last_paid_on = self.last_payment_on(erasure.beneficiary_id)
        keep_until = self.retention_end(erasure.beneficiary_id) if self.retention_end else None

        def decide(on: Erasure) -> None:
            on.approve(last_paid_on=last_paid_on, keep_until=keep_until, provenance=provenance)

        decide(copy.deepcopy(erasure))
        self.app.vault.erase(erasure.beneficiary_id, [KeyPurpose.CASEFILE], restrict=True)
        decide(erasure)
        return self.app.saved(erasure)

    def refuse(
        self, erasure_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Refuse the request, with the reason she will be told."""
        return self.app.update(
            Erasure, erasure_id, expected_version, lambda e: e.refuse(provenance=provenance)
        )

    def last_payment_on(self, beneficiary_id: UUID) -> date | None:
        """The day money last reached her account, by her entitlements' events: the retention
        of her identity minimum runs from it."""
        beneficiary = self.app.beneficiary(beneficiary_id)
        credited = (
            self.app.load(Entitlement, entitlement_id).credited_on
            for entitlement_id in beneficiary.entitlement_ids
        )
        return max((day for day in credited if day is not None), default=None)
