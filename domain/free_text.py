"""Free text stored in clear holds no personal data: the one check (ADR 0041).

Reasons, remarks, addressees and the audit register's texts are kept in clear on events, read by
every role and never erased. They must therefore not name a person the way the sealed fields do.
What can be recognised is refused:

- a NIK or family-card number (16 digits), a bank account (10 or more digits): digits in a row,
  or grouped by single spaces, dots or dashes (`6571 0457 0890 0003`, `65.71.04.570890.0003`).
  An amount grouped in thousands by dots (`Rp 3.000.000.000`) is an amount, not an identifier;
- a phone number in its Indonesian forms: `08xx…`, `+62 8xx…`, `62 8xx…`, with spaces or dashes;
- an e-mail address;
- a whole word (of three or more letters) of the name of a person in the case, when the command
  knows her name: her opened name is passed in `names`. Only whole words match, so her name
  "Sari" does not refuse "sarinya"; but a name that is also a common word ("Indah") refuses
  that word too.

Record ids (UUIDs) and document hashes (SHA-256) name no person and are skipped: their hex
digits would otherwise look like account numbers.

The check runs in command methods only; events already stored are never checked again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from domain.errors import InvalidValue

# Ten or more digits, each pair of neighbours joined by at most one space, dot or dash.
GROUPED_DIGITS = re.compile(r"\d(?:[ .\-]?\d){9,}")
# Thousands grouped by dots: how Indonesian amounts are written.
AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+")
PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?62|0)[ .\-]?8\d(?:[ .\-]?\d){6,11}(?!\d)")
EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
RECORD_REFERENCE = re.compile(
    r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64})\b", re.I
)
WORD = re.compile(r"[^\W\d_]+")
SHORTEST_NAME_WORD = 3
# Words of a name that say nothing about who she is.
NAME_PARTICLES = frozenset({"bin", "binti", "boru"})


class PersonalDataInText(InvalidValue):
    """Raised when free text that is kept in clear holds what looks like personal data: an
    identifier-like number, a phone number, an e-mail address or the name of a person in the case.
    """

    code = "PERSONAL_DATA_IN_TEXT"


def require_no_personal_data(text: str, *, field: str, names: Iterable[str] = ()) -> str:
    """`text`, unless it looks like it names a person; the error names `field`, never the text."""
    plain = RECORD_REFERENCE.sub(" ", text)
    identifiers = (m.group() for m in GROUPED_DIGITS.finditer(plain))
    if (
        any(not AMOUNT.fullmatch(found) for found in identifiers)
        or PHONE_LIKE.search(plain)
        or EMAIL_LIKE.search(plain)
    ):
        raise PersonalDataInText(
            "looks like personal data (a NIK, family card, account or phone number, or an e-mail"
            " address); refer to people by case number or id only",
            field=field,
        )
    if _words(text) & _name_words(names):
        raise PersonalDataInText(
            "names a person in the case; refer to her by case number only", field=field
        )
    return text


def _words(text: str) -> set[str]:
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    return set(WORD.findall(folded))


def _name_words(names: Iterable[str]) -> set[str]:
    words = {w for name in names for w in _words(name)}
    return {w for w in words if len(w) >= SHORTEST_NAME_WORD and w not in NAME_PARTICLES}


def require_free_text(value: str, *, field: str, longest: int) -> str:
    """`value` stripped: 1 to `longest` characters, none of them personal data."""
    text = value.strip()
    if not text or len(text) > longest:
        raise InvalidValue(f"must be 1 to {longest} characters", field=field)
    return require_no_personal_data(text, field=field)
