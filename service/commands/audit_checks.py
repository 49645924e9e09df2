"""The audit checks' command: acknowledging a finding of the automatic checks (A01-A26).

The findings themselves are a read model (`projections.audit_findings`), never edited; an
acknowledgement is its own small aggregate.
"""

from __future__ import annotations

from uuid import UUID

from domain.audit.acknowledgement import FindingAcknowledgement
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult


class AuditCheckCommands:
    """Commands on the automatic checks' findings."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- commands -----------------------------------------------------------------------------

    def acknowledge_finding(
        self, finding_id: UUID, *, rule_id: str, subject_id: str, provenance: Provenance
    ) -> CommandResult:
        """Acknowledge a finding with a reason; a second acknowledgement is refused
        (ALREADY_REGISTERED). The caller has checked that the finding exists."""
        acknowledgement = FindingAcknowledgement.acknowledge(
            finding_id=finding_id, rule_id=rule_id, subject_id=subject_id, provenance=provenance
        )
        return self.app.saved(acknowledgement, what="an acknowledgement of this finding")
