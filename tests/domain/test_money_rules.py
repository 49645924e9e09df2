"""The money decisions that span aggregates (`domain.money_rules`): given the loaded
aggregates, when the domain service decides, then the aggregates' new events (or a refusal).

The entitlements and commitments are those of the money ledger's story (test_money_ledger);
her case is Siti's (givens).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import money_rules
from domain.beneficiary import Beneficiary
from domain.decree import AidComponent, DecreeLine, Eligibility, PaymentType
from domain.entitlement import Entitlement, PaymentChannel
from domain.errors import InvalidValue
from domain.funding import FundingCommitment
from domain.money_errors import (
    AccountChangeWhileOrdered,
    BankAccountShared,
    EntitlementAlreadyDecreed,
    EntitlementNotReady,
    PaymentAfterExit,
)
from domain.payment_batch import PaymentBatch
from domain.sealed import KeyPurpose
from tests.domain.givens import (
    OPERATOR,
    OTHER_SUPERVISOR,
    RULES,
    SUPERVISOR,
    FakeSealer,
    by,
    death_certificate,
    document,
    given_beneficiary,
    history_of,
    live_beneficiary,
    record_account,
    then_events,
)
from tests.domain.test_money_ledger import (
    DECREE_PROVENANCE,
    DECREED_ON,
    GRANT,
    HER,
    ORDERED_ON,
    SECOND,
    UEP_LINE,
    live_commitment,
    live_entitlement,
    loaded,
    sk,
)

LEFT_ON = date(2019, 7, 22)


def her_case(state: str = "RETURNED", *, with_account: bool = True) -> Beneficiary:
    """Siti's case in `state`, with her own account on record, as loaded from the store."""
    live = live_beneficiary(state)
    if with_account:
        record_account(live)
    return given_beneficiary(*history_of(live))


def funded() -> tuple[Entitlement, FundingCommitment]:
    """Her business capital, allocated from the 2019 commitment, both as loaded."""
    entitlement, funds = live_entitlement("ALLOCATED")
    return loaded(entitlement), loaded(funds)


def prepared_batch(amount: int = GRANT) -> PaymentBatch:
    """A draft batch of her business capital, approved by a second supervisor."""
    batch = PaymentBatch.prepare(
        batch_number="B2019-01",
        channel=PaymentChannel.BANK_TRANSFER,
        entitlements=[(UEP_LINE.entitlement_id, amount)],
        provenance=by(SUPERVISOR, ORDERED_ON),
    )
    batch.approve(provenance=by(OTHER_SUPERVISOR, ORDERED_ON))
    return batch


# --- ordering -----------------------------------------------------------------------------


def test_an_approved_batch_orders_each_line_at_its_transfer_reference() -> None:
    entitlement, funds = funded()
    batch = prepared_batch()
    (line,) = batch.lines.values()

    money_rules.order_line(
        batch,
        line,
        entitlement,
        her_case(),
        funds,
        rules=RULES,
        provenance=by(OTHER_SUPERVISOR, ORDERED_ON),
    )

    assert then_events(entitlement) == ["PaymentOrdered"]
    assert entitlement.transfer_ref == line.transfer_ref and entitlement.at_the_bank


def test_a_line_cannot_be_ordered_once_its_amount_changed_since_the_batch_was_prepared() -> None:
    entitlement, funds = funded()
    batch = prepared_batch(amount=GRANT - 1)
    (line,) = batch.lines.values()

    with pytest.raises(EntitlementNotReady, match="amount changed"):
        money_rules.order_line(
            batch,
            line,
            entitlement,
            her_case(),
            funds,
            rules=RULES,
            provenance=by(OTHER_SUPERVISOR, ORDERED_ON),
        )
    assert then_events(entitlement) == []


def test_only_a_funded_or_failed_entitlement_can_be_ordered() -> None:
    planned, _ = live_entitlement("PLANNED")

    with pytest.raises(EntitlementNotReady, match="PLANNED"):
        money_rules.check_orderable(
            loaded(planned),
            her_case(),
            None,
            rules=RULES,
            order_date=ORDERED_ON,
            channel=PaymentChannel.BANK_TRANSFER,
        )


def test_nothing_is_ordered_for_a_case_that_ended_in_death() -> None:
    entitlement, funds = funded()
    deceased = live_beneficiary("DECEASED")

    with pytest.raises(PaymentAfterExit, match="DECEASED"):
        money_rules.check_orderable(
            entitlement,
            given_beneficiary(*history_of(deceased)),
            funds,
            rules=RULES,
            order_date=ORDERED_ON,
            channel=PaymentChannel.BANK_TRANSFER,
        )


def test_a_compensation_payee_is_paid_by_post_without_a_case_of_her_own() -> None:
    payee = FakeSealer(SECOND).seal(KeyPurpose.IDENTITY, "payee_name", "Pemilik Bangunan")
    line = DecreeLine(SECOND, AidComponent.COMPENSATION, 1, GRANT, payee)
    court = document("court_decision", "12/Pdt.G/2019/PN Nnk", DECREED_ON, "PN Nunukan")
    decree = sk((line,), PaymentType.COMPENSATION, {}, court)
    entitlement = Entitlement.plan(
        decree=decree, line=line, site_id=None, provenance=DECREE_PROVENANCE
    )

    recipient = money_rules.recipient(entitlement, None)

    assert not money_rules.names_a_case(entitlement)
    assert recipient.exited is None and recipient.arrival_confirmed
    assert not recipient.has_bank_account


# --- her bank account ---------------------------------------------------------------------


