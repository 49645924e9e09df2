"""The data-protection officer's register of subject requests: recorded, the requester checked,
answered. A case a request names must exist before the request is saved."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.beneficiary import Beneficiary
from domain.privacy.subject_request import SubjectRequest
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult


class SubjectRequestCommands:
    """Commands on subject requests (UU 27/2022 Pasal 5-10, 32, 33)."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def record_subject_request(
        self,
        *,
        number: str,
        kind: str,
        received_at: datetime,
        channel: str,
        requester: str,
        verification_method: str,
        verification_result: str,
        provenance: Provenance,
        beneficiary_id: UUID | None = None,
        summary: str = "",
    ) -> CommandResult:
        """Record a request as received; its 3x24-hour clock starts at `received_at`."""
        if beneficiary_id is not None:
            self.app.load(Beneficiary, beneficiary_id)
        made = SubjectRequest.record(
            number=number,
            kind=kind,
            received_at=received_at,
            channel=channel,
            requester=requester,
            verification_method=verification_method,
            verification_result=verification_result,
            beneficiary_id=beneficiary_id,
            summary=summary,
            provenance=provenance,
        )
        return self.app.saved(made, what=f"subject request {made.number}")

    def verify_requester(
        self,
        request_id: UUID,
        *,
        verification_method: str,
        verification_result: str,
        provenance: Provenance,
        beneficiary_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record a (further) identity check of the requester, and the case once found."""
        if beneficiary_id is not None:
            self.app.load(Beneficiary, beneficiary_id)
        return self.app.update(
            SubjectRequest,
            request_id,
            expected_version,
            lambda r: r.verify_requester(
                verification_method=verification_method,
                verification_result=verification_result,
                beneficiary_id=beneficiary_id,
                provenance=provenance,
            ),
        )

    def grant_subject_request(
        self,
        request_id: UUID,
        *,
        done: str,
        provenance: Provenance,
        erasure_reference: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Grant the request, saying what was done."""
        return self.app.update(
            SubjectRequest,
            request_id,
            expected_version,
            lambda r: r.grant(
                done=done, erasure_reference=erasure_reference, provenance=provenance
            ),
        )

    def refuse_subject_request(
        self,
        request_id: UUID,
        *,
        refusal_reason: str,
        explanation: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Refuse the request on a ground of Pasal 33."""
        return self.app.update(
            SubjectRequest,
            request_id,
            expected_version,
            lambda r: r.refuse(
                refusal_reason=refusal_reason, explanation=explanation, provenance=provenance
            ),
        )
