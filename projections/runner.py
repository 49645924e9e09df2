"""The batched projection runner: exactly once, resumable, hundreds of events per transaction.

Each batch is read once from the event log, decoded once, applied to every projection that has
not yet seen it, and committed together with each projection's new position. A crash between
batches loses nothing and repeats nothing: the next run starts from the committed positions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from projections.base import PositionedEvent, Projection, settings_json
from projections.schema import metadata

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # JSON: the settings the read model was folded with (`Projection.settings`), recorded at
    # its first batch and at each switch; NULL for one built before they were (ADR 0036).
    Column("settings", Text, nullable=True),
)


class EventSource(Protocol):
    """The event log as the runner sees it."""

    def read_after(self, position: int, limit: int) -> Sequence[PositionedEvent]:
        """Up to `limit` events after `position`, in log order."""
        ...

    def head(self) -> int:
        """The highest position in the log (0 when empty)."""
        ...


class ConcurrentRunner(RuntimeError):
    """Raised inside a batch when another runner committed the same positions first."""


class ProjectionRunner:
    """Keeps a set of projections up to date with the event log."""

    def __init__(
        self,
        source: EventSource,
        engine: Engine,
        projections: Sequence[Projection],
        batch_size: int = 500,
    ) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError("projection names must be unique")
        self.source = source
        self.engine = engine
        self.projections = list(projections)
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._progress = threading.Condition()

    def positions(self) -> dict[str, int]:
        """Each projection's committed position (0 before its first batch)."""
        with self.engine.connect() as conn:
            stored: dict[str, int] = {
                name: position
                for name, position in conn.execute(
                    select(projection_positions.c.name, projection_positions.c.position)
                )
            }
        return {p.name: stored.get(p.name, 0) for p in self.projections}

    def position(self) -> int:
        """The position every projection has reached."""
        return min(self.positions().values(), default=0)

    def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Apply every event not yet applied; returns how many events were read."""
        total = 0
        while True:
            try:
                applied = self._one_batch()
            except (ConcurrentRunner, IntegrityError):
                # Another runner applied this batch first; read the positions again.
                continue
            if applied == 0:
                return total
            total += applied
            if on_batch is not None:
                on_batch(applied)
            with self._progress:
                self._progress.notify_all()

    def _one_batch(self) -> int:
        positions = self.positions()
        start = min(positions.values(), default=0)
        events = self.source.read_after(start, self.batch_size)
        if not events:
            return 0
        end = events[-1].position
        with self.engine.begin() as conn:
            # Claim the positions first: a second runner blocks here and then finds them moved.
            for projection in self.projections:
                # A projection already past this batch (others are being rebuilt) stays put.
                if positions[projection.name] < end:
                    _advance(conn, projection, positions[projection.name], end)
            for projection in self.projections:
                unseen = [e for e in events if e.position > positions[projection.name]]
                if unseen:
                    projection.apply(conn, unseen)
        return len(events)

    def reset(self, names: Sequence[str]) -> None:
        """Empty the named projections and rewind them to the start (a rebuild follows)."""
        chosen = [p for p in self.projections if p.name in names]
        with self.engine.begin() as conn:
            for projection in chosen:
                # Its histories are replayed with it: a rebuild may fold differently.
                for table in (*projection.tables, *projection.histories):
                    conn.execute(table.delete())
                conn.execute(
                    projection_positions.delete().where(
                        projection_positions.c.name == projection.name
                    )
                )

    def notify(self) -> None:
        """Tell a waiting `run` loop that new events were written."""
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until every projection has reached `position`, or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if self.position() >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.notify()
            with self._progress:
                self._progress.wait(min(remaining, 0.05))

    def run(
        self,
        stop: threading.Event,
        poll_seconds: float = 1.0,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Catch up, then wait for a wake-up (or the poll interval) until `stop` is set."""
        while not stop.is_set():
            try:
                self.catch_up()
            except Exception as error:  # the loop must outlive one bad batch; it is reported
                if on_error is None:
                    raise
                on_error(error)
                stop.wait(poll_seconds)
            self._wake.wait(poll_seconds)
            self._wake.clear()


def _advance(conn: Connection, projection: Projection, expected: int, new: int) -> None:
    now, name = datetime.now(UTC), projection.name
    if expected == 0:
        existing = conn.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == name)
        ).scalar_one_or_none()
        if existing is None:
            # Its first batch: the settings it starts folding with are the ones it is built
            # with, until a switch puts a version folded with others in its place.
            conn.execute(
                insert(projection_positions).values(
                    name=name, position=new, updated_at=now, settings=settings_json(projection)
                )
            )
            return
    moved = conn.execute(
        update(projection_positions)
        .where(
            projection_positions.c.name == name,
            projection_positions.c.position == expected,
        )
        .values(position=new, updated_at=now)
    )
    if moved.rowcount != 1:
        raise ConcurrentRunner(f"{name} moved past {expected} meanwhile")
