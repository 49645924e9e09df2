"""Rebuilding every read model side by side on SQLite and PostgreSQL: the tables of multi-table
read models rebuilt and switched together, an unchanged log giving an empty diff everywhere,
queries answered throughout, a changed deadline setting restating the worklist, and the hash
chain refusing a switch that would replace the evidence of a changed log."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pytest
from sqlalchemy import Connection, Table, delete, func, inspect, select, text, update

from domain.recording import Role
from projections.base import PositionedEvent, Projection, fold_all
from projections.event_chain import event_chain
from projections.side_by_side import ChainDiverged, LiveWrite, switched
from projections.site_status import SiteStatus, site_status
from projections.worklist import WORKLIST_LIFECYCLES, Worklist
from service.commands import restatements
from service.security.accounts import Account
from service.store.schema import restatements as restatements_table
from service.system import Jejak
from tests.contract.journey import run_journey, run_money_story

SUPERVISOR = Account(
    username="spv",
    role=Role.SUPERVISOR,
    org_unit="Dinas Sosial Provinsi Kalimantan Utara",
    display_name="Test supervisor",
    active=True,
)
REASON = "Release 0.3 folds every read model afresh"
DEADLINE_SETTINGS = sorted(
    {d.setting for lc in WORKLIST_LIFECYCLES for s in lc.states for d in lc.deadlines_in(s.name)}
)


@pytest.fixture
def lived(jejak: Jejak) -> Jejak:
    """A store whose log reaches every read model: cases, money, a chain with a checkpoint."""
    run_journey(jejak.app)
    run_money_story(jejak.app)
    jejak.runner.batch_size = 50  # several batches on both sides of the rebuild
    jejak.runner.catch_up()
    assert jejak.checkpoints.sign_head() is not None
    return jejak


def _every_name(jejak: Jejak) -> list[str]:
    return restatements.side_by_side_names(jejak)


def _live_tables(jejak: Jejak) -> list[Table]:
    return [t for p in jejak.runner.projections for t in (*p.tables, *p.histories)]


def _contents(conn: Connection, table: str) -> list[dict[str, object]]:
    """Every row by column name (a migrated table may order its columns otherwise)."""
    rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings()
    return sorted((dict(r) for r in rows), key=lambda r: repr(sorted(r.items())))


def test_every_read_model_is_rebuilt_side_by_side(lived: Jejak) -> None:
    names = _every_name(lived)
    assert names == [p.name for p in lived.runner.projections]
    with lived.engine.connect() as conn:
        before = {t.name: _contents(conn, t.name) for t in _live_tables(lived)}

    rebuilt = restatements.prepare(lived, names)
    diffs = restatements.compare(rebuilt)

    rebuilt_tables = [t.name for p in lived.runner.projections for t in p.rebuilt]
    assert [d.table for d in diffs] == rebuilt_tables
    assert "chain_checkpoints" not in rebuilt_tables  # signed at the time: kept, checked
    assert {d.table: d.changes for d in diffs} == {t: [] for t in rebuilt_tables}
    assert all(d.rows == len(before[d.table]) for d in diffs)
    chain = next(d for d in diffs if d.table == "event_chain")
    assert chain.checks == {"checkpoints": 1, "checkpoints_contradicted": 0}

    # The version histories are rebuilt with their tables and switched with them, unlisted.
    switched_tables = [t.name for p in lived.runner.projections for t in switched(p)]
    # Five row read models' histories, and the audit checks' four (ADR 0028).
    assert len(switched_tables) == len(rebuilt_tables) + 5 + 4
    done = restatements.switch(rebuilt, SUPERVISOR, REASON)
    with lived.engine.connect() as conn:
        after = {t.name: _contents(conn, t.name) for t in _live_tables(lived)}
        previous = {t: _contents(conn, t + "__previous") for t in switched_tables}
        recorded = conn.execute(select(restatements_table)).mappings().one()
    assert after == before and previous == {t: before[t] for t in switched_tables}
    assert recorded["log_position"] == done.position
    assert set(restatements.summary(diffs)) == set(rebuilt_tables)
    # One record for the whole switch, naming every read model and its version.
    event = lived.app.repository.get(done.restatement_id)  # type: ignore[var-annotated]
    assert set(event.projections) == set(names)
    assert all(c == {"added": 0, "removed": 0, "changed": 0} for c in event.summary.values())

    # The runner carries on from the switch on every table, the chain included.
    lived.runner.catch_up()
    assert set(lived.runner.positions().values()) == {lived.app.position()}
    assert lived.verify_log().intact
    assert restatements.drop_previous(lived, []) == [t + "__previous" for t in switched_tables]


def test_queries_on_every_read_model_meanwhile_see_no_error(lived: Jejak) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []
    answers = [0]
    tables = _live_tables(lived)

    def query() -> None:
        while not stop.is_set():
            try:
                with lived.engine.connect() as conn:
                    for table in tables:
                        conn.execute(select(func.count()).select_from(table)).scalar_one()
                        conn.execute(select(table).limit(5)).all()
                answers[0] += 1
            except BaseException as error:  # any error a reader sees fails the test
                errors.append(error)
                return

    readers = [threading.Thread(target=query) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(2):
            rebuilt = restatements.prepare(lived, _every_name(lived))
            restatements.switch(rebuilt, SUPERVISOR, REASON)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert errors == []
    assert answers[0] > 0


def test_a_changed_deadline_setting_restates_the_worklist_rows_it_moves(lived: Jejak) -> None:
    longer = {setting: 400 for setting in DEADLINE_SETTINGS}

    def with_longer_deadlines(name: str) -> Projection:
        assert name == "worklist"
        return Worklist(longer)

    rebuilt = restatements.prepare(lived, ["worklist"], replace=with_longer_deadlines)
    (diff,) = restatements.compare(rebuilt)

    # The expectation comes from the folds themselves, over the whole log in memory.
    events = list(_log(lived))
    old, new = fold_all(Worklist(), events), fold_all(Worklist(longer), events)
    moved: set[Hashable] = {k for k in old if old[k]["due_on"] != new[k]["due_on"]}
    assert moved, "the journey must leave deadlines running"
    assert {c.key for c in diff.changes} == {str(k) for k in moved}
    for change in diff.changes:
        assert change.kind == "changed" and change.columns == ["due_on"]
        assert change.before and change.after and change.before["due_on"] is not None
        assert change.after["due_on"] > change.before["due_on"]
        assert change.positions == [change.before["last_position"]]
    done = restatements.switch(rebuilt, SUPERVISOR, "Deadlines lengthened by decree")
    assert done.diffs[0].counts() == {"added": 0, "removed": 0, "changed": len(moved)}


def test_a_chain_that_changes_is_shown_and_never_switched(lived: Jejak) -> None:
    with lived.engine.begin() as conn:
        tampered = conn.execute(
            select(func.min(event_chain.c.position)).where(event_chain.c.position > 10)
        ).scalar_one()
        conn.execute(
            update(event_chain).where(event_chain.c.position == tampered).values(link_hash="0" * 64)
        )
    rebuilt = restatements.prepare(lived, _every_name(lived))
    chain = next(d for d in restatements.compare(rebuilt) if d.table == "event_chain")
    (change,) = chain.changes
    assert change.kind == "changed" and change.columns == ["link_hash"]
    assert change.positions == [tampered]

    with pytest.raises(ChainDiverged, match=f"from position {tampered}"):
        restatements.switch(rebuilt, SUPERVISOR, REASON)
    with lived.engine.connect() as conn:
        assert not {t for t in inspect(conn).get_table_names() if t.endswith("__previous")}
        assert conn.execute(select(func.count()).select_from(restatements_table)).scalar_one() == 0


class CarelessStatus(SiteStatus):
    """A writer that names the live table instead of its own: it must not touch it."""

    def apply(self, conn: Connection, events: list[PositionedEvent]) -> None:  # type: ignore[override]
        conn.execute(delete(site_status))


def test_a_fold_writing_the_live_table_is_stopped(lived: Jejak) -> None:
    with lived.engine.connect() as conn:
        before = _contents(conn, "site_status")
    with pytest.raises(LiveWrite, match="site_status"):
        restatements.prepare(lived, ["site_status"], replace=lambda _name: CarelessStatus())
    with lived.engine.connect() as conn:
        assert _contents(conn, "site_status") == before


def _log(jejak: Jejak) -> list[PositionedEvent]:
    events: list[PositionedEvent] = []
    while batch := jejak.runner.source.read_after(events[-1].position if events else 0, 500):
        events.extend(batch)
    return events
