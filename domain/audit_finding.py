"""AuditFinding: one recommendation of an external audit, from the report to its closure.

A supervisor records the finding from the audit report (LHP): the audit body, the report's
number and date, the day it was received (the 60-day clock of UU 15/2004 Pasal 20 starts
there), the recommendation and the position answerable for it. Answers follow, as many as
needed; the audit body's assessment of the follow-up is recorded from its letter; a finding
closes once accepted and, if it names an amount to recover, once that is recovered.

The texts are read by every role, unmasked, and stay in the log for good, so they must not hold
personal data: people are linked by id, positions are named instead of officials, and text with
an identifier-like number or an e-mail address is refused (ADR 0017).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.audit_errors import DatesOutOfOrder, RecoveryIncomplete
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import require_amount, require_document, require_reason
from domain.recording import Actor, DocumentRef, Provenance

SHORT_TEXT = 200
TITLE_TEXT = 500
LONG_TEXT = 4000
MAX_LINKS = 100


class AuditFinding(LifecycleAggregate):
    """One finding and recommendation of an audit report, and its follow-up."""

    lifecycle = AUDIT_FINDING_LIFECYCLE

    class FindingRecorded(LifecycleAggregate.Created):
        """A finding of the report `lhp_number` was recorded; the LHP is the document."""

        audit_body: str
        lhp_number: str
        lhp_date: date
        lhp_received_on: date
        finding_number: str
        title: str
        recommendation: str
        responsible_position: str
        amount_to_recover: int | None
        site_ids: tuple[UUID, ...]
        beneficiary_ids: tuple[UUID, ...]
        batch_ids: tuple[UUID, ...]

        def milestone_on(self) -> date:
            return self.lhp_received_on

    class ResponseSubmitted(LifecycleAggregate.Event):
        """The official answered: what was done, and any rupiah recovered with this answer."""

        summary: str
        amount_recovered: int

    class FollowUpAccepted(LifecycleAggregate.Event):
        """The audit body judged the follow-up as recommended (sesuai), by its letter."""

    class FollowUpRejected(LifecycleAggregate.Event):
        """The audit body judged the follow-up insufficient; `reason` says why."""

    class FindingClosed(LifecycleAggregate.Event):
        """The finding was closed on the audit body's word (the document)."""

    @staticmethod
    def create_id(audit_body: str, lhp_number: str, finding_number: str) -> UUID:
        """Deterministic: a report's finding is recorded once."""
        parts = (_natural(audit_body), _natural(lhp_number), _natural(finding_number))
        return uuid5(NAMESPACE_URL, "jejak:finding:" + "|".join(parts))

    @classmethod
    def record(
        cls,
        *,
        audit_body: str,
        lhp_number: str,
        lhp_date: date,
        lhp_received_on: date,
        finding_number: str,
        title: str,
        recommendation: str,
        responsible_position: str,
        provenance: Provenance,
        amount_to_recover: int | None = None,
        site_ids: Sequence[UUID] = (),
        beneficiary_ids: Sequence[UUID] = (),
        batch_ids: Sequence[UUID] = (),
    ) -> AuditFinding:
        """Record a finding from its LHP (the document), received on `lhp_received_on`."""
        if lhp_received_on < lhp_date:
            raise DatesOutOfOrder("received before the report was issued", field="lhp_received_on")
        if provenance.occurred_on < lhp_received_on:
            raise DatesOutOfOrder("recorded before the report was received", field="occurred_on")
        require_document(
            provenance, "the LHP", AUDIT_FINDING_LIFECYCLE.documents_for("record_finding")
        )
        _check_reason(provenance)
        return cls(
            audit_body=_text(audit_body, "audit_body", SHORT_TEXT),
            lhp_number=_text(lhp_number, "lhp_number", SHORT_TEXT),
            lhp_date=lhp_date,
            lhp_received_on=lhp_received_on,
            finding_number=_text(finding_number, "finding_number", SHORT_TEXT),
            title=_text(title, "title", TITLE_TEXT),
            recommendation=_text(recommendation, "recommendation", LONG_TEXT),
            responsible_position=_text(responsible_position, "responsible_position", SHORT_TEXT),
            amount_to_recover=(
                None
                if amount_to_recover is None
                else require_amount(amount_to_recover, "amount_to_recover")
            ),
            site_ids=_links(site_ids, "site_ids"),
            beneficiary_ids=_links(beneficiary_ids, "beneficiary_ids"),
            batch_ids=_links(batch_ids, "batch_ids"),
            **provenance.event_fields(),
        )

    @event(FindingRecorded)
    def __init__(
        self,
        audit_body: str,
        lhp_number: str,
        lhp_date: date,
        lhp_received_on: date,
        finding_number: str,
        title: str,
        recommendation: str,
        responsible_position: str,
        amount_to_recover: int | None,
        site_ids: tuple[UUID, ...],
        beneficiary_ids: tuple[UUID, ...],
        batch_ids: tuple[UUID, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.audit_body = audit_body
        self.lhp_number = lhp_number
        self.lhp_received_on = lhp_received_on
        self.finding_number = finding_number
        self.responsible_position = responsible_position
        self.amount_to_recover = amount_to_recover
        self.amount_recovered = 0
        self.responses = 0

    def submit_response(
        self, *, summary: str, provenance: Provenance, amount_recovered: int = 0
    ) -> None:
        """Record an answer (the letter), with the rupiah it recovered, if any."""
        self._allowed("submit_response")
        if provenance.occurred_on < self.lhp_received_on:
            raise DatesOutOfOrder("answered before the report was received", field="occurred_on")
        if amount_recovered:
            require_amount(amount_recovered, "amount_recovered")
            if self.amount_to_recover is None:
                raise InvalidValue(
                    "this finding names no amount to recover", field="amount_recovered"
                )
        require_document(provenance, "the answer letter")
        _check_reason(provenance)
        self._responded(
            summary=_text(summary, "summary", LONG_TEXT),
            amount_recovered=amount_recovered,
            **provenance.event_fields(),
        )

    @event(ResponseSubmitted)
    def _responded(
        self,
        summary: str,
        amount_recovered: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.responses += 1
        self.amount_recovered += amount_recovered

    def accept_follow_up(self, *, provenance: Provenance) -> None:
        """Record the audit body's letter judging the follow-up as recommended."""
        self._allowed("accept_follow_up")
        require_document(provenance, "the audit body's letter")
        _check_reason(provenance)
        self._accepted(**provenance.event_fields())

    @event(FollowUpAccepted)
    def _accepted(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def reject_follow_up(self, *, provenance: Provenance) -> None:
        """Record the audit body's letter judging the follow-up insufficient, and why."""
        self._allowed("reject_follow_up")
        require_document(provenance, "the audit body's letter")
        require_reason(provenance)
        _check_reason(provenance)
        self._rejected(**provenance.event_fields())

    @event(FollowUpRejected)
    def _rejected(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def close(self, *, provenance: Provenance) -> None:
        """Close an accepted finding; money to recover must be recovered in full first."""
        self._allowed("close_finding")
        require_document(provenance, "the audit body's monitoring result or closing letter")
        if self.amount_to_recover is not None and self.amount_recovered < self.amount_to_recover:
            raise RecoveryIncomplete(
                "the amount to recover has not been recovered in full", field="amount_recovered"
            )
        _check_reason(provenance)
        self._closed(**provenance.event_fields())

    @event(FindingClosed)
    def _closed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass


def _natural(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text(value: str, field: str, longest: int) -> str:
    text = value.strip()
    if not text or len(text) > longest:
        raise InvalidValue(f"must be 1 to {longest} characters", field=field)
    return require_no_personal_data(text, field=field)


def _check_reason(provenance: Provenance) -> None:
    # The reason is free text shown with the finding, like the finding's own texts.
    if provenance.reason:
        require_no_personal_data(provenance.reason, field="reason")


def _links(ids: Sequence[UUID], field: str) -> tuple[UUID, ...]:
    unique = tuple(dict.fromkeys(ids))
    if len(unique) > MAX_LINKS:
        raise InvalidValue(f"at most {MAX_LINKS} links", field=field)
    return unique
