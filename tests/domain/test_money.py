"""Rupiah amounts, their display and terbilang (domain research section 9.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidRupiah, InvalidValue
from domain.money import Rupiah, format_rupiah, format_rupiah_official, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (12, "dua belas rupiah"),
        (19, "sembilan belas rupiah"),
        (20, "dua puluh rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (111, "seratus sebelas rupiah"),
        (250, "dua ratus lima puluh rupiah"),
        (1000, "seribu rupiah"),
        (1001, "seribu satu rupiah"),
        (11_000, "sebelas ribu rupiah"),
        (100_000, "seratus ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (1_001_000, "satu juta seribu rupiah"),
        (5_500_000, "lima juta lima ratus ribu rupiah"),
        (5_053_000, "lima juta lima puluh tiga ribu rupiah"),
        (1_800_000_000, "satu miliar delapan ratus juta rupiah"),
        (2_000_000_000_000, "dua triliun rupiah"),
        (
            999_999_999_999_999,
            "sembilan ratus sembilan puluh sembilan triliun"
            " sembilan ratus sembilan puluh sembilan miliar"
            " sembilan ratus sembilan puluh sembilan juta"
            " sembilan ratus sembilan puluh sembilan ribu"
            " sembilan ratus sembilan puluh sembilan rupiah",
        ),
    ],
)
def test_terbilang_spells_the_amount_in_indonesian(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def test_terbilang_spells_a_negative_amount_with_minus() -> None:
    assert terbilang(-5_000) == "minus lima ribu rupiah"


def test_terbilang_refuses_a_thousand_triliun_or_more() -> None:
    with pytest.raises(ValueError, match="below one thousand triliun"):
        terbilang(1_000_000_000_000_000)


def test_terbilang_title_cased_reads_as_a_kuitansi_line() -> None:
    assert terbilang(1_800_000_000).title() == "Satu Miliar Delapan Ratus Juta Rupiah"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "Rp0"),
        (999, "Rp999"),
        (5_053_000, "Rp5.053.000"),
        (5_500_000, "Rp5.500.000"),
        (-250_000, "-Rp250.000"),
    ],
)
def test_format_rupiah_groups_thousands_with_dots(amount: int, shown: str) -> None:
    assert format_rupiah(amount) == shown


def test_format_rupiah_official_adds_two_zero_decimals_after_a_comma() -> None:
    assert format_rupiah_official(5_500_000) == "Rp5.500.000,00"


def test_format_rupiah_refuses_a_bool() -> None:
    with pytest.raises(TypeError):
        format_rupiah(True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5_500_000, 5_500_000),
        (Decimal("5500000"), 5_500_000),
        (Decimal("5500000.00"), 5_500_000),
        ("5500000", 5_500_000),
        ("-1500", -1500),
        (0, 0),
    ],
)
def test_rupiah_of_accepts_whole_amounts(value: object, expected: int) -> None:
    assert Rupiah.of(value) == Rupiah(expected)


@pytest.mark.parametrize(
    "value",
    [
        5.5,
        5.0,
        Decimal("1.50"),
        Decimal("NaN"),
        Decimal("Infinity"),
        True,
        False,
        "5.500.000",
        "5,5 juta",
        "Rp5500000",
        " 5500000",
        "+5500000",
        "",
        None,
        [5],
    ],
)
def test_rupiah_of_rejects_anything_but_whole_rupiah(value: object) -> None:
    with pytest.raises(InvalidRupiah) as raised:
        Rupiah.of(value, field="grant_amount")

    assert raised.value.field == "grant_amount"
    assert raised.value.code == "RUPIAH_INVALID"
    assert isinstance(raised.value, InvalidValue)


def test_rupiah_of_rejects_an_amount_beyond_64_bits() -> None:
    with pytest.raises(InvalidRupiah):
        Rupiah.of(2**63)


def test_rupiah_of_returns_a_rupiah_unchanged() -> None:
    amount = Rupiah(5_000)

    assert Rupiah.of(amount) is amount


def test_rupiah_cannot_be_built_directly_from_a_float() -> None:
    with pytest.raises(TypeError):
        Rupiah(5.5)  # type: ignore[arg-type]


def test_rupiah_adds_subtracts_and_compares() -> None:
    grant = Rupiah(5_500_000)
    paid = Rupiah(5_053_000)

    assert grant - paid == Rupiah(447_000)
    assert paid + Rupiah(447_000) == grant
    assert paid < grant


def test_rupiah_displays_itself_formatted_and_in_words() -> None:
    grant = Rupiah(5_500_000)

    assert str(grant) == "Rp5.500.000"
    assert grant.official() == "Rp5.500.000,00"
    assert grant.in_words() == "lima juta lima ratus ribu rupiah"
