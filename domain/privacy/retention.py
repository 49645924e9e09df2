"""RetentionPolicy: how long one category of personal data is kept, as the programme set it.

A period is a decision resting on a paper (the agency's JRA, a decree): it is set, and later
changed, as events with who set it, on what document and why, so the page and the record of
processing can show each period with its history. Until a period is set the category's
default applies (`domain.privacy.categories`).
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.guards import require_document, require_reason
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.privacy.categories import RETENTION_FLOOR_YEARS, CountedFrom, RetentionCategory
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role

LONGEST_YEARS = 100
POLICY_ROLES: tuple[Role, ...] = (Role.DPO, Role.SUPERVISOR)
POLICY_GUARDS = (
    "DOCUMENT_REQUIRED: the JRA or decree that sets the period",
    "REASON_REQUIRED: why this period",
    "INVALID_VALUE: 1 to 100 whole years",
    "RETENTION_BELOW_FLOOR: not shorter than the category's legal floor"
    " (identity minimum: 8 years after the last payment, UU 1/2004 Pasal 65)",
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
)

RETENTION_POLICY_LIFECYCLE = Lifecycle(
    aggregate="RetentionPolicy",
    states=(
        StateSpec(
            "IN_FORCE",
            "The category's period as last set; changed by a new decision",
            standing=True,
        ),
    ),
    transitions=(
        # The DPO advises and the head of the unit decides; either records the decision made
        # on paper, which is the document.
        Transition(
            "set_retention_period",
            "RetentionPeriodSet",
            None,
            "IN_FORCE",
            roles=POLICY_ROLES,
            guards=POLICY_GUARDS,
            documents=(DocumentKind.DECREE,),
        ),
        Transition(
            "set_retention_period",
            "RetentionPeriodChanged",
            ("IN_FORCE",),
            None,
            roles=POLICY_ROLES,
            guards=POLICY_GUARDS,
            documents=(DocumentKind.DECREE,),
            follows=("RetentionPeriodSet", "RetentionPeriodChanged"),
        ),
    ),
)


class RetentionBelowFloor(RuleViolation):
    """Raised when a period is set shorter than the law lets the category be kept."""

    code = "RETENTION_BELOW_FLOOR"


class RetentionPolicy(LifecycleAggregate):
    """The retention period of one category of personal data, one aggregate per category."""

    lifecycle = RETENTION_POLICY_LIFECYCLE

    class RetentionPeriodSet(LifecycleAggregate.Created):
        """The category's period was set for the first time (replacing the default)."""

        category: str
        years: int
        counted_from: str

    class RetentionPeriodChanged(LifecycleAggregate.Event):
        """The category's period was changed; the earlier one is kept for the record."""

        years: int
        counted_from: str
        previous_years: int
        previous_counted_from: str

    @staticmethod
    def create_id(category: RetentionCategory) -> UUID:
        """Deterministic: one policy per category."""
        return uuid5(NAMESPACE_URL, f"jejak:retention-policy:{category.value}")

    @classmethod
    def set_first(
        cls,
        *,
        category: RetentionCategory,
        years: int,
        counted_from: CountedFrom,
        provenance: Provenance,
    ) -> RetentionPolicy:
        """The category's first period set by the programme."""
        _check(category, years, provenance)
        return cls._start(
            cls.RetentionPeriodSet,
            cls.create_id(category),
            category=category.value,
            years=years,
            counted_from=counted_from.value,
            **provenance.event_fields(),
        )

    @event(RetentionPeriodSet)
    def __init__(
        self,
        category: str,
        years: int,
        counted_from: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.category = category
        self.years = years
        self.counted_from = counted_from

    def change(self, *, years: int, counted_from: CountedFrom, provenance: Provenance) -> None:
        """Set another period for the category."""
        self._allowed("set_retention_period")
        _check(RetentionCategory(self.category), years, provenance)
        if years == self.years and counted_from.value == self.counted_from:
            raise InvalidValue("the period is already set so", field="years")
        self._changed(
            years=years,
            counted_from=counted_from.value,
            previous_years=self.years,
            previous_counted_from=self.counted_from,
            **provenance.event_fields(),
        )

    @event(RetentionPeriodChanged)
    def _changed(
        self,
        years: int,
        counted_from: str,
        previous_years: int,
        previous_counted_from: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.years = years
        self.counted_from = counted_from


def _check(category: RetentionCategory, years: int, provenance: Provenance) -> None:
    require_document(
        provenance,
        "the JRA or decree",
        RETENTION_POLICY_LIFECYCLE.documents_for("set_retention_period"),
    )
    require_reason(provenance)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= LONGEST_YEARS:
        raise InvalidValue(f"must be 1 to {LONGEST_YEARS} whole years", field="years")
    floor = RETENTION_FLOOR_YEARS[category]
    if years < floor:
        raise RetentionBelowFloor(
            f"{category.value} may not be kept for less than {floor} years", field="years"
        )
