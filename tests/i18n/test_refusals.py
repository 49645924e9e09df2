"""Refusals told by code: English keeps the domain's message, Indonesian the catalogue's
sentence with the error's own parameters; the API's language from Accept-Language."""

from __future__ import annotations

from datetime import date

import pytest

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import DatedBeforePreviousStep, RuleViolation, TransitionNotAllowed
from service.i18n import negotiate, refusal_for, refusal_message
from service.security.login_throttle import LoginThrottled


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("id", "id"),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "id"),
        ("en-GB,en;q=0.9,id;q=0.8", "en"),
        ("en;q=0.5, id;q=0.8", "id"),
        ("in", "id"),  # the old code for Indonesian
        ("fr-FR, de;q=0.5", "en"),
        ("id;q=0, en", "en"),
        ("*", "en"),
        ("id;q=bogus, en;q=0.1", "en"),
    ],
)
def test_accept_language_picks_a_catalogue_or_english(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def transition_refused() -> TransitionNotAllowed:
    with pytest.raises(TransitionNotAllowed) as refused:
        BENEFICIARY_LIFECYCLE.transition("close_case", "IN_TRAINING")
    return refused.value


def test_english_keeps_the_domains_message_word_for_word() -> None:
    error = transition_refused()
    assert refusal_for("en", error) == error.message


def test_indonesian_names_the_action_and_the_state_by_their_names() -> None:
    assert refusal_for("id", transition_refused()) == (
        "Tindakan «Tutup kasus (terminasi)» tidak dapat dilakukan dalam status «Dalam pelatihan»."
    )


def test_dates_in_a_refusal_are_written_the_indonesian_way() -> None:
    error = DatedBeforePreviousStep.naming(
        "SiteClosed", date(2019, 1, 2), "ClosureDecreed", date(2019, 3, 4), "occurred_on"
    )
    assert refusal_for("id", error) == (
        "Tanggal langkah ini (2 Januari 2019) mendahului tanggal langkah sebelumnya (4 Maret 2019)."
    )
    assert error.field == "occurred_on"


def test_a_service_refusal_carries_its_seconds() -> None:
    assert refusal_for("id", LoginThrottled(30)).endswith("Coba lagi dalam 30 detik.")


def test_a_generic_code_has_its_fixed_sentence() -> None:
    assert refusal_for("id", RuleViolation("reason: required")) == (
        "Tidak dapat disimpan: melanggar aturan program."
    )


def test_a_sentence_whose_parameter_is_missing_falls_back_to_the_english() -> None:
    # A TransitionNotAllowed raised without its codes (replaying a stored event).
    error = TransitionNotAllowed("Site: event X cannot follow state None")
    assert refusal_for("id", error) == error.message


def test_a_code_without_an_entry_keeps_the_english() -> None:
    assert refusal_message("id", "NO_SUCH_CODE", "the English") == "the English"
