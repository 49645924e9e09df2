"""Corrections as events: a wrong fact is corrected by a new event, never by an edit (ADR 0022).

A correction names the event it corrects by its aggregate version, carries the value recorded
and the correct one, and rests on a reason and a document like any exception to the normal
path. The corrected event stays in the history unchanged; the aggregate and the read models
fold the correction over it, so they show the corrected view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from domain.aggregate import LifecycleAggregate
from domain.errors import RuleViolation
from domain.guards import require_document, require_reason
from domain.recording import DocumentRef, Provenance, check_document

# The guards every correction declares, in the lifecycle's words.
CORRECTION_GUARDS = (
    "REASON_REQUIRED: the reason for the correction",
    "DOCUMENT_REQUIRED: the document that shows the correct value",
    "CORRECTED_EVENT_UNKNOWN: the corrected event exists and holds that fact",
    "NOTHING_TO_CORRECT: the correct value differs from the one recorded",
)


# The guard every date correction declares besides those.
IN_ORDER_AFTER_CORRECTION = (
    "DATED_BEFORE_PREVIOUS_STEP: the redated event stays in order with the steps it follows"
    " and those that follow it (other steps out of order may stay, to be corrected in turn)"
)


class CorrectedEventUnknown(RuleViolation):
    """Raised when a correction names an event that does not exist or lacks the fact."""

    code = "CORRECTED_EVENT_UNKNOWN"


class NothingToCorrect(RuleViolation):
    """Raised when a correction would record the value that is already recorded."""

    code = "NOTHING_TO_CORRECT"


class CorrectionPending(RuleViolation):
    """Raised when a correction is requested while another awaits its approval."""

    code = "CORRECTION_PENDING"


class NoPendingCorrection(RuleViolation):
    """Raised when a correction is approved or rejected and none awaits approval."""

    code = "NO_PENDING_CORRECTION"


@dataclass(frozen=True)
class RecordedFact:
    """What a correctable aggregate remembers of each of its events, as corrected so far."""

    event: str
    occurred_on: date
    document: DocumentRef | None


class CorrectionEvent(LifecycleAggregate.Event):
    """Base of every correction: it moves no state and is itself never corrected."""

    corrects_version: int


class DateCorrection(CorrectionEvent):
    """Base of the events that correct the business date of an earlier event."""

    corrected_event: str
    previous_date: date
    corrected_date: date


class DocumentCorrection(CorrectionEvent):
    """Base of the events that correct the document reference of an earlier event."""

    corrected_event: str
    previous_document: DocumentRef | None
    corrected_document: DocumentRef


class Correctable(LifecycleAggregate):
    """An aggregate whose recorded dates and documents can be corrected.

    It keeps each event's kind, date and document by version (`facts`), so a correction can
    name any earlier event and the guards can be checked against the corrected dates.
    """

    facts: dict[int, RecordedFact]

    def noted(self, event: LifecycleAggregate.Event) -> None:
        if event.originator_version == self.INITIAL_VERSION:
            self.facts = {}
        if not isinstance(event, CorrectionEvent):
            self.facts[event.originator_version] = RecordedFact(
                type(event).__name__, event.occurred_on, event.document
            )

    def dates_of(self, event: str, facts: Mapping[int, RecordedFact] | None = None) -> list[date]:
        """The dates of every `event` recorded, in log order (of `facts` when given)."""
        recorded = self.facts if facts is None else facts
        return [f.occurred_on for _, f in sorted(recorded.items()) if f.event == event]

    def latest_date_of(
        self, event: str, facts: Mapping[int, RecordedFact] | None = None
    ) -> date | None:
        """The date of the latest `event` in log order, or None."""
        dates = self.dates_of(event, facts)
        return dates[-1] if dates else None

    def fact(self, version: int, kinds: Collection[str] | None = None) -> RecordedFact:
        """The recorded fact at `version`; CorrectedEventUnknown unless it is one of `kinds`."""
        found = self.facts.get(version)
        if found is None or (kinds is not None and found.event not in kinds):
            raise CorrectedEventUnknown(
                f"version {version} of this record is not an event this correction applies to",
                field="corrects_version",
            )
        return found

    @staticmethod
    def check_correction(provenance: Provenance) -> None:
        """Every correction rests on a reason and a document."""
        require_reason(provenance)
        require_document(provenance, "the document that shows the correct value")

    def redated(self, version: int, corrected_date: date) -> dict[int, RecordedFact]:
        """The facts as they would stand with the event at `version` on `corrected_date`."""
        facts = dict(self.facts)
        facts[version] = replace(facts[version], occurred_on=corrected_date)
        return facts

    def date_correction(
        self,
        version: int,
        corrected_date: date,
        provenance: Provenance,
        kinds: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """The fields of a date correction, after the checks every date correction shares."""
        self.check_correction(provenance)
        fact = self.fact(version, kinds)
        if corrected_date == fact.occurred_on:
            raise NothingToCorrect("that date is the one recorded", field="corrected_date")
        return {
            "corrects_version": version,
            "corrected_event": fact.event,
            "previous_date": fact.occurred_on,
            "corrected_date": corrected_date,
            **provenance.event_fields(),
        }

    def document_correction(
        self,
        version: int,
        corrected_document: DocumentRef,
        provenance: Provenance,
        kinds: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """The fields of a document correction, after the checks every one shares."""
        self.check_correction(provenance)
        check_document(corrected_document, field="corrected_document")
        fact = self.fact(version, kinds)
        if corrected_document == fact.document:
            raise NothingToCorrect("that document is the one recorded", field="corrected_document")
        return {
            "corrects_version": version,
            "corrected_event": fact.event,
            "previous_document": fact.document,
            "corrected_document": corrected_document,
            **provenance.event_fields(),
        }

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        """A date correction, once the aggregate's own guards passed, keeps the lifecycle's
        order of dates around the event it redates."""
        if issubclass(event_class, DateCorrection):
            version = kwargs["corrects_version"]
            self.check_redated_in_order(version, self.redated(version, kwargs["corrected_date"]))
        super().trigger_event(event_class, **kwargs)

    def check_redated_in_order(self, version: int, facts: Mapping[int, RecordedFact]) -> None:
        """The lifecycle's order of dates, around the event at `version` as `facts` redate it.

        The corrected event may not be dated before a step it follows, nor after a step that
        follows it. Only the pairs it belongs to are checked: a history already out of order
        elsewhere (an older store's) can still be repaired one correction at a time.
        """
        corrected = facts[version]
        in_log_order = sorted(facts.items())
        before = {f.event: f.occurred_on for v, f in in_log_order if v < version}
        self.lifecycle.check_dated_in_order_anywhere(
            corrected.event, corrected.occurred_on, before, "corrected_date"
        )
        latest_before_it: dict[str, int] = {}
        for v, later in in_log_order:
            if v > version and latest_before_it.get(corrected.event) == version:
                self.lifecycle.check_dated_in_order_anywhere(
                    later.event,
                    later.occurred_on,
                    {corrected.event: corrected.occurred_on},
                    "corrected_date",
                )
            latest_before_it[later.event] = v

    def apply_date_correction(self, version: int, corrected_date: date) -> None:
        """Fold a date correction: the fact, and the deadline clock when it is the latest."""
        fact = self.facts[version]
        self.facts[version] = replace(fact, occurred_on=corrected_date)
        latest = max(v for v, f in self.facts.items() if f.event == fact.event)
        if latest == version:
            self.milestones[fact.event] = corrected_date

    def apply_document_correction(self, version: int, corrected_document: DocumentRef) -> None:
        """Fold a document correction into the fact."""
        self.facts[version] = replace(self.facts[version], document=corrected_document)
