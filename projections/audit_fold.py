"""How each event changes the audit dossiers (`domain.audit.facts`): a pure fold.

`fold_event` reads and writes dossiers through a `Dossiers` view, which finds them in memory or
loads them, and returns the ids of the dossiers the event changed, for the checks to evaluate.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from domain.aggregate import LifecycleAggregate
from domain.audit.facts import (
    CaseFacts,
    Dossier,
    EntitlementFacts,
    LedgerCredit,
    ReferenceFacts,
    SiteFacts,
    StatementLine,
)
from domain.bank_statement import BankStatement
from domain.beneficiary import Beneficiary
from domain.entitlement import Entitlement
from domain.site import Site
from projections.base import PositionedEvent

EXITS = (
    Beneficiary.BeneficiaryExcluded,
    Beneficiary.ReferredToChildProtection,
    Beneficiary.BeneficiaryWithdrew,
    Beneficiary.BeneficiaryDied,
)
# What became of a credit: it changes its bank reference's dossier too (A14).
MOVED_ON = (
    Entitlement.WithdrawalObserved,
    Entitlement.NotClaimedByDeadline,
    Entitlement.FundsReturned,
)


def case_key(subject_id: object) -> str:
    """The dossier id of a beneficiary's or payee's case."""
    return f"case:{subject_id}"


def site_key(site_id: object) -> str:
    """The dossier id of a site."""
    return f"site:{site_id}"


def reference_key(reference: str) -> str:
    """The dossier id of a bank reference."""
    return f"ref:{reference}"


class Dossiers(Protocol):
    """The dossiers and the aggregate-to-dossier index, as the fold sees them."""

    def get(self, dossier_id: str) -> Dossier | None:
        """The dossier, or None when there is none yet."""
        ...

    def put(self, dossier_id: str, dossier: Dossier) -> None:
        """Store a new dossier."""
        ...

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        """The dossier an aggregate's events go to, and its site."""
        ...

    def index(self, aggregate_id: str, dossier_id: str, site_id: str | None) -> None:
        """Record where an aggregate's events go."""
        ...

    def add_statement_period(self, start: date, end: date) -> list[str]:
        """Record a statement's period; returns the references whose credits it covers."""
        ...


def fold_event(dossiers: Dossiers, event: PositionedEvent) -> list[str]:
    """Fold one event into the dossiers; the ids of the dossiers it changed."""
    e, at = event.event, event.position
    origin = str(e.originator_id)
    if isinstance(e, Site.SiteRegistered):
        key = site_key(origin)
        registered = SiteFacts(origin, e.code, at, e.headcount_at_pendataan)
        registered.pendataan_on = e.occurred_on
        dossiers.put(key, registered)
        dossiers.index(origin, key, origin)
        return [key]
    if isinstance(e, Site.SiteClosed):
        site = _site(dossiers, origin)
        if site is None:
            return []
        site.closed_on, site.closed_at = e.occurred_on, at
        site.declared_headcount, site.funding_status = e.declared_headcount, e.funding_status
        site.in_programme_at_closure = site.in_programme
        return [site_key(origin)]
    if isinstance(e, Beneficiary.BeneficiaryRegistered):
        return _registered(dossiers, origin, str(e.site_id), e.occurred_on, at)
    if isinstance(e, BankStatement.StatementImported):
        return _statement(dossiers, e, at)
    found = dossiers.subject(origin)
    if found is None:
        if isinstance(e, Entitlement.EntitlementPlanned):
            return _planned(dossiers, e, at)
        return []
    case = dossiers.get(found[0])
    if not isinstance(case, CaseFacts):
        return []
    if origin == case.subject_id:
        return _beneficiary_event(dossiers, case, e, at)
    entitlement = case.entitlements.get(origin)
    if entitlement is None:
        return []
    return _entitlement_event(dossiers, case, entitlement, e, at)


def _site(dossiers: Dossiers, site_id: str | None) -> SiteFacts | None:
    site = dossiers.get(site_key(site_id)) if site_id else None
    return site if isinstance(site, SiteFacts) else None


def _registered(dossiers: Dossiers, origin: str, site_id: str, on: date, at: int) -> list[str]:
    key = case_key(origin)
    dossiers.put(key, CaseFacts(origin, site_id, registered_at=at))
    dossiers.index(origin, key, site_id)
    site = _site(dossiers, site_id)
    if site is None:
        return [key]
    site.registered += 1
    site.in_programme += 1
    site.case_registered(on, at)
    return [key, site_key(site_id)]


