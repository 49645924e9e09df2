"""Retention, legal holds and destruction: given events, when a command, then events (or a
refusal).

The story: the identity minimum kept as payment evidence is kept 10 years after her last
payment by default; the Dinsos sets it by its JRA decree. A woman paid in 2019 is due in 2029;
an investigation letter holds another; the DPO proposes the destruction of what is due, and a
second supervisor approves it, never the one who proposed it.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import DocumentKindNotAccepted, InvalidValue, TransitionNotAllowed
from domain.privacy.categories import CountedFrom, RetentionCategory
from domain.privacy.destruction import (
    NOT_DUE,
    Destruction,
    DestructionItem,
    LegalHoldBlocks,
    NotDue,
    NothingDue,
    SamePersonApproves,
)
from domain.privacy.legal_hold import HoldKind, LegalHold
from domain.privacy.retention import RetentionBelowFloor, RetentionPolicy
from domain.recording import Actor, Role
from tests.domain.givens import (
    OTHER_SUPERVISOR,
    SUPERVISOR,
    by,
    document,
    given,
    history_of,
    then_event,
    then_events,
    through_the_store,
)

DPO = Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara")
JRA = document("decree", "188.45/JRA/2026", date(2026, 1, 5), "Gubernur Kalimantan Utara")
SET_ON = date(2026, 2, 1)
HER = UUID("00000000-0000-4000-8000-000000000001")
OTHER = UUID("00000000-0000-4000-8000-000000000002")
DUE_ON = date(2030, 1, 2)
# A proposal and each decision on it rest on a memo (nota dinas).
MEMO = document("nota_dinas", "12/ND/PDP/I/2030", DUE_ON, "Dinsos Provinsi Kalimantan Utara")
IDENTITY = RetentionCategory.IDENTITY_MINIMUM
CASE_FILE = RetentionCategory.CASE_FILE


def item(
    who: UUID, category: RetentionCategory = IDENTITY, number: str = "TRK-001"
) -> DestructionItem:
    return DestructionItem(who, number, category.value, date(2029, 7, 8))


DUE = (item(HER), item(OTHER, number="TRK-002"))


# --- retention periods ------------------------------------------------------------------------


def test_a_period_is_set_on_the_jra_with_a_reason() -> None:
    policy = RetentionPolicy.set_first(
        category=IDENTITY,
        years=10,
        counted_from=CountedFrom.LAST_PAYMENT,
        provenance=by(SUPERVISOR, SET_ON, JRA, "JRA keuangan Pemprov"),
    )
    recorded = then_event(policy, RetentionPolicy.RetentionPeriodSet)
    assert (recorded.category, recorded.years, recorded.counted_from) == (
        "identity_minimum",
        10,
        "last_payment",
    )
    assert policy.id == RetentionPolicy.create_id(IDENTITY)


def test_a_changed_period_keeps_the_one_it_replaces() -> None:
    policy = given(
        *history_of(
            RetentionPolicy.set_first(
                category=CASE_FILE,
                years=5,
                counted_from=CountedFrom.CASE_ENDED,
                provenance=by(DPO, SET_ON, JRA, "saran PPDP"),
            )
        )
    )
    assert isinstance(policy, RetentionPolicy)
    policy.change(
        years=3,
        counted_from=CountedFrom.CASE_ENDED,
        provenance=by(SUPERVISOR, SET_ON, JRA, "JRA baru"),
    )
    changed = then_event(policy, RetentionPolicy.RetentionPeriodChanged)
    assert (changed.years, changed.previous_years) == (3, 5)
    assert through_the_store([changed])[0].previous_years == 5


def test_the_identity_minimum_is_never_kept_less_than_the_loss_claim_limit() -> None:
    with pytest.raises(RetentionBelowFloor) as refused:
        RetentionPolicy.set_first(
            category=IDENTITY,
            years=7,
            counted_from=CountedFrom.LAST_PAYMENT,
            provenance=by(SUPERVISOR, SET_ON, JRA, "terlalu singkat"),
        )
    assert refused.value.code == "RETENTION_BELOW_FLOOR"


@pytest.mark.parametrize(
    ("paper", "reason", "years", "error"),
    [
        (None, "alasan", 10, DocumentRequired),
        (document("surat", "1", SET_ON), "alasan", 10, DocumentKindNotAccepted),
        (JRA, None, 10, ReasonRequired),
        (JRA, "alasan", 0, InvalidValue),
        (JRA, "alasan", 101, InvalidValue),
    ],
)
def test_a_period_rests_on_a_decree_a_reason_and_whole_years(
    paper: object, reason: str | None, years: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        RetentionPolicy.set_first(
            category=CASE_FILE,
            years=years,
            counted_from=CountedFrom.CASE_ENDED,
            provenance=by(SUPERVISOR, SET_ON, paper, reason),  # type: ignore[arg-type]
        )


# --- legal holds --------------------------------------------------------------------------------

LETTER = document("surat", "B/123/V/2026/Reskrim", date(2026, 5, 2), "Polda Kalimantan Utara")


def test_a_hold_is_placed_on_named_people_and_lifted_on_paper() -> None:
    hold = LegalHold.place(
        hold_id=UUID(int=7),
        kind=HoldKind.INVESTIGATION,
        beneficiary_ids=[HER, HER],
        provenance=by(DPO, date(2026, 5, 3), LETTER, "penyelidikan penyaluran bansos"),
    )
    assert then_event(hold, LegalHold.LegalHoldPlaced).beneficiary_ids == (HER,)
    hold = given(*history_of(hold))  # type: ignore[assignment]
    hold.lift(provenance=by(SUPERVISOR, date(2027, 1, 4), LETTER))
    assert then_events(hold) == ["LegalHoldLifted"]
    assert hold.state == "LIFTED"
    with pytest.raises(TransitionNotAllowed):
        hold.lift(provenance=by(SUPERVISOR, date(2027, 1, 5), LETTER))


def test_a_hold_needs_the_paper_that_opens_the_matter_and_someone_to_hold() -> None:
    with pytest.raises(DocumentRequired):
        LegalHold.place(
            hold_id=UUID(int=7),
            kind=HoldKind.LITIGATION,
            beneficiary_ids=[HER],
            provenance=by(DPO, date(2026, 5, 3), None, "gugatan"),
        )
    with pytest.raises(InvalidValue):
        LegalHold.place(
            hold_id=UUID(int=7),
            kind=HoldKind.LITIGATION,
            beneficiary_ids=[],
            provenance=by(DPO, date(2026, 5, 3), LETTER, "gugatan"),
        )


# --- destruction: four eyes ---------------------------------------------------------------------


def proposed(by_actor: Actor = DPO) -> Destruction:
    destruction = Destruction.propose(
        destruction_id=UUID(int=9), due=DUE, held={}, provenance=by(by_actor, DUE_ON, MEMO)
    )
    restored = given(*history_of(destruction))
    assert isinstance(restored, Destruction)
    return restored


def test_what_is_due_and_not_held_is_proposed() -> None:
    destruction = Destruction.propose(
        destruction_id=UUID(int=9),
        due=DUE,
        held={OTHER: ("investigation B/123",)},
        provenance=by(DPO, DUE_ON, MEMO),
    )
    event = then_event(destruction, Destruction.DestructionProposed)
    assert [i.beneficiary_id for i in event.items] == [HER]
    assert event.number == "PMS-2030-00000000"
    assert through_the_store([event])[0].items[0] == item(HER)


def test_a_held_person_named_in_a_proposal_is_refused() -> None:
    with pytest.raises(LegalHoldBlocks) as refused:
        Destruction.propose(
            destruction_id=UUID(int=9),
            due=DUE,
            held={HER: ("audit_finding 23.B",)},
            chosen=[(HER, IDENTITY)],
            provenance=by(DPO, DUE_ON, MEMO),
        )
    assert refused.value.code == "LEGAL_HOLD"


def test_what_is_not_due_cannot_be_proposed() -> None:
    with pytest.raises(NotDue):
        Destruction.propose(
            destruction_id=UUID(int=9),
            due=DUE,
            held={},
            chosen=[(HER, CASE_FILE)],
            provenance=by(DPO, DUE_ON, MEMO),
        )
    with pytest.raises(NothingDue):
        Destruction.propose(
            destruction_id=UUID(int=9), due=(), held={}, provenance=by(DPO, DUE_ON, MEMO)
        )


def test_the_proposer_may_not_approve_it() -> None:
    destruction = proposed(SUPERVISOR)
    with pytest.raises(SamePersonApproves) as refused:
        destruction.approve(
            still_due={(HER, "identity_minimum")}, held={}, provenance=by(SUPERVISOR, DUE_ON, MEMO)
        )
    assert refused.value.code == "SAME_PERSON_APPROVES"


def test_approval_withholds_what_is_now_held_or_no_longer_due() -> None:
    destruction = proposed()
    destruction.approve(
        still_due={(HER, "identity_minimum"), (OTHER, "identity_minimum")},
        held={OTHER: ("litigation 12/Pdt.G/2030",)},
        provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO),
    )
    approved = then_event(destruction, Destruction.DestructionApproved)
    assert [i.beneficiary_id for i in approved.approved] == [HER]
    assert approved.withheld[0].reasons == ("litigation 12/Pdt.G/2030",)
    stored = through_the_store([approved])[0]
    assert stored.withheld[0].reasons == ("litigation 12/Pdt.G/2030",)


def test_nothing_left_to_destroy_refuses_the_approval() -> None:
    destruction = proposed()
    with pytest.raises(LegalHoldBlocks):
        destruction.approve(
            still_due={(OTHER, "identity_minimum")},
            held={OTHER: ("investigation B/123",)},
            provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO),
        )
    with pytest.raises(LegalHoldBlocks):
        destruction.approve(still_due=set(), held={}, provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO))


def test_no_longer_due_is_named_as_the_reason() -> None:
    destruction = proposed()
    destruction.approve(
        still_due={(HER, "identity_minimum")},
        held={},
        provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO),
    )
    assert then_event(destruction, Destruction.DestructionApproved).withheld[0].reasons == (
        NOT_DUE,
    )


def test_carrying_out_records_what_was_destroyed_on_the_berita_acara() -> None:
    destruction = proposed()
    destruction.approve(
        still_due={(HER, "identity_minimum"), (OTHER, "identity_minimum")},
        held={},
        provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO),
    )
    with pytest.raises(DocumentRequired):
        destruction.carry_out(provenance=by(OTHER_SUPERVISOR, DUE_ON))
    paper = document("berita_acara", destruction.number, DUE_ON, "Dinsos Provinsi Kaltara")
    destruction.carry_out(provenance=by(OTHER_SUPERVISOR, DUE_ON, paper))
    assert then_events(destruction) == ["DestructionApproved", "DestructionCarriedOut"]
    assert destruction.state == "CARRIED_OUT"
    assert len(destruction.destroyed) == 2


def test_a_proposal_and_each_decision_rest_on_a_memo() -> None:
    with pytest.raises(DocumentRequired):
        Destruction.propose(
            destruction_id=UUID(int=9), due=DUE, held={}, provenance=by(DPO, DUE_ON)
        )
    with pytest.raises(DocumentKindNotAccepted):
        Destruction.propose(
            destruction_id=UUID(int=9), due=DUE, held={}, provenance=by(DPO, DUE_ON, JRA)
        )
    destruction = proposed()
    with pytest.raises(DocumentRequired):
        destruction.approve(
            still_due={(HER, "identity_minimum")}, held={}, provenance=by(OTHER_SUPERVISOR, DUE_ON)
        )
    with pytest.raises(DocumentRequired):
        destruction.reject(provenance=by(OTHER_SUPERVISOR, DUE_ON, reason="tunggu JRA baru"))
    assert then_events(destruction) == []


def test_a_rejection_needs_a_reason_and_destroys_nothing() -> None:
    destruction = proposed()
    with pytest.raises(ReasonRequired):
        destruction.reject(provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO))
    destruction.reject(provenance=by(OTHER_SUPERVISOR, DUE_ON, MEMO, reason="tunggu JRA baru"))
    assert destruction.state == "REJECTED"
