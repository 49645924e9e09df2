"""Random command sequences against a site and a few of its women: the invariants always hold."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis import given as for_all

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import (
    Beneficiary,
    ExclusionReason,
    IdentityEvidence,
    PaymentChannel,
    ReintegrationPath,
)
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import DomainError
from domain.identity import Sex
from domain.recording import Actor, DocumentRef, Provenance
from domain.rules import ProgrammeRules
from domain.site import SITE_LIFECYCLE, InspectionOutcome, Site
from tests.domain.givens import (
    ADULT,
    GRANT,
    HOME_KELURAHAN,
    MINOR,
    MINOR_BORN,
    OPERATOR,
    OTHER_OPERATOR,
    OTHER_SUPERVISOR,
    PENDATAAN,
    SUPERVISOR,
    BORN,
    FakeSealer,
    given,
    register_beneficiary,
    register_site,
)

ACTORS = (OPERATOR, OTHER_OPERATOR, SUPERVISOR, OTHER_SUPERVISOR)
BAD_NIK = IdentityEvidence(nik="6571045708901", birth_date=BORN, sex=Sex.FEMALE)
AMOUNTS = (GRANT, GRANT, 6_000_000, 0, -1)
FACILITIES = ("KTM-PSKW-HM", "NNK-LOCAL", "KTM-NOWHERE")
CASES = ("TRK-JP-0001", "TRK-JP-0002", "TRK-JP-0003")
EXITS = ("BeneficiaryDied", "BeneficiaryWithdrew")

Command = Callable[[LifecycleAggregate, "Draw"], None]


@dataclass
class Draw:
    """The random inputs of one command, drawn before it runs."""

    data: st.DataObject
    site: Site
    rules: ProgrammeRules
    actor: Actor
    on: date

    def provenance(self) -> Provenance:
        doc = self.data.draw(st.sampled_from([None, _paper(self.on), _paper(self.on)]))
        reason = self.data.draw(st.sampled_from([None, "", "stated in the minutes"]))
        return Provenance(actor=self.actor, occurred_on=self.on, document=doc, reason=reason)

    def amount(self, approved: int | None) -> int:
        return self.data.draw(st.sampled_from([*AMOUNTS, approved or GRANT]))


def _paper(on: date) -> DocumentRef:
    return DocumentRef(kind="surat", number=f"S/{on:%Y%m%d}", issued_on=on, issuer="Dinsos")


def _site(command: Callable[[Site, Draw], None]) -> Command:
    def run(aggregate: LifecycleAggregate, d: Draw) -> None:
        assert isinstance(aggregate, Site)
        command(aggregate, d)

    return run


def _case(command: Callable[[Beneficiary, Draw], None]) -> Command:
    def run(aggregate: LifecycleAggregate, d: Draw) -> None:
        assert isinstance(aggregate, Beneficiary)
        command(aggregate, d)

    return run


SITE_COMMANDS: dict[str, Command] = {
    "hold_sosialisasi": _site(
        lambda s, d: s.hold_sosialisasi(
            venue=d.data.draw(st.sampled_from(["Aula", " "])),
            attendance=d.data.draw(st.integers(-1, 80)),
            facilitators=("Dinsos",),
            provenance=d.provenance(),
        )
    ),
    "decree_closure": _site(
        lambda s, d: s.decree_closure(
            decree_number=d.data.draw(st.sampled_from(["SK/1/2018", ""])),
            signing_authority="Wali Kota Tarakan",
            provenance=d.provenance(),
        )
    ),
    "close_site": _site(
        lambda s, d: s.close(
            declared_headcount=d.data.draw(st.integers(-1, 70)),
            funds_in_place=d.data.draw(st.booleans()),
            provenance=d.provenance(),
        )
    ),
    "record_inspection": _site(
        lambda s, d: s.record_inspection(
            outcome=d.data.draw(st.sampled_from(InspectionOutcome)), provenance=d.provenance()
        )
    ),
}

BENEFICIARY_COMMANDS: dict[str, Command] = {
    "verify_identity": _case(
        lambda b, d: b.verify_identity(
            evidence=d.data.draw(st.sampled_from([ADULT, ADULT, MINOR, BAD_NIK])),
            duplicate_in_programme=d.data.draw(st.booleans()),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "exclude": _case(
        lambda b, d: b.exclude(
            exclusion=d.data.draw(st.sampled_from(ExclusionReason)), provenance=d.provenance()
        )
    ),
    "refer_to_child_protection": _case(
        lambda b, d: b.refer_to_child_protection(
            birth_date=d.data.draw(st.sampled_from([MINOR_BORN, BORN])),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "assess": _case(
        lambda b, d: b.assess(
            home_region=HOME_KELURAHAN,
            path=d.data.draw(st.sampled_from(ReintegrationPath)),
            notes=d.data.draw(st.sampled_from([None, "catatan"])),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "send_to_training": _case(
        lambda b, d: b.send_to_training(
            site=d.site,
            facility_id=d.data.draw(st.sampled_from(FACILITIES)),
            rules=d.rules,
            provenance=d.provenance(),
        )
    ),
    "complete_training": _case(
        lambda b, d: b.complete_training(
            skill=d.data.draw(st.sampled_from(["menjahit", ""])), provenance=d.provenance()
        )
    ),
    "drop_out": _case(lambda b, d: b.drop_out(provenance=d.provenance())),
    "confirm_return_home": _case(
        lambda b, d: b.confirm_return_home(
            confirming_kelurahan=HOME_KELURAHAN, provenance=d.provenance()
        )
    ),
    "stay_locally": _case(lambda b, d: b.stay_locally(provenance=d.provenance())),
    "request_grant": _case(
        lambda b, d: b.request_grant(
            amount=d.amount(None), rules=d.rules, provenance=d.provenance()
        )
    ),
    "approve_grant": _case(
        lambda b, d: b.approve_grant(amount=d.amount(None), provenance=d.provenance())
    ),
    "pay_grant": _case(
        lambda b, d: b.pay_grant(
            amount=d.amount(b.approved_amount),
            channel=d.data.draw(st.sampled_from(PaymentChannel)),
            bank_reference=d.data.draw(st.sampled_from(["BRI-1", " "])),
            account=d.data.draw(st.sampled_from([None, "002101000123304"])),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "reverse_payment": _case(
        lambda b, d: b.reverse_payment(
            bank_reference=d.data.draw(st.sampled_from(["R-1", ""])), provenance=d.provenance()
        )
    ),
    "close_case": _case(lambda b, d: b.close_case(rules=d.rules, provenance=d.provenance())),
    "withdraw": _case(lambda b, d: b.withdraw(provenance=d.provenance())),
    "record_death": _case(lambda b, d: b.record_death(provenance=d.provenance())),
}


@dataclass
class Tracked:
    """One aggregate under test and every event it has accepted so far."""

    aggregate: LifecycleAggregate
    commands: dict[str, Command]
    history: list[Any] = field(default_factory=list)

    def accept_pending(self) -> list[Any]:
        new = list(self.aggregate.collect_events())
        self.history.extend(new)
        return new


def test_every_command_of_both_lifecycles_is_exercised() -> None:
    for lifecycle, commands in (
        (SITE_LIFECYCLE, SITE_COMMANDS),
        (BENEFICIARY_LIFECYCLE, BENEFICIARY_COMMANDS),
    ):
        declared = {t.command for t in lifecycle.transitions if t.sources is not None}
        assert set(commands) == declared


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(data=st.data(), dropout_keeps_grant=st.booleans(), steps=st.integers(1, 60))
def test_random_command_sequences_keep_every_invariant(
    data: st.DataObject, dropout_keeps_grant: bool, steps: int
) -> None:
    rules = ProgrammeRules(dropout_keeps_grant=dropout_keeps_grant)
    site = Tracked(register_site(), SITE_COMMANDS)
    site.accept_pending()
    cases = []
    for number in CASES:
        case = Tracked(register_beneficiary(given(*site.history), number), BENEFICIARY_COMMANDS)
        case.accept_pending()
        cases.append(case)
    on = PENDATAAN

    for _ in range(steps):
        target = data.draw(st.sampled_from([site, site, *cases]), label="target")
        aggregate = target.aggregate
        lifecycle = aggregate.lifecycle
        available = sorted({t.command for t in lifecycle.commands_from(aggregate.state)})
        anything = sorted(target.commands)
        command = data.draw(
            st.sampled_from(available) if available and data.draw(st.integers(0, 4)) else
            st.sampled_from(anything),
            label="command",
        )
        on += timedelta(days=data.draw(st.integers(0, 60), label="days later"))
        draw = Draw(data, _as_site(site.aggregate), rules, data.draw(st.sampled_from(ACTORS)), on)
        before_state = aggregate.state
        before = copy.deepcopy(aggregate)

        try:
            target.commands[command](aggregate, draw)
        except DomainError:
            assert aggregate == before, f"refused {command} changed the aggregate"
            assert aggregate.pending_events == []
            continue

        new = target.accept_pending()
        transition = lifecycle.transition(command, before_state)
        assert [type(e).__name__ for e in new] == [transition.event]
        assert aggregate.state == (transition.target or before_state)
        check_invariants(target, rules)


def _as_site(aggregate: LifecycleAggregate) -> Site:
    assert isinstance(aggregate, Site)
    return aggregate


def check_invariants(tracked: Tracked, rules: ProgrammeRules) -> None:
    aggregate = tracked.aggregate
    declared = {s.name for s in aggregate.lifecycle.states}
    assert aggregate.state in declared

    replayed = given(*tracked.history)
    assert replayed == aggregate
    assert (replayed.state, replayed.milestones) == (aggregate.state, aggregate.milestones)
    assert aggregate.version == len(tracked.history)

    if isinstance(aggregate, Beneficiary):
        check_money(aggregate, tracked.history, rules)


def check_money(b: Beneficiary, history: list[Any], rules: ProgrammeRules) -> None:
    assert b.paid_amount in (0, b.approved_amount)
    names = [type(e).__name__ for e in history]
    paid = sum(e.amount for e in history if type(e).__name__ == "GrantPaid")
    reversed_ = sum(e.amount for e in history if type(e).__name__ == "GrantPaymentReversed")
    assert paid - reversed_ == b.paid_amount

    exits = [i for i, name in enumerate(names) if name in EXITS]
    if exits:
        assert exits == [len(names) - 1], "something was recorded after death or withdrawal"

    requester: str | None = None
    completed = False
    for e in history:
        name = type(e).__name__
        if name == "TrainingCompleted":
            completed = True
        elif name == "TrainingDroppedOut":
            completed = False
        elif name == "GrantRequested":
            requester = e.actor.user_id
            assert completed or rules.dropout_keeps_grant
        elif name == "GrantApproved":
            assert e.actor.user_id != requester
        elif name == "GrantPaid":
            assert e.amount == b.approved_amount
