"""Following the event log from a separate process (`jejak project`).

On PostgreSQL the library NOTIFYs the `<application>_events` channel on every insert; the
runner LISTENs and wakes at once, with a one-second poll as a safety net. SQLite has no such
signal, so it polls.
"""

from __future__ import annotations

import logging
import threading

import psycopg

from service.store.db import APPLICATION_NAME
from service.system import Jejak

log = logging.getLogger("jejak.projections")
POLL_SECONDS = 1.0


def follow(jejak: Jejak, stop: threading.Event, poll_seconds: float = POLL_SECONDS) -> None:
    """Keep the read models current until `stop` is set."""
    if not jejak.store.is_postgres:
        jejak.runner.run(stop, poll_seconds=poll_seconds, on_error=_report)
        return
    store = jejak.store
    with psycopg.connect(
        host=store.host,
        port=store.port,
        user=store.user,
        password=store.password or None,
        dbname=store.dbname,
        autocommit=True,
    ) as conn:
        conn.execute(f'LISTEN "{APPLICATION_NAME}_events"')
        while not stop.is_set():
            try:
                jejak.runner.catch_up()
            except Exception as error:  # keep following; the failed batch is retried
                _report(error)
            for _ in conn.notifies(timeout=poll_seconds, stop_after=1):
                pass


def _report(error: BaseException) -> None:
    log.error("projection batch failed: %r", error)
