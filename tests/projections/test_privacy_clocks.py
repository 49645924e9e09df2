"""The privacy clocks' fold, without a database: started by a declared start event's aware
time, stopped by the first stop event as recorded, for any declaration in CLOCKS (a register
added later, such as the breach register, only declares its clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.privacy.clocks import SUBJECT_REQUEST_CLOCK, ClockDeclaration
from domain.privacy.subject_request import WITA, SubjectRequest
from domain.recording import Actor, Role
from projections.base import PositionedEvent
from projections.privacy_clocks import ClockedEvent, PrivacyClocks
from tests.domain.givens import by, document, given, history_of

DPO = Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara")
RECEIVED = datetime(2026, 4, 6, 9, 30, tzinfo=WITA)


def events_of_a_request(answered: bool) -> list[PositionedEvent]:
    made = SubjectRequest.record(
        number="PDP-2026-001",
        kind="restriction",
        received_at=RECEIVED,
        channel="letter",
        requester="subject",
        verification_method="letter_with_ktp_copy",
        verification_result="verified",
        provenance=by(DPO, date(2026, 4, 6), document("surat", "tanpa nomor", date(2026, 4, 3))),
        beneficiary_id=SubjectRequest.create_id("her case"),
    )
    log = history_of(made)
    if answered:
        request = given(*log)
        assert isinstance(request, SubjectRequest)
        request.refuse(
            refusal_reason="endangers_safety_or_health",
            explanation="Pembatasan membahayakan keselamatan subjek",
            provenance=by(DPO, date(2026, 4, 8), document("surat", "480/PDP", date(2026, 4, 8))),
        )
        log += history_of(request)
    return [PositionedEvent(n, e) for n, e in enumerate(log, start=1)]


def fold(projection: PrivacyClocks, events: list[PositionedEvent]) -> dict[str, dict[str, object]]:
    """What `apply` writes: each event folded once per clock it bears on."""
    rows: dict[str, dict[str, object]] = {}
    for event in events:
        for clock in projection.clocks_of(event):
            clocked = ClockedEvent(event.position, event.event, clock=clock)
            key = str(projection.key_of(clocked))
            row = projection.fold(rows.get(key), clocked)
            assert row is not None
            rows[key] = row
    return rows


def test_a_clock_starts_at_the_aware_time_of_receipt_and_runs_72_hours() -> None:
    (row,) = fold(PrivacyClocks(), events_of_a_request(answered=False)).values()

    assert row["started_at"] == RECEIVED.astimezone(UTC)
    assert row["due_at"] == RECEIVED.astimezone(UTC) + timedelta(hours=72)
    assert row["label"] == "PDP-2026-001"
    assert row["responsible"] == "dpo"
    assert row["stopped_at"] is None


def test_the_answer_stops_the_clock_when_it_is_recorded() -> None:
    events = events_of_a_request(answered=True)

    (row,) = fold(PrivacyClocks(), events).values()

    assert row["stopped_at"] == events[-1].recorded_at.astimezone(UTC)
    assert row["stopped_by"] == "SubjectRequestRefused"


def test_one_event_starts_every_clock_declared_on_it() -> None:
    # A second clock over the same events, answerable by two roles.
    other = replace(
        SUBJECT_REQUEST_CLOCK,
        kind="other_register",
        responsible=frozenset({Role.DPO, Role.SUPERVISOR}),
        window=timedelta(hours=24),
    )
    assert isinstance(other, ClockDeclaration)

    rows = fold(PrivacyClocks((SUBJECT_REQUEST_CLOCK, other)), events_of_a_request(False))

    assert {r["clock_kind"] for r in rows.values()} == {"subject_request", "other_register"}
    (second,) = [r for r in rows.values() if r["clock_kind"] == "other_register"]
    assert second["responsible"] == "dpo,supervisor"
    assert second["due_at"] == RECEIVED.astimezone(UTC) + timedelta(hours=24)


def test_events_of_no_declared_clock_are_ignored() -> None:
    assert fold(PrivacyClocks(()), events_of_a_request(answered=True)) == {}
