"""AssessmentReview: the data-protection officer's review of the generated impact assessment
(UU PDP Pasal 34, ADR 0060).

The assessment itself is generated from what Jejak stores; what the officer concludes from it
is not, and is recorded here as an event: which version of the assessment was reviewed (the
SHA-256 of its triggers, risks and measures), the conclusion, the next review date, and why.
A later review is a new record; a review never changes.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import SHA256_HEX, Actor, DocumentRef, Provenance, Role

# The longest an assessment may go unreviewed: once a year, or sooner on a change.
MAX_REVIEW_INTERVAL_DAYS = 366

ASSESSMENT_REVIEW_LIFECYCLE = Lifecycle(
    aggregate="AssessmentReview",
    states=(
        StateSpec(
            "REVIEWED", "The officer reviewed the assessment; the record never changes", True
        ),
    ),
    transitions=(
        # The data-protection officer's own judgement (UU PDP Pasal 53-54): no other role.
        Transition(
            "review_impact_assessment",
            "ImpactAssessmentReviewed",
            None,
            "REVIEWED",
            roles=(Role.DPO,),
            guards=(
                "NEXT_REVIEW_NOT_AFTER_REVIEW: the next review falls after the review, within "
                f"{MAX_REVIEW_INTERVAL_DAYS} days",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
        ),
    ),
)


class Conclusion(StrEnum):
    """What the officer concluded from the assessment."""

    # The residual risks are acceptable with the measures in place.
    ACCEPTABLE = "acceptable"
    # Further measures are needed before (or while) processing continues.
    MEASURES_NEEDED = "measures_needed"
    # The residual risk stays high: the supervisory agency is to be consulted.
    CONSULT_AGENCY = "consult_agency"


class NextReviewNotAfterReview(InvalidValue):
    """Raised when the next review date is not after the review, or more than a year on."""

    code = "NEXT_REVIEW_NOT_AFTER_REVIEW"


class AssessmentReview(LifecycleAggregate):
    """One review of the impact assessment by the data-protection officer."""

    lifecycle = ASSESSMENT_REVIEW_LIFECYCLE

    class ImpactAssessmentReviewed(LifecycleAggregate.Created):
        """The assessment whose content hashes to `assessment_sha256` was reviewed, with
        `conclusion`; the next review is due on `next_review_on`."""

        assessment_sha256: str
        conclusion: Conclusion
        next_review_on: date

    @classmethod
    def review(
        cls,
        *,
        review_id: UUID,
        assessment_sha256: str,
        conclusion: Conclusion,
        next_review_on: date,
        provenance: Provenance,
    ) -> AssessmentReview:
        """Record a review; its reason (what the officer found) is required."""
        if not SHA256_HEX.match(assessment_sha256):
            raise InvalidValue(
                "must be 64 lowercase hexadecimal characters", field="assessment_sha256"
            )
        days = (next_review_on - provenance.occurred_on).days
        if not 0 < days <= MAX_REVIEW_INTERVAL_DAYS:
            raise NextReviewNotAfterReview(
                f"the next review falls after the review, within {MAX_REVIEW_INTERVAL_DAYS} days",
                field="next_review_on",
            )
        if not (provenance.reason or "").strip():
            raise InvalidValue("say what the review found", field="reason")
        require_no_personal_data(provenance.reason or "", field="reason")
        return cls._start(
            cls.ImpactAssessmentReviewed,
            review_id,
            assessment_sha256=assessment_sha256,
            conclusion=Conclusion(conclusion),
            next_review_on=next_review_on,
            **provenance.event_fields(),
        )

    @event(ImpactAssessmentReviewed)
    def __init__(
        self,
        assessment_sha256: str,
        conclusion: Conclusion,
        next_review_on: date,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.assessment_sha256 = assessment_sha256
        self.conclusion = conclusion
        self.next_review_on = next_review_on
