"""Random command sequences against a site and a few of its women: the invariants always hold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import (
    Beneficiary,
    ExclusionReason,
    IdentityEvidence,
    ReintegrationPath,
)
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.decree import AidComponent, entitlement_id
from domain.errors import DomainError
from domain.identity import Sex
from domain.recording import Actor, DocumentRef, Provenance
from domain.rules import ProgrammeRules
from domain.site import SITE_LIFECYCLE, FundingStatus, InspectionOutcome, Site
from tests.domain.givens import (
    ADULT,
    BORN,
    HOME_KELURAHAN,
    MINOR,
    MINOR_BORN,
    OPERATOR,
    OTHER_OPERATOR,
    OTHER_SUPERVISOR,
    PENDATAAN,
    SUPERVISOR,
    FakeSealer,
    given,
    given_site,
    register_beneficiary,
    register_site,
)

T = TypeVar("T")

ACTORS = (OPERATOR, SUPERVISOR, OTHER_OPERATOR, OTHER_SUPERVISOR)
BAD_NIK = IdentityEvidence(nik="6571045708901", birth_date=BORN, sex=Sex.FEMALE)
CASES = ("TRK-JP-0001", "TRK-JP-0002")
EXITS = ("BeneficiaryDied", "BeneficiaryWithdrew")
DECREE = UUID("00000000-0000-4000-8000-00000000d001")


@dataclass
class Step:
    """One step's choices, decoded from its random `number`.

    Each `pick` takes the next digit of `number` in the base of its options, so a number that
    shrinks to 0 picks every first option: the worklist's next action with valid inputs.
    """

    number: int
    site: Site
    rules: ProgrammeRules
    on: date = PENDATAAN
    actor: Actor = OPERATOR

    def pick(self, options: Sequence[T]) -> T:
        self.number, index = divmod(self.number, len(options))
        return options[index]

    def provenance(self) -> Provenance:
        paper = DocumentRef(
            kind="surat", number=f"S/{self.on:%Y%m%d}", issued_on=self.on, issuer="Dinsos"
        )
        return Provenance(
            actor=self.actor,
            occurred_on=self.on,
            document=self.pick([paper, paper, paper, None]),
            reason=self.pick(["stated in the minutes", "stated in the minutes", None, " "]),
        )


Command = Callable[[LifecycleAggregate, Step], None]


def _on_site(command: Callable[[Site, Step], object]) -> Command:
    def run(aggregate: LifecycleAggregate, d: Step) -> None:
        assert isinstance(aggregate, Site)
        command(aggregate, d)

    return run


def _on_case(command: Callable[[Beneficiary, Step], object]) -> Command:
    def run(aggregate: LifecycleAggregate, d: Step) -> None:
        assert isinstance(aggregate, Beneficiary)
        command(aggregate, d)

    return run


SITE_COMMANDS: dict[str, Command] = {
    "hold_sosialisasi": _on_site(
        lambda s, d: s.hold_sosialisasi(
            venue=d.pick(["Aula", "Aula", " "]),
            attendance=d.pick([40, 0, -1]),
            facilitators=("Dinsos",),
            provenance=d.provenance(),
        )
    ),
    "decree_closure": _on_site(
        lambda s, d: s.decree_closure(
            decree_number=d.pick(["SK/1/2018", "SK/1/2018", ""]),
            signing_authority="Wali Kota Tarakan",
            provenance=d.provenance(),
        )
    ),
    "close_site": _on_site(
        lambda s, d: s.close(
            declared_headcount=d.pick([58, 0, -1]),
            funding_status=d.pick(list(FundingStatus)),
            provenance=d.provenance(),
        )
    ),
    "record_inspection": _on_site(
        lambda s, d: s.record_inspection(
            outcome=d.pick(list(InspectionOutcome)), provenance=d.provenance()
        )
    ),
}

BENEFICIARY_COMMANDS: dict[str, Command] = {
    "verify_identity": _on_case(
        lambda b, d: b.verify_identity(
            evidence=d.pick([ADULT, ADULT, ADULT, MINOR, BAD_NIK]),
            duplicate_in_programme=d.pick([False, False, False, True]),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "exclude": _on_case(
        lambda b, d: b.exclude(exclusion=d.pick(list(ExclusionReason)), provenance=d.provenance())
    ),
    "refer_to_child_protection": _on_case(
        lambda b, d: b.refer_to_child_protection(
            birth_date=d.pick([MINOR_BORN, BORN]),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "assess": _on_case(
        lambda b, d: b.assess(
            home_region=HOME_KELURAHAN,
            path=d.pick(list(ReintegrationPath)),
            notes=d.pick([None, "catatan"]),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "send_to_training": _on_case(
        lambda b, d: b.send_to_training(
            site=d.site,
            facility_id=d.pick(["KTM-PSKW-HM", "NNK-LOCAL", "KTM-NOWHERE"]),
            rules=d.rules,
            provenance=d.provenance(),
        )
    ),
    "complete_training": _on_case(
        lambda b, d: b.complete_training(
            skill=d.pick(["menjahit", "menjahit", ""]), provenance=d.provenance()
        )
    ),
    "drop_out": _on_case(lambda b, d: b.drop_out(provenance=d.provenance())),
    "confirm_return_home": _on_case(
        lambda b, d: b.confirm_return_home(
            confirming_kelurahan=HOME_KELURAHAN, provenance=d.provenance()
        )
    ),
    "stay_locally": _on_case(lambda b, d: b.stay_locally(provenance=d.provenance())),
    "accept_hand_over": _on_case(
        lambda b, d: b.accept_hand_over(
            unit="PSKW-SAMARINDA",
            awaited_unit=d.pick(["PSKW-SAMARINDA", None]),
            provenance=d.provenance(),
        )
    ),
    "record_bank_account": _on_case(
        lambda b, d: b.record_bank_account(
            bank_code=d.pick(["124", "124", "12"]),
            account_number=d.pick(["002101000123304", "002101000123304", "12-34"]),
            holder_name=d.pick(["CONTOH SITI", "CONTOH SITI", "\n"]),
            holder_name_matches=d.pick([True, False]),
            sealer=FakeSealer(b.id),
            provenance=d.provenance(),
        )
    ),
    "include_in_decree": _on_case(
        lambda b, d: b.include_in_decree(
            decree_id=DECREE,
            decree_number="188.45/117/2019",
            entitlement_ids=(entitlement_id(b.id, d.pick(list(AidComponent)), 1),),
            provenance=d.provenance(),
        )
    ),
    "close_case": _on_case(
        lambda b, d: b.close_case(aid_settled=d.pick([True, False]), provenance=d.provenance())
    ),
    "withdraw": _on_case(lambda b, d: b.withdraw(provenance=d.provenance())),
    "record_death": _on_case(lambda b, d: b.record_death(provenance=d.provenance())),
}


@dataclass
class Tracked:
    """One aggregate under test and every event it has accepted so far."""

    aggregate: LifecycleAggregate
    commands: dict[str, Command]
    history: list[Any] = field(default_factory=list)
    replica: LifecycleAggregate | None = None
    last_command: str | None = None

    def accept_pending(self) -> list[Any]:
        """Save the new events: append them to the history and replay them on the replica.

        The replica is the aggregate rebuilt from its stored events alone, kept up to date
        event by event instead of replayed from the start at every step.
        """
        new = list(self.aggregate.collect_events())
        self.history.extend(new)
        for e in new:
            self.replica = e.mutate(self.replica)
        return new

    def choose_command(self, step: Step) -> str:
        """Mostly the worklist's next action; sometimes a side branch, the last command again,
        a way out of the programme, or any command at all (which the state may refuse)."""
        lifecycle = self.aggregate.lifecycle
        state = self.aggregate.state
        proposed = lifecycle.state(state).next_action
        ending = {
            t.command
            for t in lifecycle.commands_from(state)
            if t.target and lifecycle.is_terminal(t.target)
        }
        branches = sorted({t.command for t in lifecycle.commands_from(state)} - ending)
        mode = step.pick(MODES)
        if mode == "next" and proposed:
            return proposed
        if mode == "branch" and branches:
            return step.pick(branches)
        if mode == "again" and self.last_command:
            return self.last_command
        if mode == "end" and ending:
            return step.pick(sorted(ending))
        return step.pick(sorted(self.commands))


MODES = ("next",) * 8 + ("branch",) * 3 + ("again",) * 2 + ("end", "any", "any")

# One random number per step: decoded digit by digit into the target, the command, the actor,
# the days since the previous step and the inputs. One draw per step keeps 150 examples fast.
STEP = st.integers(0, 2**48)
DAYS = (0, 1, 3, 7, 14, 30, 45)


def test_every_command_of_both_lifecycles_can_be_drawn() -> None:
    for lifecycle, commands in (
        (SITE_LIFECYCLE, SITE_COMMANDS),
        (BENEFICIARY_LIFECYCLE, BENEFICIARY_COMMANDS),
    ):
        declared = {t.command for t in lifecycle.transitions if t.sources is not None}
        assert set(commands) == declared


def play(
    rules: ProgrammeRules,
    steps: list[int],
    log: list[Any] | None = None,
    check: Callable[[Tracked, str, str, list[Any]], None] | None = None,
) -> list[Tracked]:
    """Run random commands against one site and two of its women.

    Every accepted event is appended to `log` in the order a store would record it, and
    `check(target, command, state_before, new_events)` runs after each accepted command.
    """
    log = [] if log is None else log
    site = Tracked(register_site(), SITE_COMMANDS)
    log.extend(site.accept_pending())
    cases = []
    for case_number in CASES:
        registered = register_beneficiary(given_site(*site.history), case_number)
        case = Tracked(registered, BENEFICIARY_COMMANDS)
        log.extend(case.accept_pending())
        cases.append(case)
    targets = [site, *cases, *cases]
    on = PENDATAAN

    for number in steps:
        her_site = site.aggregate
        assert isinstance(her_site, Site)
        step = Step(number, her_site, rules)
        target = step.pick(targets)
        aggregate = target.aggregate
        command = target.choose_command(step)
        on += timedelta(days=step.pick(DAYS))
        step.on, step.actor = on, step.pick(ACTORS)
        state_before = aggregate.state

        try:
            target.commands[command](aggregate, step)
        except DomainError:
            assert aggregate.pending_events == []
            assert aggregate == target.replica, f"the refused {command} changed the aggregate"
            continue

        new = target.accept_pending()
        log.extend(new)
        target.last_command = command
        if check is not None:
            check(target, command, state_before, new)
    return [site, *cases]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(dropout_keeps_grant=st.booleans(), steps=st.lists(STEP, min_size=40, max_size=120))
def test_random_command_sequences_keep_every_invariant(
    dropout_keeps_grant: bool, steps: list[int]
) -> None:
    rules = ProgrammeRules(dropout_keeps_grant=dropout_keeps_grant)

    def check(target: Tracked, command: str, state_before: str, new: list[Any]) -> None:
        aggregate = target.aggregate
        transition = aggregate.lifecycle.transition(command, state_before)
        assert [type(e).__name__ for e in new] == [transition.event]
        assert aggregate.state == (transition.target or state_before)
        check_invariants(target, rules)

    for tracked in play(rules, steps, check=check):
        assert given(*tracked.history) == tracked.aggregate


def check_invariants(tracked: Tracked, rules: ProgrammeRules) -> None:
    aggregate = tracked.aggregate
    assert aggregate.state in {s.name for s in aggregate.lifecycle.states}

    replayed = tracked.replica
    assert replayed == aggregate
    assert replayed is not None
    assert (replayed.state, replayed.milestones) == (aggregate.state, aggregate.milestones)
    assert aggregate.version == len(tracked.history)

    if isinstance(aggregate, Beneficiary):
        check_money(aggregate, tracked.history, rules)


def check_money(b: Beneficiary, history: list[Any], rules: ProgrammeRules) -> None:
    names = [type(e).__name__ for e in history]
    exits = [i for i, name in enumerate(names) if name in EXITS]
    assert exits in ([], [len(names) - 1]), "something was recorded after death or withdrawal"

    decreed = [i for i, name in enumerate(names) if name == "AidDecreed"]
    verified = names.index("IdentityVerified") if "IdentityVerified" in names else len(names)
    assert all(i > verified for i in decreed), "a decree named her before her identity was verified"
    assert b.entitlement_ids == tuple(
        e
        for event in history
        if type(event).__name__ == "AidDecreed"
        for e in event.entitlement_ids
    )
    accounts = [e for e in history if type(e).__name__ == "BankAccountRecorded"]
    assert b.account_holder_matches == (accounts[-1].holder_name_matches if accounts else False)
