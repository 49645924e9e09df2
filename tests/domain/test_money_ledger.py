"""The money ledger's aggregates: given events, when a command, then events (or a refusal).

The story is Kaltara's: funds committed in fiscal year 2019 after the Dec 2018 closures, a
decree of Rp 5.500.000 per person, a batch approved by a second supervisor, one transfer that
failed and was re-ordered, one amount returned to the treasury.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar
from uuid import UUID, uuid4

import pytest

from domain.beneficiary_errors import DocumentRequired, GrantNeedsCompletedTraining
from domain.decree import AidComponent, Decree, DecreeLine, Eligibility, PaymentType
from domain.entitlement import Entitlement, PaymentChannel, Recipient
from domain.errors import DocumentKindNotAccepted, DomainError, InvalidValue, TransitionNotAllowed
from domain.funding import FundingCommitment, FundingSource
from domain.money_errors import (
    AccountHolderMismatch,
    ArrivalNotConfirmed,
    BankAccountMissing,
    BatchLineConflict,
    CommitmentExceeded,
    ComponentNotAllowed,
    CourtDecisionRequired,
    EntitlementAlreadyDecreed,
    FourEyesRequired,
    IdentityNotVerified,
    OutsideFiscalYear,
    PaymentAfterExit,
)
from domain.payment_batch import PaymentBatch
from domain.recording import DocumentRef, Provenance
from domain.rules import ProgrammeRules
from domain.sealed import KeyPurpose
from tests.domain.givens import (
    OPERATOR,
    OTHER_SUPERVISOR,
    RULES,
    SUPERVISOR,
    FakeSealer,
    by,
    document,
    given,
    history_of,
    then_event,
    then_events,
    through_the_store,
)

A = TypeVar("A", FundingCommitment, Decree, Entitlement, PaymentBatch)

HER = UUID("00000000-0000-4000-8000-000000000001")
SECOND = UUID("00000000-0000-4000-8000-000000000002")
SITE = UUID("00000000-0000-4000-8000-0000000000aa")
DIPA_ON = date(2018, 12, 5)
DECREED_ON = date(2019, 3, 4)
ALLOCATED_ON = date(2019, 3, 11)
ORDERED_ON = date(2019, 7, 15)
CREDITED_ON = date(2019, 7, 17)
GRANT = 5_500_000
BATCH = UUID("00000000-0000-4000-8000-0000000000bb")
LINE_REF = "B2019-01-00001"
UEP_LINE = DecreeLine(HER, AidComponent.UEP, 1, GRANT)
DECREE_PROVENANCE = by(SUPERVISOR, DECREED_ON, document("decree", "188.45/117/2019", DECREED_ON))
READY = Recipient(
    exited=None,
    arrival_confirmed=True,
    training_completed=True,
    has_bank_account=True,
    account_holder_matches=True,
)
ELIGIBLE = {
    HER: Eligibility(identity_verified=True, in_programme=True),
    SECOND: Eligibility(identity_verified=True, in_programme=True),
}


def refused(command: Callable[[], object], error: type[DomainError]) -> DomainError:
    """Run a command that must be refused with `error`; returns the error."""
    with pytest.raises(error) as raised:
        command()
    return raised.value


def loaded(live: A) -> A:
    """The aggregate its events rebuild after a trip through the store, nothing pending."""
    stored = given(*through_the_store(history_of(live)))
    assert isinstance(stored, type(live))
    return stored


def live_commitment(
    amount: int = 2 * GRANT, provenance: Provenance | None = None
) -> FundingCommitment:
    """A 2019 APBN commitment (the DIPA of December 2018), nothing allocated."""
    return FundingCommitment.commit(
        fiscal_year=2019,
        source=FundingSource.APBN,
        budget_line="DIPA-027.04.1.2019 akun 573111",
        funder="Kementerian Sosial",
        amount=amount,
        provenance=provenance
        or by(SUPERVISOR, DIPA_ON, document("dipa", "DIPA-027/2019", DIPA_ON)),
    )


def sk(
    lines: tuple[DecreeLine, ...] = (UEP_LINE,),
    payment_type: PaymentType = PaymentType.BENEFICIARY_AID,
    eligibility: dict[UUID, Eligibility] = ELIGIBLE,
    court_decision: DocumentRef | None = None,
) -> Decree:
    """The Bupati's decree naming her (and any other lines given)."""
    return Decree.issue(
        authority="Bupati Nunukan",
        number="188.45/117/2019",
        legal_basis="Permensos 9/2018",
        payment_type=payment_type,
        lines=lines,
        eligibility=eligibility,
        court_decision=court_decision,
        provenance=DECREE_PROVENANCE,
    )


