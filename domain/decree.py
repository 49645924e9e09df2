"""Decree (SK): who gets which aid component, in which amount, on what legal basis.

Amounts come from the decree, never from code: each line becomes one entitlement whose amount
is the line's. Amendments are new events; a line already ordered for payment cannot change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import require_amount, require_document
from domain.money_errors import (
    ComponentNotAllowed,
    CourtDecisionRequired,
    EntitlementAlreadyDecreed,
    IdentityNotVerified,
)
from domain.money_lifecycles import DECREE_LIFECYCLE
from domain.recording import Actor, DocumentRef, Provenance, check_document
from domain.sealed import Sealed

MAX_TRANCHE = 12


class AidComponent(StrEnum):
    """The parts of the support package (domain notes 3.2), plus compensation to owners."""

    UEP = "uep"  # usaha ekonomi produktif: business capital
    JADUP = "jadup"  # jaminan hidup: living allowance, in numbered tranches
    TRANSPORT = "transport"  # bantuan transportasi pulang
    COMPENSATION = "compensation"  # ganti rugi to a building owner or pengelola


class PaymentType(StrEnum):
    """Aid to the women themselves, or compensation, which only a court decision supports."""

    BENEFICIARY_AID = "beneficiary_aid"
    COMPENSATION = "compensation"


ALLOWED_COMPONENTS: Mapping[PaymentType, frozenset[AidComponent]] = {
    PaymentType.BENEFICIARY_AID: frozenset(
        {AidComponent.UEP, AidComponent.JADUP, AidComponent.TRANSPORT}
    ),
    PaymentType.COMPENSATION: frozenset({AidComponent.COMPENSATION}),
}


def entitlement_id(subject_id: UUID, component: AidComponent, tranche: int) -> UUID:
    """Deterministic: one entitlement per person, component and tranche, whatever the decree."""
    return uuid5(NAMESPACE_URL, f"jejak:entitlement:{subject_id}:{component}:{tranche}")


@dataclass(frozen=True)
class DecreeLine:
    """One person's component in a decree. For compensation, `payee_name` names the payee."""

    subject_id: UUID
    component: AidComponent
    tranche: int
    amount: int
    payee_name: Sealed | None = None

    @property
    def entitlement_id(self) -> UUID:
        """The entitlement this line plans."""
        return entitlement_id(self.subject_id, self.component, self.tranche)


@dataclass(frozen=True)
class Eligibility:
    """What the decree needs to know of a person it names (from her Beneficiary)."""

    identity_verified: bool
    in_programme: bool


