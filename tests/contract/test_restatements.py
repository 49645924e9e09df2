"""Side-by-side rebuilds and restatements on SQLite and PostgreSQL: the diff a changed fold
gives, the atomic switch and its record, the previous version kept until dropped, and queries
answered without error while it all happens."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import Connection, delete, func, inspect, select, text

from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText
from domain.recording import Role
from domain.restatement import Restatement
from projections.base import PositionedEvent, Row, RowProjection
from projections.beneficiary_status import BeneficiaryStatus, beneficiary_status
from projections.entitlement_status import entitlement_status
from projections.side_by_side import TableDiff
from projections.worklist import WORKLIST_LIFECYCLES, worklist
from service.commands import restatements
from service.security.accounts import Account
from service.store.schema import restatement_diffs
from service.store.schema import restatements as restatements_table
from service.system import Jejak
from tests.contract.journey import closed_site, run_journey
from tests.service.store.test_migrations import (
    test_migrations_match_the_declared_tables as migrations_match,
)

# Restating is a supervisor's act (ADR 0031).
RESTATER = Account(
    username="spv",
    role=Role.SUPERVISOR,
    org_unit="Dinas Sosial Provinsi Kalimantan Utara",
    display_name="Test supervisor",
    active=True,
)
REASON = "Exit reasons were folded wrongly before release 0.2"


class CorrectedStatus(BeneficiaryStatus):
    """A fold that differs from the live one: it drops TRK-JP-0003 and restates an exit."""

    version = 2

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        new = super().fold(row, event)
        if new is None or new["case_number"] == "TRK-JP-0003":
            return None
        if new["case_number"] == "TRK-JP-0001":
            return new | {"exit_reason": "restated"}
        return new


def corrected(name: str) -> RowProjection:
    assert name == "beneficiary_status"
    return CorrectedStatus()


def _cases(jejak: Jejak, table: str = "beneficiary_status") -> dict[str, str | None]:
    with jejak.engine.connect() as conn:
        rows = conn.execute(text(f'SELECT case_number, exit_reason FROM "{table}"'))
        return {case: reason for case, reason in rows}


def _tables(jejak: Jejak) -> set[str]:
    with jejak.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


@pytest.fixture
def journeyed(jejak: Jejak) -> Jejak:
    run_journey(jejak.app)
    jejak.runner.batch_size = 7  # several batches, so progress and levelling are exercised
    jejak.runner.catch_up()
    # A live row lost by some past bug: the rebuild must bring it back.
    with jejak.engine.begin() as conn:
        conn.execute(
            delete(beneficiary_status).where(beneficiary_status.c.case_number == "TRK-JP-0002")
        )
    return jejak


def test_a_changed_fold_shows_rows_added_removed_and_changed(journeyed: Jejak) -> None:
    live_before = _cases(journeyed)
    rebuilt = restatements.prepare(journeyed, ["beneficiary_status"], replace=corrected)
    (diff,) = restatements.compare(rebuilt)

    by_kind = {c.kind: c for c in diff.changes}
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 1}
    assert by_kind["added"].after and by_kind["added"].after["case_number"] == "TRK-JP-0002"
    assert by_kind["removed"].before and by_kind["removed"].before["case_number"] == "TRK-JP-0003"
    changed = by_kind["changed"]
    assert changed.columns == ["exit_reason"]
    assert changed.positions and all(0 < p <= rebuilt.position for p in changed.positions)
    # Nothing switched yet: the live table answers as before.
    assert _cases(journeyed) == live_before


def test_a_switch_stores_the_comparison_it_follows_unless_the_log_moved_on(
    journeyed: Jejak, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[restatements.Rebuild] = []
    real = restatements._diffs

    def counted(conn: Connection, rebuild: restatements.Rebuild) -> list[TableDiff]:
        compared.append(rebuild)
        return real(conn, rebuild)

    monkeypatch.setattr(restatements, "_diffs", counted)
    rebuilt = restatements.prepare(journeyed, ["beneficiary_status"], replace=corrected)
    shown = restatements.compare(rebuilt)
    done = restatements.switch(rebuilt, RESTATER, REASON)
    # Nothing was recorded in between: the switch stores the differences shown, not redone.
    assert compared == [rebuilt] and done.diffs is shown

    again = restatements.prepare(journeyed, ["beneficiary_status"], replace=corrected)
    restatements.compare(again)
    closed_site(journeyed.app, "TRK-LU")
    journeyed.runner.catch_up()
    restatements.switch(again, RESTATER, REASON)
    assert compared == [rebuilt, again, again]


def test_the_switch_is_atomic_recorded_and_keeps_the_previous_version(journeyed: Jejak) -> None:
    live_before = _cases(journeyed)
    head = journeyed.app.position()
    rebuilt = restatements.prepare(journeyed, ["beneficiary_status"], replace=corrected)
    done = restatements.switch(rebuilt, RESTATER, REASON)

    assert done.position == head
    assert _cases(journeyed) == {"TRK-JP-0001": "restated", "TRK-JP-0002": None}
    assert _cases(journeyed, "beneficiary_status__previous") == live_before
    assert "beneficiary_status__rebuild" not in _tables(journeyed)

    # The record: an event in the log, its index row and every row it changed.
    recorded = journeyed.app.repository.get(done.restatement_id)  # type: ignore[var-annotated]
    assert isinstance(recorded, Restatement)
    assert recorded.projections == {"beneficiary_status": 2}
    assert recorded.summary == {"beneficiary_status": {"added": 1, "removed": 1, "changed": 1}}
    assert recorded.log_position == head and done.event_position > head
    listed = restatements.Restatements(journeyed).list(10, 0)
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert item["reason"] == REASON and item["actor_id"] == "spv"
    assert item["event_position"] == done.event_position
    detail = restatements.Restatements(journeyed).one(done.restatement_id, 10, 0)
    assert detail is not None
    assert sorted(r["kind"] for r in detail["rows"]) == ["added", "changed", "removed"]
    # Each row names the events behind it: which event, of which case, at which version.
    for row in detail["rows"]:
        assert [e["position"] for e in row["events"]] == row["positions"]
        for explaining in row["events"]:
            stored = journeyed.raw_log().read_positions([explaining["position"]])[0]
            assert explaining["aggregate_id"] == str(stored.originator_id)
            assert stored.topic.endswith("." + explaining["event"])
    # Sealed columns stay sealed in the stored rows.
    removed = next(r for r in detail["rows"] if r["kind"] == "removed")
    assert "Contoh" not in json.dumps(removed) and removed["before"]["name_sealed"]

    # The runner carries on from the rebuilt head; money read models still find case numbers.
    journeyed.runner.catch_up()
    assert set(journeyed.runner.positions().values()) == {journeyed.app.position()}
    with journeyed.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entitlement_status)).scalar_one()
    migrations_match(journeyed)  # indexes are back, extras ignored

    # A second restatement replaces the previous version; dropping it leaves the live one.
    again = restatements.prepare(journeyed, ["beneficiary_status", "worklist"])
    assert restatements.summary(restatements.compare(again))["beneficiary_status"] == {
        "added": 1,
        "removed": 0,
        "changed": 1,
        "rows": 3,
    }
    restatements.switch(again, RESTATER, "Back to the released fold")
    assert _cases(journeyed, "beneficiary_status__previous") == {
        "TRK-JP-0001": "restated",
        "TRK-JP-0002": None,
    }
    # The histories were rebuilt and switched with their tables, so they were kept too.
    assert restatements.drop_previous(journeyed, []) == [
        "beneficiary_status__previous",
        "beneficiary_status_history__previous",
        "worklist__previous",
        "worklist_history__previous",
    ]
    assert not {t for t in _tables(journeyed) if t.endswith("__previous")}
    with journeyed.engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(restatement_diffs)).scalar_one() == 3 + 2
        )
        assert conn.execute(select(func.count()).select_from(restatements_table)).scalar_one() == 2


def test_queries_meanwhile_see_no_error(journeyed: Jejak) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []
    answers = [0]

    def query() -> None:
        while not stop.is_set():
            try:
                with journeyed.engine.connect() as conn:
                    conn.execute(select(beneficiary_status)).all()
                    conn.execute(
                        select(entitlement_status.c.case_number, beneficiary_status.c.state).join(
                            beneficiary_status,
                            entitlement_status.c.subject_id == beneficiary_status.c.beneficiary_id,
                        )
                    ).all()
                answers[0] += 1
            except BaseException as error:  # any error a reader sees fails the test
                errors.append(error)
                return

    readers = [threading.Thread(target=query) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(2):
            rebuilt = restatements.prepare(
                journeyed, ["beneficiary_status", "entitlement_status"], replace=None
            )
            restatements.switch(rebuilt, RESTATER, REASON)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert errors == []
    assert answers[0] > 0


def test_a_reason_is_required(journeyed: Jejak) -> None:
    rebuilt = restatements.prepare(journeyed, ["site_status"])
    with pytest.raises(InvalidValue, match="why"):
        restatements.switch(rebuilt, RESTATER, " ")
    with pytest.raises(PersonalDataInText):
        restatements.switch(rebuilt, RESTATER, "NIK 6571044504909301 was folded wrongly")
    assert "site_status__previous" not in _tables(journeyed), "refused before any switch"


def test_a_restatement_caused_by_a_setting_names_it_with_its_old_and_new_value(
    journeyed: Jejak,
) -> None:
    # The journey leaves open subjects on the worklist; one of their deadlines is changed.
    with journeyed.engine.connect() as conn:
        deadline = (
            conn.execute(select(worklist.c.deadline).where(worklist.c.deadline.is_not(None)))
            .scalars()
            .first()
        )
    assert deadline is not None
    days = {d.setting: d.default_days for lc in WORKLIST_LIFECYCLES for d in lc.deadlines}
    before, after = days[deadline], days[deadline] + 7
    # The service restarts with JEJAK_DEADLINE_DAYS changed, then the worklist is rebuilt.
    journeyed.close()
    changed = Jejak.start(
        journeyed.settings.model_copy(update={"deadline_days": {deadline: after}})
    )
    try:
        rebuilt = restatements.prepare(changed, ["worklist"])
        (diff,) = restatements.compare(rebuilt)
        done = restatements.switch(rebuilt, RESTATER, "The deadline was lengthened by decree")
        detail = restatements.Restatements(changed).one(done.restatement_id, 100, 0)
        recorded = changed.app.repository.get(done.restatement_id)  # type: ignore[var-annotated]
        same_again = restatements.compare(restatements.prepare(changed, ["worklist"]))
    finally:
        changed.close()

    cause = {"setting": f"JEJAK_DEADLINE_DAYS.{deadline}", "before": before, "after": after}
    assert diff.counts()["changed"] > 0
    assert diff.settings == {cause["setting"]: {"before": before, "after": after}}
    assert detail is not None and detail["rows"]
    assert all(row["settings"] == [cause] for row in detail["rows"])
    assert isinstance(recorded, Restatement)
    assert recorded.settings_changed == {"worklist": diff.settings}
    # The switch recorded the settings the live worklist is now folded with.
    (unchanged,) = same_again
    assert unchanged.settings == {} and unchanged.changes == []


def test_a_restatement_of_a_changed_fold_names_no_setting(journeyed: Jejak) -> None:
    rebuilt = restatements.prepare(journeyed, ["beneficiary_status"], replace=corrected)
    done = restatements.switch(rebuilt, RESTATER, REASON)

    detail = restatements.Restatements(journeyed).one(done.restatement_id, 10, 0)

    assert detail is not None and detail["settings_changed"] == {}
    assert all(row["settings"] == [] and row["events"] for row in detail["rows"])
