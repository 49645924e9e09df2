"""impact_assessment_reviews: when did the data-protection officer review the impact
assessment, which version of it, with what conclusion, and when is the next review due?"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Connection, Date, DateTime, String, Table, Text

from domain.privacy.assessment_review import AssessmentReview
from projections.base import PositionedEvent, Projection, Row
from projections.schema import metadata

impact_assessment_reviews = Table(
    "impact_assessment_reviews",
    metadata,
    # One row per review (ImpactAssessmentReviewed events); a review never changes.
    Column("review_id", String(36), primary_key=True),
    # The SHA-256 of the reviewed assessment's triggers, risks and measures.
    Column("assessment_sha256", String(64), nullable=False),
    Column("conclusion", String(32), nullable=False),
    Column("next_review_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("document_number", String(100), nullable=True),
    Column("actor_id", String(64), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False, index=True),
)
"""Every review of the impact assessment, the newest by position."""


class AssessmentReviews(Projection):
    """Append-only: a review never changes."""

    name = "impact_assessment_reviews"
    tables = (impact_assessment_reviews,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        rows = [
            review_row(e)
            for e in events
            if isinstance(e.event, AssessmentReview.ImpactAssessmentReviewed)
        ]
        if rows:
            conn.execute(impact_assessment_reviews.insert(), rows)


def review_row(event: PositionedEvent) -> Row:
    """The row of one ImpactAssessmentReviewed event (pure)."""
    e = event.event
    assert isinstance(e, AssessmentReview.ImpactAssessmentReviewed)
    return {
        "review_id": str(e.originator_id),
        "assessment_sha256": e.assessment_sha256,
        "conclusion": str(e.conclusion),
        "next_review_on": e.next_review_on,
        "reason": e.reason or "",
        "document_number": e.document.number if e.document else None,
        "actor_id": e.actor.user_id,
        "occurred_on": e.occurred_on,
        "recorded_at": event.recorded_at,
        "position": event.position,
    }
