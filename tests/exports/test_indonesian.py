"""Indonesian display of dates, times and amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.files.exports.indonesian import (
    MONTHS_ID,
    format_cell_id,
    format_date_id,
    format_datetime_id,
    format_rupiah_id,
)
from service.files.exports.model import Kind


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2019, 1, 10), "10 Januari 2019"),
        (date(2019, 1, 1), "1 Januari 2019"),
        (date(2019, 12, 31), "31 Desember 2019"),
        (date(2016, 2, 29), "29 Februari 2016"),
    ],
)
def test_a_date_is_day_month_name_year_without_a_leading_zero(value: date, text: str) -> None:
    assert format_date_id(value) == text


def test_every_month_has_its_indonesian_name() -> None:
    names = [format_date_id(date(2019, month, 1)).split()[1] for month in range(1, 13)]

    assert names == list(MONTHS_ID)
    assert MONTHS_ID[4:8] == ("Mei", "Juni", "Juli", "Agustus")


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError, match="format_datetime_id"):
        format_date_id(datetime(2019, 1, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("tz", "text"),
    [
        ("Asia/Makassar", "10 Januari 2019 14.05 WITA"),
        ("Asia/Jakarta", "10 Januari 2019 13.05 WIB"),
        ("Asia/Jayapura", "10 Januari 2019 15.05 WIT"),
    ],
)
def test_a_datetime_is_shown_in_the_zone_with_a_dot_between_hours_and_minutes(
    tz: str, text: str
) -> None:
    assert format_datetime_id(datetime(2019, 1, 10, 6, 5, tzinfo=UTC), tz) == text


def test_a_datetime_defaults_to_wita_and_may_fall_on_the_next_day_there() -> None:
    assert format_datetime_id(datetime(2018, 12, 31, 17, 30, tzinfo=UTC)) == (
        "1 Januari 2019 01.30 WITA"
    )


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime_id(datetime(2019, 1, 10, 14, 5))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp 0"),
        (999, "Rp 999"),
        (5_500_000, "Rp 5.500.000"),
        (-250_000, "-Rp 250.000"),
        (1_800_000_000, "Rp 1.800.000.000"),
    ],
)
def test_rupiah_are_grouped_with_dots_after_a_spaced_symbol(amount: int, text: str) -> None:
    assert format_rupiah_id(amount) == text


def test_rupiah_refuse_anything_but_an_int() -> None:
    with pytest.raises(TypeError):
        format_rupiah_id(5.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (Kind.TEXT, None, ""),
        (Kind.TEXT, "JP-001", "JP-001"),
        (Kind.INTEGER, 2019, "2019"),
        (Kind.RUPIAH, 2019, "Rp 2.019"),
        (Kind.DATE, date(2019, 1, 10), "10 Januari 2019"),
        (Kind.DATETIME, datetime(2019, 1, 10, 6, 5, tzinfo=UTC), "10 Januari 2019 14.05 WITA"),
    ],
)
def test_a_cell_is_displayed_by_its_column_kind(kind: Kind, value: object, text: str) -> None:
    assert format_cell_id(kind, value) == text  # type: ignore[arg-type]
