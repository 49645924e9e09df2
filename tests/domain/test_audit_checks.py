"""The audit checks as pure functions: given a subject's folded facts and the log's clock, when
evaluated, then these findings. Each rule has a positive and a negative case."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from domain.audit.catalogue import NOT_RUN, RULES, RULES_BY_ID, evaluate
from domain.audit.facts import (
    AuditContext,
    CaseFacts,
    Dossier,
    EntitlementFacts,
    LedgerCredit,
    ReferenceFacts,
    SiteFacts,
    StatementLine,
    case_from_json,
    dumps,
    reference_from_json,
    site_from_json,
)
from domain.audit.rules import Severity

CLOCK = date(2019, 9, 1)


def entitlement(**facts: Any) -> EntitlementFacts:
    """Business capital decreed in February 2019 and funded from the 2019 DIPA."""
    values: dict[str, Any] = {
        "entitlement_id": "e1",
        "component": "uep",
        "tranche": 1,
        "amount": 3_000_000,
        "decree_number": "SK/1",
        "decreed_on": date(2019, 2, 1),
        "planned_at": 3,
        "requires_arrival": False,
        "fiscal_year": 2019,
    }
    return EntitlementFacts(**(values | facts))


def credited(**facts: Any) -> EntitlementFacts:
    """Ordered on 1 August 2019, credited on the 5th in full, receipt signed."""
    values: dict[str, Any] = {
        "ordered_on": date(2019, 8, 1),
        "ordered_at": 10,
        "credit_count": 1,
        "credited_amount": 3_000_000,
        "credited_on": date(2019, 8, 5),
        "credited_at": 11,
        "bank_reference": "KTT-1",
        "receipt_at": 12,
    }
    return entitlement(**(values | facts))


def case(*entitlements: EntitlementFacts, **facts: Any) -> CaseFacts:
    """A verified beneficiary staying locally since July 2019, named in a decree for
    `entitlements`."""
    values: dict[str, Any] = {
        "registered_at": 1,
        "verified_at": 2,
        "arrival_on": date(2019, 7, 10),
        "arrival_at": 5,
        "decreed_entitlement_ids": [e.entitlement_id for e in entitlements],
        "entitlements": {e.entitlement_id: e for e in entitlements},
    }
    return CaseFacts("b1", "s1", **(values | facts))


def site(**facts: Any) -> SiteFacts:
    """A site of 3 counted, registered and closed with its 3 in the programme, funds in
    place, paid within a month."""
    values: dict[str, Any] = {
        "registered": 3,
        "in_programme": 3,
        "enrolled": 3,
        "paid": 3,
        "closed_on": date(2019, 7, 1),
        "closed_at": 9,
        "declared_headcount": 3,
        "funding_status": "in_place",
        "in_programme_at_closure": 3,
        "first_credit_on": date(2019, 8, 5),
        "first_credit_at": 11,
        "pendataan_on": date(2016, 3, 20),
        "first_case_on": date(2016, 3, 20),
        "first_case_at": 2,
        "last_case_on": date(2016, 3, 20),
        "last_case_at": 4,
    }
    return SiteFacts("s1", "TRK-JP", 1, 3, **(values | facts))


def reference(*, credit: int | None = 3_000_000, lines: tuple[tuple[str, int], ...] = ()) -> Any:
    """A bank reference: the ledger's credit (if any) and the statement lines given."""
    credits = [LedgerCredit("e1", "s1", credit, date(2019, 8, 5), 11)] if credit is not None else []
    statement = [StatementLine(kind, amount, date(2019, 8, 5), 20) for kind, amount in lines]
    return ReferenceFacts("KTT-1", credits, statement)


COVERED: dict[str, Any] = {"statement_periods": ((date(2019, 8, 1), date(2019, 8, 31)),)}
TRANSPORT = {
    "entitlement_id": "e2",
    "component": "transport",
    "amount": 250_000,
    "credited_amount": 250_000,
}
WITHDRAWN = (("TRANSFER_OUT", 3_000_000), ("WITHDRAWAL", 3_000_000))

# rule: (a dossier that breaks it, one that does not, extra context for both)
CASES: dict[str, tuple[Dossier, Dossier, dict[str, Any]]] = {
    "A01": (case(nik_format_valid=False), case(), {}),
    "A02": (case(nik_region_unknown=True), case(), {}),
    "A03": (case(nik_sex_digit_consistent=False), case(), {}),
    "A05": (case(duplicate_in_programme=True), case(), {}),
    "A06": (case(name_and_birth_date_shared=True), case(), {}),
    "A07": (case(account_at=7, account_holder_matches=False), case(account_at=7), {}),
    "A09": (
        case(credited(credited_on=date(2019, 1, 20), fiscal_year=None)),
        case(credited()),
        {},
    ),
    "A10": (case(credited(credit_count=2)), case(credited()), {}),
    "A12": (
        case(credited(credited_on=None, credit_count=0, credited_at=None, credited_amount=0)),
        case(credited()),
        {"clock": date(2020, 1, 2)},
    ),
    "A13": (reference(credit=None, lines=WITHDRAWN), reference(lines=WITHDRAWN), COVERED),
    "A14": (
        reference(lines=(("TRANSFER_OUT", 3_000_000),)),
        reference(lines=WITHDRAWN),
        {"clock": date(2019, 11, 30)},
    ),
    "A15": (
        case(credited(receipt_at=None, unclaimed_on=date(2019, 11, 29), unclaimed_at=13)),
        case(
            credited(
                receipt_at=None, unclaimed_on=date(2019, 11, 29), unclaimed_at=13, returned_at=14
            )
        ),
        {"clock": date(2019, 12, 2)},
    ),
    "A16": (case(credited(receipt_at=None)), case(credited()), {"clock": date(2019, 9, 10)}),
    "A17": (
        case(credited(), died_on=date(2019, 8, 2), died_at=15),
        case(credited(), died_on=date(2019, 9, 1), died_at=15),
        {},
    ),
    "A18": (
        case(credited(component="jadup", requires_arrival=True, released_before_arrival_at=10)),
        case(credited(component="jadup", requires_arrival=True)),
        {},
    ),
    "A19": (
        case(credited(**TRANSPORT)),
        case(credited(**TRANSPORT), returned_home_at=5),
        {},
    ),
    "A20": (site(in_programme_at_closure=2), site(), {}),
    "A22": (case(credited(credited_amount=2_880_000)), case(credited()), {}),
    "A23": (site(funding_status="not_in_place"), site(), {}),
    "A26": (site(last_case_on=date(2019, 7, 2), last_case_at=12), site(), {}),
    "A24": (
        case(credited(), account_changed_after_order_at=16, account_changed_by="sup"),
        case(
            credited(),
            account_changed_after_order_at=16,
            account_changed_by="sup",
            second_approval_at=17,
        ),
        {},
    ),
}


