"""audit_findings as a projection: the tables equal a pure fold of the log however the log is
cut into batches, findings resolve instead of disappearing, and an acknowledgement keeps the
finding."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from sqlalchemy import Engine

from domain.recording import Provenance
from projections.audit_book import audit_of_log
from projections.audit_findings import AuditFindings, audit_dossiers, audit_findings, audit_subjects
from projections.base import PositionedEvent
from service.store.event_log import ApplicationEventSource
from service.system import Jejak
from tests.conftest import settings_for
from tests.contract.journey import KELURAHAN, OPERATOR, SUPERVISOR, run_journey, run_money_story
from tests.projections.batches import CUTS, applied_in_batches, table_rows

STATEMENT = (
    "value_date,bank_reference,amount,kind,description\n"
    "2019-08-05,KTT-UNKNOWN-1,1000000,TRANSFER_OUT,Transfer\n"
)


def events_of(jejak: Jejak) -> list[PositionedEvent]:
    return list(ApplicationEventSource(jejak.app).read_after(0, 100_000))


def open_findings(log: Sequence[PositionedEvent]) -> dict[str, dict[str, Any]]:
    findings, _, _ = audit_of_log(log)
    return {k: v for k, v in findings.items() if v["status"] == "open"}


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[PositionedEvent]]:
    """The journey and the money story; a statement with a transfer nobody knows; one finding
    acknowledged; then a site registered in 2020, which moves the log's clock past every
    deadline of 2019."""
    folder = tmp_path_factory.mktemp("audit")
    jejak = Jejak.start(settings_for(f"sqlite:///{folder}/audit.db", Path(folder)))
    try:
        run_journey(jejak.app)
        run_money_story(jejak.app)
        jejak.app.money.import_bank_statement(
            content=STATEMENT.encode(),
            account_label="Bank Kaltimtara",
            provenance=Provenance(SUPERVISOR, date(2019, 9, 2)),
        )
        finding = next(v for v in open_findings(events_of(jejak)).values() if v["rule_id"] == "A23")
        jejak.app.audit_checks.acknowledge_finding(
            UUID(finding["finding_id"]),
            rule_id="A23",
            subject_id=finding["subject_id"],
            provenance=Provenance(SUPERVISOR, date(2019, 9, 3), reason="Funds diverted in 2018"),
        )
        jejak.app.sites.register_site(
            code="NNK-NT",
            name="Nunukan Tengah",
            aliases=[],
            kelurahan=KELURAHAN,
            headcount_at_pendataan=39,
            provenance=Provenance(OPERATOR, date(2020, 3, 1)),
        )
        yield events_of(jejak)
    finally:
        jejak.close()


def in_batches(events: Sequence[PositionedEvent], cuts: list[int]) -> Engine:
    """The audit projection alone (it reads no other read model), the log cut by `cuts`."""
    return applied_in_batches([AuditFindings()], events, cuts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(cuts=CUTS)
def test_the_audit_tables_are_the_same_however_the_log_is_cut(
    audit_log: list[PositionedEvent], cuts: list[int]
) -> None:
    findings, dossiers, index = audit_of_log(audit_log)
    engine = in_batches(audit_log, cuts)
    with engine.connect() as conn:
        assert table_rows(conn, audit_findings, "finding_id") == findings
        assert table_rows(conn, audit_dossiers, "dossier_id") == dossiers
        assert table_rows(conn, audit_subjects, "aggregate_id") == index


def test_the_stories_findings(audit_log: list[PositionedEvent]) -> None:
    findings, _, _ = audit_of_log(audit_log)
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for row in findings.values():
        by_rule.setdefault(row["rule_id"], []).append(row)
    # The unclaimed transport: not withdrawn, then marked unclaimed, then returned.
    (unclaimed,) = by_rule["A15"]
    assert unclaimed["status"] == "resolved"
    assert unclaimed["resolved_on"] == date(2019, 12, 10)
    # The transfer the ledger does not know stays open, and the statement covering 5 August
    # lacks the other credits of that day; the late closures stay open too.
    unknown = {r["subject_id"]: r for r in by_rule["A13"]}.pop("KTT-UNKNOWN-1")
    assert unknown["status"] == "open" and "does not know" in unknown["summary"]
    assert all("not on the statement" in r["summary"] for r in by_rule["A13"] if r != unknown)
    assert {r["status"] for r in by_rule["A23"]} == {"open"}
    # Credits of August 2019 no statement shows withdrawn by March 2020, except the unclaimed
    # transport, which was marked unclaimed instead.
    a14 = {r["subject_id"]: r["status"] for r in by_rule["A14"]}
    assert a14.pop(unclaimed["subject_id"]) == "resolved"
    assert set(a14.values()) == {"open"}
    for row in findings.values():
        assert row["first_seen_position"] <= row["last_position"]
        assert set(json.loads(row["evidence"])) <= {e.position for e in audit_log}


def test_an_acknowledgement_keeps_the_finding(audit_log: list[PositionedEvent]) -> None:
    findings, _, _ = audit_of_log(audit_log)
    (acknowledged,) = [r for r in findings.values() if r["acknowledged"]]
    assert acknowledged["rule_id"] == "A23"
    assert acknowledged["status"] == "open"
    assert (acknowledged["acknowledged_by"], acknowledged["acknowledgement_reason"]) == (
        "sup",
        "Funds diverted in 2018",
    )
    before = audit_of_log(audit_log[: acknowledged["acknowledged_position"] - 1])[0]
    assert set(before) <= set(findings)


def test_a_finding_is_resolved_never_removed(audit_log: list[PositionedEvent]) -> None:
    seen: set[str] = set()
    for end in range(0, len(audit_log) + 1, 25):
        findings, _, _ = audit_of_log(audit_log[:end])
        assert seen <= set(findings)
        seen = set(findings)
