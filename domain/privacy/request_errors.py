"""The rules a subject request can break, each an error with a stable code."""

from __future__ import annotations

from domain.beneficiary_errors import DocumentRequired
from domain.errors import InvalidValue, RuleViolation


class TimeWithoutZone(InvalidValue):
    """Raised when a time that starts an hours clock does not name its time zone."""

    code = "TIME_WITHOUT_ZONE"


class ReceivedAfterRecorded(InvalidValue):
    """Raised when a request would be recorded on a day before it was received."""

    code = "RECEIVED_AFTER_RECORDED"


class RequesterNotVerified(RuleViolation):
    """Raised when a request would be granted before the requester's identity is verified."""

    code = "REQUESTER_NOT_VERIFIED"


class SubjectNotIdentified(RuleViolation):
    """Raised when a request would be granted while it names no case it concerns."""

    code = "SUBJECT_NOT_IDENTIFIED"


class ErasureReferenceRequired(InvalidValue):
    """Raised when a granted erasure request names no erasure (or another kind names one)."""

    code = "ERASURE_REFERENCE_REQUIRED"


class LetterRequired(DocumentRequired):
    """Raised when a request that came by letter is recorded without that letter as its
    document (a request made in person, by phone or by e-mail may have none)."""

    code = "LETTER_REQUIRED"
