"""Reports "as at" a business date and "as known at" a log position; the two differ when
something is entered late. The fast path (version histories in SQL) must equal the replay of
the log for every cut."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import distinct, func, select

from domain.recording import DocumentRef, Provenance
from domain.site import InspectionOutcome
from domain.units import EVERYTHING
from projections.dashboard import ProgrammeDashboard
from projections.dashboard_counts import CountRules, out_of_order_keys
from projections.tables import HISTORIES
from service.queries.dashboard import dashboard_at
from service.queries.read_models import ReadModels
from service.queries.time_travel import (
    Cut,
    HistoryCut,
    aggregate_at,
    position_recorded_by,
    read_model_at,
    read_model_page,
    replay_read_model_at,
    row_projection,
)
from service.system import Jejak
from tests.contract.journey import OPERATOR, closed_site, run_journey, run_money_story

beneficiary_status_history = HISTORIES["beneficiary_status"]
WITH_HISTORY = (
    "site_status",
    "beneficiary_status",
    "entitlement_status",
    "worklist",
    "audit_register",
)


def test_a_late_entry_shows_as_at_its_date_but_not_as_known_before_it_was_entered(
    jejak: Jejak,
) -> None:
    app = jejak.app
    site = closed_site(app)
    before_entry = app.position()
    # An inspection of 15 January 2019, entered only now.
    app.sites.record_inspection(
        site,
        outcome=InspectionOutcome.ACTIVITY_FOUND,
        provenance=Provenance(
            OPERATOR,
            date(2019, 1, 15),
            DocumentRef("laporan", "LP/1", date(2019, 1, 15), "Dinsos"),
        ),
    )

    jejak.runner.catch_up()
    as_at = read_model_at(jejak, "site_status", Cut(as_at=date(2019, 1, 31)))
    as_known = read_model_at(jejak, "site_status", Cut(known_at=before_entry))
    assert as_at == replay_read_model_at(jejak, "site_status", Cut(as_at=date(2019, 1, 31)))
    assert as_known == replay_read_model_at(jejak, "site_status", Cut(known_at=before_entry))

    (then_by_date,) = as_at
    (then_as_known,) = as_known
    assert then_by_date["state"] == "MONITORED"
    assert then_as_known["state"] == "CLOSED"
    assert then_by_date["last_position"] > before_entry >= then_as_known["last_position"]


def test_the_present_cut_equals_the_live_read_model(jejak: Jejak) -> None:
    run_journey(jejak.app)
    jejak.runner.catch_up()
    now = read_model_at(jejak, "beneficiary_status", Cut(known_at=jejak.app.position()))
    with jejak.engine.connect() as conn:
        live = conn.exec_driver_sql(
            "SELECT beneficiary_id, state, version FROM beneficiary_status ORDER BY beneficiary_id"
        ).all()
    assert [(r["beneficiary_id"], r["state"], r["version"]) for r in now] == [
        tuple(r) for r in live
    ]
    assert all("name_sealed" not in r for r in now), "sealed columns stay out of a replay"


def test_one_aggregate_at_a_past_version_or_date(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    first = aggregate_at(jejak, journey.beneficiary_id, version=1, as_at=None)
    trained = aggregate_at(jejak, journey.beneficiary_id, version=None, as_at=date(2019, 6, 30))

    assert (first.state, first.version) == ("REGISTERED", 1)
    assert trained.state == "TRAINED"
    with pytest.raises(LookupError):
        aggregate_at(jejak, journey.beneficiary_id, version=None, as_at=date(2000, 1, 1))
    with pytest.raises(LookupError):
        read_model_at(jejak, "event_chain", Cut(known_at=1))


def fine_grained(jejak: Jejak) -> ProgrammeDashboard:
    """The live dashboard with its sums cut small (ADR 0026): buckets of five positions and a
    checkpoint every few moves, so that a short story crosses many of both."""
    dashboard = next(p for p in jejak.runner.projections if isinstance(p, ProgrammeDashboard))
    dashboard.count_rules = CountRules(bucket_positions=5, checkpoint_moves=2)
    return dashboard


def late_and_out_of_order(jejak: Jejak) -> None:
    """Two sites' stories, then entries made late: an inspection dated before the last events
    recorded, and a site closed in the log before a sosialisasi dated earlier is entered. The
    dashboard's sums are cut small (`fine_grained`)."""
    fine_grained(jejak)
    journey = run_journey(jejak.app)
    run_money_story(jejak.app)
    jejak.app.sites.record_inspection(
        journey.site_id,
        outcome=InspectionOutcome.ACTIVITY_FOUND,
        provenance=Provenance(
            OPERATOR, date(2019, 1, 15), DocumentRef("laporan", "LP/1", date(2019, 1, 15), "Dinsos")
        ),
    )
    jejak.runner.catch_up()