def live_entitlement(
    state: str = "PLANNED",
    *,
    funds: FundingCommitment | None = None,
    line: DecreeLine = UEP_LINE,
) -> tuple[Entitlement, FundingCommitment]:
    """An entitlement (and its funds) driven to `state` by the real commands, events pending."""
    funds = funds or live_commitment()
    entitlement = Entitlement.plan(
        decree=sk((line,)), line=line, site_id=SITE, provenance=DECREE_PROVENANCE
    )
    for step in PATHS[state]:
        if step is _allocate:
            entitlement.allocate(commitment=funds, provenance=by(SUPERVISOR, ALLOCATED_ON))
        else:
            step(entitlement)
    return entitlement, funds


def entitlement_in(state: str, **options: object) -> Entitlement:
    """An entitlement in `state`, loaded from the store."""
    live, _ = live_entitlement(state, **options)  # type: ignore[arg-type]
    return loaded(live)


def _allocate(entitlement: Entitlement) -> None:
    raise AssertionError("allocation needs the commitment; live_entitlement does it")


def _order(entitlement: Entitlement) -> None:
    entitlement.order(
        batch_id=BATCH,
        transfer_ref=LINE_REF,
        channel=PaymentChannel.BANK_TRANSFER,
        provenance=by(OTHER_SUPERVISOR, ORDERED_ON),
    )


def _credit(entitlement: Entitlement) -> None:
    entitlement.record_credit(
        transfer_ref=LINE_REF,
        bank_reference="BRI-0717-0001",
        amount=entitlement.amount,
        provenance=by(SUPERVISOR, CREDITED_ON),
    )


def _acknowledge(entitlement: Entitlement) -> None:
    entitlement.acknowledge_receipt(
        provenance=by(OPERATOR, date(2019, 7, 20), document("bast", "BAST/0001", date(2019, 7, 20)))
    )


def _withdraw(entitlement: Entitlement) -> None:
    entitlement.observe_withdrawal(
        bank_reference="RK-0801-0042",
        provenance=by(OPERATOR, date(2019, 8, 1), statement()),
    )


def _fail(entitlement: Entitlement) -> None:
    entitlement.record_failure(
        transfer_ref=LINE_REF, provenance=by(SUPERVISOR, CREDITED_ON, reason="account closed")
    )


def _unclaimed(entitlement: Entitlement) -> None:
    entitlement.mark_unclaimed(provenance=by(SUPERVISOR, date(2019, 11, 30)))


PATHS: dict[str, list[Callable[[Entitlement], None]]] = {
    "PLANNED": [],
    "ALLOCATED": [_allocate],
    "ORDERED": [_allocate, _order],
    "CREDITED": [_allocate, _order, _credit],
    "ACKNOWLEDGED": [_allocate, _order, _credit, _acknowledge],
    "USED": [_allocate, _order, _credit, _acknowledge, _withdraw],
    "FAILED": [_allocate, _order, _fail],
    "UNCLAIMED": [_allocate, _order, _credit, _unclaimed],
}


def statement() -> DocumentRef:
    return document("bank_statement", "RK/2019-08", date(2019, 8, 2), "BRI Cabang Nunukan")


# --- funding commitments --------------------------------------------------------------------------


