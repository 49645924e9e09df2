"""`jejak project` on PostgreSQL: a separate runner wakes on the library's NOTIFY and applies
events written by another process's application."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest

from service.store.db import APPLICATION_NAME
from service.store.listen import follow
from service.system import Jejak
from tests.conftest import settings_for
from tests.contract.journey import OPERATOR, by, closed_site

pytestmark = pytest.mark.postgres


def test_a_following_runner_applies_events_written_elsewhere(
    postgres_server: str, postgres_schema_url: str, tmp_path: Path
) -> None:
    settings = settings_for(postgres_schema_url, tmp_path)
    writer = Jejak.start(settings)
    follower = Jejak.start(settings)
    stop = threading.Event()
    # A poll far longer than the test's patience: only NOTIFY can wake the follower in time.
    thread = threading.Thread(target=follow, args=(follower, stop, 60.0), daemon=True)
    thread.start()
    try:
        site_id = closed_site(writer.app)
        result = writer.app.sites.record_inspection(
            site_id,
            outcome="quiet",  # type: ignore[arg-type]
            provenance=by(OPERATOR, date(2019, 1, 20)),
        )
        started = time.monotonic()
        while follower.runner.position() < result.position:
            assert time.monotonic() - started < 10, "the follower did not catch up"
            time.sleep(0.02)
        assert follower.runner.position() == writer.app.position()
    finally:
        stop.set()
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'NOTIFY "{APPLICATION_NAME}_events"')  # wake it to see `stop`
        thread.join(timeout=5)
        assert not thread.is_alive()
        writer.close()
        follower.close()
