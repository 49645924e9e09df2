"""How personal data looks masked (ADR 0041), as `domain/masks.py` decides it."""

from __future__ import annotations

from domain.access import SEALED_FIELD_CATEGORY
from domain.masks import (
    FIELD_MASKS,
    FIXED_MASK,
    MaskKind,
    mask,
    mask_field,
    mask_kind_of,
)

NUMBER_MASKED_WHOLE = "\u2022" * 16


def test_a_masked_name_shows_its_initials_only() -> None:
    assert mask("Contoh Rahayu Kusumawati", MaskKind.NAME) == "C. R. K."
    assert mask("  siti   rahma ", MaskKind.NAME) == "S. R."


def test_a_masked_name_does_not_tell_how_long_the_name_is() -> None:
    assert mask("Sari Dewi", MaskKind.NAME) == mask("Setyaningsih Damayanti", MaskKind.NAME)


def test_a_name_without_letters_is_masked_whole() -> None:
    assert mask("--- 123", MaskKind.NAME) == FIXED_MASK
    assert mask("", MaskKind.NAME) == FIXED_MASK


def test_a_masked_number_shows_its_last_four_digits_behind_a_fixed_prefix() -> None:
    assert mask("6571045708900003", MaskKind.NUMBER) == "\u2022" * 12 + "0003"
    assert mask("+62 812-3456-7890", MaskKind.NUMBER) == "\u2022" * 12 + "7890"
    assert mask("0123456789", MaskKind.NUMBER) == "\u2022" * 12 + "6789"


def test_a_masked_number_does_not_tell_how_long_the_number_is() -> None:
    assert len(mask("6571045708900003", MaskKind.NUMBER)) == len(
        mask("0812345678", MaskKind.NUMBER)
    )


def test_a_number_of_fewer_than_eight_digits_is_masked_whole() -> None:
    assert mask("1234567", MaskKind.NUMBER) == NUMBER_MASKED_WHOLE
    assert mask("", MaskKind.NUMBER) == NUMBER_MASKED_WHOLE


def test_a_birth_date_and_other_text_show_a_fixed_mask() -> None:
    assert mask("1990-07-05", MaskKind.DATE) == FIXED_MASK
    assert mask("Sering sakit kepala", MaskKind.TEXT) == FIXED_MASK
    assert mask("x", MaskKind.TEXT) == FIXED_MASK


def test_every_sealed_field_has_a_declared_mask() -> None:
    assert set(SEALED_FIELD_CATEGORY) <= set(FIELD_MASKS)


def test_a_field_masks_as_its_kind_and_an_unlisted_field_is_masked_whole() -> None:
    assert mask_field("nik", "6571045708900003").endswith("0003")
    assert mask_field("payee_name", "Budi Santoso") == "B. S."
    assert mask_kind_of("bank_account_holder") is MaskKind.NAME
    assert mask_field("unlisted", "Jalan Mawar 3") == FIXED_MASK