def test_the_fast_path_equals_the_replay_for_random_cuts(jejak: Jejak) -> None:
    late_and_out_of_order(jejak)
    head = jejak.app.position()
    sites = [r["site_id"] for r in replay_read_model_at(jejak, "site_status", Cut(known_at=head))]
    cuts = st.builds(
        Cut,
        known_at=st.none() | st.integers(0, head),
        as_at=st.none() | st.dates(date(2016, 1, 1), date(2020, 1, 1)),
    ).filter(lambda c: c.known_at is not None or c.as_at is not None)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cut=cuts, name=st.sampled_from(WITH_HISTORY), site=st.none() | st.sampled_from(sites))
    def same_rows(cut: Cut, name: str, site: str | None) -> None:
        where = (
            None if site is None or name in ("site_status", "audit_register") else {"site_id": site}
        )
        expected = replay_read_model_at(jejak, name, cut, where)
        assert read_model_at(jejak, name, cut, where) == expected
        page = read_model_page(jejak, name, cut, where, limit=2, offset=1)
        assert (page.items, page.total) == (expected[1:3], len(expected))
        assert dashboard_at(jejak, cut) == dashboard_at(jejak, cut, replay=True)

    same_rows()


def test_a_date_cut_refolds_a_key_whose_events_were_entered_out_of_date_order(
    jejak: Jejak,
) -> None:
    late_and_out_of_order(jejak)
    # The journey records her bank account (dated 8 July) after her arrival home (10 July):
    # on 9 July her row is neither of its stored versions, so it is folded again.
    cut = Cut(as_at=date(2019, 7, 9))
    projection = row_projection(jejak, "beneficiary_status")
    past = HistoryCut(projection, beneficiary_status_history, cut, {})
    with jejak.engine.connect() as conn:
        assert list(conn.execute(past.out_of_order()).scalars())
        refolded = past.refold(conn, jejak)
    rows = read_model_at(jejak, "beneficiary_status", cut)
    assert rows == replay_read_model_at(jejak, "beneficiary_status", cut)
    assert [r for r in refolded if r["bank_account_recorded"] and r["state"] == "TRAINED"]


def test_the_present_dashboard_equals_the_live_one(jejak: Jejak) -> None:
    late_and_out_of_order(jejak)
    live = ReadModels.of(jejak, EVERYTHING).dashboard.now()
    now = dashboard_at(jejak, Cut(known_at=jejak.app.position()))
    kept = set(now["sites"][0])
    assert [{k: s[k] for k in kept} for s in live["sites"]] == now["sites"]
    assert now["totals"] == live["totals"]
    assert now["totals"]["credited_rupiah"] > 0


def test_as_known_at_a_recording_time_is_the_last_position_recorded_by_then(
    jejak: Jejak,
) -> None:
    closed_site(jejak.app)
    events = jejak.app.history(closed_site(jejak.app, "TRK-LU"))
    head = jejak.app.position()
    moment = events[0].timestamp
    at = position_recorded_by(jejak, moment)
    assert 0 < at < head
    assert position_recorded_by(jejak, moment - timedelta(days=3650)) == 0
    assert position_recorded_by(jejak, moment + timedelta(days=3650)) == head
    with pytest.raises(ValueError, match="time zone"):
        position_recorded_by(jejak, moment.astimezone(UTC).replace(tzinfo=None))


def test_after_a_side_by_side_rebuild_the_histories_still_give_the_replays_cuts(
    jejak: Jejak,
) -> None:
    from service.commands import restatements
    from tests.contract.test_rebuild_all import SUPERVISOR

    late_and_out_of_order(jejak)
    # Small batches, so the histories are rebuilt over several of them and each batch folds
    # from the versions the previous ones wrote.
    jejak.runner.batch_size = 7
    rebuilt = restatements.prepare(jejak, list(WITH_HISTORY))
    restatements.switch(rebuilt, SUPERVISOR, "Histories rebuilt with the read models")
    head = jejak.app.position()
    for cut in (Cut(known_at=head // 2), Cut(as_at=date(2018, 12, 31)), Cut(known_at=head)):
        for name in WITH_HISTORY:
            assert read_model_at(jejak, name, cut) == replay_read_model_at(jejak, name, cut)


def test_the_dashboard_at_a_cut_reads_checkpoints_months_and_refolds_people_out_of_order(
    jejak: Jejak,
) -> None:
    late_and_out_of_order(jejak)
    dashboard = fine_grained(jejak)
    tables = dashboard.count_tables()
    with jejak.engine.connect() as conn:
        checkpoints = conn.execute(select(func.count(distinct(tables.known.c.position))))
        months = conn.execute(select(func.count(distinct(tables.dated.c.month_end))))
        buckets = conn.execute(select(func.count(distinct(tables.moves.c.bucket))))
        assert (checkpoints.scalar_one(), months.scalar_one(), buckets.scalar_one()) > (1, 1, 1)
        # Her bank account (dated 8 July) was recorded after her arrival home (10 July).
        assert out_of_order_keys(conn, tables, date(2019, 7, 9))
    head = jejak.app.position()
    for cut in (
        Cut(as_at=date(2019, 7, 9)),
        Cut(known_at=head - 3),
        Cut(known_at=head // 2, as_at=date(2019, 7, 9)),
        Cut(known_at=head, as_at=date(2019, 3, 1)),
    ):
        assert dashboard_at(jejak, cut) == dashboard_at(jejak, cut, replay=True), cut


def test_a_rebuild_in_other_batches_makes_the_same_sums(jejak: Jejak) -> None:
    from service.commands import restatements

    jejak.runner.batch_size = 3
    late_and_out_of_order(jejak)
    jejak.runner.batch_size = 17
    rebuilt = restatements.prepare(jejak, ["programme_dashboard"])
    diffs = {d.table: d for d in restatements.compare(rebuilt)}

    for table in fine_grained(jejak).tables:
        assert diffs[table.name].changes == [], table.name
        assert diffs[table.name].rows > 0, table.name
