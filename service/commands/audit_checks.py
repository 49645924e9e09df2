"""The audit checks' command: acknowledging a finding of the automatic checks (A01-A26).

The findings themselves are a read model (`projections.audit_findings`), never edited; an
acknowledgement is its own small aggregate.
"""

from __future__ import annotations

from uuid import UUID

from domain.audit.acknowledgement import FindingAcknowledgement
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult
from service.commands.sealed_fields import refuse_name_in_case


class AuditCheckCommands:
    """Commands on the automatic checks' findings."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- commands -----------------------------------------------------------------------------

    def acknowledge_finding(
        self, finding_id: UUID, *, rule_id: str, subject_id: str, provenance: Provenance
    ) -> CommandResult:
        """Acknowledge a finding with a reason; a second acknowledgement is refused
        (ALREADY_REGISTERED). The caller has checked that the finding exists. A finding about
        her case or her money: the reason, kept in clear, must not name her (ADR 0041)."""
        case = _as_id(subject_id)
        if case is not None:
            refuse_name_in_case(self.app, case, {"reason": provenance.reason})
        acknowledgement = FindingAcknowledgement.acknowledge(
            finding_id=finding_id, rule_id=rule_id, subject_id=subject_id, provenance=provenance
        )
        return self.app.saved(acknowledgement, what="an acknowledgement of this finding")


def _as_id(subject_id: str) -> UUID | None:
    """A finding's subject as a record id; None for a subject that is not a record."""
    try:
        return UUID(subject_id)
    except ValueError:
        return None
