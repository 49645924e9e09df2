"""The domain's error classes.

Each error is named after the rule it guards and carries a stable UPPER_SNAKE `code`, which
`service/` maps to an HTTP status in one place: a `RuleViolation` is a 409 (the command does not
fit the current state), an `InvalidValue` a 422 (an input breaks a format or range rule).

Messages name the field and the rule, never the offending value: inputs here include NIKs, family
card numbers and bank accounts, and personal data must not leak into error bodies or logs.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar


class DomainError(Exception):
    """Base of every error the domain raises; each subclass names the rule it guards."""

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Error classes are named after the rule they guard (house style, rule 8), not suffixed "Error".
class RuleViolation(DomainError):
    """A command broke a business rule given the current state (HTTP 409)."""

    code: ClassVar[str] = "RULE_VIOLATION"


class InvalidValue(DomainError):
    """An input value breaks a format or range rule (HTTP 422); `field` names the input."""

    code: ClassVar[str] = "INVALID_VALUE"


class DocumentKindUnknown(InvalidValue):
    """Raised when a new command cites a document of a kind not on the programme's list."""

    code: ClassVar[str] = "DOCUMENT_KIND_UNKNOWN"


class DocumentKindNotAccepted(RuleViolation):
    """Raised when a step that rests on a particular paper cites a document of another kind."""

    code: ClassVar[str] = "DOCUMENT_KIND_NOT_ACCEPTED"


class TransitionNotAllowed(RuleViolation):
    """Raised when a command asks for a lifecycle transition the current state does not allow.

    `aggregate`, `command` and `state` are codes, kept for a message in another language.
    """

    code: ClassVar[str] = "TRANSITION_NOT_ALLOWED"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        aggregate: str | None = None,
        command: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.aggregate = aggregate
        self.command = command
        self.state = state


class DatedBeforePreviousStep(RuleViolation):
    """Raised when a step of one record is dated before a step it follows in the lifecycle.

    The message names both steps and both dates: business dates are not personal data.
    """

    code: ClassVar[str] = "DATED_BEFORE_PREVIOUS_STEP"
    dated: date | None = None
    previous_dated: date | None = None

    @classmethod
    def naming(
        cls, step: str, dated: date, previous: str, previous_dated: date, field: str
    ) -> DatedBeforePreviousStep:
        """The error for `step` dated `dated`, before `previous` dated `previous_dated`."""
        error = cls(
            f"{step} dated {dated.isoformat()} would be before {previous} dated"
            f" {previous_dated.isoformat()}, the step it follows",
            field=field,
        )
        # Kept for a message in another language: business dates are not personal data.
        error.dated = dated
        error.previous_dated = previous_dated
        return error


class InvalidNik(InvalidValue):
    """Raised when a NIK breaks a blocking rule: 16 digits, a real birth date, a non-zero serial.

    `rule` is a stable sub-code naming which of those rules failed. The message never contains
    the NIK's digits.
    """

    code: ClassVar[str] = "NIK_INVALID"

    def __init__(self, message: str, *, rule: str, field: str = "nik") -> None:
        super().__init__(message, field=field)
        self.rule = rule


class InvalidKk(InvalidValue):
    """Raised when a family card number (No. KK) is not 16 digits with a real recording date.

    `rule` is a stable sub-code naming which rule failed. The message never contains the number.
    """

    code: ClassVar[str] = "KK_INVALID"

    def __init__(self, message: str, *, rule: str, field: str = "kk") -> None:
        super().__init__(message, field=field)
        self.rule = rule


class InvalidRupiah(InvalidValue):
    """Raised when an amount is not a whole number of rupiah that fits in 64 bits."""

    code: ClassVar[str] = "RUPIAH_INVALID"


class OutOfScope(DomainError):
    """Raised when an account acts on a site, case or record its unit does not answer for
    (ADR 0044). The service decides it, before and beside the aggregates' own rules."""

    code: ClassVar[str] = "OUT_OF_SCOPE"
