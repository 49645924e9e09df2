"""Rupiah amounts: whole rupiah in 64 bits, Indonesian display, and the amount in words.

CLDR gives IDR no fraction digits and sen are not used in practice (domain research 9.4), so an
amount is an integer number of rupiah and any fraction on input is rejected rather than rounded:
rounding money silently is how ledgers stop reconciling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidRupiah

# The ledger stores amounts as signed 64-bit integers.
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# Plain digits with an optional minus; anything with separators ("5.500.000", "5,5 juta", "Rp")
# is display or press text and must be parsed by a person, never guessed at here.
_PLAIN_INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, order=True)
class Rupiah:
    """A whole number of rupiah. Build it from untrusted input with `Rupiah.of`."""

    amount: int

    def __post_init__(self) -> None:
        # bool is an int subclass; True rupiah is a bug, not an amount.
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Rupiah wraps an int; use Rupiah.of() for untrusted input")
        if not _INT64_MIN <= self.amount <= _INT64_MAX:
            raise InvalidRupiah("amount does not fit in 64 bits", field="amount")

    @classmethod
    def of(cls, value: object, *, field: str = "amount") -> Rupiah:
        """Accept an int, an integral Decimal or a plain digit string; reject everything else.

        Floats are rejected even when whole, because the value may already have been rounded on
        its way in. `field` names the input in the error.
        """
        if isinstance(value, Rupiah):
            return value
        if isinstance(value, bool):
            raise InvalidRupiah("amount must be a number, not true/false", field=field)
        if isinstance(value, int):
            return cls._checked(value, field)
        if isinstance(value, Decimal):
            if not value.is_finite() or value != value.to_integral_value():
                raise InvalidRupiah("amount must be whole rupiah, without sen", field=field)
            return cls._checked(int(value), field)
        if isinstance(value, str):
            if _PLAIN_INTEGER.fullmatch(value) is None:
                raise InvalidRupiah(
                    "amount must be plain digits, without separators, currency or spaces",
                    field=field,
                )
            return cls._checked(int(value), field)
        if isinstance(value, float):
            raise InvalidRupiah(
                "amount must be whole rupiah, not a floating-point number", field=field
            )
        raise InvalidRupiah("amount must be a whole number of rupiah", field=field)

    @classmethod
    def _checked(cls, amount: int, field: str) -> Rupiah:
        if not _INT64_MIN <= amount <= _INT64_MAX:
            raise InvalidRupiah("amount does not fit in 64 bits", field=field)
        return cls(amount)

    def __add__(self, other: object) -> Rupiah:
        if not isinstance(other, Rupiah):
            return NotImplemented
        return Rupiah(self.amount + other.amount)

    def __sub__(self, other: object) -> Rupiah:
        if not isinstance(other, Rupiah):
            return NotImplemented
        return Rupiah(self.amount - other.amount)

    def __str__(self) -> str:
        return format_rupiah(self.amount)

    def official(self) -> str:
        """The amount as government documents write it, e.g. ``Rp5.500.000,00``."""
        return format_rupiah_official(self.amount)

    def in_words(self) -> str:
        """The amount in Indonesian words (terbilang), e.g. ``lima juta rupiah``."""
        return terbilang(self.amount)


def format_rupiah(amount: int) -> str:
    """Display an amount the CLDR id-ID way: ``Rp5.500.000`` (dots group thousands)."""
    _require_int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{_group_thousands(abs(amount))}"


def format_rupiah_official(amount: int) -> str:
    """Display an amount with the two zero decimals official documents use: ``Rp5.500.000,00``."""
    return f"{format_rupiah(amount)},00"


def _group_thousands(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _require_int(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int number of rupiah")


_DIGIT_WORDS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)

# Each group of three digits, from the lowest; "miliar" is the KBBI spelling ("milyar" is common
# on receipts but non-standard).
_SCALE_WORDS = ("", "ribu", "juta", "miliar", "triliun")
_TERBILANG_LIMIT = 1000 ** len(_SCALE_WORDS)


def terbilang(amount: int) -> str:
    """Spell an amount in Indonesian words, as kuitansi do: 5_500_000 -> "lima juta lima ratus
    ribu rupiah".

    Generated from the integer only, never from user text. Handles up to 999 triliun.
    """
    _require_int(amount)
    if abs(amount) >= _TERBILANG_LIMIT:
        raise ValueError("terbilang handles amounts below one thousand triliun")
    if amount == 0:
        return "nol rupiah"
    words = _spell_positive(abs(amount))
    sign = "minus " if amount < 0 else ""
    return f"{sign}{words} rupiah"


def _spell_positive(amount: int) -> str:
    parts: list[str] = []
    scale = 0
    while amount > 0:
        amount, group = divmod(amount, 1000)
        if group:
            parts.append(_spell_group(group, _SCALE_WORDS[scale]))
        scale += 1
    return " ".join(reversed(parts))


def _spell_group(group: int, scale_word: str) -> str:
    # One thousand is "seribu", but one million is "satu juta": only "ribu" takes the se- prefix.
    if group == 1 and scale_word == "ribu":
        return "seribu"
    words = _spell_below_thousand(group)
    return f"{words} {scale_word}" if scale_word else words


def _spell_below_thousand(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    parts: list[str] = []
    if hundreds == 1:
        parts.append("seratus")
    elif hundreds > 1:
        parts.append(f"{_DIGIT_WORDS[hundreds]} ratus")
    if rest:
        parts.append(_spell_below_hundred(rest))
    return " ".join(parts)


def _spell_below_hundred(number: int) -> str:
    if number < 10:
        return _DIGIT_WORDS[number]
    if number == 10:
        return "sepuluh"
    if number == 11:
        return "sebelas"
    if number < 20:
        return f"{_DIGIT_WORDS[number - 10]} belas"
    tens, units = divmod(number, 10)
    tens_words = f"{_DIGIT_WORDS[tens]} puluh"
    return f"{tens_words} {_DIGIT_WORDS[units]}" if units else tens_words
