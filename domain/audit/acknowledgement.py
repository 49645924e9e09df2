"""FindingAcknowledgement: a supervisor's reasoned acknowledgement of one audit finding.

A finding is never deleted or edited by hand: it resolves only when later events remove its
cause. What people add is an acknowledgement (why it stands, what was done), recorded as an
event on an aggregate whose id is the finding's, so a finding is acknowledged at most once.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.guards import require_reason
from domain.lifecycle import SUPERVISOR_ONLY, Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentRef, Provenance

ACKNOWLEDGEMENT_LIFECYCLE = Lifecycle(
    aggregate="FindingAcknowledgement",
    states=(
        StateSpec(
            "ACKNOWLEDGED",
            "Acknowledged with a reason; the finding itself stays, open or resolved",
            terminal=True,
        ),
    ),
    transitions=(
        Transition(
            "acknowledge_finding",
            "FindingAcknowledged",
            None,
            "ACKNOWLEDGED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "REASON_REQUIRED: why the finding stands or what was done",
                "ALREADY_REGISTERED: a finding is acknowledged once",
            ),
        ),
    ),
)


class FindingAcknowledgement(LifecycleAggregate):
    """The acknowledgement of one finding; its id is the finding's id."""

    lifecycle = ACKNOWLEDGEMENT_LIFECYCLE

    class FindingAcknowledged(LifecycleAggregate.Created):
        """A supervisor acknowledged the finding; `reason` says why it stands or what was done."""

        rule_id: str
        subject_id: str

    @classmethod
    def acknowledge(
        cls, *, finding_id: UUID, rule_id: str, subject_id: str, provenance: Provenance
    ) -> FindingAcknowledgement:
        """Acknowledge the finding `finding_id` of `rule_id` about `subject_id`."""
        require_reason(provenance)
        return cls._create(
            cls.FindingAcknowledged,
            id=finding_id,
            rule_id=rule_id,
            subject_id=subject_id,
            **provenance.event_fields(),
        )

    @event(FindingAcknowledged)
    def __init__(
        self,
        rule_id: str,
        subject_id: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.rule_id = rule_id
        self.subject_id = subject_id
