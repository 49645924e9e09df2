"""How personal data looks to a reader who may not see it in clear: decided once (ADR 0041).

A mask gives away no more than such a reader needs and never the length of what it hides:

- a name shows its initials only, `Siti Rahayu` as `S. R.`: enough to tell two people on one
  page apart, nothing to find her by;
- a number (NIK, family card, phone, bank account) shows its last four digits behind a fixed
  run of twelve bullets, `••••••••••••0003`, whatever its length: enough to match a passbook or
  a card in her hand, not to rebuild the number. A number of fewer than eight digits is masked
  whole, as its last four would be half of it;
- a birth date and any other field (sex, assessment notes, a field not listed) show a fixed mask.
  No masked reader works with her age: eligibility is decided when she is registered.

Which field is which kind is declared in `FIELD_MASKS`, by the name each field is sealed under;
a field not listed is masked whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

BULLET = "\u2022"
# What a masked number shows before its last four digits, whatever its length.
NUMBER_PREFIX = BULLET * 12
# Everything a birth date or another text shows.
FIXED_MASK = BULLET * 6
SHOWN_DIGITS = 4
# A number shows its last four digits only if they are at most half of it.
MIN_DIGITS_TO_SHOW = 2 * SHOWN_DIGITS


class MaskKind(StrEnum):
    """How a field is masked."""

    NAME = "name"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"


FIELD_MASKS: Mapping[str, MaskKind] = MappingProxyType(
    {
        "name": MaskKind.NAME,
        "payee_name": MaskKind.NAME,
        "bank_account_holder": MaskKind.NAME,
        "nik": MaskKind.NUMBER,
        "kk": MaskKind.NUMBER,
        "phone": MaskKind.NUMBER,
        "bank_account": MaskKind.NUMBER,
        "birth_date": MaskKind.DATE,
        "sex": MaskKind.TEXT,
        "assessment_notes": MaskKind.TEXT,
    }
)


def mask_kind_of(field: str) -> MaskKind:
    """The kind of mask for a field sealed under `field`; one not listed is masked whole."""
    return FIELD_MASKS.get(field, MaskKind.TEXT)


def mask(value: str, kind: MaskKind) -> str:
    """`value` as a reader who may not see it in clear sees it."""
    if kind is MaskKind.NAME:
        return mask_name(value)
    if kind is MaskKind.NUMBER:
        return mask_number(value)
    return FIXED_MASK


def mask_field(field: str, value: str) -> str:
    """The value of the sealed field `field`, masked as that field is."""
    return mask(value, mask_kind_of(field))


def mask_name(name: str) -> str:
    """The initials of a name, `S. R.` for `Siti Rahayu`; a name with no letter, the fixed mask.

    Each initial is the first letter of a word, upper-cased; marks and digits are dropped.
    """
    initials = [_first_letter(word) for word in unicodedata.normalize("NFKC", name).split()]
    shown = [f"{letter.upper()}." for letter in initials if letter]
    return " ".join(shown) or FIXED_MASK


def mask_number(number: str) -> str:
    """The last four digits behind a fixed prefix, `••••••••••••0003`; separators are ignored."""
    digits = [c for c in unicodedata.normalize("NFKC", number) if c.isdecimal()]
    if len(digits) < MIN_DIGITS_TO_SHOW:
        return NUMBER_PREFIX + BULLET * SHOWN_DIGITS
    return NUMBER_PREFIX + "".join(digits[-SHOWN_DIGITS:])


def _first_letter(word: str) -> str:
    return next((c for c in word if c.isalpha()), "")