def test_funds_are_committed_per_fiscal_year_and_budget_line_on_the_dipa() -> None:
    funds = live_commitment()

    assert then_events(funds) == ["FundsCommitted"]
    committed = then_event(funds, FundingCommitment.FundsCommitted)
    assert (committed.fiscal_year, committed.source, committed.amount) == (2019, "apbn", 2 * GRANT)
    assert funds.id == FundingCommitment.create_id(2019, FundingSource.APBN, committed.budget_line)


def test_a_commitment_on_a_document_other_than_a_dipa_or_dpa_is_refused() -> None:
    on_a_letter = by(SUPERVISOR, DIPA_ON, document("surat", "S/1", DIPA_ON))
    error = refused(lambda: live_commitment(provenance=on_a_letter), DocumentKindNotAccepted)
    assert error.field == "document.kind"


def test_a_commitment_needs_its_dipa_and_a_positive_amount() -> None:
    without_dipa = by(SUPERVISOR, DIPA_ON)
    refused(
        lambda: FundingCommitment.commit(
            fiscal_year=2019,
            source=FundingSource.APBD,
            budget_line="DPA 1.06.01",
            funder="Pemkab Nunukan",
            amount=GRANT,
            provenance=without_dipa,
        ),
        DocumentRequired,
    )
    error = refused(lambda: live_commitment(amount=0), InvalidValue)
    assert error.field == "amount"


def test_an_allocation_is_recorded_on_the_commitment_and_the_entitlement_together() -> None:
    entitlement, funds = entitlement_in("PLANNED"), loaded(live_commitment())

    entitlement.allocate(commitment=funds, provenance=by(SUPERVISOR, ALLOCATED_ON))

    assert then_events(funds) == ["AllocationRecorded"]
    assert then_events(entitlement) == ["FundsAllocated"]
    allocation = then_event(entitlement, Entitlement.FundsAllocated)
    assert (allocation.commitment_id, allocation.fiscal_year, allocation.amount) == (
        funds.id,
        2019,
        GRANT,
    )
    assert (funds.allocated, funds.available) == (GRANT, GRANT)


def test_allocations_never_exceed_the_commitment() -> None:
    funds = loaded(live_commitment(amount=GRANT + 1))
    first, _ = live_entitlement("PLANNED")
    second, _ = live_entitlement("PLANNED", line=DecreeLine(SECOND, AidComponent.UEP, 1, GRANT))
    first = loaded(first)
    first.allocate(commitment=funds, provenance=by(SUPERVISOR, ALLOCATED_ON))

    error = refused(
        lambda: loaded(second).allocate(commitment=funds, provenance=by(SUPERVISOR, ALLOCATED_ON)),
        CommitmentExceeded,
    )
    assert error.field == "amount"
    assert then_events(funds) == ["AllocationRecorded"]


def test_the_allocated_total_follows_every_allocation_change_and_replay() -> None:
    # The total is kept as allocations change (summing them on every check was quadratic
    # for a 40,000-line allocation); it must agree with the allocations themselves.
    funds = live_commitment()
    on = by(SUPERVISOR, ALLOCATED_ON)
    first, second = uuid4(), uuid4()

    funds.allocate(entitlement_id=first, amount=GRANT, provenance=on)
    funds.allocate(entitlement_id=second, amount=1_000_000, provenance=on)
    funds.allocate(entitlement_id=first, amount=2_000_000, provenance=on)
    funds.release(entitlement_id=second, lapsed=False, provenance=on)

    assert funds.allocated == 2_000_000 == sum(funds.allocations.values())
    assert funds.available == 2 * GRANT - 2_000_000
    replayed = loaded(funds)
    assert (replayed.allocated, replayed.allocations) == (2_000_000, {first: 2_000_000})


def test_money_is_allocated_only_within_the_commitments_fiscal_year() -> None:
    entitlement, funds = entitlement_in("PLANNED"), loaded(live_commitment())

    refused(
        lambda: entitlement.allocate(commitment=funds, provenance=by(SUPERVISOR, date(2020, 1, 2))),
        OutsideFiscalYear,
    )
    assert then_events(entitlement) == [] and then_events(funds) == []