class Decree(LifecycleAggregate):
    """A decree (SK) of a head of region or ministry naming recipients and amounts."""

    lifecycle = DECREE_LIFECYCLE

    class DecreeIssued(LifecycleAggregate.Created):
        """The decree was signed on `occurred_on`; `document` is the SK itself."""

        authority: str
        number: str
        legal_basis: str
        payment_type: PaymentType
        court_decision: DocumentRef | None
        jadup_requires_arrival: bool
        lines: tuple[DecreeLine, ...]

    class DecreeAmended(LifecycleAggregate.Event):
        """An amending decree added, changed (new amounts) or removed lines."""

        amendment_number: str
        added: tuple[DecreeLine, ...]
        changed: tuple[DecreeLine, ...]
        removed: tuple[UUID, ...]

    @staticmethod
    def create_id(authority: str, number: str) -> UUID:
        """Deterministic: an authority's decree number is recorded once."""
        return uuid5(NAMESPACE_URL, f"jejak:decree:{authority.strip()}:{number.strip()}")

    @classmethod
    def issue(
        cls,
        *,
        authority: str,
        number: str,
        legal_basis: str,
        payment_type: PaymentType,
        lines: Sequence[DecreeLine],
        eligibility: Mapping[UUID, Eligibility],
        provenance: Provenance,
        court_decision: DocumentRef | None = None,
        jadup_requires_arrival: bool = True,
    ) -> Decree:
        """Record a signed decree; `eligibility` describes every beneficiary it names."""
        for name, value in (
            ("authority", authority),
            ("number", number),
            ("legal_basis", legal_basis),
        ):
            if not value.strip():
                raise InvalidValue("must not be empty", field=name)
        # Kept in clear (ADR 0041); the authority is an official, named on purpose.
        for name, value in (("authority", authority), ("legal_basis", legal_basis)):
            require_no_personal_data(value, field=name)
        require_document(provenance, "the signed decree")
        payment_type = PaymentType(payment_type)
        if payment_type is PaymentType.COMPENSATION and court_decision is None:
            raise CourtDecisionRequired(
                "compensation is paid only on a court decision", field="court_decision"
            )
        if court_decision is not None:
            check_document(court_decision, field="court_decision")
        if not lines:
            raise InvalidValue("a decree names at least one recipient", field="lines")
        _check_lines(lines, payment_type, eligibility, existing=set())
        return cls(
            authority=authority.strip(),
            number=number.strip(),
            legal_basis=legal_basis.strip(),
            payment_type=payment_type,
            court_decision=court_decision,
            jadup_requires_arrival=jadup_requires_arrival,
            lines=tuple(lines),
            **provenance.event_fields(),
        )

    @event(DecreeIssued)
    def __init__(
        self,
        authority: str,
        number: str,
        legal_basis: str,
        payment_type: PaymentType,
        court_decision: DocumentRef | None,
        jadup_requires_arrival: bool,
        lines: tuple[DecreeLine, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.authority = authority
        self.number = number
        self.legal_basis = legal_basis
        self.payment_type = PaymentType(payment_type)
        self.jadup_requires_arrival = jadup_requires_arrival
        self.signed_on = occurred_on
        self.lines: dict[UUID, DecreeLine] = {line.entitlement_id: line for line in lines}

    def amend(
        self,
        *,
        amendment_number: str,
        added: Sequence[DecreeLine],
        changed: Sequence[DecreeLine],
        removed: Sequence[UUID],
        eligibility: Mapping[UUID, Eligibility],
        provenance: Provenance,
    ) -> None:
        """Record an amending decree. The entitlements check they can still change."""
        self._allowed("amend_decree")
        if not amendment_number.strip():
            raise InvalidValue("must not be empty", field="amendment_number")
        require_document(provenance, "the amending decree")
        if not (added or changed or removed):
            raise InvalidValue("an amendment changes at least one line", field="lines")
        _check_lines(added, self.payment_type, eligibility, existing=set(self.lines))
        for line in changed:
            current = self.lines.get(line.entitlement_id)
            if current is None:
                raise InvalidValue("a changed line must be in the decree", field="changed")
            require_amount(line.amount, "changed.amount")
        for removed_id in removed:
            if removed_id not in self.lines:
                raise InvalidValue("a removed line must be in the decree", field="removed")
        self._amended(
            amendment_number=amendment_number.strip(),
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(removed),
            **provenance.event_fields(),
        )

    @event(DecreeAmended)
    def _amended(
        self,
        amendment_number: str,
        added: tuple[DecreeLine, ...],
        changed: tuple[DecreeLine, ...],
        removed: tuple[UUID, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        for line in (*added, *changed):
            self.lines[line.entitlement_id] = line
        for removed_id in removed:
            del self.lines[removed_id]


def _check_lines(
    lines: Sequence[DecreeLine],
    payment_type: PaymentType,
    eligibility: Mapping[UUID, Eligibility],
    existing: set[UUID],
) -> None:
    seen = set(existing)
    allowed = ALLOWED_COMPONENTS[payment_type]
    for line in lines:
        require_amount(line.amount, "lines.amount")
        if not 1 <= line.tranche <= MAX_TRANCHE:
            raise InvalidValue(f"must be between 1 and {MAX_TRANCHE}", field="lines.tranche")
        if line.component not in allowed:
            raise ComponentNotAllowed(
                f"{line.component} cannot be paid under a {payment_type} decree",
                field="lines.component",
            )
        if line.entitlement_id in seen:
            raise EntitlementAlreadyDecreed(
                "this component and tranche is already decreed for this person",
                field="lines",
            )
        seen.add(line.entitlement_id)
        if payment_type is PaymentType.COMPENSATION:
            if line.payee_name is None:
                raise InvalidValue("compensation names its payee", field="lines.payee_name")
            continue
        person = eligibility.get(line.subject_id)
        if person is None or not person.identity_verified:
            raise IdentityNotVerified(
                "a decree names only people whose identity was verified", field="lines.subject_id"
            )
        if not person.in_programme:
            raise IdentityNotVerified(
                "a decree cannot name someone who has left the programme",
                field="lines.subject_id",
            )
