"""Auditors' assignments: what a BPK team may examine, from and until a date, on its letter.

An audit body's examiners see nothing by belonging to it (`domain.units.Directory`); a letter
of assignment (surat tugas) gives one examiner the records of some units, or of the whole
programme, for the days it names. Outside those days the assignment gives nothing: it lapses
by itself, with no one having to remember to take it back (ADR 0045). An assignment withdrawn
early gives nothing from the day of its withdrawal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.guards import require_document
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role
from domain.units import EVERYTHING, NOTHING, UNIT_CODE, Scope

# Granting sight of the records is account administration, recorded on the audit body's own
# letter: the audited officials (the supervisors) do not choose what their examiners see.
ASSIGNING_ROLES: tuple[Role, ...] = (Role.ADMIN,)
MAX_UNITS = 64


class AssignmentPeriodInvalid(InvalidValue):
    """Raised when an assignment ends before it starts."""

    code = "ASSIGNMENT_PERIOD_INVALID"


class AssigneeNotAuditor(RuleViolation):
    """Raised when an assignment names an account that is not an active auditor's."""

    code = "ASSIGNEE_NOT_AUDITOR"


class AssignmentCoverageInvalid(InvalidValue):
    """Raised when an assignment names no unit and not the whole programme, or both."""

    code = "ASSIGNMENT_COVERAGE_INVALID"


ASSIGNMENT_LIFECYCLE = Lifecycle(
    aggregate="AuditAssignment",
    states=(
        StateSpec(
            "GIVEN",
            "Gives its examiner sight of its units on the days it names; lapses by itself",
            standing=True,
        ),
        StateSpec("WITHDRAWN", "Gives nothing from the day it was withdrawn", terminal=True),
    ),
    transitions=(
        Transition(
            "give_assignment",
            "AssignmentGiven",
            None,
            "GIVEN",
            roles=ASSIGNING_ROLES,
            guards=(
                "DOCUMENT_REQUIRED: the letter of assignment (surat tugas)",
                "ASSIGNMENT_PERIOD_INVALID: valid_until on or after valid_from",
                "ASSIGNMENT_COVERAGE_INVALID: some units, or the whole programme",
                "UNIT_UNKNOWN: every unit named is in the system",
                "ASSIGNEE_NOT_AUDITOR: the account named is an active auditor's",
            ),
            documents=(DocumentKind.SURAT,),
        ),
        Transition(
            "withdraw_assignment",
            "AssignmentWithdrawn",
            ("GIVEN",),
            "WITHDRAWN",
            roles=ASSIGNING_ROLES,
        ),
    ),
)


@dataclass(frozen=True)
class Coverage:
    """What an assignment covers: some units, or the whole programme."""

    units: tuple[str, ...] = ()
    whole_programme: bool = False

    def scope(self) -> Scope:
        """The scope it gives while it is valid."""
        if self.whole_programme:
            return EVERYTHING
        return Scope(everything=False, units=frozenset(self.units))


def checked_coverage(units: Iterable[str], whole_programme: bool) -> Coverage:
    """The coverage, or InvalidValue naming the rule it breaks."""
    codes = tuple(sorted(set(units)))
    if whole_programme == bool(codes):
        raise AssignmentCoverageInvalid(
            "name the units the assignment covers, or the whole programme (not both)",
            field="units",
        )
    if len(codes) > MAX_UNITS:
        raise InvalidValue(f"at most {MAX_UNITS} units", field="units")
    if any(not UNIT_CODE.fullmatch(c) for c in codes):
        raise InvalidValue("units are named by their upper-case codes", field="units")
    return Coverage(codes, whole_programme)


def effective_until(valid_until: date, withdrawn_on: date | None) -> date:
    """The last day an assignment gives anything: its end, or the day before its withdrawal."""
    if withdrawn_on is None:
        return valid_until
    return min(valid_until, withdrawn_on - timedelta(days=1))


class AuditAssignment(LifecycleAggregate):
    """One examiner's assignment on one letter; its id derives from both."""

    lifecycle = ASSIGNMENT_LIFECYCLE

    class AssignmentGiven(LifecycleAggregate.Created):
        """`auditor` may examine `units` (or the whole programme) from `valid_from` to
        `valid_until`, both included; the document is the letter of assignment."""

        auditor: str
        units: tuple[str, ...]
        whole_programme: bool
        valid_from: date
        valid_until: date

    class AssignmentWithdrawn(LifecycleAggregate.Event):
        """From `occurred_on` the assignment gives nothing."""

    @staticmethod
    def create_id(auditor: str, letter_number: str) -> UUID:
        """Deterministic id: one letter assigns one examiner once."""
        return uuid5(NAMESPACE_URL, f"jejak:assignment:{auditor}:{letter_number}")

    @classmethod
    def give(
        cls,
        *,
        auditor: str,
        coverage: Coverage,
        valid_from: date,
        valid_until: date,
        provenance: Provenance,
    ) -> AuditAssignment:
        """Record an assignment on its letter (the provenance's document, a surat)."""
        require_document(
            provenance,
            "the letter of assignment",
            ASSIGNMENT_LIFECYCLE.documents_for("give_assignment"),
        )
        assert provenance.document is not None
        if valid_until < valid_from:
            raise AssignmentPeriodInvalid(
                "valid_until must be on or after valid_from", field="valid_until"
            )
        return cls._start(
            cls.AssignmentGiven,
            cls.create_id(auditor, provenance.document.number),
            auditor=auditor,
            units=coverage.units,
            whole_programme=coverage.whole_programme,
            valid_from=valid_from,
            valid_until=valid_until,
            **provenance.event_fields(),
        )

    @event(AssignmentGiven)
    def __init__(
        self,
        auditor: str,
        units: tuple[str, ...],
        whole_programme: bool,
        valid_from: date,
        valid_until: date,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.auditor = auditor
        self.coverage = Coverage(tuple(units), whole_programme)
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.withdrawn_on: date | None = None

    def scope_on(self, day: date) -> Scope:
        """What it gives on `day`: its coverage inside its days, nothing outside them."""
        last = effective_until(self.valid_until, self.withdrawn_on)
        return self.coverage.scope() if self.valid_from <= day <= last else NOTHING

    def withdraw(self, *, provenance: Provenance) -> None:
        """Withdraw it early: from the provenance's date it gives nothing."""
        self._allowed("withdraw_assignment")
        self._withdrawn(**provenance.event_fields())

    @event(AssignmentWithdrawn)
    def _withdrawn(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        self.withdrawn_on = occurred_on
