"""LegalHold: an investigation or a litigation that keeps named people's data from destruction.

UU 27/2022 lets a controller destroy data at the end of its retention only where it is not
tied to legal proceedings (domain research 8.1, 8.3 step 7). A hold is placed on the paper
that opens the matter (a court's decision, an investigator's or a lawyer's letter) and lifted
on the paper that ends it; while it is in force no destruction reaches the people it names.
Open findings of an external audit hold the people they concern too, without a hold of their
own: those are read from the audit register (`service.queries.retention.held`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.guards import require_document, require_reason
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role

MAX_PEOPLE = 100
HOLD_ROLES: tuple[Role, ...] = (Role.DPO, Role.SUPERVISOR)
HOLD_PAPERS = (DocumentKind.COURT_DECISION, DocumentKind.SURAT)


class HoldKind(StrEnum):
    """Why the data must be kept: legal proceedings, not an audit (the register holds those)."""

    INVESTIGATION = "investigation"
    LITIGATION = "litigation"


LEGAL_HOLD_LIFECYCLE = Lifecycle(
    aggregate="LegalHold",
    states=(
        StateSpec(
            "IN_FORCE",
            "No destruction reaches the people it names until it is lifted",
            standing=True,
        ),
        StateSpec("LIFTED", "The matter ended; the record stays", terminal=True),
    ),
    transitions=(
        Transition(
            "place_legal_hold",
            "LegalHoldPlaced",
            None,
            "IN_FORCE",
            roles=HOLD_ROLES,
            guards=(
                "DOCUMENT_REQUIRED: the court's decision or the letter that opens the matter",
                "REASON_REQUIRED: the matter, without personal data",
                "INVALID_VALUE: 1 to 100 people named by case",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
            documents=HOLD_PAPERS,
        ),
        Transition(
            "lift_legal_hold",
            "LegalHoldLifted",
            ("IN_FORCE",),
            "LIFTED",
            roles=HOLD_ROLES,
            guards=(
                "DOCUMENT_REQUIRED: the decision or letter that ends the matter",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
            documents=HOLD_PAPERS,
        ),
    ),
)


class LegalHold(LifecycleAggregate):
    """A hold on named people's data for an investigation or a litigation."""

    lifecycle = LEGAL_HOLD_LIFECYCLE

    class LegalHoldPlaced(LifecycleAggregate.Created):
        """A hold was placed on the people named, on the paper that opened the matter."""

        kind: str
        beneficiary_ids: tuple[UUID, ...]

    class LegalHoldLifted(LifecycleAggregate.Event):
        """The hold was lifted on the paper that ended the matter."""

    @classmethod
    def place(
        cls,
        *,
        hold_id: UUID,
        kind: HoldKind,
        beneficiary_ids: Sequence[UUID],
        provenance: Provenance,
    ) -> LegalHold:
        """Place a hold of `kind` on the people named."""
        require_document(
            provenance,
            "the court's decision or letter",
            LEGAL_HOLD_LIFECYCLE.documents_for("place_legal_hold"),
        )
        require_reason(provenance)
        people = tuple(dict.fromkeys(beneficiary_ids))
        if not 1 <= len(people) <= MAX_PEOPLE:
            raise InvalidValue(f"name 1 to {MAX_PEOPLE} people", field="beneficiary_ids")
        return cls._start(
            cls.LegalHoldPlaced,
            hold_id,
            kind=HoldKind(kind).value,
            beneficiary_ids=people,
            **provenance.event_fields(),
        )

    @event(LegalHoldPlaced)
    def __init__(
        self,
        kind: str,
        beneficiary_ids: tuple[UUID, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.kind = kind
        self.beneficiary_ids = beneficiary_ids

    def lift(self, *, provenance: Provenance) -> None:
        """Lift the hold: the matter has ended."""
        self._allowed("lift_legal_hold")
        require_document(
            provenance,
            "the decision or letter that ends the matter",
            LEGAL_HOLD_LIFECYCLE.documents_for("lift_legal_hold"),
        )
        self._lifted(**provenance.event_fields())

    @event(LegalHoldLifted)
    def _lifted(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass
