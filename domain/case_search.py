"""Finding a case: by its case number, or by her exact name through an erasable keyed index.

A name is searched in one normal form, the same when the index is written and when it is asked
(ADR 0043): Unicode NFKC (the look-alike forms different keyboards produce fold together),
case-folded, punctuation removed, whitespace collapsed, and the honorifics field staff write
before a name (`Ibu`, `Hj.`, `Sdri.`) dropped from its start. Nothing else is forgiven: a
search finds her only by the name she is registered under, spelt the same.

The case number is not personal data; a search by it takes the whole number or its beginning
(`TRK-JP-00`), upper-cased.
"""

from __future__ import annotations

import re
import unicodedata

from domain.errors import InvalidValue

# The longest case number (`CASE_NUMBER` in `domain.beneficiary`): four, four and four.
MAX_CASE_NUMBER_QUERY = 14
MIN_CASE_NUMBER_QUERY = 2
CASE_NUMBER_QUERY = re.compile(r"[A-Z0-9-]+", re.ASCII)
# As long as a registered name may be (`ShortText` at the HTTP edge).
MAX_NAME_QUERY = 200

# Words that stand before a name as a form of address, never as part of it (case-folded,
# punctuation removed): Ibu/Bu, Nyonya/Ny, Nona/Nn, Saudari/Sdri, Hajah/Hajjah/Hj.
HONORIFICS = frozenset(
    {"ibu", "bu", "nyonya", "ny", "nona", "nn", "saudari", "sdri", "hajah", "hajjah", "hj"}
)


def normalise_name(name: str) -> str:
    """The form a name is indexed and searched in: NFKC, case-folded, without punctuation,
    single spaces, leading honorifics dropped while a word remains. Empty when nothing is left.

    Punctuation is removed, not read as a space: `Nur-Aini` is `nuraini`, which `Nur Aini`
    does not find. Exact means exact.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    kept = "".join(c for c in folded if not unicodedata.category(c).startswith("P"))
    words = kept.split()
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    return " ".join(words)


def check_name_query(name: str) -> str:
    """The name a search asks for, normalised; refused when too long or nothing is left."""
    if len(name) > MAX_NAME_QUERY:
        raise InvalidValue(f"a name is at most {MAX_NAME_QUERY} characters", field="name")
    normal = normalise_name(name)
    if not normal:
        raise InvalidValue("give her name: letters, not only spaces or punctuation", field="name")
    return normal


def check_case_number_query(case_number: str) -> str:
    """The case number, or the beginning of one, that a search asks for, upper-cased."""
    text = case_number.strip().upper()
    if not MIN_CASE_NUMBER_QUERY <= len(text) <= MAX_CASE_NUMBER_QUERY:
        raise InvalidValue(
            f"a case number or its beginning is {MIN_CASE_NUMBER_QUERY} to "
            f"{MAX_CASE_NUMBER_QUERY} characters",
            field="case_number",
        )
    if not CASE_NUMBER_QUERY.fullmatch(text):
        raise InvalidValue(
            "a case number holds letters, digits and hyphens (TRK-JP-0001)", field="case_number"
        )
    return text
