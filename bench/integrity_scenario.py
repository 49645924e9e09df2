"""Log verification: re-reading a chained log of a million events beside a raw read-and-hash.

Setup (untimed) writes the events straight into the event table, as copies of one real event
under fresh aggregate ids (the verifier reads stored bytes and never decodes them), computes
their chain with the same link function the projection uses, bulk-inserts the links and signs
the head. Timed: `Jejak.verify_log` over the whole log, against the raw baseline of selecting
the same rows and hashing each stored state, alternating rounds.
"""

from __future__ import annotations

import gc
import hashlib
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scenarios import (
    VERIFICATION,
    Progress,
    ScenarioResult,
    Sizes,
    Tally,
    register_site,
    scenario_result,
    side_order,
)
from bench.stores import FreshStore, Target, connect_postgres, connect_sqlite, fresh_store
from projections.chain import GENESIS, link_hash
from projections.event_chain import event_chain

ROUNDS = 2
CHUNK = 20_000


def log_verification(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> ScenarioResult:
    """Verify a log of `sizes.verify_events` events, beside reading and hashing its rows."""
    with fresh_store(target, workdir) as store:
        jejak = store.jejak
        template = _a_real_event(store)
        progress(f"{target.label}: {VERIFICATION}: writing {sizes.verify_events} events")
        _seed(store, template, sizes.verify_events)
        head = jejak.checkpoints.sign_head(datetime(2020, 1, 1, tzinfo=UTC))
        assert head is not None
        ours, base = Tally(), Tally()
        for round_index in range(ROUNDS):
            gc.collect()
            for side in side_order(round_index):
                if side == "ours":
                    started = time.perf_counter()
                    result = jejak.verify_log()
                    elapsed = time.perf_counter() - started
                    if not result.intact or result.intact_up_to != head.position:
                        raise RuntimeError(f"the benchmark log must verify: {result.summary()}")
                    ours.add(result.events_checked, elapsed)
                else:
                    base.add(*_read_and_hash(store))
            progress(f"{target.label}: {VERIFICATION}: round {round_index + 1}/{ROUNDS}")
        return scenario_result(
            target,
            VERIFICATION,
            ours,
            base,
            len(template["state"]),
            {"events": sizes.verify_events, "checkpoint": head.position},
        )


def _a_real_event(store: FreshStore) -> dict[str, Any]:
    """One stored event of a real command, whose bytes every seeded event copies."""
    register_site(store.jejak.app, "BV", 0)
    (event,) = store.jejak.raw_log().read(-1, 1)
    return {"topic": event.topic, "state": event.state}


def _seed(store: FreshStore, template: dict[str, Any], count: int) -> None:
    """`count` events after the template's, and their chain links, in bulk."""
    jejak = store.jejak
    last = jejak.raw_log().read(-1, 10)[-1]
    first_position = last.position + 1
    # The template's own link, so the chain starts where the log starts.
    previous = link_hash(
        GENESIS,
        last.position,
        last.originator_id,
        last.originator_version,
        last.topic,
        last.state_sha256,
    )
    digest = hashlib.sha256(template["state"]).digest()
    with jejak.engine.begin() as conn:
        conn.execute(
            event_chain.insert(),
            [
                {
                    "position": last.position,
                    "originator_id": str(last.originator_id),
                    "originator_version": last.originator_version,
                    "topic": last.topic,
                    "state_sha256": last.state_sha256.hex(),
                    "link_hash": previous.hex(),
                }
            ],
        )
    for start in range(0, count, CHUNK):
        events, links = [], []
        for position in range(first_position + start, first_position + min(start + CHUNK, count)):
            originator = uuid.uuid4()
            events.append((position, originator, template["topic"], template["state"]))
            previous = link_hash(previous, position, originator, 1, template["topic"], digest)
            links.append(
                {
                    "position": position,
                    "originator_id": str(originator),
                    "originator_version": 1,
                    "topic": template["topic"],
                    "state_sha256": digest.hex(),
                    "link_hash": previous.hex(),
                }
            )
        _insert_events(store, events)
        with jejak.engine.begin() as conn:
            conn.execute(event_chain.insert(), links)
    # The runner must not chain these again: its position moves past them.
    with jejak.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO projection_positions (name, position, updated_at) "
            f"VALUES ('event_chain', {first_position + count - 1}, CURRENT_TIMESTAMP)"
        )


def _insert_events(store: FreshStore, events: list[tuple[int, uuid.UUID, str, bytes]]) -> None:
    insert_stored(store, [(p, o, 1, t, s) for p, o, t, s in events])


def insert_stored_in_chunks(
    store: FreshStore, events: Iterable[tuple[int, uuid.UUID, int, str, bytes]], chunk: int
) -> None:
    """`insert_stored` of a stream of events, `chunk` at a time: a million copied events are
    never all in memory."""
    batch: list[tuple[int, uuid.UUID, int, str, bytes]] = []
    for event in events:
        batch.append(event)
        if len(batch) == chunk:
            insert_stored(store, batch)
            batch = []
    if batch:
        insert_stored(store, batch)


def insert_stored(store: FreshStore, events: list[tuple[int, uuid.UUID, int, str, bytes]]) -> None:
    """Write stored events straight into the event table: (position, originator id, version,
    topic, state), in one transaction with the plain driver."""
    table = store.jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    if store.target.kind == "sqlite":
        connection = connect_sqlite(store.config)
        with connection:
            connection.executemany(
                f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                [(p, str(o), v, t, s) for p, o, v, t, s in events],
            )
        connection.close()
        return
    with connect_postgres(store.config) as pg, pg.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (notification_id, originator_id, originator_version, topic, "
            "state) VALUES (%s, %s, %s, %s, %s)",
            events,
        )
        # Positions given explicitly leave the column's sequence behind; the application's
        # next event must come after them.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), "
            f"(SELECT max(notification_id) FROM {table}))"
        )


def _read_and_hash(store: FreshStore) -> tuple[int, float]:
    """Rows and seconds to read every event row with the plain driver and hash its state."""
    table = store.jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    position = "rowid" if store.target.kind == "sqlite" else "notification_id"
    statement = (
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
        f"ORDER BY {position}"
    )
    rows = 0
    started = time.perf_counter()
    if store.target.kind == "sqlite":
        connection = connect_sqlite(store.config)
        for row in connection.execute(statement):
            hashlib.sha256(row[4]).digest()
            rows += 1
        connection.close()
    else:
        with connect_postgres(store.config) as pg, pg.cursor(name="verify") as cursor:
            cursor.itersize = 5000
            cursor.execute(statement)
            for row in cursor:
                hashlib.sha256(row[4]).digest()
                rows += 1
    return rows, time.perf_counter() - started
