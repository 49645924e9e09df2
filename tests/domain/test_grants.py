"""Staff accounts and auditors' assignments: given their events, when a grant changes, then
new events or an error; and the days an assignment gives anything."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assignments import (
    ASSIGNMENT_LIFECYCLE,
    AssignmentCoverageInvalid,
    AssignmentPeriodInvalid,
    AuditAssignment,
    checked_coverage,
)
from domain.beneficiary_errors import DocumentRequired
from domain.errors import DatedBeforePreviousStep, DocumentKindNotAccepted, TransitionNotAllowed
from domain.recording import Actor, DocumentRef, Role
from domain.staff import STAFF_LIFECYCLE, GrantUnchanged, StaffAccount
from domain.units import EVERYTHING, NOTHING, Scope
from tests.domain.givens import by, given, history_of, then_event, then_events, through_the_store

ADMIN = Actor("admin", Role.ADMIN, "DINSOS-KALTARA")
OPENED_ON = date(2016, 1, 4)
SK = DocumentRef("decree", "SK/800/12/2016", OPENED_ON, "Kepala Dinas Sosial")
SURAT_TUGAS = DocumentRef("surat", "ST/45/BPK/2019", date(2019, 6, 28), "BPK Perwakilan Kaltara")


def opened() -> StaffAccount:
    account = StaffAccount.open(
        username="dewi.s",
        display_name="Dewi S.",
        role=Role.OPERATOR,
        unit="DINSOS-TARAKAN",
        provenance=by(ADMIN, OPENED_ON, SK),
    )
    return account


def given_account(*more: object) -> StaffAccount:
    events = history_of(opened())
    account = given(*through_the_store(events), *more)
    assert isinstance(account, StaffAccount)
    return account


def test_an_account_opens_active_in_its_role_and_unit_on_its_letter() -> None:
    account = opened()

    event = then_event(account, StaffAccount.AccountOpened)
    assert (event.username, event.role, event.unit) == ("dewi.s", "operator", "DINSOS-TARAKAN")
    assert event.document == SK and event.occurred_on == OPENED_ON
    assert account.active and account.state == "ACTIVE"
    assert StaffAccount.create_id("dewi.s") == account.id


def test_a_role_change_and_a_move_are_events_of_their_own_dates() -> None:
    account = given_account()

    account.change_role(Role.SUPERVISOR, provenance=by(ADMIN, date(2018, 3, 1)))
    account.move("DINSOS-KALTARA", provenance=by(ADMIN, date(2019, 9, 1)))

    assert then_events(account) == ["RoleChanged", "UnitChanged"]
    assert (account.role, account.unit) == (Role.SUPERVISOR, "DINSOS-KALTARA")


def test_a_grant_that_changes_nothing_is_refused() -> None:
    account = given_account()

    with pytest.raises(GrantUnchanged):
        account.change_role(Role.OPERATOR, provenance=by(ADMIN, date(2018, 3, 1)))
    with pytest.raises(GrantUnchanged):
        account.move("DINSOS-TARAKAN", provenance=by(ADMIN, date(2018, 3, 1)))


def test_grants_are_dated_in_order_whatever_their_kind() -> None:
    account = given_account()
    account.move("DINSOS-NUNUKAN", provenance=by(ADMIN, date(2019, 1, 1)))

    with pytest.raises(DatedBeforePreviousStep):
        account.change_role(Role.SUPERVISOR, provenance=by(ADMIN, date(2018, 12, 31)))


def test_a_deactivated_account_is_reactivated_before_it_changes_again() -> None:
    account = given_account()
    account.deactivate(provenance=by(ADMIN, date(2020, 1, 2)))

    assert not account.active
    with pytest.raises(TransitionNotAllowed):
        account.move("DINSOS-NUNUKAN", provenance=by(ADMIN, date(2020, 2, 1)))
    account.reactivate(provenance=by(ADMIN, date(2020, 3, 1)))
    assert account.active
    assert then_events(account) == ["AccountDeactivated", "AccountReactivated"]


def test_only_administrators_keep_accounts_and_give_assignments() -> None:
    for lifecycle in (STAFF_LIFECYCLE, ASSIGNMENT_LIFECYCLE):
        for t in lifecycle.transitions:
            assert t.roles == (Role.ADMIN,), t.command


def give(**overrides: object) -> AuditAssignment:
    arguments: dict[str, object] = {
        "auditor": "bpk.rina",
        "coverage": checked_coverage(["DINSOS-TARAKAN"], False),
        "valid_from": date(2019, 7, 1),
        "valid_until": date(2019, 9, 30),
        "provenance": by(ADMIN, date(2019, 6, 28), SURAT_TUGAS),
    }
    arguments.update(overrides)
    return AuditAssignment.give(**arguments)  # type: ignore[arg-type]


def test_an_assignment_gives_its_units_only_inside_its_days() -> None:
    assignment = give()

    inside = Scope(everything=False, units=frozenset({"DINSOS-TARAKAN"}))
    assert assignment.scope_on(date(2019, 6, 30)) == NOTHING
    assert assignment.scope_on(date(2019, 7, 1)) == inside
    assert assignment.scope_on(date(2019, 9, 30)) == inside
    # It lapses by itself: nobody withdrew it.
    assert assignment.scope_on(date(2019, 10, 1)) == NOTHING


def test_an_assignment_of_the_whole_programme_gives_everything() -> None:
    assignment = give(coverage=checked_coverage([], True))

    assert assignment.scope_on(date(2019, 8, 1)) == EVERYTHING


def test_a_withdrawn_assignment_gives_nothing_from_its_withdrawal() -> None:
    stored = through_the_store(history_of(give()))
    assignment = given(*stored)
    assert isinstance(assignment, AuditAssignment)

    assignment.withdraw(provenance=by(ADMIN, date(2019, 8, 15)))

    assert assignment.scope_on(date(2019, 8, 14)).units == {"DINSOS-TARAKAN"}
    assert assignment.scope_on(date(2019, 8, 15)) == NOTHING
    assert assignment.state == "WITHDRAWN"


def test_an_assignment_rests_on_its_letter_of_assignment() -> None:
    with pytest.raises(DocumentRequired):
        give(provenance=by(ADMIN, date(2019, 6, 28)))
    with pytest.raises(DocumentKindNotAccepted):
        give(provenance=by(ADMIN, date(2019, 6, 28), SK))


def test_an_assignment_names_its_days_and_what_it_covers() -> None:
    with pytest.raises(AssignmentPeriodInvalid):
        give(valid_until=date(2019, 6, 30))
    with pytest.raises(AssignmentCoverageInvalid):
        checked_coverage([], False)
    with pytest.raises(AssignmentCoverageInvalid):
        checked_coverage(["DINSOS-TARAKAN"], True)
