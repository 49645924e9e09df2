"""SubjectRequest: a data subject's request (access and copy, correction, restriction,
objection, erasure), from its receipt to its answer.

The data-protection officer records the request with the hour it was received (the 3x24-hour
clock starts there), the channel, who asked and how their identity was checked. The requester's
name and NIK are never written into the request: the check is recorded as its method and
result, and the case the request concerns is linked by its id. Free texts are kept for good and
read by the officer and auditors, so they are refused when they hold personal data (ADR 0041).

A granted erasure is carried out by the erasure process (ADR 0055); the request keeps that
erasure's reference number.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import require_document
from domain.privacy.clocks import SUBJECT_REQUEST_CLOCK
from domain.privacy.request_errors import (
    ErasureReferenceRequired,
    LetterRequired,
    ReceivedAfterRecorded,
    RequesterNotVerified,
    SubjectNotIdentified,
    TimeWithoutZone,
)
from domain.privacy.request_lifecycle import (
    SUBJECT_REQUEST_LIFECYCLE,
    Channel,
    RefusalReason,
    Requester,
    RequestKind,
    VerificationMethod,
    VerificationResult,
)
from domain.recording import (
    EARLIEST_BUSINESS_DATE,
    LATEST_BUSINESS_DATE,
    Actor,
    DocumentKind,
    DocumentRef,
    Provenance,
)

# WITA keeps no summer time: a fixed offset needs no time-zone database in the domain.
WITA = timezone(timedelta(hours=8), "WITA")
NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,39}$")
SHORT_TEXT = 200
LONG_TEXT = 4000


class SubjectRequest(LifecycleAggregate):
    """One request of a data subject and its answer."""

    lifecycle = SUBJECT_REQUEST_LIFECYCLE

    class SubjectRequestRecorded(LifecycleAggregate.Created):
        """A request numbered `number` was received at `received_at` (aware, the clock's
        start) through `channel`; `beneficiary_id` is the case it concerns, if identified. The
        document is her letter when she wrote one."""

        number: str
        kind: str
        received_at: datetime
        channel: str
        requester: str
        verification_method: str
        verification_result: str
        beneficiary_id: UUID | None
        summary: str

    class RequesterVerified(LifecycleAggregate.Event):
        """The requester's identity was checked (again), and the case found, if it was not."""

        verification_method: str
        verification_result: str
        beneficiary_id: UUID | None

    class SubjectRequestGranted(LifecycleAggregate.Event):
        """The request was granted, answered by the letter that is the document; `done` says
        what was done, `erasure_reference` names the erasure that carries out a granted
        erasure request."""

        done: str
        erasure_reference: str | None

    class SubjectRequestRefused(LifecycleAggregate.Event):
        """The request was refused on a ground of Pasal 33, explained to the requester in the
        answer letter that is the document."""

        refusal_reason: str
        explanation: str

    @staticmethod
    def create_id(number: str) -> UUID:
        """Deterministic: a register number is recorded once."""
        return uuid5(NAMESPACE_URL, "jejak:subject-request:" + number.strip().casefold())

    @classmethod
    def record(
        cls,
        *,
        number: str,
        kind: str,
        received_at: datetime,
        channel: str,
        requester: str,
        verification_method: str,
        verification_result: str,
        provenance: Provenance,
        beneficiary_id: UUID | None = None,
        summary: str = "",
    ) -> SubjectRequest:
        """Record a request received at `received_at`, as the officer's register numbers it."""
        number = number.strip()
        if not NUMBER.match(number):
            raise InvalidValue(
                "1 to 40 letters, digits, dots or hyphens, starting with a letter or digit",
                field="number",
            )
        received = aware(received_at, "received_at")
        if not EARLIEST_BUSINESS_DATE <= received.date() <= LATEST_BUSINESS_DATE:
            # Checked on the wall date first: far from it, a change of zone overflows.
            raise InvalidValue("must be a time within the programme's dates", field="received_at")
        if received.astimezone(WITA).date() > provenance.occurred_on:
            raise ReceivedAfterRecorded(
                "a request is recorded on or after the day it was received", field="received_at"
            )
        channel = _one_of(Channel, channel, "channel")
        if channel == Channel.LETTER and provenance.document is None:
            raise LetterRequired("her request letter is required as the document", field="document")
        if provenance.document is not None:
            require_document(provenance, "her request letter", _papers("record_subject_request"))
        _check_reason(provenance)
        return cls._start(
            cls.SubjectRequestRecorded,
            cls.create_id(number),
            number=number,
            kind=_one_of(RequestKind, kind, "kind"),
            received_at=received,
            channel=channel,
            requester=_one_of(Requester, requester, "requester"),
            **_identity_check(verification_method, verification_result),
            beneficiary_id=beneficiary_id,
            summary=_text(summary, "summary", LONG_TEXT, optional=True),
            **provenance.event_fields(),
        )

    @event(SubjectRequestRecorded)
    def __init__(
        self,
        number: str,
        kind: str,
        received_at: datetime,
        channel: str,
        requester: str,
        verification_method: str,
        verification_result: str,
        beneficiary_id: UUID | None,
        summary: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.number = number
        self.kind = kind
        self.received_at = received_at
        self.verification_result = verification_result
        self.beneficiary_id = beneficiary_id

    @property
    def due_at(self) -> datetime:
        """When the answer is due: 3x24 hours after receipt."""
        return SUBJECT_REQUEST_CLOCK.due_at(self.received_at)

    def verify_requester(
        self,
        *,
        verification_method: str,
        verification_result: str,
        provenance: Provenance,
        beneficiary_id: UUID | None = None,
    ) -> None:
        """Record the (further) identity check, and the case once it is found."""
        self._allowed("verify_requester")
        _check_reason(provenance)
        self._verified(
            **_identity_check(verification_method, verification_result),
            beneficiary_id=beneficiary_id or self.beneficiary_id,
            **provenance.event_fields(),
        )

    @event(RequesterVerified)
    def _verified(
        self,
        verification_method: str,
        verification_result: str,
        beneficiary_id: UUID | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.verification_result = verification_result
        self.beneficiary_id = beneficiary_id

    def grant(
        self, *, done: str, provenance: Provenance, erasure_reference: str | None = None
    ) -> None:
        """Grant a request of a verified requester about an identified case."""
        self._allowed("grant_subject_request")
        if self.verification_result != VerificationResult.VERIFIED:
            raise RequesterNotVerified(
                "the requester's identity must be verified first", field="verification_result"
            )
        if self.beneficiary_id is None:
            raise SubjectNotIdentified(
                "the request must name the case it concerns", field="beneficiary_id"
            )
        reference = (erasure_reference or "").strip() or None
        if (self.kind == RequestKind.ERASURE) != (reference is not None):
            raise ErasureReferenceRequired(
                "a granted erasure request, and only it, names its erasure",
                field="erasure_reference",
            )
        _answer_letter("grant_subject_request", provenance)
        _check_reason(provenance)
        self._granted(
            done=_text(done, "done", LONG_TEXT),
            erasure_reference=_text(reference, "erasure_reference", SHORT_TEXT)
            if reference
            else None,
            **provenance.event_fields(),
        )

    @event(SubjectRequestGranted)
    def _granted(
        self,
        done: str,
        erasure_reference: str | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def refuse(self, *, refusal_reason: str, explanation: str, provenance: Provenance) -> None:
        """Refuse the request on a ground of Pasal 33, with an explanation."""
        self._allowed("refuse_subject_request")
        _answer_letter("refuse_subject_request", provenance)
        _check_reason(provenance)
        self._refused(
            refusal_reason=_one_of(RefusalReason, refusal_reason, "refusal_reason"),
            explanation=_text(explanation, "explanation", LONG_TEXT),
            **provenance.event_fields(),
        )

    @event(SubjectRequestRefused)
    def _refused(
        self,
        refusal_reason: str,
        explanation: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass


def aware(moment: datetime, field: str) -> datetime:
    """`moment` if it names its time zone; an hours clock cannot start from a wall time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeWithoutZone("the time must name its time zone (WITA)", field=field)
    return moment


def _one_of(choices: type[StrEnum], value: str, field: str) -> str:
    allowed = {str(c) for c in choices}
    if value not in allowed:
        raise InvalidValue(f"must be one of {', '.join(sorted(allowed))}", field=field)
    return value


def _identity_check(method: str, result: str) -> dict[str, Any]:
    """The identity check's fields, each from its list."""
    return {
        "verification_method": _one_of(VerificationMethod, method, "verification_method"),
        "verification_result": _one_of(VerificationResult, result, "verification_result"),
    }


def _text(value: str, field: str, longest: int, *, optional: bool = False) -> str:
    text = value.strip()
    if (not text and not optional) or len(text) > longest:
        raise InvalidValue(f"must be {0 if optional else 1} to {longest} characters", field=field)
    return require_no_personal_data(text, field=field) if text else text


def _papers(command: str) -> tuple[DocumentKind, ...]:
    return SUBJECT_REQUEST_LIFECYCLE.documents_for(command)


def _answer_letter(command: str, provenance: Provenance) -> None:
    """The answer is always written: the letter to the requester is the step's document."""
    require_document(provenance, "the answer letter", _papers(command))


def _check_reason(provenance: Provenance) -> None:
    if provenance.reason:
        require_no_personal_data(provenance.reason, field="reason")
