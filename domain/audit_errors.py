"""The rules the audit register can break, each an error with a stable code."""

from __future__ import annotations

from domain.errors import InvalidValue, RuleViolation


class DatesOutOfOrder(InvalidValue):
    """Raised when a finding's dates contradict each other (received before it was issued)."""

    code = "DATES_OUT_OF_ORDER"


class RecoveryIncomplete(RuleViolation):
    """Raised when a finding with money to recover would close before it is recovered."""

    code = "RECOVERY_INCOMPLETE"
