"""The data-protection officer's register of subject requests: recorded, the requester checked,
answered. A case a request names must exist before the request is saved."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from domain.beneficiary import Beneficiary
from domain.privacy.request_lifecycle import RequestKind
from domain.privacy.subject_request import SubjectRequest
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult, check_version


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
        """Grant the request, saying what was done.

        Granting a restriction restricts her data (ADR 0057): the decision is tried on a copy
        first, so a refused grant restricts nothing; the restriction is then made before the
        grant is saved, so no saved grant claims a restriction that is not in force.
        """
        request = self.app.reload(SubjectRequest, request_id)
        check_version(request, expected_version)

        def decide(on: SubjectRequest) -> None:
            on.grant(done=done, erasure_reference=erasure_reference, provenance=provenance)

        decide(copy.deepcopy(request))
        if request.kind == RequestKind.RESTRICTION and request.beneficiary_id is not None:
            self.app.vault.restrict(request.beneficiary_id)
        decide(request)
        return self.app.saved(request)

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
