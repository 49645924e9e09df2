"""The declared lifecycle of a data subject's request (UU 27/2022 Pasal 5-10, 32, 33).

A request is answered within 3x24 hours of its receipt (Pasal 32 for access; domain notes 8.1
and 8.2 for restriction and correction): granted, or refused for one of the reasons Pasal 33
gives. Only the data-protection officer records and answers requests; the requester's identity
is checked before anything is granted.
"""

from __future__ import annotations

from enum import StrEnum

from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import DocumentKind, Role

DPO_ONLY: tuple[Role, ...] = (Role.DPO,)


class RequestKind(StrEnum):
    """What the subject asks for (UU 27/2022 Pasal 6, 7, 8, 10 and the right to restrict)."""

    ACCESS_COPY = "access_copy"
    CORRECTION = "correction"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    ERASURE = "erasure"


class Channel(StrEnum):
    """How the request reached the programme."""

    IN_PERSON = "in_person"
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"


class Requester(StrEnum):
    """Who asked: the subject herself, or someone acting for her with a power of attorney."""

    SUBJECT = "subject"
    REPRESENTATIVE = "representative"


class VerificationMethod(StrEnum):
    """How the requester's identity was (or is to be) checked; never the identity itself."""

    KTP_IN_PERSON = "ktp_in_person"
    LETTER_WITH_KTP_COPY = "letter_with_ktp_copy"
    POWER_OF_ATTORNEY_WITH_KTP = "power_of_attorney_with_ktp"
    NOT_YET_CHECKED = "not_yet_checked"


class VerificationResult(StrEnum):
    """The outcome of the identity check."""

    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    PENDING = "pending"


class RefusalReason(StrEnum):
    """The grounds of UU 27/2022 Pasal 33 that domain notes 8.1 confirm: access would endanger
    the safety or the physical or mental health of the subject or of others, or would reveal
    another person's personal data."""

    ENDANGERS_SAFETY_OR_HEALTH = "endangers_safety_or_health"
    REVEALS_OTHERS_DATA = "reveals_others_data"


# The answer is always written: the letter to the requester is the step's document.
ANSWER_LETTER = "DOCUMENT_REQUIRED: the answer letter to the requester (surat)"
LETTERS: tuple[DocumentKind, ...] = (DocumentKind.SURAT,)

NO_PERSONAL_DATA = (
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the texts or reason"
)

SUBJECT_REQUEST_LIFECYCLE = Lifecycle(
    aggregate="SubjectRequest",
    states=(
        StateSpec(
            "OPEN",
            "Received; the 3x24-hour clock runs until it is granted or refused",
            next_action="grant_subject_request",
        ),
        StateSpec("GRANTED", "Granted; what was done is recorded", terminal=True),
        StateSpec("REFUSED", "Refused for a reason of UU 27/2022 Pasal 33", terminal=True),
    ),
    transitions=(
        Transition(
            "record_subject_request",
            "SubjectRequestRecorded",
            None,
            "OPEN",
            roles=DPO_ONLY,
            guards=(
                "TIME_WITHOUT_ZONE: the time of receipt names its time zone",
                "RECEIVED_AFTER_RECORDED: received no later than the day it is recorded",
                "INVALID_VALUE: the number, kind, channel and identity check from their lists",
                "LETTER_REQUIRED: her request letter as the document when it came by letter;"
                " in person, by phone or by e-mail there may be none",
                NO_PERSONAL_DATA,
            ),
            documents=LETTERS,
        ),
        Transition(
            "verify_requester",
            "RequesterVerified",
            ("OPEN",),
            None,
            roles=DPO_ONLY,
            guards=(
                "INVALID_VALUE: a method and a result from their lists",
                NO_PERSONAL_DATA,
            ),
        ),
        Transition(
            "grant_subject_request",
            "SubjectRequestGranted",
            ("OPEN",),
            "GRANTED",
            roles=DPO_ONLY,
            guards=(
                "REQUESTER_NOT_VERIFIED: the requester's identity was verified",
                "SUBJECT_NOT_IDENTIFIED: the request names the case it concerns",
                "ERASURE_REFERENCE_REQUIRED: a granted erasure names the erasure that"
                " carries it out",
                ANSWER_LETTER,
                NO_PERSONAL_DATA,
            ),
            documents=LETTERS,
        ),
        Transition(
            "refuse_subject_request",
            "SubjectRequestRefused",
            ("OPEN",),
            "REFUSED",
            roles=DPO_ONLY,
            guards=(
                "INVALID_VALUE: a reason of UU 27/2022 Pasal 33 and an explanation",
                ANSWER_LETTER,
                NO_PERSONAL_DATA,
            ),
            documents=LETTERS,
        ),
    ),
)