def test_closing_the_fiscal_year_lapses_what_was_not_spent() -> None:
    entitlement, funds = live_entitlement("ALLOCATED")
    entitlement, funds = loaded(entitlement), loaded(funds)
    year_end = by(SUPERVISOR, date(2019, 12, 31))

    entitlement.lapse(commitment=funds, provenance=year_end)
    lapsed = funds.close_fiscal_year(provenance=year_end)

    assert then_events(entitlement) == ["AllocationLapsed"]
    assert then_events(funds) == ["AllocationReleased", "FiscalYearClosed"]
    assert lapsed == 2 * GRANT == funds.lapsed_amount
    assert entitlement.state == "LAPSED" and funds.state == "CLOSED"


def test_the_fiscal_year_closes_on_31_december_not_before() -> None:
    funds = loaded(live_commitment())
    refused(
        lambda: funds.close_fiscal_year(provenance=by(SUPERVISOR, date(2019, 12, 30))),
        OutsideFiscalYear,
    )


def test_lapsed_money_is_rebudgeted_from_a_later_year_with_the_link_kept() -> None:
    live, funds = live_entitlement("ALLOCATED")
    live.lapse(commitment=funds, provenance=by(SUPERVISOR, date(2019, 12, 31)))
    entitlement = loaded(live)
    next_year = FundingCommitment.commit(
        fiscal_year=2020,
        source=FundingSource.APBN,
        budget_line="DIPA-027.04.1.2020 akun 573111",
        funder="Kementerian Sosial",
        amount=GRANT,
        rebudgeted_from=funds.id,
        provenance=by(SUPERVISOR, date(2020, 1, 6), document("dipa", "DIPA-027/2020", DIPA_ON)),
    )

    entitlement.allocate(commitment=next_year, provenance=by(SUPERVISOR, date(2020, 2, 3)))

    assert next_year.pending_events[0].rebudgeted_from == funds.id  # type: ignore[attr-defined]
    assert then_event(entitlement, Entitlement.FundsAllocated).fiscal_year == 2020
    assert entitlement.state == "ALLOCATED"


# --- decrees --------------------------------------------------------------------------------------


def test_a_decree_plans_one_entitlement_per_component_with_the_decreed_amount() -> None:
    jadup = DecreeLine(HER, AidComponent.JADUP, 2, 600_000)
    decree = sk((UEP_LINE, jadup))

    assert then_events(decree) == ["DecreeIssued"]
    entitlement = Entitlement.plan(
        decree=decree, line=jadup, site_id=SITE, provenance=DECREE_PROVENANCE
    )
    planned = then_event(entitlement, Entitlement.EntitlementPlanned)
    assert (planned.amount, planned.tranche, planned.requires_arrival) == (600_000, 2, True)
    assert planned.decree_number == "188.45/117/2019"
    assert set(decree.lines) == {UEP_LINE.entitlement_id, jadup.entitlement_id}


def test_a_decree_names_only_people_whose_identity_was_verified() -> None:
    unverified = {HER: Eligibility(identity_verified=False, in_programme=True)}
    error = refused(lambda: sk(eligibility=unverified), IdentityNotVerified)
    assert error.field == "lines.subject_id"
    refused(lambda: sk(eligibility={}), IdentityNotVerified)
    left = {HER: Eligibility(identity_verified=True, in_programme=False)}
    refused(lambda: sk(eligibility=left), IdentityNotVerified)


def test_a_component_is_decreed_at_most_once_per_person_and_tranche() -> None:
    refused(lambda: sk((UEP_LINE, replace(UEP_LINE, amount=3_000_000))), EntitlementAlreadyDecreed)
    decree = loaded(sk())
    refused(
        lambda: decree.amend(
            amendment_number="188.45/201/2019",
            added=(UEP_LINE,),
            changed=(),
            removed=(),
            eligibility=ELIGIBLE,
            provenance=DECREE_PROVENANCE,
        ),
        EntitlementAlreadyDecreed,
    )