def test_her_account_cannot_change_while_a_transfer_to_it_is_at_the_bank() -> None:
    ordered, _ = live_entitlement("ORDERED")

    with pytest.raises(AccountChangeWhileOrdered):
        money_rules.check_account_change(her_case(), [loaded(ordered)])


def test_her_account_may_change_once_the_bank_has_answered() -> None:
    failed, _ = live_entitlement("FAILED")

    money_rules.check_account_change(her_case(), [loaded(failed)])


def test_her_first_account_is_recorded_whatever_her_entitlements() -> None:
    ordered, _ = live_entitlement("ORDERED")

    money_rules.check_account_change(her_case(with_account=False), [loaded(ordered)])


def test_an_account_another_case_holds_is_refused() -> None:
    with pytest.raises(BankAccountShared):
        money_rules.refuse_shared_account(True)
    money_rules.refuse_shared_account(False)


def test_the_holders_name_matches_hers_in_capitals_and_without_punctuation() -> None:
    assert money_rules.same_holder_name("Siti Rahmawati", "SITI RAHMAWATI")
    assert money_rules.same_holder_name("Siti Nur'aini", "SITI NUR AINI")
    assert not money_rules.same_holder_name("Siti Rahmawati", "SITI RAHMAWATI BINTI AHMAD")
    assert not money_rules.same_holder_name("", "")


# --- her exit and her closure -------------------------------------------------------------


def test_on_her_death_what_was_not_yet_ordered_is_cancelled_and_its_funds_released() -> None:
    allocated, funds = funded()
    ordered, _ = live_entitlement("ORDERED")
    case = her_case("VERIFIED", with_account=False)
    case.record_death(provenance=by(OPERATOR, LEFT_ON, death_certificate(LEFT_ON)))

    changed = money_rules.cancel_on_exit(
        case, [allocated, loaded(ordered)], {funds.id: funds}, by(OPERATOR, LEFT_ON)
    )

    assert changed == [allocated, funds]
    assert then_events(allocated) == ["EntitlementCancelled"]
    assert then_events(funds) == ["AllocationReleased"]
    assert allocated.pending_events[-1].reason == "she died"  # type: ignore[attr-defined]


def test_nothing_is_cancelled_while_her_case_goes_on() -> None:
    allocated, funds = funded()

    changed = money_rules.cancel_on_exit(
        her_case(), [allocated], {funds.id: funds}, by(OPERATOR, LEFT_ON)
    )

    assert changed == [] and then_events(allocated) == []


def test_her_case_closes_only_when_every_entitlement_is_settled() -> None:
    used, _ = live_entitlement("USED")
    credited, _ = live_entitlement("CREDITED")

    assert money_rules.aid_settled([used])
    assert not money_rules.aid_settled([used, credited])
    assert money_rules.aid_settled([])


# --- funding ------------------------------------------------------------------------------


def test_closing_the_fiscal_year_lapses_only_what_was_funded_and_not_ordered() -> None:
    funds = live_commitment()
    allocated, _ = live_entitlement("ALLOCATED", funds=funds)
    funds, allocated = loaded(funds), loaded(allocated)
    year_end = by(SUPERVISOR, date(2019, 12, 31))

    lapsed = money_rules.close_fiscal_year(funds, [allocated], year_end)

    assert lapsed == [allocated] and allocated.state == "LAPSED"
    assert then_events(funds)[-1] == "FiscalYearClosed"


def test_funds_are_rebudgeted_only_into_a_later_fiscal_year() -> None:
    earlier = loaded(live_commitment())

    with pytest.raises(InvalidValue, match="later fiscal year"):
        money_rules.check_rebudgeting(earlier, 2019)
    money_rules.check_rebudgeting(earlier, 2020)


def test_an_allocation_names_each_entitlement_once() -> None:
    with pytest.raises(InvalidValue, match="at least one"):
        money_rules.check_allocation_request([])
    with pytest.raises(InvalidValue, match="twice"):
        money_rules.check_allocation_request([HER, HER])


# --- decrees ------------------------------------------------------------------------------


def test_a_line_already_decreed_is_refused_and_amended_instead() -> None:
    with pytest.raises(EntitlementAlreadyDecreed):
        money_rules.refuse_decreed_twice([UEP_LINE], {UEP_LINE.entitlement_id})
    money_rules.refuse_decreed_twice([UEP_LINE], set())


def test_a_decree_plans_one_entitlement_per_line_and_notes_them_in_her_case() -> None:
    case = her_case("VERIFIED", with_account=False)
    line = DecreeLine(case.id, AidComponent.UEP, 1, GRANT)
    decree = sk((line,), eligibility={case.id: Eligibility(True, True)})

    planned = money_rules.plan(decree, [line], {case.id: case}, DECREE_PROVENANCE)

    assert [e.id for e in planned] == [line.entitlement_id]
    assert planned[0].site_id == case.site_id
    assert then_events(case) == ["AidDecreed"]
    assert case.entitlement_ids == (line.entitlement_id,)


def test_a_decree_sees_whether_each_named_person_is_verified_and_still_in_the_programme() -> None:
    verified = her_case("VERIFIED", with_account=False)

    seen = money_rules.eligibility({verified.id: verified})

    assert seen == {verified.id: Eligibility(identity_verified=True, in_programme=True)}


def test_a_removed_line_is_cancelled_with_the_amendment_as_its_reason() -> None:
    allocated, funds = funded()

    money_rules.remove_lines(
        "188.45/201/2019", [allocated], {funds.id: funds}, by(SUPERVISOR, date(2019, 5, 2))
    )

    assert then_events(allocated) == ["EntitlementCancelled"]
    assert allocated.pending_events[-1].reason == "removed by 188.45/201/2019"  # type: ignore[attr-defined]
    assert funds.available == 2 * GRANT