def rules_found(dossier: Dossier, clock: date = CLOCK, **context: Any) -> set[str]:
    return {f.rule_id for f in evaluate(dossier, AuditContext(clock, **context)).findings}


def test_every_declared_rule_has_a_positive_and_a_negative_case() -> None:
    assert set(CASES) == set(RULES_BY_ID)
    assert not set(NOT_RUN) & set(RULES_BY_ID)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_rule_finds_what_breaks_it_and_nothing_else(rule_id: str) -> None:
    broken, sound, context = CASES[rule_id]
    assert rule_id in rules_found(broken, **context)
    assert rules_found(sound, **context) == set()


def test_the_issue_asks_for_these_rules() -> None:
    wanted = "A01 A02 A03 A05 A06 A07 A09 A10 A12 A13 A14 A15 A16 A17 A18 A19 A20 A22 A23 A24"
    assert set(wanted.split()) <= {r.rule_id for r in RULES}


def test_a_case_registered_after_her_sites_closure_is_raised_not_refused() -> None:
    late_pendataan = site(last_case_on=date(2019, 7, 2), last_case_at=12)

    (finding,) = evaluate(late_pendataan, AuditContext(CLOCK)).findings

    assert (finding.rule_id, finding.severity) == ("A26", Severity.FLAG)
    assert "2019-07-02" in finding.summary and "2019-07-01" in finding.summary
    assert finding.evidence == (1, 9, 12)


def test_a_case_registered_before_her_sites_pendataan_is_raised_before_any_closure() -> None:
    early = site(first_case_on=date(2016, 1, 5), first_case_at=3, closed_on=None, closed_at=None)

    (finding,) = evaluate(early, AuditContext(CLOCK)).findings

    assert finding.rule_id == "A26"
    assert "2016-01-05" in finding.summary and "2016-03-20" in finding.summary


def test_unclaimed_money_becomes_blocking_once_its_fiscal_year_has_closed() -> None:
    broken, _, _ = CASES["A15"]
    before = evaluate(broken, AuditContext(date(2019, 12, 31)))
    after = evaluate(broken, AuditContext(date(2020, 1, 1)))
    assert [f.severity for f in before.findings] == [Severity.FLAG]
    assert [f.severity for f in after.findings] == [Severity.BLOCKING]
    assert before.wake_on == date(2020, 1, 1) and after.wake_on is None


def test_a_deadline_not_yet_passed_finds_nothing_and_says_when_to_look_again() -> None:
    not_yet = evaluate(case(credited(receipt_at=None)), AuditContext(date(2019, 9, 4)))
    assert not_yet.findings == [] and not_yet.wake_on == date(2019, 9, 5)


def test_a_site_not_yet_closed_is_not_checked() -> None:
    assert rules_found(site(closed_on=None, closed_at=None, funding_status=None)) == set()


def test_a_late_first_payment_is_found_and_no_payment_at_all_once_the_threshold_passes() -> None:
    late = site(first_credit_on=date(2019, 12, 1))
    unpaid = site(first_credit_on=None, first_credit_at=None, paid=0)
    assert rules_found(late) == {"A23"}
    assert rules_found(unpaid, clock=date(2019, 9, 29)) == set()
    assert rules_found(unpaid, clock=date(2019, 9, 30)) == {"A23"}
    assert rules_found(late, days={"closure_payment_days": 180}) == set()


def test_a_credit_is_missing_from_the_statement_only_once_a_statement_covers_its_date() -> None:
    assert rules_found(reference()) == set()
    assert rules_found(reference(), **COVERED) == {"A13"}


def test_summaries_name_no_person_and_findings_have_stable_ids() -> None:
    broken, _, context = CASES["A09"]
    (finding,) = evaluate(broken, AuditContext(CLOCK, **context)).findings
    again = evaluate(replace(broken), AuditContext(CLOCK, **context)).findings[0]
    assert finding.finding_id == again.finding_id
    assert finding.evidence == (3, 11)
    assert "SK/1" not in finding.summary and "b1" not in finding.summary


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_dossiers_survive_their_json_form(rule_id: str) -> None:
    broken, _, _ = CASES[rule_id]
    load = {
        CaseFacts: case_from_json,
        SiteFacts: site_from_json,
        ReferenceFacts: reference_from_json,
    }[type(broken)]
    assert load(json.loads(dumps(broken))) == broken
