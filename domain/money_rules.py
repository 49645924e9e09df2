"""Money decisions that span aggregates: a domain service over loaded aggregates.

Each function takes the aggregates a money command loaded, decides as the rules say, and
either lets the aggregates record their events (returning those that changed) or raises the
named domain error. Nothing here loads, saves, reads a clock or opens sealed data: the command
handler (`service.commands.money`, `service.commands.beneficiaries`) loads, calls one of
these, and saves what it returns in one atomic save (ADR 0039).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from uuid import UUID

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import Beneficiary
from domain.decree import AidComponent, Decree, DecreeLine, Eligibility
from domain.entitlement import Entitlement, PaymentChannel, Recipient
from domain.errors import InvalidValue
from domain.funding import FundingCommitment
from domain.money_errors import (
    AccountChangeWhileOrdered,
    BankAccountShared,
    EntitlementAlreadyDecreed,
    EntitlementNotReady,
)
from domain.payment_batch import BatchLine, PaymentBatch
from domain.recording import Provenance
from domain.rules import ProgrammeRules

# What a cancellation says of her, by the state her case ended in (G-B9).
EXIT_REASONS = {"DECEASED": "died", "WITHDRAWN": "withdrew from the programme"}

# --- funding ------------------------------------------------------------------------------


def check_rebudgeting(earlier: FundingCommitment, fiscal_year: int) -> None:
    """Funds are re-budgeted from an earlier commitment into a later fiscal year only."""
    if earlier.fiscal_year >= fiscal_year:
        raise InvalidValue("funds are re-budgeted into a later fiscal year", field="fiscal_year")


def check_allocation_request(entitlement_ids: Sequence[UUID]) -> None:
    """An allocation names at least one entitlement, each once."""
    if not entitlement_ids:
        raise InvalidValue("name at least one entitlement", field="entitlement_ids")
    if len(set(entitlement_ids)) != len(entitlement_ids):
        raise InvalidValue("an entitlement appears twice", field="entitlement_ids")


def allocate(
    commitment: FundingCommitment, entitlements: Iterable[Entitlement], provenance: Provenance
) -> None:
    """Fund every entitlement from the commitment; the commitment records each allocation."""
    for entitlement in entitlements:
        entitlement.allocate(commitment=commitment, provenance=provenance)


def close_fiscal_year(
    commitment: FundingCommitment, allocated: Iterable[Entitlement], provenance: Provenance
) -> list[Entitlement]:
    """Close the commitment's year: its allocations not yet ordered (or failed) lapse.
    Returns the entitlements that lapsed."""
    lapsing = [e for e in allocated if e.allows("lapse")]
    for entitlement in lapsing:
        entitlement.lapse(commitment=commitment, provenance=provenance)
    commitment.close_fiscal_year(provenance=provenance)
    return lapsing


# --- decrees ------------------------------------------------------------------------------


def eligibility(beneficiaries: Mapping[UUID, Beneficiary]) -> dict[UUID, Eligibility]:
    """What a decree needs to know of each person it names."""
    return {
        b.id: Eligibility(identity_verified=b.identity_verified, in_programme=not b.is_terminal)
        for b in beneficiaries.values()
    }


def refuse_decreed_twice(lines: Iterable[DecreeLine], decreed: Collection[UUID]) -> None:
    """A line whose entitlement is already decreed (`decreed` holds the recorded ones among
    them) is refused: the earlier decree is amended instead."""
    for line in lines:
        if line.entitlement_id in decreed:
            raise EntitlementAlreadyDecreed(
                f"{line.component} tranche {line.tranche} is already decreed for this "
                "person (amend that decree instead)",
                field="lines",
            )


def plan(
    decree: Decree,
    lines: Sequence[DecreeLine],
    beneficiaries: Mapping[UUID, Beneficiary],
    provenance: Provenance,
) -> list[Entitlement]:
    """One planned entitlement per decree line, each noted in the case it names."""
    planned = []
    # Each person's entitlements, gathered in one pass: a decree may name 40,000 people.
    entitlements_of: dict[UUID, list[UUID]] = {}
    for line in lines:
        named = beneficiaries.get(line.subject_id)
        planned.append(
            Entitlement.plan(
                decree=decree,
                line=line,
                site_id=named.site_id if named else None,
                provenance=provenance,
            )
        )
        entitlements_of.setdefault(line.subject_id, []).append(line.entitlement_id)
    for beneficiary in beneficiaries.values():
        beneficiary.include_in_decree(
            decree_id=decree.id,
            decree_number=decree.number,
            entitlement_ids=tuple(entitlements_of.get(beneficiary.id, ())),
            provenance=provenance,
        )
    return planned


def amend_amounts(
    amendment_number: str,
    changed: Iterable[tuple[Entitlement, int]],
    commitments: Mapping[UUID, FundingCommitment],
    provenance: Provenance,
) -> None:
    """An amending decree's new amounts; a funded entitlement's allocation follows."""
    for entitlement, amount in changed:
        entitlement.amend_amount(
            amendment_number=amendment_number,
            amount=amount,
            commitment=_commitment_of(entitlement, commitments),
            provenance=provenance,
        )


def remove_lines(
    amendment_number: str,
    removed: Iterable[Entitlement],
    commitments: Mapping[UUID, FundingCommitment],
    provenance: Provenance,
) -> None:
    """An amending decree's removed lines: each entitlement cancelled, its funds released."""
    for entitlement in removed:
        entitlement.cancel(
            commitment=_commitment_of(entitlement, commitments),
            provenance=with_reason(provenance, f"removed by {amendment_number}"),
        )


# --- ordering payments --------------------------------------------------------------------


