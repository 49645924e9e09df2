"""The one formatter per format, from the ``id`` locale's CLDR data through Babel (ADR 0048):
``Rp 5.500.000``, ``10 Januari 2019``, ``14.05 WITA``.

Pages, PDFs, spreadsheets and the command line all print through here. Babel carries its own
CLDR data, so nothing depends on the server's C locale (process-wide state, rarely ``id_ID``).
The domain keeps `domain.money.format_rupiah` for its own English messages: it stays free of
presentation libraries.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_currency, format_decimal

# Kalimantan Utara, where the programme runs, keeps Waktu Indonesia Tengah.
PROGRAMME_TIMEZONE = "Asia/Makassar"
LOCALE = "id"

# Whole rupiah with the symbol and a space, a minus before the symbol for a reversal.
_RUPIAH_PATTERN = "¤ #,##0;-¤ #,##0"


def rupiah(amount: int) -> str:
    """An amount in whole rupiah: ``Rp 5.500.000``, ``-Rp 250.000`` for a reversal, ``Rp 0``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int number of rupiah")
    return format_currency(
        amount, "IDR", format=_RUPIAH_PATTERN, locale=LOCALE, currency_digits=False
    )


def date_id(value: date) -> str:
    """A calendar date as Indonesian documents write it: ``10 Januari 2019``.

    A datetime is refused: which day it falls on depends on the time zone, so it must go
    through `datetime_id` or be converted to a date by the caller.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("date_id takes a date; use datetime_id for a datetime")
    return babel_date(value, "d MMMM y", locale=LOCALE)


def _local(value: datetime, tz: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # The wall-clock time printed would otherwise be a guess.
        raise ValueError("a timezone-aware datetime is needed")
    return value.astimezone(ZoneInfo(tz))


def time_id(value: datetime, tz: str = PROGRAMME_TIMEZONE) -> str:
    """The time of a moment in the programme's zone, hours and minutes apart by a dot:
    ``14.05 WITA``."""
    local = _local(value, tz)
    return babel_time(local, "HH.mm zzz", tzinfo=local.tzinfo, locale=LOCALE)


def datetime_id(value: datetime, tz: str = PROGRAMME_TIMEZONE) -> str:
    """A moment in the given zone: ``10 Januari 2019 14.05 WITA``."""
    local = _local(value, tz)
    return f"{date_id(local.date())} {time_id(local, tz)}"


def number(value: int) -> str:
    """A count with its thousands grouped by dots: ``1.800``."""
    return format_decimal(value, locale=LOCALE)