def test_compensation_to_owners_needs_a_court_decision_and_its_own_component() -> None:
    payee = FakeSealer(SECOND).seal(KeyPurpose.IDENTITY, "payee_name", "Pemilik Bangunan")
    owner_line = DecreeLine(SECOND, AidComponent.COMPENSATION, 1, 10_000_000, payee)

    refused(lambda: sk((owner_line,), PaymentType.COMPENSATION), CourtDecisionRequired)
    court = document("court_decision", "12/Pdt.G/2019/PN Nnk", DECREED_ON, "PN Nunukan")
    decree = sk((owner_line,), PaymentType.COMPENSATION, court_decision=court)
    assert then_event(decree, Decree.DecreeIssued).court_decision == court
    # Worker aid and compensation never mix (A21).
    refused(lambda: sk((owner_line,)), ComponentNotAllowed)
    refused(
        lambda: sk((UEP_LINE,), PaymentType.COMPENSATION, court_decision=court),
        ComponentNotAllowed,
    )


def test_an_amendment_is_a_new_event_and_changes_the_planned_amount() -> None:
    decree = loaded(sk())
    entitlement = entitlement_in("PLANNED")
    changed = replace(UEP_LINE, amount=5_000_000)

    decree.amend(
        amendment_number="188.45/201/2019",
        added=(),
        changed=(changed,),
        removed=(),
        eligibility=ELIGIBLE,
        provenance=DECREE_PROVENANCE,
    )
    entitlement.amend_amount(
        amendment_number="188.45/201/2019",
        amount=5_000_000,
        commitment=None,
        provenance=DECREE_PROVENANCE,
    )

    assert then_events(decree) == ["DecreeAmended"]
    assert then_event(entitlement, Entitlement.EntitlementAmended).previous_amount == GRANT
    assert entitlement.amount == 5_000_000


def test_an_ordered_entitlement_cannot_be_amended() -> None:
    entitlement = entitlement_in("ORDERED")
    refused(
        lambda: entitlement.amend_amount(
            amendment_number="188.45/201/2019",
            amount=1,
            commitment=None,
            provenance=DECREE_PROVENANCE,
        ),
        TransitionNotAllowed,
    )


# --- ordering guards (G-B4, G-B6, G-B9) -----------------------------------------------------------


def check(entitlement: Entitlement, recipient: Recipient, rules: ProgrammeRules = RULES) -> None:
    funds = loaded(live_commitment())
    entitlement.check_orderable(
        recipient=recipient,
        rules=rules,
        commitment=funds,
        order_date=ORDERED_ON,
        channel=PaymentChannel.BANK_TRANSFER,
    )


def test_nothing_is_ordered_after_her_death_or_withdrawal() -> None:
    entitlement = entitlement_in("ALLOCATED")
    error = refused(lambda: check(entitlement, replace(READY, exited="DECEASED")), PaymentAfterExit)
    assert "DECEASED" in error.message


def test_living_allowance_waits_for_her_arrival_or_local_stay() -> None:
    jadup = DecreeLine(HER, AidComponent.JADUP, 1, 600_000)
    entitlement = entitlement_in("ALLOCATED", line=jadup)
    refused(
        lambda: check(entitlement, replace(READY, arrival_confirmed=False)), ArrivalNotConfirmed
    )
    check(entitlement, READY)


def test_business_capital_needs_completed_training_unless_drop_outs_keep_it() -> None:
    entitlement = entitlement_in("ALLOCATED")
    dropped_out = replace(READY, training_completed=False)
    refused(lambda: check(entitlement, dropped_out), GrantNeedsCompletedTraining)
    check(entitlement, dropped_out, ProgrammeRules(dropout_keeps_grant=True))