def names_a_case(entitlement: Entitlement) -> bool:
    """True when the entitlement pays a beneficiary's case (not a compensation payee), whose
    case ordering then consults."""
    return entitlement.component is not AidComponent.COMPENSATION


def recipient(entitlement: Entitlement, beneficiary: Beneficiary | None) -> Recipient:
    """What ordering needs to know of whom the entitlement pays (`beneficiary` is None for a
    compensation payee)."""
    if not names_a_case(entitlement) or beneficiary is None:
        # A payee is not a case: the court decision is the basis, not her lifecycle. Payee
        # accounts are not recorded yet, so compensation is paid through the post office.
        return Recipient(None, True, True, False, False)
    return Recipient(
        exited=beneficiary.exit_state,
        arrival_confirmed=beneficiary.arrival_confirmed,
        training_completed=beneficiary.training_completed,
        has_bank_account=beneficiary.bank_account is not None,
        account_holder_matches=beneficiary.account_holder_matches,
    )


def check_orderable(
    entitlement: Entitlement,
    beneficiary: Beneficiary | None,
    commitment: FundingCommitment | None,
    *,
    rules: ProgrammeRules,
    order_date: date,
    channel: PaymentChannel,
) -> None:
    """Every guard of ordering an entitlement: its state, then her case, the programme's
    rules and the commitment's fiscal year (`Entitlement.check_orderable`)."""
    if not entitlement.orderable:
        raise EntitlementNotReady(
            f"an entitlement in state {entitlement.state} cannot be ordered",
            field="entitlement_ids",
        )
    if commitment is None:  # an orderable entitlement is funded
        raise InvalidValue("the funding commitment is required", field="commitment_id")
    entitlement.check_orderable(
        recipient=recipient(entitlement, beneficiary),
        rules=rules,
        commitment=commitment,
        order_date=order_date,
        channel=channel,
    )


def order_line(
    batch: PaymentBatch,
    line: BatchLine,
    entitlement: Entitlement,
    beneficiary: Beneficiary | None,
    commitment: FundingCommitment | None,
    *,
    rules: ProgrammeRules,
    provenance: Provenance,
) -> None:
    """Order one line of an approved batch: the amount must be the one the batch was
    prepared with, and every guard of ordering must still hold."""
    if entitlement.amount != line.amount:
        raise EntitlementNotReady(
            "an amount changed since the batch was prepared", field="entitlement_ids"
        )
    check_orderable(
        entitlement,
        beneficiary,
        commitment,
        rules=rules,
        order_date=provenance.occurred_on,
        channel=batch.channel,
    )
    entitlement.order(
        batch_id=batch.id,
        transfer_ref=line.transfer_ref,
        channel=batch.channel,
        provenance=provenance,
    )


# --- her bank account, her exit and her closure --------------------------------------------


def check_account_change(beneficiary: Beneficiary, entitlements: Iterable[Entitlement]) -> None:
    """Her account may not change while a transfer to it is at the bank (G-B8)."""
    if beneficiary.bank_account is not None and any(e.at_the_bank for e in entitlements):
        # Redirecting money already at the bank is how aid is diverted (G-B8): the change
        # waits for the bank's answer, and a failed transfer is re-ordered to the new one.
        raise AccountChangeWhileOrdered(
            "a transfer to her current account is at the bank; wait for its result",
            field="account_number",
        )


def refuse_shared_account(held_by_another_case: bool) -> None:
    """An account already recorded for another case is refused (G-B4)."""
    if held_by_another_case:
        raise BankAccountShared(
            "this account is already recorded for another case", field="account_number"
        )


def same_holder_name(recorded: str, holder: str) -> bool:
    """Banks print names in capitals and may drop punctuation; compare on letters and spaces."""

    def normal(name: str) -> str:
        letters = "".join(c if c.isalpha() else " " for c in name.casefold())
        return " ".join(letters.split())

    return normal(recorded) == normal(holder) and bool(normal(recorded))


def cancel_on_exit(
    beneficiary: Beneficiary,
    entitlements: Iterable[Entitlement],
    commitments: Mapping[UUID, FundingCommitment],
    provenance: Provenance,
) -> list[LifecycleAggregate]:
    """After her death or withdrawal, what was not yet ordered is cancelled and its funds
    released (G-B9). Returns the cancelled entitlements and the commitments, to be saved
    with her case; nothing when her case did not end that way."""
    reason = EXIT_REASONS.get(beneficiary.exit_state or "")
    if reason is None:
        return []
    cancelled: list[LifecycleAggregate] = []
    released: dict[UUID, FundingCommitment] = {}
    for entitlement in entitlements:
        if not entitlement.allows("cancel_entitlement"):
            continue
        commitment = _commitment_of(entitlement, commitments)
        entitlement.cancel(
            commitment=commitment, provenance=with_reason(provenance, f"she {reason}")
        )
        cancelled.append(entitlement)
        if commitment is not None:
            released.setdefault(commitment.id, commitment)
    return [*cancelled, *released.values()]


def aid_settled(entitlements: Iterable[Entitlement]) -> bool:
    """True when every entitlement decreed for her is settled (her case may close)."""
    return all(e.is_settled for e in entitlements)


# --- provenance of the steps a decision causes --------------------------------------------


def with_reason(provenance: Provenance, reason: str) -> Provenance:
    """`provenance`, giving `reason` when it carries none of its own."""
    return Provenance(
        actor=provenance.actor,
        occurred_on=provenance.occurred_on,
        document=provenance.document,
        reason=provenance.reason or reason,
    )


def _commitment_of(
    entitlement: Entitlement, commitments: Mapping[UUID, FundingCommitment]
) -> FundingCommitment | None:
    return None if entitlement.commitment_id is None else commitments[entitlement.commitment_id]
