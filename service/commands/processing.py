"""Commands of the record of processing (ADR 0060): the data-protection officer's review of the
generated impact assessment, recorded as an event."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.privacy.assessment_review import AssessmentReview, Conclusion
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult


class ProcessingCommands:
    """The data-protection officer's own records about the processing."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def review_impact_assessment(
        self,
        *,
        assessment_sha256: str,
        conclusion: Conclusion,
        next_review_on: date,
        provenance: Provenance,
    ) -> CommandResult:
        """Record a review of the assessment whose content hashes to `assessment_sha256`; each
        review is a new record."""
        review = AssessmentReview.review(
            review_id=uuid4(),
            assessment_sha256=assessment_sha256,
            conclusion=conclusion,
            next_review_on=next_review_on,
            provenance=provenance,
        )
        return self.app.saved(review)
