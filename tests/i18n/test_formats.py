"""The one formatter per format: dates, times, amounts and counts from the `id` locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.i18n.formats import date_id, datetime_id, number, rupiah, time_id

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


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
    assert date_id(value) == text


def test_every_month_has_its_indonesian_name() -> None:
    names = [date_id(date(2019, month, 1)).split()[1] for month in range(1, 13)]

    assert names == list(MONTHS_ID)
    assert MONTHS_ID[4:8] == ("Mei", "Juni", "Juli", "Agustus")


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError, match="datetime_id"):
        date_id(datetime(2019, 1, 10, tzinfo=UTC))


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
    assert datetime_id(datetime(2019, 1, 10, 6, 5, tzinfo=UTC), tz) == text


def test_a_datetime_defaults_to_wita_and_may_fall_on_the_next_day_there() -> None:
    assert datetime_id(datetime(2018, 12, 31, 17, 30, tzinfo=UTC)) == ("1 Januari 2019 01.30 WITA")


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        datetime_id(datetime(2019, 1, 10, 14, 5))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp 0"),
        (999, "Rp 999"),
        (5_500_000, "Rp 5.500.000"),
        (-250_000, "-Rp 250.000"),
        (-1, "-Rp 1"),
        (2**63 - 1, "Rp 9.223.372.036.854.775.807"),
        (1_800_000_000, "Rp 1.800.000.000"),
    ],
)
def test_rupiah_are_grouped_with_dots_after_a_spaced_symbol(amount: int, text: str) -> None:
    assert rupiah(amount) == text


def test_rupiah_refuse_anything_but_an_int() -> None:
    with pytest.raises(TypeError):
        rupiah(5.5)  # type: ignore[arg-type]


def test_rupiah_refuse_a_bool() -> None:
    with pytest.raises(TypeError):
        rupiah(True)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2019, 1, 10, 6, 5, tzinfo=UTC), "14.05 WITA"),
        # Midnight UTC is eight in the morning in Kalimantan; the hour keeps its leading zero.
        (datetime(2019, 1, 10, 0, 0, tzinfo=UTC), "08.00 WITA"),
        (datetime(2019, 1, 10, 16, 30, tzinfo=UTC), "00.30 WITA"),
    ],
)
def test_a_time_from_utc_is_shown_in_wita_with_a_dot(moment: datetime, text: str) -> None:
    assert time_id(moment) == text


def test_a_time_of_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        time_id(datetime(2019, 1, 10, 14, 5))


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (999, "999"), (1_800, "1.800"), (-12_345, "-12.345")]
)
def test_a_count_is_grouped_with_dots(value: int, text: str) -> None:
    assert number(value) == text
