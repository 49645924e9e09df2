"""The audit commands, mixed into `ProgrammeApplication`: acknowledging a finding."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.persistence import Recording

from domain.aggregate import LifecycleAggregate
from domain.audit.acknowledgement import FindingAcknowledgement
from domain.recording import Provenance

if TYPE_CHECKING:
    from service.commands.application import CommandResult


class AuditCommands:
    """Commands on audit findings; the findings themselves are a read model, never edited."""

    # --- provided by ProgrammeApplication ---------------------------------------------------

    def _save(
        self, *aggregates: LifecycleAggregate, what: str | None = None
    ) -> list[Recording[UUID]]:
        raise NotImplementedError

    @staticmethod
    def _result(aggregate: LifecycleAggregate, recordings: list[Recording[UUID]]) -> CommandResult:
        raise NotImplementedError

    # --- commands -----------------------------------------------------------------------------

    def acknowledge_finding(
        self, finding_id: UUID, *, rule_id: str, subject_id: str, provenance: Provenance
    ) -> CommandResult:
        """Acknowledge a finding with a reason; a second acknowledgement is refused
        (ALREADY_REGISTERED). The caller has checked that the finding exists."""
        acknowledgement = FindingAcknowledgement.acknowledge(
            finding_id=finding_id, rule_id=rule_id, subject_id=subject_id, provenance=provenance
        )
        recordings = self._save(acknowledgement, what="an acknowledgement of this finding")
        return self._result(acknowledgement, recordings)
