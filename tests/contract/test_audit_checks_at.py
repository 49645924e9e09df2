"""The automatic audit checks' findings at a cut, on SQLite and PostgreSQL: the fast path (the
findings' and dossiers' version histories, with the events entered late folded on top) must
equal the replay of the log for every cut, however the log was cut into batches (ADR 0028)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.decree import entitlement_id
from projections.audit_book import AuditBook, NoSource
from service.commands import restatements
from service.queries.audit_checks import findings_at, replay_findings_at
from service.queries.time_travel import Cut
from service.store.event_log import log_events
from service.system import Jejak
from tests.contract.journey import CAPITAL, OPERATOR, by, run_money_story
from tests.contract.test_rebuild_all import SUPERVISOR
from tests.contract.test_time_travel import late_and_out_of_order

CUTS = st.builds(
    Cut,
    known_at=st.none() | st.integers(0, 150),
    as_at=st.none() | st.dates(date(2016, 1, 1), date(2020, 1, 1)),
)
SITE_FILTER = st.none() | st.sampled_from(["open", "resolved"])


def same_as_the_replay(jejak: Jejak, examples: int) -> None:
    """Random cuts, filters and pages: the fast path gives the replay's findings."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cut=CUTS, status=SITE_FILTER)
    def same_findings(cut: Cut, status: str | None) -> None:
        expected = replay_findings_at(jejak, cut)
        got = {r["finding_id"]: r for r in findings_at(jejak, cut).items}
        assert got == expected
        wanted = sorted(
            (r for r in expected.values() if status is None or r["status"] == status),
            key=lambda r: (-r["first_seen_position"], r["finding_id"]),
        )
        page = findings_at(jejak, cut, {"status": status}, limit=2, offset=1)
        assert (page.items, page.total) == (wanted[1:3], len(wanted))

    same_findings()


def test_the_fast_path_equals_the_replay_for_random_cuts(jejak: Jejak) -> None:
    # Small batches: each folds from the versions the ones before it wrote.
    jejak.runner.batch_size = 3
    late_and_out_of_order(jejak)
    same_as_the_replay(jejak, 40)


def test_every_deadline_a_dossier_waits_for_is_after_the_clock_that_set_it(jejak: Jejak) -> None:
    # What a fold started from a past position relies on to find the dossiers to wake.
    late_and_out_of_order(jejak)
    book = AuditBook(NoSource(), {}, versioned=True)
    clock: date | None = None
    waiting = 0
    for event in log_events(jejak.app):
        occurred = event.event.occurred_on
        clock = occurred if clock is None or occurred > clock else clock
        book.apply(event)
        assert book.versions is not None
        for row, at in book.versions.dossiers:
            if at.position == event.position and row["wake_on"] is not None:
                assert row["wake_on"] > clock, (row["dossier_id"], row["wake_on"], clock)
                waiting += 1
        book.versions.dossiers.clear()
    assert waiting > 0


def test_after_a_side_by_side_rebuild_the_histories_give_the_same_cuts(jejak: Jejak) -> None:
    late_and_out_of_order(jejak)
    jejak.runner.batch_size = 7
    rebuilt = restatements.prepare(jejak, ["audit_findings"])
    assert all(d.changes == [] for d in restatements.compare(rebuilt))
    restatements.switch(rebuilt, SUPERVISOR, "Audit histories rebuilt")
    same_as_the_replay(jejak, 15)


def test_a_receipt_entered_late_is_open_as_known_then_and_resolved_as_at_its_date(
    jejak: Jejak,
) -> None:
    story = run_money_story(jejak.app)
    capital = entitlement_id(story.people[0], *CAPITAL)
    jejak.runner.catch_up()
    before = jejak.app.position()
    # Signed on 10 August 2019, five days after the credit; entered months later.
    jejak.app.money.acknowledge_receipt(
        capital, provenance=by(OPERATOR, date(2019, 8, 10), "receipt")
    )
    jejak.runner.catch_up()

    def a16(cut: Cut) -> str | None:
        rows = findings_at(jejak, cut, {"rule_id": "A16", "subject_id": str(capital)}).items
        assert {r["finding_id"]: r for r in rows} == {
            k: v
            for k, v in replay_findings_at(jejak, cut).items()
            if v["rule_id"] == "A16" and v["subject_id"] == str(capital)
        }
        return rows[0]["status"] if rows else None

    assert a16(Cut(known_at=before)) == "open"
    assert a16(Cut(as_at=date(2019, 12, 31))) == "resolved"
    assert a16(Cut(known_at=before, as_at=date(2019, 12, 31))) == "open"
    # As at a date before its deadline passed, nothing was due yet.
    assert a16(Cut(as_at=date(2019, 8, 31))) is None
