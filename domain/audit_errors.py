"""The rules the audit register can break, each an error with a stable code."""

from __future__ import annotations

import re

from domain.errors import InvalidValue, RuleViolation

# Ten or more digits, single spaces allowed between them, look like a NIK, a family card, a
# phone or a bank account number; Indonesian amounts group digits with dots, so they pass.
IDENTIFIER_LIKE = re.compile(r"\d(?: ?\d){9,}")
EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


class PersonalDataInText(InvalidValue):
    """Raised when free text that every role reads holds what looks like personal data.

    Only identifiers and e-mail addresses can be recognised; a name cannot (ADR 0017).
    """

    code = "PERSONAL_DATA_IN_TEXT"


class DatesOutOfOrder(InvalidValue):
    """Raised when a finding's dates contradict each other (received before it was issued)."""

    code = "DATES_OUT_OF_ORDER"


class RecoveryIncomplete(RuleViolation):
    """Raised when a finding with money to recover would close before it is recovered."""

    code = "RECOVERY_INCOMPLETE"


def refuse_personal_data(text: str, field: str) -> str:
    """`text`, unless it looks like it names a person by an identifier or an address."""
    if IDENTIFIER_LIKE.search(text) or EMAIL_LIKE.search(text):
        raise PersonalDataInText(
            "looks like personal data (a number of ten or more digits, or an e-mail address);"
            " refer to people by case number or id only",
            field=field,
        )
    return text