def test_a_transfer_goes_only_to_an_account_in_her_own_name() -> None:
    entitlement = entitlement_in("ALLOCATED")
    refused(lambda: check(entitlement, replace(READY, has_bank_account=False)), BankAccountMissing)
    refused(
        lambda: check(entitlement, replace(READY, account_holder_matches=False)),
        AccountHolderMismatch,
    )


def test_an_order_outside_the_allocations_fiscal_year_is_refused() -> None:
    entitlement = entitlement_in("ALLOCATED")
    funds = loaded(live_commitment())
    refused(
        lambda: entitlement.check_orderable(
            recipient=READY,
            rules=RULES,
            commitment=funds,
            order_date=date(2020, 1, 3),
            channel=PaymentChannel.BANK_TRANSFER,
        ),
        OutsideFiscalYear,
    )


# --- the bank's answer ----------------------------------------------------------------------------


def test_a_credit_is_recorded_once_and_a_repeat_of_the_same_line_changes_nothing() -> None:
    entitlement = entitlement_in("CREDITED")

    again = entitlement.record_credit(
        transfer_ref=LINE_REF,
        bank_reference="BRI-0717-0001",
        amount=GRANT,
        provenance=by(SUPERVISOR, CREDITED_ON),
    )

    assert again is False and then_events(entitlement) == []


def test_a_second_different_credit_of_the_same_component_is_refused() -> None:
    entitlement = entitlement_in("CREDITED")
    refused(
        lambda: entitlement.record_credit(
            transfer_ref=LINE_REF,
            bank_reference="BRI-0718-9999",
            amount=GRANT,
            provenance=by(SUPERVISOR, CREDITED_ON),
        ),
        TransitionNotAllowed,
    )


def test_the_bank_must_credit_exactly_the_ordered_amount() -> None:
    entitlement = entitlement_in("ORDERED")
    error = refused(
        lambda: entitlement.record_credit(
            transfer_ref=LINE_REF,
            bank_reference="BRI-0717-0001",
            amount=GRANT - 6_500,
            provenance=by(SUPERVISOR, CREDITED_ON),
        ),
        BatchLineConflict,
    )
    assert error.field == "amount"


def test_a_failed_transfer_is_reordered_in_a_new_batch_and_then_credited() -> None:
    entitlement = entitlement_in("FAILED")
    assert entitlement.state == "FAILED"
    new_batch = UUID("00000000-0000-4000-8000-0000000000cc")

    entitlement.order(
        batch_id=new_batch,
        transfer_ref="B2019-02-00001",
        channel=PaymentChannel.BANK_TRANSFER,
        provenance=by(OTHER_SUPERVISOR, date(2019, 8, 5)),
    )
    entitlement.record_credit(
        transfer_ref="B2019-02-00001",
        bank_reference="BRI-0807-0003",
        amount=GRANT,
        provenance=by(SUPERVISOR, date(2019, 8, 7)),
    )

    assert then_events(entitlement) == ["PaymentOrdered", "CreditedToAccount"]
    assert then_event(entitlement, Entitlement.CreditedToAccount).batch_id == new_batch


def test_a_failure_needs_the_banks_reason() -> None:
    entitlement = entitlement_in("ORDERED")
    refused(
        lambda: entitlement.record_failure(
            transfer_ref=LINE_REF, provenance=by(SUPERVISOR, CREDITED_ON)
        ),
        DomainError,
    )


def test_unclaimed_money_goes_back_to_the_treasury_with_a_reference() -> None:
    entitlement = entitlement_in("UNCLAIMED")
    deposit = document("bukti_setor", "NTPN 0A1B2C3D4E5F6G7H", date(2019, 12, 10), "Kas Negara")

    entitlement.return_funds(
        treasury_reference="NTPN 0A1B2C3D4E5F6G7H",
        provenance=by(SUPERVISOR, date(2019, 12, 10), deposit),
    )

    returned = then_event(entitlement, Entitlement.FundsReturned)
    assert (returned.amount, entitlement.state) == (GRANT, "RETURNED")
    assert entitlement.is_settled


