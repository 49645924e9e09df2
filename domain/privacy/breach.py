"""Breach: one suspected failure of personal-data protection, from its discovery to closure.

The data-protection officer records what was exposed (the categories of data; the affected
cases, or an estimate of how many when they are not yet known), when it happened and how, and
when it was discovered: the 3x24-hour notification clock of UU PDP Pasal 46 starts at that
moment, so it is an aware time, not a date. The breach is then confirmed or dismissed; what
was done to contain it is recorded as often as needed; the sending of each notice (to the
subjects, one by one or all at once; to the agency; to the public) is recorded with its letter,
channel and time. The notification is complete once every affected subject and the agency were
notified; the clock stops there.

The texts are read by every reader of the register and stay in the log for good, so they hold
no personal data: people are linked by their case's id (ADR 0017).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.access import DataCategory
from domain.aggregate import LifecycleAggregate
from domain.audit_errors import DatesOutOfOrder
from domain.errors import InvalidValue, RuleViolation
from domain.free_text import require_free_text
from domain.guards import require_document, require_reason
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from domain.recording import Actor, DocumentRef, Provenance

NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,39}$")
LONG_TEXT = 4000
MAX_CASES = 5000
MAX_ESTIMATE = 10_000_000


class BreachChannel(StrEnum):
    """How the data was exposed."""

    LOST_DEVICE = "lost_device"
    LOST_PAPERS = "lost_papers"
    WRONG_RECIPIENT = "wrong_recipient"
    UNAUTHORISED_ACCESS = "unauthorised_access"
    MALWARE = "malware"
    DISCLOSURE = "disclosure"
    OTHER = "other"


class NoticeRecipient(StrEnum):
    """Whom a notice was sent to (Pasal 46(1) and (3))."""

    SUBJECT = "subject"
    AGENCY = "agency"
    PUBLIC = "public"


class NoticeChannel(StrEnum):
    """How a notice reached its recipient."""

    LETTER = "letter"
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    AGENCY_PORTAL = "agency_portal"
    ANNOUNCEMENT = "announcement"


class AffectedNotStated(InvalidValue):
    """Raised when a breach names neither the affected cases nor an estimate of how many."""

    code = "AFFECTED_NOT_STATED"


class RemediationRequired(RuleViolation):
    """Raised when a notice is recorded before anything done about the breach was: the notice
    must say what is being done (Pasal 46(2))."""

    code = "REMEDIATION_REQUIRED"


class SubjectsNotListed(RuleViolation):
    """Raised when a notice to named subjects is recorded for a breach whose affected cases
    are only estimated: they can only be notified all at once (an announcement)."""

    code = "SUBJECTS_NOT_LISTED"


class NotAnAffectedCase(InvalidValue):
    """Raised when a notice names a case the breach does not affect."""

    code = "NOT_AN_AFFECTED_CASE"


class NoticesOutstanding(RuleViolation):
    """Raised when the notification is declared complete while a subject or the agency has not
    been notified."""

    code = "NOTICES_OUTSTANDING"


class Breach(LifecycleAggregate):
    """One suspected or confirmed personal-data breach and its handling."""

    lifecycle = BREACH_LIFECYCLE

    class SuspectedBreachRecorded(LifecycleAggregate.Created):
        """A suspected breach was recorded; the clock runs from `discovered_at`."""

        number: str
        discovered_at: datetime
        happened_from: date
        happened_to: date | None
        channel: str
        categories: tuple[str, ...]
        beneficiary_ids: tuple[UUID, ...]
        estimated_count: int | None
        description: str

        def milestone_on(self) -> date:
            return self.discovered_at.date()

    class BreachConfirmed(LifecycleAggregate.Event):
        """Judged a breach; what was exposed, as known now (restated or as recorded)."""

        categories: tuple[str, ...]
        beneficiary_ids: tuple[UUID, ...]
        estimated_count: int | None

    class BreachDismissed(LifecycleAggregate.Event):
        """Judged not to be a breach; `reason` says why."""

    class RemediationRecorded(LifecycleAggregate.Event):
        """What was done to contain the breach or recover from it."""

        summary: str

    class NoticeSent(LifecycleAggregate.Event):
        """A notice was sent (the document is the letter): to the named subjects, to all of
        them at once, to the agency or to the public."""

        recipient: str
        channel: str
        sent_at: datetime
        beneficiary_ids: tuple[UUID, ...]
        to_all_subjects: bool

    class NotificationCompleted(LifecycleAggregate.Event):
        """Every affected subject and the agency were notified, the last at `notified_at`."""

        notified_at: datetime

    class BreachClosed(LifecycleAggregate.Event):
        """The handling was closed, on its report (the document)."""

    @staticmethod
    def create_id(number: str) -> UUID:
        """Deterministic: a register number is used once."""
        return uuid5(NAMESPACE_URL, "jejak:breach:" + number)

    @classmethod
    def record_suspected(
        cls,
        *,
        number: str,
        discovered_at: datetime,
        happened_from: date,
        channel: BreachChannel | str,
        categories: Sequence[DataCategory | str],
        description: str,
        provenance: Provenance,
        happened_to: date | None = None,
        beneficiary_ids: Sequence[UUID] = (),
        estimated_count: int | None = None,
    ) -> Breach:
        """Record a suspected breach, discovered at `discovered_at` (an aware time)."""
        if not NUMBER.match(number):
            raise InvalidValue("1 to 40 capital letters, digits, dots and hyphens", field="number")
        _aware(discovered_at, "discovered_at")
        discovered_on = discovered_at.date()
        if happened_to is not None and happened_to < happened_from:
            raise DatesOutOfOrder("it ended before it began", field="happened_to")
        if (happened_to or happened_from) > discovered_on:
            raise DatesOutOfOrder("it happened after it was discovered", field="happened_from")
        if provenance.occurred_on < discovered_on:
            raise DatesOutOfOrder("recorded before it was discovered", field="occurred_on")
        scope = _scope(categories, beneficiary_ids, estimated_count)
        return cls._start(
            cls.SuspectedBreachRecorded,
            cls.create_id(number),
            number=number,
            discovered_at=discovered_at,
            happened_from=happened_from,
            happened_to=happened_to,
            channel=BreachChannel(channel).value,
            categories=scope[0],
            beneficiary_ids=scope[1],
            estimated_count=scope[2],
            description=require_free_text(description, field="description", longest=LONG_TEXT),
            **provenance.event_fields(),
        )

    @event(SuspectedBreachRecorded)
    def __init__(
        self,
        number: str,
        discovered_at: datetime,
        happened_from: date,
        happened_to: date | None,
        channel: str,
        categories: tuple[str, ...],
        beneficiary_ids: tuple[UUID, ...],
        estimated_count: int | None,
        description: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.number = number
        self.discovered_at = discovered_at
        self.categories = tuple(categories)
        self.beneficiary_ids = tuple(beneficiary_ids)
        self.estimated_count = estimated_count
        self.remediations = 0
        self.subjects_notified: set[UUID] = set()
        self.all_subjects_notified = False
        self.agency_notified = False
        self.last_notice_at: datetime | None = None

    def confirm(
        self,
        *,
        provenance: Provenance,
        categories: Sequence[DataCategory | str] | None = None,
        beneficiary_ids: Sequence[UUID] | None = None,
        estimated_count: int | None = None,
    ) -> None:
        """Judge it a breach; what was exposed may be restated as the inquiry found it."""
        self._allowed("confirm_breach")
        restated = beneficiary_ids is not None or estimated_count is not None
        scope = _scope(
            self.categories if categories is None else categories,
            (beneficiary_ids or ()) if restated else self.beneficiary_ids,
            estimated_count if restated else self.estimated_count,
        )
        self._confirmed(
            categories=scope[0],
            beneficiary_ids=scope[1],
            estimated_count=scope[2],
            **provenance.event_fields(),
        )

    @event(BreachConfirmed)
    def _confirmed(
        self,
        categories: tuple[str, ...],
        beneficiary_ids: tuple[UUID, ...],
        estimated_count: int | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.categories = tuple(categories)
        self.beneficiary_ids = tuple(beneficiary_ids)
        self.estimated_count = estimated_count

    def dismiss(self, *, provenance: Provenance) -> None:
        """Judge it not a breach, and say why."""
        self._allowed("dismiss_breach")
        require_reason(provenance)
        self._dismissed(**provenance.event_fields())

    @event(BreachDismissed)
    def _dismissed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def record_remediation(self, *, summary: str, provenance: Provenance) -> None:
        """Record what was done to contain the breach or recover from it."""
        self._allowed("record_remediation")
        self._remediated(
            summary=require_free_text(summary, field="summary", longest=LONG_TEXT),
            **provenance.event_fields(),
        )

    @event(RemediationRecorded)
    def _remediated(
        self,
        summary: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.remediations += 1

    def record_notice_sent(
        self,
        *,
        recipient: NoticeRecipient | str,
        channel: NoticeChannel | str,
        sent_at: datetime,
        provenance: Provenance,
        beneficiary_ids: Sequence[UUID] = (),
        to_all_subjects: bool = False,
    ) -> None:
        """Record that a notice was sent; the notice completing the subjects' and the agency's
        also records the notification as complete, which stops the clock."""
        self._allowed("record_notice_sent")
        require_document(
            provenance, "the notice letter", BREACH_LIFECYCLE.documents_for("record_notice_sent")
        )
        if not self.remediations:
            raise RemediationRequired(
                "record what is being done before a notice is sent", field="recipient"
            )
        _aware(sent_at, "sent_at")
        if sent_at < self.discovered_at:
            raise DatesOutOfOrder("sent before the breach was discovered", field="sent_at")
        to = NoticeRecipient(recipient)
        ids = tuple(dict.fromkeys(beneficiary_ids))
        if to is NoticeRecipient.SUBJECT:
            self._check_subjects(ids, to_all_subjects)
        elif ids or to_all_subjects:
            raise InvalidValue("only a notice to subjects names them", field="beneficiary_ids")
        self._notice_sent(
            recipient=to.value,
            channel=NoticeChannel(channel).value,
            sent_at=sent_at,
            beneficiary_ids=ids,
            to_all_subjects=to_all_subjects,
            **provenance.event_fields(),
        )
        if self.state == "CONFIRMED" and self.everyone_notified:
            self.complete_notification(provenance=provenance)

    def _check_subjects(self, ids: tuple[UUID, ...], to_all: bool) -> None:
        if to_all:
            if ids:
                raise InvalidValue(
                    "a notice to all subjects names none of them", field="beneficiary_ids"
                )
            return
        if not self.beneficiary_ids:
            raise SubjectsNotListed(
                "the affected cases are not listed: notify them all at once",
                field="to_all_subjects",
            )
        if not ids:
            raise InvalidValue("name the cases notified, or notify all", field="beneficiary_ids")
        if set(ids) - set(self.beneficiary_ids):
            raise NotAnAffectedCase(
                "a case notified is not one the breach affects", field="beneficiary_ids"
            )

    @event(NoticeSent)
    def _notice_sent(
        self,
        recipient: str,
        channel: str,
        sent_at: datetime,
        beneficiary_ids: tuple[UUID, ...],
        to_all_subjects: bool,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        if recipient == NoticeRecipient.SUBJECT:
            self.subjects_notified.update(beneficiary_ids)
            self.all_subjects_notified = self.all_subjects_notified or to_all_subjects
        elif recipient == NoticeRecipient.AGENCY:
            self.agency_notified = True
        if recipient != NoticeRecipient.PUBLIC:
            self.last_notice_at = max(self.last_notice_at or sent_at, sent_at)

    @property
    def subjects_outstanding(self) -> tuple[UUID, ...]:
        """The affected cases not yet notified (none once all were notified at once)."""
        if self.all_subjects_notified:
            return ()
        return tuple(i for i in self.beneficiary_ids if i not in self.subjects_notified)

    @property
    def everyone_notified(self) -> bool:
        """Whether every affected subject and the agency were notified."""
        subjects = self.all_subjects_notified or (
            bool(self.beneficiary_ids) and not self.subjects_outstanding
        )
        return subjects and self.agency_notified

    def complete_notification(self, *, provenance: Provenance) -> None:
        """Record the notification as complete: every subject and the agency were notified."""
        self._allowed("complete_notification")
        if not self.everyone_notified or self.last_notice_at is None:
            raise NoticesOutstanding(
                "a subject or the agency has not been notified", field="recipient"
            )
        self._completed(notified_at=self.last_notice_at, **provenance.event_fields())

    @event(NotificationCompleted)
    def _completed(
        self,
        notified_at: datetime,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def close(self, *, provenance: Provenance) -> None:
        """Close the handling, on its report."""
        self._allowed("close_breach")
        require_document(
            provenance,
            "the report closing the handling",
            BREACH_LIFECYCLE.documents_for("close_breach"),
        )
        self._closed(**provenance.event_fields())

    @event(BreachClosed)
    def _closed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass


def _aware(moment: datetime, field: str) -> None:
    # The clock is counted in hours: a time without its zone could be off by eight of them.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue("a time with its time zone (WITA)", field=field)


def _scope(
    categories: Sequence[DataCategory | str],
    beneficiary_ids: Sequence[UUID],
    estimated_count: int | None,
) -> tuple[tuple[str, ...], tuple[UUID, ...], int | None]:
    """What was exposed, checked: known categories, the cases or a positive estimate."""
    try:
        kinds = tuple(dict.fromkeys(DataCategory(c).value for c in categories))
    except ValueError:
        raise InvalidValue("an unknown category of data", field="categories") from None
    if not kinds:
        raise InvalidValue("at least one category of data", field="categories")
    ids = tuple(dict.fromkeys(beneficiary_ids))
    if len(ids) > MAX_CASES:
        raise InvalidValue(f"at most {MAX_CASES} cases", field="beneficiary_ids")
    if estimated_count is not None and not 0 < estimated_count <= MAX_ESTIMATE:
        raise InvalidValue("a positive estimate", field="estimated_count")
    if not ids and estimated_count is None:
        raise AffectedNotStated(
            "name the affected cases or estimate how many", field="beneficiary_ids"
        )
    # Listed cases are the count; an estimate stands only while they are not known.
    return kinds, ids, None if ids else estimated_count