def _beneficiary_event(
    dossiers: Dossiers, case: CaseFacts, e: LifecycleAggregate.Event, at: int
) -> list[str]:
    key = case_key(case.subject_id)
    changed = [key]
    if isinstance(e, Beneficiary.IdentityVerified):
        checks = e.checks
        case.verified_at = at
        case.nik_format_valid = checks.nik_format_valid
        case.nik_birth_digits_consistent = checks.nik_birth_digits_consistent
        case.nik_sex_digit_consistent = checks.nik_sex_digit_consistent
        # A check against the small tables shipped before the full list found most regions
        # unknown; it says nothing about her NIK.
        case.nik_region_unknown = bool(checks.nik_region_edition) and not checks.nik_region_known
        case.duplicate_in_programme = checks.duplicate_in_programme
        case.name_and_birth_date_shared = checks.name_and_birth_date_shared
        case.identity_document = e.document is not None
    elif isinstance(e, Beneficiary.BeneficiaryDetailsCorrected):
        # Her corrected name moved in the duplicate index; the event says what it met there.
        shared = e.name_and_birth_date_shared
        if shared is None:
            return []
        case.name_and_birth_date_shared, case.name_corrected_at = shared, at
    elif isinstance(e, EXITS):
        if isinstance(e, Beneficiary.BeneficiaryDied):
            case.died_on, case.died_at = e.occurred_on, at
        site = _site(dossiers, case.site_id)
        if not case.exited and site is not None:
            site.in_programme -= 1
            changed.append(site_key(case.site_id))
        case.exited = True
    elif isinstance(e, Beneficiary.ReturnedHome | Beneficiary.StayedLocally):
        if case.arrival_at is None:
            case.arrival_on, case.arrival_at = e.occurred_on, at
        if isinstance(e, Beneficiary.ReturnedHome):
            case.returned_home_at = at
    elif isinstance(e, Beneficiary.BankAccountRecorded):
        case.account_at, case.account_holder_matches = at, e.holder_name_matches
        if any(x.ordered_at is not None for x in case.entitlements.values()):
            case.account_changed_after_order_at = at
            case.account_changed_by = e.actor.user_id
            case.second_approval_at = None
    elif isinstance(e, Beneficiary.AidDecreed):
        site = _site(dossiers, case.site_id)
        if not case.decreed and site is not None:
            site.enrolled += 1
            changed.append(site_key(case.site_id))
        case.decreed_entitlement_ids += [str(i) for i in e.entitlement_ids]
    else:
        return []
    return changed


def _planned(dossiers: Dossiers, e: Entitlement.EntitlementPlanned, at: int) -> list[str]:
    subject = str(e.subject_id)
    key = case_key(subject)
    site_id = str(e.site_id) if e.site_id else None
    case = dossiers.get(key)
    if not isinstance(case, CaseFacts):
        # A compensation payee: no case file, only the money decreed for her.
        case = CaseFacts(subject, site_id)
        dossiers.put(key, case)
    origin = str(e.originator_id)
    case.entitlements[origin] = EntitlementFacts(
        entitlement_id=origin,
        component=str(e.component),
        tranche=e.tranche,
        amount=e.amount,
        decree_number=e.decree_number,
        decreed_on=e.occurred_on,
        planned_at=at,
        requires_arrival=e.requires_arrival,
    )
    dossiers.index(origin, key, site_id)
    return [key]


