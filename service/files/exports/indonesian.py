"""Indonesian display of dates, times and amounts: ``10 Januari 2019``, ``14.05 WITA``,
``Rp 5.500.000``.

Month names are spelled here rather than taken from the C locale, which is process-wide state
and is rarely ``id_ID`` on a server.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.money import format_rupiah
from service.files.exports.model import CellValue, Kind

# Kalimantan Utara, where the programme runs, keeps Waktu Indonesia Tengah.
PROGRAMME_TIMEZONE = "Asia/Makassar"

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


def format_date_id(value: date) -> str:
    """A calendar date as Indonesian documents write it: ``10 Januari 2019``.

    A datetime is refused: which day it falls on depends on the time zone, so it must go
    through `format_datetime_id` or be converted to a date by the caller.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("format_date_id takes a date; use format_datetime_id for a datetime")
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"


def format_datetime_id(value: datetime, tz: str = PROGRAMME_TIMEZONE) -> str:
    """A moment in the given zone: ``10 Januari 2019 14.05 WITA``.

    Indonesian separates hours and minutes with a dot. A naive datetime is refused, because
    the wall-clock time printed would otherwise be a guess.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("format_datetime_id needs a timezone-aware datetime")
    local = value.astimezone(ZoneInfo(tz))
    return f"{format_date_id(local.date())} {local:%H.%M} {local.tzname()}"


def format_rupiah_id(amount: int) -> str:
    """An amount with a space after the symbol, as the programme's reports print it:
    ``Rp 5.500.000``, ``-Rp 250.000`` for a reversal.

    Built on `domain.money.format_rupiah` (``Rp5.500.000``) so grouping lives in one place;
    the space only makes a column of amounts easier to read.
    """
    return format_rupiah(amount).replace("Rp", "Rp ", 1)


def format_cell_id(kind: Kind, value: CellValue) -> str:
    """A table value as a person reads it in an Indonesian report; an empty cell is ``""``.

    Integers are not grouped: an integer column may hold a code or a year, where ``2.019``
    would mislead.
    """
    if value is None:
        return ""
    if kind is Kind.RUPIAH and isinstance(value, int):
        return format_rupiah_id(value)
    if isinstance(value, datetime):
        return format_datetime_id(value)
    if isinstance(value, date):
        return format_date_id(value)
    return str(value)
