"""Events stored in an old shape replay, upcast on read, to the read models of today's commands.

`tests/fixtures/events-v1.db` was written by the code before `Site.SiteClosed` v2: its closures
say `funds_in_place` (a boolean) where today's say `funding_status`. See the README beside it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from domain.site import FundingStatus, Site
from projections.audit_findings import audit_dossiers, audit_findings
from projections.dashboard import programme_dashboard
from projections.site_status import site_status
from projections.worklist import worklist
from service.system import Jejak
from tests.conftest import settings_for
from tests.fixtures.site_story import SITES, record_sites

FIXTURE = Path(__file__).parent.parent / "fixtures" / "events-v1.db"
# The read models that site events feed; positions and dates match because both logs record
# the same facts in the same order.
READ_MODELS = {
    "site_status": (site_status, "site_id"),
    "programme_dashboard": (programme_dashboard, "site_id"),
    "worklist": (worklist, "subject_id"),
    "audit_findings": (audit_findings, "finding_id"),
    "audit_dossiers": (audit_dossiers, "dossier_id"),
}


def read_models(jejak: Jejak) -> dict[str, dict[Any, dict[str, Any]]]:
    with jejak.engine.connect() as conn:
        return {
            name: {r[key]: _parsed(dict(r)) for r in conn.execute(select(table)).mappings()}
            for name, (table, key) in READ_MODELS.items()
        }


# Columns that migration 0012 adds empty and only a rebuild fills from the log (ADR 0022).
FILLED_BY_REBUILD = ("dated_events", "milestone_versions")


def migrated_in_place(models: dict[str, dict[Any, dict[str, Any]]]) -> dict[str, Any]:
    """The read models without the columns a rebuild fills."""
    return {
        name: {
            key: {c: v for c, v in row.items() if c not in FILLED_BY_REBUILD}
            for key, row in rows.items()
        }
        for name, rows in models.items()
    }


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    # JSON columns compared by value: a migrated row need not be written byte for byte alike.
    if "facts" in row:
        row["facts"] = json.loads(row["facts"])
    return row


def funding_now(funded: bool) -> dict[str, object]:
    """Today's closure argument for what v1 recorded as `funds_in_place=funded`."""
    return {"funding_status": FundingStatus.IN_PLACE if funded else FundingStatus.NOT_IN_PLACE}


@pytest.fixture
def recorded_now(tmp_path: Path) -> Iterator[Jejak]:
    """The fixture's facts recorded through today's commands into a fresh store."""
    system = Jejak.start(settings_for(f"sqlite:///{tmp_path}/now.db", tmp_path))
    record_sites(system.app, funding_now)
    system.runner.catch_up()
    yield system
    system.close()


def stored_v1_rows() -> list[tuple[Any, ...]]:
    with sqlite3.connect(FIXTURE) as conn:
        return conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()


def stored_states(jejak: Jejak) -> list[bytes]:
    table = jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    with jejak.engine.connect() as conn:
        return [bytes(r[0]) for r in conn.exec_driver_sql(f"SELECT state FROM {table} ORDER BY 1")]


def assert_replays_as_today(old: Jejak, now: Jejak) -> None:
    """The v1 log decodes into v2 sites and, rebuilt, into today's read models; unrewritten."""
    for site in SITES:
        loaded = old.app.site(Site.create_id(site.code))
        assert loaded.funding_status == funding_now(site.funded)["funding_status"]
    states_before = stored_states(old)
    old.runner.reset([p.name for p in old.runner.projections if p.name != "event_chain"])
    old.runner.catch_up()
    assert read_models(old) == read_models(now)
    # Upcasting happens on read only: the stored bytes still say v1, and the chain agrees.
    assert stored_states(old) == states_before
    assert sum(b'"funds_in_place":' in state for state in states_before) == len(SITES)
    result = old.verify_log()
    assert result.intact, result.summary()
    assert result.intact_up_to == len(stored_v1_rows())


def test_the_v1_fixture_replays_on_sqlite(tmp_path: Path, recorded_now: Jejak) -> None:
    copy = tmp_path / "events-v1.db"
    shutil.copyfile(FIXTURE, copy)
    old = Jejak.start(settings_for(f"sqlite:///{copy}", tmp_path))
    try:
        # Migration 0016 empties the audit checks' tables, which kept no past, and their
        # position: the runner folds them again, with their versions (ADR 0028).
        migrated = read_models(old)
        assert migrated["audit_findings"] == migrated["audit_dossiers"] == {}
        old.runner.catch_up()
        # The read models the old code built, migrated in place, match today's.
        assert migrated_in_place(read_models(old)) == migrated_in_place(read_models(recorded_now))
        assert_replays_as_today(old, recorded_now)
    finally:
        old.close()


@pytest.mark.postgres
def test_the_v1_fixture_replays_on_postgres(
    postgres_schema_url: str, tmp_path: Path, recorded_now: Jejak
) -> None:
    old = Jejak.start(settings_for(postgres_schema_url, tmp_path))
    try:
        # The stored rows copied as they are, as a database restore would bring them.
        table = old.app.recorder.events_table_name  # type: ignore[attr-defined]
        with old.engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, psycopg.Connection)
            with raw.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                    "VALUES (%s::uuid, %s, %s, %s)",
                    stored_v1_rows(),
                )
        old.runner.catch_up()
        assert_replays_as_today(old, recorded_now)
    finally:
        old.close()