def _entitlement_event(
    dossiers: Dossiers, case: CaseFacts, x: EntitlementFacts, e: LifecycleAggregate.Event, at: int
) -> list[str]:
    changed = [case_key(case.subject_id)]
    # What became of a credit also changes its bank reference's dossier (A14).
    credit = _credit_of(dossiers, x) if isinstance(e, MOVED_ON) else None
    match e:
        case Entitlement.FundsAllocated():
            x.fiscal_year = e.fiscal_year
        case Entitlement.EntitlementAmended():
            x.amount = e.amount
        case Entitlement.PaymentOrdered():
            x.ordered_on, x.ordered_at = e.occurred_on, at
            arrived = case.arrival_on is not None and case.arrival_on <= e.occurred_on
            if x.requires_arrival and not arrived and x.released_before_arrival_at is None:
                x.released_before_arrival_at = at
            changed_by = case.account_changed_by
            if changed_by is not None and changed_by != e.actor.user_id:
                case.second_approval_at = case.second_approval_at or at
        case Entitlement.CreditedToAccount():
            changed += _credited(dossiers, case, x, e, at)
        case Entitlement.PaymentFailed():
            x.failed_at = at
        case Entitlement.ReceiptSigned():
            x.receipt_at = at
        case Entitlement.WithdrawalObserved():
            x.withdrawal_at = at
            if credit is not None:
                credit.withdrawal_at = at
        case Entitlement.NotClaimedByDeadline():
            x.unclaimed_on, x.unclaimed_at = e.occurred_on, at
            if credit is not None:
                credit.unclaimed_at = at
        case Entitlement.FundsReturned():
            x.returned_at = at
            if credit is not None:
                credit.returned_at = at
        case Entitlement.EntitlementCancelled():
            x.cancelled_at = at
        case Entitlement.MoneyCorrectionApproved(corrected_event="CreditedToAccount"):
            changed += _credit_corrected(dossiers, x, e)
        case _:
            return []
    if credit is not None and x.bank_reference:
        changed.append(reference_key(x.bank_reference))
    return changed


def _credited(
    dossiers: Dossiers,
    case: CaseFacts,
    x: EntitlementFacts,
    e: Entitlement.CreditedToAccount,
    at: int,
) -> list[str]:
    first_for_her = not case.paid
    x.credit_count += 1
    x.credited_amount, x.credited_on, x.credited_at = e.amount, e.occurred_on, at
    x.bank_reference = e.bank_reference
    changed = [reference_key(e.bank_reference)]
    ref = dossiers.get(changed[0])
    if not isinstance(ref, ReferenceFacts):
        ref = ReferenceFacts(e.bank_reference)
        dossiers.put(changed[0], ref)
    ref.credits.append(LedgerCredit(x.entitlement_id, case.site_id, e.amount, e.occurred_on, at))
    site = _site(dossiers, case.site_id)
    if site is not None:
        if first_for_her:
            site.paid += 1
        if site.first_credit_on is None or e.occurred_on < site.first_credit_on:
            site.first_credit_on, site.first_credit_at = e.occurred_on, at
        changed.append(site_key(case.site_id))
    return changed


def _credit_corrected(
    dossiers: Dossiers, x: EntitlementFacts, e: Entitlement.MoneyCorrectionApproved
) -> list[str]:
    """An approved correction of a credit: the checks see the corrected amount, under the
    corrected bank reference, as the payment ledger does (ADR 0022). The credit keeps its
    value date and its position, the evidence of the payment itself."""
    credit = _credit_of(dossiers, x)
    x.credited_amount = e.amount
    if credit is None or x.bank_reference is None:
        x.bank_reference = e.reference
        return []
    old_key, new_key = reference_key(x.bank_reference), reference_key(e.reference)
    credit.amount = e.amount
    if new_key == old_key:
        return [old_key]
    old = dossiers.get(old_key)
    if isinstance(old, ReferenceFacts):
        old.credits.remove(credit)
    x.bank_reference = e.reference
    new = dossiers.get(new_key)
    if not isinstance(new, ReferenceFacts):
        new = ReferenceFacts(e.reference)
        dossiers.put(new_key, new)
    new.credits.append(credit)
    return [old_key, new_key]


def _credit_of(dossiers: Dossiers, x: EntitlementFacts) -> LedgerCredit | None:
    """The ledger credit of `x` in its bank reference's dossier, if it was credited."""
    if not x.bank_reference:
        return None
    ref = dossiers.get(reference_key(x.bank_reference))
    if not isinstance(ref, ReferenceFacts):
        return None
    return next((c for c in ref.credits if c.entitlement_id == x.entitlement_id), None)


def _statement(dossiers: Dossiers, e: BankStatement.StatementImported, at: int) -> list[str]:
    changed = dossiers.add_statement_period(e.period_from, e.period_to)
    for movement in e.movements:
        key = reference_key(movement.bank_reference)
        ref = dossiers.get(key)
        if not isinstance(ref, ReferenceFacts):
            ref = ReferenceFacts(movement.bank_reference)
            dossiers.put(key, ref)
        ref.lines.append(
            StatementLine(str(movement.kind), movement.amount, movement.value_date, at)
        )
        changed.append(key)
    return changed
