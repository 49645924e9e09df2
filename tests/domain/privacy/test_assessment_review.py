"""The data-protection officer's review of the impact assessment (ADR 0060): one event, with
the assessment's hash, the conclusion, the next review date and what was found."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText
from domain.privacy.assessment_review import (
    AssessmentReview,
    Conclusion,
    NextReviewNotAfterReview,
)
from domain.recording import Actor, Provenance, Role

DPO = Actor("dpo", Role.DPO, "Dinsosnakertrans Provinsi Kalimantan Utara")
SHA = "a" * 64
ON = date(2026, 12, 7)


def reviewing(
    next_review_on: date = date(2027, 6, 7), reason: str | None = "Langkah memadai"
) -> AssessmentReview:
    return AssessmentReview.review(
        review_id=uuid4(),
        assessment_sha256=SHA,
        conclusion=Conclusion.ACCEPTABLE,
        next_review_on=next_review_on,
        provenance=Provenance(DPO, ON, None, reason),
    )


def test_a_review_is_recorded_with_its_conclusion_and_next_review() -> None:
    review = reviewing()

    (recorded,) = review.collect_events()
    assert isinstance(recorded, AssessmentReview.ImpactAssessmentReviewed)
    assert (recorded.assessment_sha256, recorded.conclusion) == (SHA, Conclusion.ACCEPTABLE)
    assert (recorded.next_review_on, recorded.actor, recorded.reason) == (
        date(2027, 6, 7),
        DPO,
        "Langkah memadai",
    )
    assert review.state == "REVIEWED"


@pytest.mark.parametrize("next_review_on", [ON, date(2026, 1, 1), date(2028, 1, 1)])
def test_the_next_review_falls_after_the_review_within_a_year(next_review_on: date) -> None:
    with pytest.raises(NextReviewNotAfterReview):
        reviewing(next_review_on)


def test_a_review_says_what_it_found_without_personal_data() -> None:
    with pytest.raises(InvalidValue, match="say what the review found"):
        reviewing(reason=None)
    with pytest.raises(PersonalDataInText):
        reviewing(reason="NIK 6571014508900001 tidak terbaca")
