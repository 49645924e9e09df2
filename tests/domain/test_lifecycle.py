"""The lifecycle declarations: consistent, enforceable, with deadlines and generated docs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from domain import (
    assignments,
    audit_errors,
    beneficiary,
    beneficiary_errors,
    corrections,
    errors,
    money_errors,
    published_report,
    site,
    staff,
    units,
)
from domain.aggregate import LifecycleAggregate
from domain.assignments import ASSIGNMENT_LIFECYCLE, AuditAssignment
from domain.audit_finding import AuditFinding
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE, EXPORT_LIFECYCLE
from domain.bank_statement import STATEMENT_LIFECYCLE, BankStatement
from domain.beneficiary import Beneficiary
from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.decree import Decree
from domain.entitlement import Entitlement
from domain.errors import (
    DatedBeforePreviousStep,
    DomainError,
    InvalidValue,
    OutOfScope,
    RuleViolation,
    TransitionNotAllowed,
)
from domain.export_record import ExportRecord
from domain.free_text import PersonalDataInText
from domain.funding import FundingCommitment
from domain.lifecycle import SUPERVISOR_ONLY, Deadline, Lifecycle, StateSpec, Transition
from domain.lifecycle_docs import REGENERATE, render_lifecycle_docs
from domain.money_lifecycles import (
    BATCH_LIFECYCLE,
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
)
from domain.payment_batch import PaymentBatch
from domain.privacy import (
    assessment_review,
    breach,
    destruction,
    erasure,
    legal_hold,
    request_errors,
    retention,
)
from domain.privacy.assessment_review import ASSESSMENT_REVIEW_LIFECYCLE, AssessmentReview
from domain.privacy.breach import Breach
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from domain.privacy.destruction import DESTRUCTION_LIFECYCLE, Destruction
from domain.privacy.erasure import ERASURE_LIFECYCLE, Erasure
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE, LegalHold
from domain.privacy.request_lifecycle import SUBJECT_REQUEST_LIFECYCLE
from domain.privacy.retention import RETENTION_POLICY_LIFECYCLE, RetentionPolicy
from domain.published_report import PublishedReport
from domain.report_lifecycles import REPORT_LIFECYCLE
from domain.restatement import RESTATEMENT_LIFECYCLE, Restatement
from domain.site import SITE_LIFECYCLE, Site
from domain.staff import STAFF_LIFECYCLE, StaffAccount

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lifecycles.md"
GUARD_CODE = re.compile(r"^([A-Z][A-Z0-9_]+): ")

DECLARED: list[tuple[Lifecycle, type[LifecycleAggregate]]] = [
    (SITE_LIFECYCLE, Site),
    (BENEFICIARY_LIFECYCLE, Beneficiary),
    (COMMITMENT_LIFECYCLE, FundingCommitment),
    (DECREE_LIFECYCLE, Decree),
    (ENTITLEMENT_LIFECYCLE, Entitlement),
    (BATCH_LIFECYCLE, PaymentBatch),
    (STATEMENT_LIFECYCLE, BankStatement),
    (AUDIT_FINDING_LIFECYCLE, AuditFinding),
    (EXPORT_LIFECYCLE, ExportRecord),
    (RESTATEMENT_LIFECYCLE, Restatement),
    (REPORT_LIFECYCLE, PublishedReport),
    (STAFF_LIFECYCLE, StaffAccount),
    (ASSIGNMENT_LIFECYCLE, AuditAssignment),
    (ERASURE_LIFECYCLE, Erasure),
    (RETENTION_POLICY_LIFECYCLE, RetentionPolicy),
    (LEGAL_HOLD_LIFECYCLE, LegalHold),
    (DESTRUCTION_LIFECYCLE, Destruction),
    (ASSESSMENT_REVIEW_LIFECYCLE, AssessmentReview),
    (BREACH_LIFECYCLE, Breach),
]
MONEY_LIFECYCLES = (
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
    BATCH_LIFECYCLE,
    STATEMENT_LIFECYCLE,
)
LIFECYCLES = pytest.mark.parametrize(
    ("lifecycle", "aggregate"), DECLARED, ids=[lc.aggregate for lc, _ in DECLARED]
)


def reachable_from(lifecycle: Lifecycle, start: str) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for t in lifecycle.commands_from(state):
            target = t.target or state
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def error_classes(module: object) -> list[type[DomainError]]:
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, DomainError)
        and v.__module__ == getattr(module, "__name__", None)
    ]


# --- the declarations are consistent --------------------------------------------------------------


@LIFECYCLES
def test_every_next_action_is_a_command_available_in_that_state(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    for spec in lifecycle.states:
        if spec.next_action is not None:
            available = {t.command for t in lifecycle.commands_from(spec.name)}
            assert spec.next_action in available, spec.name


@LIFECYCLES
def test_every_non_terminal_state_has_a_way_out_and_proposes_a_next_action(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    for spec in lifecycle.states:
        if not spec.terminal:
            assert lifecycle.commands_from(spec.name), f"{spec.name} is a dead end"
            assert spec.next_action or spec.standing, f"nothing to propose in {spec.name}"


@LIFECYCLES
def test_terminal_states_have_no_outgoing_transitions(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    for spec in lifecycle.states:
        if spec.terminal:
            assert lifecycle.commands_from(spec.name) == [], spec.name
            assert spec.next_action is None, spec.name


@LIFECYCLES
def test_every_state_is_reachable_from_the_initial_state(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    reachable = reachable_from(lifecycle, lifecycle.initial)

    assert reachable == {s.name for s in lifecycle.states}


def test_every_open_case_can_still_end() -> None:
    terminal = {s.name for s in BENEFICIARY_LIFECYCLE.states if s.terminal}
    for spec in BENEFICIARY_LIFECYCLE.states:
        assert reachable_from(BENEFICIARY_LIFECYCLE, spec.name) & terminal, spec.name


@LIFECYCLES
def test_a_command_leads_to_one_target_from_any_state(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    seen: set[tuple[str, str]] = set()
    for t in lifecycle.transitions:
        for source in t.sources or ():
            assert (t.command, source) not in seen, f"{t.command} twice from {source}"
            assert (t.event, source) not in seen, f"{t.event} twice from {source}"
            seen.update({(t.command, source), (t.event, source)})


@LIFECYCLES
def test_declared_events_are_exactly_the_aggregates_event_classes(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    declared = lifecycle.event_names
    classes = {
        name
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, LifecycleAggregate.Event)
        and name not in ("Event", "Created")  # the bases the library derives per aggregate
    }

    assert declared == classes
    creation = [t.event for t in lifecycle.transitions if t.sources is None]
    assert all(issubclass(getattr(aggregate, e), LifecycleAggregate.Created) for e in creation)


@LIFECYCLES
def test_deadlines_run_in_open_states_and_start_on_declared_events(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    events = {t.event for t in lifecycle.transitions}
    settings = [d.setting for d in lifecycle.deadlines]
    assert len(settings) == len(set(settings))
    for d in lifecycle.deadlines:
        assert set(d.clock_starts) <= events, d.setting
        assert not any(lifecycle.is_terminal(s) for s in d.states), d.setting
        assert d.default_days > 0


@LIFECYCLES
def test_every_transition_names_who_may_issue_it(
    lifecycle: Lifecycle, aggregate: type[LifecycleAggregate]
) -> None:
    for t in lifecycle.transitions:
        assert t.roles, t.command


@pytest.mark.parametrize(
    ("lifecycles", "modules"),
    [
        ((SITE_LIFECYCLE,), (site,)),
        (
            (
                BENEFICIARY_LIFECYCLE,
                *MONEY_LIFECYCLES,
                AUDIT_FINDING_LIFECYCLE,
                EXPORT_LIFECYCLE,
                RESTATEMENT_LIFECYCLE,
                REPORT_LIFECYCLE,
            ),
            (beneficiary_errors, money_errors, audit_errors, published_report),
        ),
        ((STAFF_LIFECYCLE, ASSIGNMENT_LIFECYCLE), (staff, assignments, units)),
        ((SUBJECT_REQUEST_LIFECYCLE,), (request_errors,)),
        # Erasure and destruction share the four-eyes rule (SAME_PERSON_APPROVES).
        (
            (
                RETENTION_POLICY_LIFECYCLE,
                LEGAL_HOLD_LIFECYCLE,
                DESTRUCTION_LIFECYCLE,
                ERASURE_LIFECYCLE,
            ),
            (retention, legal_hold, destruction, erasure),
        ),
        ((ASSESSMENT_REVIEW_LIFECYCLE,), (assessment_review,)),
        ((BREACH_LIFECYCLE,), (breach,)),
    ],
    ids=[
        "Site",
        "Beneficiary, money, audit and reports",
        "Accounts and assignments",
        "Subject requests",
        "Retention, holds, destruction and erasure",
        "Impact assessment reviews",
        "Breach",
    ],
)
def test_guard_codes_name_real_errors_and_every_rule_is_declared(
    lifecycles: tuple[Lifecycle, ...], modules: tuple[object, ...]
) -> None:
    # The generated docs and the UI learn the rules only from the declaration, so an error the
    # aggregate raises but the declaration omits is a rule nobody reading the docs can see.
    raised = {cls.code for module in modules for cls in error_classes(module)}
    # Corrections declare the guards every correction shares, and the rules of the original
    # event they still obey (ADR 0022).
    # Date corrections declare the order of dates every aggregate keeps (ADR 0032).
    # Every reason and free text is kept free of personal data (ADR 0041).
    shared: list[type[DomainError]] = [
        PersonalDataInText,
        ReasonRequired,
        DocumentRequired,
        InvalidValue,
        DatedBeforePreviousStep,
        # Any record's dates that contradict each other (a breach's, an audit finding's).
        audit_errors.DatesOutOfOrder,
    ]
    shared += error_classes(corrections)
    known = (
        raised
        | {cls.code for cls in shared}
        | {
            "NIK_INVALID",  # domain.identity.InvalidNik, raised through check_nik
            "BANK_FILE_REJECTED",  # service.files.bankfiles, raised while a bank file is read
        }
    )
    declared = {
        m.group(1)
        for lifecycle in lifecycles
        for guards in (
            *(t.guards for t in lifecycle.transitions),
            *(c.guards for c in lifecycle.corrections),
        )
        for g in guards
        if (m := GUARD_CODE.match(g))
    }

    assert declared <= known, f"guards name unknown codes {sorted(declared - known)}"
    undeclared = raised - declared
    assert undeclared == set(), f"raised but not declared as guards: {sorted(undeclared)}"


def test_a_declaration_naming_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown NOWHERE"):
        Lifecycle(
            aggregate="Toy",
            states=(StateSpec("A", "a"),),
            transitions=(
                Transition("make", "Made", None, "A"),
                Transition("go", "Went", ("A",), "NOWHERE"),
            ),
        )


def test_a_next_action_that_is_not_a_command_is_refused() -> None:
    with pytest.raises(ValueError, match="proposes unknown command"):
        Lifecycle(
            aggregate="Toy",
            states=(StateSpec("A", "a", next_action="fly"),),
            transitions=(Transition("make", "Made", None, "A"),),
        )


# --- transitions as the aggregates see them -------------------------------------------------------


def test_a_command_outside_its_states_is_refused_with_the_states_that_allow_it() -> None:
    with pytest.raises(TransitionNotAllowed) as raised:
        SITE_LIFECYCLE.transition("close_site", "REGISTERED")

    assert raised.value.code == "TRANSITION_NOT_ALLOWED"
    assert "allowed in: CLOSURE_DECREED" in raised.value.message


def test_a_repeatable_event_keeps_the_state_it_happens_in() -> None:
    assert SITE_LIFECYCLE.target_after("SosialisasiHeld", "REGISTERED") == "SOCIALISED"
    assert SITE_LIFECYCLE.target_after("SosialisasiHeld", "CLOSURE_DECREED") == "CLOSURE_DECREED"
    with pytest.raises(TransitionNotAllowed):
        SITE_LIFECYCLE.target_after("SosialisasiHeld", "CLOSED")


def test_roles_for_a_command_come_from_the_declaration() -> None:
    assert BENEFICIARY_LIFECYCLE.roles_for("include_in_decree") == SUPERVISOR_ONLY
    assert BENEFICIARY_LIFECYCLE.roles_for("nonexistent") == ()


# --- deadlines ------------------------------------------------------------------------------------

WAIT = Deadline("wait_days", ("WAITING",), ("Asked", "Reminded"), 30, "answer within 30 days")
HARD = Deadline("hard_days", ("WAITING",), ("Asked",), 45, "escalate after 45 days")
TOY = Lifecycle(
    aggregate="Toy",
    states=(StateSpec("WAITING", "waiting", next_action="answer"), StateSpec("DONE", "done", True)),
    transitions=(
        Transition("ask", "Asked", None, "WAITING"),
        Transition("remind", "Reminded", ("WAITING",), None),
        Transition("answer", "Answered", ("WAITING",), "DONE"),
    ),
    deadlines=(HARD, WAIT),
)


def test_a_deadline_runs_from_the_latest_of_its_clock_starts() -> None:
    due = TOY.due_on(
        "WAITING", {"Asked": date(2019, 1, 1), "Reminded": date(2019, 1, 20)}, {"hard_days": 100}
    )

    assert due == (WAIT, date(2019, 2, 19))


def test_the_earliest_of_the_running_deadlines_is_due() -> None:
    due = TOY.due_on("WAITING", {"Asked": date(2019, 1, 1), "Reminded": date(2019, 1, 20)}, {})

    assert due == (HARD, date(2019, 2, 15))


def test_programme_settings_override_the_default_durations() -> None:
    due = TOY.due_on("WAITING", {"Asked": date(2019, 1, 1)}, {"wait_days": 7, "hard_days": 60})

    assert due == (WAIT, date(2019, 1, 8))


def test_no_deadline_runs_before_its_clock_starts_or_outside_its_states() -> None:
    assert TOY.due_on("WAITING", {"Answered": date(2019, 1, 1)}, {}) is None
    assert TOY.due_on("DONE", {"Asked": date(2019, 1, 1)}, {}) is None


def test_a_failed_transfer_restarts_the_ordering_deadline() -> None:
    milestones = {"FundsAllocated": date(2019, 2, 11), "PaymentFailed": date(2019, 8, 5)}

    due = ENTITLEMENT_LIFECYCLE.due_on("FAILED", milestones, {})

    assert due is not None
    assert due[0].setting == "ordering_days"
    assert due[1] == date(2019, 9, 4)


# --- diagrams and docs ----------------------------------------------------------------------------


def test_the_mermaid_diagram_draws_every_transition_and_terminal_state() -> None:
    assert TOY.mermaid() == (
        "stateDiagram-v2\n"
        "    WAITING: WAITING\n"
        "    DONE: DONE\n"
        "    [*] --> WAITING: Asked\n"
        "    WAITING --> WAITING: Reminded\n"
        "    WAITING --> DONE: Answered\n"
        "    DONE --> [*]\n"
    )


def test_supervisor_only_transitions_are_marked_in_the_diagram() -> None:
    assert "REGISTERED --> CLOSURE_DECREED: ClosureDecreed (supervisor)" in SITE_LIFECYCLE.mermaid()


def test_the_docs_describe_every_command_event_state_and_setting() -> None:
    text = render_lifecycle_docs()

    for lifecycle, _ in DECLARED:
        assert f"## {lifecycle.aggregate}\n" in text
        assert lifecycle.mermaid() in text
        for t in lifecycle.transitions:
            assert f"| `{t.command}` | `{t.event}` |" in text
        for d in lifecycle.deadlines:
            assert f"| `{d.setting}` |" in text
            assert f"| {d.default_days} |" in text


def test_the_docs_diagram_is_current() -> None:
    committed = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""

    assert committed == render_lifecycle_docs(), (
        f"docs/lifecycles.md is out of date with the lifecycle declarations; regenerate it with"
        f" `{REGENERATE}` and commit the result"
    )


def test_every_error_is_either_a_409_rule_or_a_422_value_with_its_own_code() -> None:
    # service/ maps the two families to 409 and 422 in one place; a class in both, or in
    # neither, or two classes sharing a code would make that mapping ambiguous. The one
    # refusal of scope (403, ADR 0044) is neither: the service decides it, not a rule.
    classes = [
        *error_classes(errors),
        *error_classes(site),
        *error_classes(beneficiary),
        *error_classes(audit_errors),
        *error_classes(published_report),
        *error_classes(staff),
        *error_classes(assignments),
        *error_classes(erasure),
        *error_classes(retention),
        *error_classes(legal_hold),
        *error_classes(destruction),
    ]
    bases = {DomainError, RuleViolation, InvalidValue, OutOfScope}
    for cls in classes:
        if cls not in bases:
            assert issubclass(cls, RuleViolation) != issubclass(cls, InvalidValue), cls
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", cls.code), cls
    assert not issubclass(OutOfScope, RuleViolation | InvalidValue)
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))


def test_event_names_are_unique_across_every_lifecycle() -> None:
    # Projections and the worklist dispatch on the event class name alone.
    names = [t.event for lifecycle, _ in DECLARED for t in lifecycle.transitions]
    owners: dict[str, set[str]] = {}
    for lifecycle, _ in DECLARED:
        for t in lifecycle.transitions:
            owners.setdefault(t.event, set()).add(lifecycle.aggregate)
    assert {name: who for name, who in owners.items() if len(who) > 1} == {}
    assert names