def test_receipt_and_withdrawal_settle_the_entitlement() -> None:
    entitlement = entitlement_in("USED")
    assert entitlement.state == "USED" and entitlement.is_settled
    credited = entitlement_in("CREDITED")
    refused(
        lambda: credited.acknowledge_receipt(provenance=by(OPERATOR, date(2019, 7, 20))),
        DocumentRequired,
    )


def test_cancelling_releases_the_allocation_in_the_same_save() -> None:
    entitlement, funds = live_entitlement("ALLOCATED")
    entitlement, funds = loaded(entitlement), loaded(funds)

    entitlement.cancel(commitment=funds, provenance=by(SUPERVISOR, date(2019, 5, 2), reason="died"))

    assert then_events(entitlement) == ["EntitlementCancelled"]
    assert then_events(funds) == ["AllocationReleased"]
    assert funds.available == 2 * GRANT


# --- payment batches ------------------------------------------------------------------------------


def batch() -> PaymentBatch:
    return PaymentBatch.prepare(
        batch_number="B2019-01",
        channel=PaymentChannel.BANK_TRANSFER,
        entitlements=[(UEP_LINE.entitlement_id, GRANT)],
        provenance=by(SUPERVISOR, ORDERED_ON),
    )


def test_a_batch_is_approved_only_by_a_second_supervisor() -> None:
    prepared = loaded(batch())
    refused(lambda: prepared.approve(provenance=by(SUPERVISOR, ORDERED_ON)), FourEyesRequired)

    prepared.approve(provenance=by(OTHER_SUPERVISOR, ORDERED_ON))

    assert then_events(prepared) == ["BatchApproved"] and prepared.state == "APPROVED"


def test_a_batch_names_each_entitlement_once_with_numbered_transfer_references() -> None:
    created = then_event(batch(), PaymentBatch.BatchCreated)
    assert [line.transfer_ref for line in created.lines] == ["B2019-01-00001"]
    assert created.total == GRANT
    refused(
        lambda: PaymentBatch.prepare(
            batch_number="B2019-01",
            channel=PaymentChannel.BANK_TRANSFER,
            entitlements=[(HER, GRANT), (HER, GRANT)],
            provenance=by(SUPERVISOR, ORDERED_ON),
        ),
        InvalidValue,
    )


def test_only_a_bank_transfer_batch_has_lines_to_transfer() -> None:
    assert [line.transfer_ref for line in batch().lines_to_transfer()] == ["B2019-01-00001"]
    cash = PaymentBatch.prepare(
        batch_number="B2019-02",
        channel=PaymentChannel.POST_OFFICE,
        entitlements=[(UEP_LINE.entitlement_id, GRANT)],
        provenance=by(SUPERVISOR, ORDERED_ON),
    )

    error = refused(cash.lines_to_transfer, InvalidValue)

    assert error.field == "channel"


def test_a_bank_result_naming_a_line_of_another_batch_is_refused() -> None:
    prepared = batch()

    assert prepared.line_for("B2019-01-00001").entitlement_id == UEP_LINE.entitlement_id
    error = refused(lambda: prepared.line_for("B2019-02-00001"), BatchLineConflict)

    assert error.field == "transfer_ref"


def test_the_same_result_file_is_recognised_and_the_last_line_settles_the_batch() -> None:
    prepared = batch()
    prepared.approve(provenance=by(OTHER_SUPERVISOR, ORDERED_ON))
    prepared.record_export(file_sha256="a" * 64, provenance=by(SUPERVISOR, ORDERED_ON))
    sent = loaded(prepared)

    sent.record_result(
        file_sha256="b" * 64,
        credited=["B2019-01-00001"],
        failed=[],
        unchanged=0,
        provenance=by(SUPERVISOR, CREDITED_ON),
    )

    assert then_events(sent) == ["BankResultImported", "BatchSettled"]
    assert sent.has_imported("b" * 64) and sent.state == "SETTLED"
