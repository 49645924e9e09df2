"""Erasure: one woman's request to have her data deleted, recorded, approved by a second person
and carried out by destroying her case-file key (domain research §8.3, ADR 0055).

Her record splits in two. The case file (her phone, the assessment notes) serves no one once she
asks: it is deleted at once, by destroying the key it is sealed under. The identity minimum
behind her payments (name, NIK, family card, birth date, sex, bank account) is evidence the
programme must keep (UU PDP Pasal 15 and 20, UU 15/2004, the JRA): it stays, RESTRICTED, until
the retention period ends. Every step is an event naming who, why and on which document.

The texts kept here are read by every role and stay in the log for good: she is named by her
case's id, and a reason with an identifier-like number is refused (ADR 0041).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.guards import require_document, require_reason
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.privacy.categories import DEFAULT_RETENTION, RetentionCategory
from domain.privacy.destruction import SamePersonApproves
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role

# Central Indonesian Time (Asia/Makassar), which keeps no summer time: a fixed offset will do.
WITA = timezone(timedelta(hours=8), "WITA")

# What destroying the case-file key makes unreadable, and what the identity key keeps readable:
# the sealed fields' names as the domain seals them (ADR 0005), never their values.
CASE_FILE_FIELDS: tuple[str, ...] = ("phone", "assessment_notes")
IDENTITY_MINIMUM_FIELDS: tuple[str, ...] = (
    "name",
    "nik",
    "kk",
    "birth_date",
    "sex",
    "bank_account",
    "bank_account_holder",
)
ERASED_PURPOSES: tuple[str, ...] = ("casefile",)

NO_PERSONAL_DATA = (
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason"
)
FOUR_EYES = "SAME_PERSON_APPROVES: not the account that recorded the request"
DECISION_MEMO = "DOCUMENT_REQUIRED: the supervisor's decision memo (nota dinas)"


class SubjectRestricted(RuleViolation):
    """Raised when a command would process the data of a woman whose erasure was carried out:
    her identity minimum is kept only as evidence, for audit and legal claims (ADR 0055)."""

    code = "SUBJECT_RESTRICTED"


class RecordedBeforeReceived(RuleViolation):
    """Raised when a request is recorded on a day before the time it was received."""

    code = "RECORDED_BEFORE_RECEIVED"


class ErasureAlreadyRequested(RuleViolation):
    """Raised when an erasure of her case is requested while another is awaiting a decision
    or has been carried out."""

    code = "ERASURE_ALREADY_REQUESTED"


ERASURE_LIFECYCLE = Lifecycle(
    aggregate="Erasure",
    states=(
        StateSpec(
            "REQUESTED",
            "Her request is recorded; awaiting a supervisor's decision",
            next_action="approve_erasure",
        ),
        StateSpec(
            "EXECUTED",
            "Her case file is deleted; the identity minimum is kept, restricted, until its"
            " retention ends",
            terminal=True,
        ),
        StateSpec("REFUSED", "The request was refused, with the reason she is told", terminal=True),
    ),
    transitions=(
        Transition(
            "record_erasure_request",
            "ErasureRequested",
            None,
            "REQUESTED",
            roles=(Role.DPO,),
            guards=(
                "DOCUMENT_REQUIRED: her request letter as the document",
                "REASON_REQUIRED: what she asked for, in a few words",
                "RECORDED_BEFORE_RECEIVED: received on or before the day it is recorded",
                "ERASURE_ALREADY_REQUESTED: her case file was not erased already",
                NO_PERSONAL_DATA,
            ),
            documents=(DocumentKind.SURAT,),
        ),
        Transition(
            "approve_erasure",
            "CaseFileErased",
            ("REQUESTED",),
            "EXECUTED",
            roles=(Role.SUPERVISOR,),
            guards=(
                FOUR_EYES,
                DECISION_MEMO,
                "SUBJECT_RESTRICTED: from then on her case takes no step and her entitlements"
                " no new payment; what was already sent may still be reconciled",
                NO_PERSONAL_DATA,
            ),
            documents=(DocumentKind.NOTA_DINAS,),
        ),
        Transition(
            "refuse_erasure",
            "ErasureRefused",
            ("REQUESTED",),
            "REFUSED",
            roles=(Role.SUPERVISOR,),
            guards=(
                FOUR_EYES,
                DECISION_MEMO,
                "REASON_REQUIRED: why, as she will be told",
                NO_PERSONAL_DATA,
            ),
            documents=(DocumentKind.NOTA_DINAS,),
        ),
    ),
)

# The states the pages and letters tell apart, asked of the declaration: awaiting a
# supervisor's decision, and refused.
AWAITING_DECISION = ERASURE_LIFECYCLE.initial
REFUSED = ERASURE_LIFECYCLE.target_after("ErasureRefused", AWAITING_DECISION)


def identity_minimum_kept_until(last_paid_on: date | None, decided_on: date) -> date:
    """Until when her identity minimum is kept as payment evidence: the category's retention
    years after her last payment, or after the decision when she was never paid. The one place
    an erasure reads the retention policy (`domain.privacy.categories`)."""
    years = DEFAULT_RETENTION[RetentionCategory.IDENTITY_MINIMUM].years
    start = last_paid_on or decided_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February, in a year that has none
        return start.replace(year=start.year + years, day=28)


class Erasure(LifecycleAggregate):
    """One erasure request of one woman, from her letter to its decision."""

    lifecycle = ERASURE_LIFECYCLE

    class ErasureRequested(LifecycleAggregate.Created):
        """She asked for her data to be deleted; her letter is the document."""

        beneficiary_id: UUID
        case_number: str
        received_at: datetime

    class CaseFileErased(LifecycleAggregate.Event):
        """A second person approved, on the decision memo (the document); her case-file key
        was destroyed before this was recorded.

        Names what was deleted and what is kept (field names, never values), and until when.
        """

        beneficiary_id: UUID
        erased_purposes: tuple[str, ...]
        deleted_fields: tuple[str, ...]
        kept_fields: tuple[str, ...]
        last_paid_on: date | None
        keep_until: date

    class ErasureRefused(LifecycleAggregate.Event):
        """A second person refused the request on the decision memo (the document); `reason`
        says why."""

    @staticmethod
    def create_id(beneficiary_id: UUID, document: DocumentRef) -> UUID:
        """Deterministic: one letter of hers is one request, however often it is entered."""
        number = " ".join(document.number.split()).casefold()
        return uuid5(NAMESPACE_URL, f"jejak:erasure:{beneficiary_id}|{document.kind}|{number}")

    @classmethod
    def record_request(
        cls,
        *,
        beneficiary_id: UUID,
        case_number: str,
        received_at: datetime,
        provenance: Provenance,
    ) -> Erasure:
        """Record her request, received at `received_at` (an aware time; kept in WITA)."""
        if received_at.utcoffset() is None:
            raise InvalidValue("the time received needs its time zone", field="received_at")
        received = received_at.astimezone(WITA)
        require_document(
            provenance,
            "her request letter",
            ERASURE_LIFECYCLE.documents_for("record_erasure_request"),
        )
        require_reason(provenance)
        if received.date() > provenance.occurred_on:
            raise RecordedBeforeReceived("recorded before it was received", field="received_at")
        assert provenance.document is not None
        return cls._start(
            cls.ErasureRequested,
            cls.create_id(beneficiary_id, provenance.document),
            beneficiary_id=beneficiary_id,
            case_number=case_number,
            received_at=received,
            **provenance.event_fields(),
        )

    @event(ErasureRequested)
    def __init__(
        self,
        beneficiary_id: UUID,
        case_number: str,
        received_at: datetime,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.beneficiary_id = beneficiary_id
        self.case_number = case_number
        self.received_at = received_at
        self.requested_by = actor.user_id
        self.keep_until: date | None = None

    def approve(
        self, *, last_paid_on: date | None, provenance: Provenance, keep_until: date | None = None
    ) -> None:
        """Approve: record that her case-file key was destroyed, what is kept and until when:
        `keep_until` as the retention schedule in force gives it, else the category's default
        years (`identity_minimum_kept_until`).

        The caller destroys the key first (ADR 0005, write ordering): this event must never
        claim an erasure that did not happen.
        """
        self._allowed("approve_erasure")
        self._second_person(provenance.actor)
        self._decision_memo("approve_erasure", provenance)
        self._erased(
            beneficiary_id=self.beneficiary_id,
            erased_purposes=ERASED_PURPOSES,
            deleted_fields=CASE_FILE_FIELDS,
            kept_fields=IDENTITY_MINIMUM_FIELDS,
            last_paid_on=last_paid_on,
            keep_until=keep_until
            or identity_minimum_kept_until(last_paid_on, provenance.occurred_on),
            **provenance.event_fields(),
        )

    @event(CaseFileErased)
    def _erased(
        self,
        beneficiary_id: UUID,
        erased_purposes: tuple[str, ...],
        deleted_fields: tuple[str, ...],
        kept_fields: tuple[str, ...],
        last_paid_on: date | None,
        keep_until: date,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.keep_until = keep_until

    def refuse(self, *, provenance: Provenance) -> None:
        """Refuse the request, with the reason she will be told."""
        self._allowed("refuse_erasure")
        self._second_person(provenance.actor)
        self._decision_memo("refuse_erasure", provenance)
        require_reason(provenance)
        self._refused(**provenance.event_fields())

    @event(ErasureRefused)
    def _refused(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    @staticmethod
    def _decision_memo(command: str, provenance: Provenance) -> None:
        require_document(provenance, "the decision memo", ERASURE_LIFECYCLE.documents_for(command))

    def _second_person(self, actor: Actor) -> None:
        if actor.user_id == self.requested_by:
            raise SamePersonApproves(
                "the account that recorded the request cannot decide it", field="actor"
            )
