"""Verifying the event log against its hash chain and the signed checkpoints.

`verify` re-reads every stored event in log order, recomputes the chain from the first event,
and walks it beside the stored links. Positions may have gaps (a PostgreSQL sequence skips on a
rolled-back insert), so nothing is inferred from counting: a removal is a link whose event is
gone, an insertion an event no link knows, a reordering an event found at another position than
its link, a change an event whose stored bytes no longer hash to its link's digest. A history
rewritten together with its chain still contradicts the signed checkpoints, which are checked
against the recomputed chain, never against the stored one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, bindparam, select, text

from projections.chain import GENESIS, StoredEvent, link_of
from projections.event_chain import event_chain
from service.security.checkpoints import Checkpoint, signature_valid

BreakKind = Literal["changed", "removed", "inserted", "reordered", "rewritten", "forged"]
PAGE = 5_000


@dataclass(frozen=True)
class Break:
    """Where the log first stops matching its chain, and how."""

    position: int
    kind: BreakKind
    detail: str


@dataclass(frozen=True)
class Verification:
    """The outcome: intact up to a position, or the first break."""

    intact_up_to: int
    events_checked: int
    checkpoints_checked: int
    unchained: int
    first_break: Break | None

    @property
    def intact(self) -> bool:
        """True when no break was found."""
        return self.first_break is None

    def summary(self) -> str:
        """One line for people."""
        if self.first_break is None:
            tail = f"; {self.unchained} newer events not yet chained" if self.unchained else ""
            return (
                f"intact up to position {self.intact_up_to} ({self.events_checked} events, "
                f"{self.checkpoints_checked} signed checkpoints){tail}"
            )
        b = self.first_break
        return f"BROKEN at position {b.position}: {b.kind}: {b.detail}"


@dataclass(frozen=True)
class Link:
    """A stored link of the chain."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state_sha256: str
    link_hash: str


EventReader = Callable[[int, int], Sequence[StoredEvent]]
"""(after position, limit) -> the next stored events in log order."""
EventFinder = Callable[[UUID, int], bool]
"""(aggregate id, version) -> whether the log holds that event at all."""


def verify(
    read_events: EventReader,
    event_exists: EventFinder,
    engine: Engine,
    checkpoints: Iterable[Checkpoint],
    public_key: Ed25519PublicKey,
) -> Verification:
    """Walk the log beside its stored chain; check every checkpoint against the recomputed one."""
    signed = sorted(checkpoints, key=lambda c: c.position)
    for checkpoint in signed:
        if not signature_valid(checkpoint, public_key):
            return Verification(0, 0, 0, 0, Break(checkpoint.position, "forged", "bad signature"))
    # The store's checkpoints and an auditor's copies may both name a position; each is checked.
    due: dict[int, list[Checkpoint]] = {}
    for checkpoint in signed:
        due.setdefault(checkpoint.position, []).append(checkpoint)
    walk = _Walk(engine, event_exists)
    previous, checked, verified_checkpoints, last_good = GENESIS, 0, 0, 0
    links = _links(engine)
    link = next(links, None)
    for event in _events(read_events):
        if link is not None and link.position < event.position:
            return walk.finish(last_good, checked, verified_checkpoints, walk.missing(link))
        if link is None:
            unchained = 1 + sum(1 for _ in _events(read_events, after=event.position))
            return Verification(last_good, checked, verified_checkpoints, unchained, None)
        if link.position > event.position:
            return walk.finish(last_good, checked, verified_checkpoints, walk.unknown(event))
        problem = walk.compare(event, link)
        if problem is not None:
            return walk.finish(last_good, checked, verified_checkpoints, problem)
        previous = link_of(previous, event)
        if previous.hex() != link.link_hash:
            detail = "the stored chain was altered here (the event itself hashes as recorded)"
            broken = Break(event.position, "rewritten", detail)
            return walk.finish(last_good, checked, verified_checkpoints, broken)
        for checkpoint in due.pop(event.position, []):
            if checkpoint.link_hash != previous.hex():
                detail = (
                    "the log and its chain were rewritten together at or before this position: "
                    "they contradict the signed checkpoint"
                )
                broken = Break(event.position, "rewritten", detail)
                return walk.finish(last_good, checked, verified_checkpoints, broken)
            verified_checkpoints += 1
        checked += 1
        last_good = event.position
        link = next(links, None)
    if link is not None:
        return walk.finish(last_good, checked, verified_checkpoints, walk.missing(link))
    if due:
        position = min(due)
        detail = "a signed checkpoint names a position the log no longer reaches"
        return walk.finish(
            last_good, checked, verified_checkpoints, Break(position, "removed", detail)
        )
    return Verification(last_good, checked, verified_checkpoints, 0, None)


class _Walk:
    """Classifies a mismatch by looking the events up where they should be."""

    def __init__(self, engine: Engine, event_exists: EventFinder) -> None:
        self._engine = engine
        self._exists = event_exists

    def compare(self, event: StoredEvent, link: Link) -> Break | None:
        same_event = (
            event.originator_id == link.originator_id
            and event.originator_version == link.originator_version
        )
        if not same_event:
            elsewhere = self._linked_at(event.originator_id, event.originator_version)
            if elsewhere is not None:
                return Break(
                    event.position,
                    "reordered",
                    f"the event chained at position {elsewhere} now stands here",
                )
            return Break(event.position, "changed", "an event the chain never recorded")
        if event.topic != link.topic or event.state_sha256.hex() != link.state_sha256:
            return Break(event.position, "changed", "its stored bytes differ from when chained")
        return None

    def missing(self, link: Link) -> Break:
        """A chained event whose position is empty now."""
        if self._exists(link.originator_id, link.originator_version):
            return Break(link.position, "reordered", "this chained event stands elsewhere now")
        return Break(link.position, "removed", "a chained event is gone from the log")

    def unknown(self, event: StoredEvent) -> Break:
        """An event at a position the chain never had."""
        elsewhere = self._linked_at(event.originator_id, event.originator_version)
        if elsewhere is not None:
            detail = f"the event chained at position {elsewhere} now stands here"
            return Break(event.position, "reordered", detail)
        return Break(event.position, "inserted", "an event the chain never recorded")

    def finish(
        self, last_good: int, checked: int, checkpoints: int, problem: Break
    ) -> Verification:
        return Verification(last_good, checked, checkpoints, 0, problem)

    def _linked_at(self, originator_id: UUID, version: int) -> int | None:
        c = event_chain.c
        with self._engine.connect() as conn:
            found = conn.execute(
                select(c.position).where(
                    c.originator_id == str(originator_id), c.originator_version == version
                )
            ).scalar()
        return int(found) if found is not None else None


# Below any position: a row slipped in at position 0 or below must be seen too.
BEFORE_THE_LOG = -(2**63)


class RawEventLog:
    """The event table read with plain SQL, every row whatever its position.

    Verification does not go through the event library's reader, whose paging starts after
    position 0: the verifier must see exactly what is in the table.
    """

    def __init__(self, engine: Engine, table: str, position_column: str) -> None:
        self._engine = engine
        self._select = text(
            f"SELECT {position_column}, originator_id, originator_version, topic, state "  # noqa: S608 (names from the recorder, not input)
            f"FROM {table} WHERE {position_column} > :after ORDER BY {position_column} LIMIT :n"
        )
        self._at_positions = text(
            f"SELECT {position_column}, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {table} WHERE {position_column} IN :positions"
        ).bindparams(bindparam("positions", expanding=True))
        self._exists = text(
            f"SELECT 1 FROM {table} WHERE originator_id = :o AND originator_version = :v"  # noqa: S608
        )

    def read(self, after: int, limit: int) -> list[StoredEvent]:
        """Up to `limit` rows after position `after`."""
        with self._engine.connect() as conn:
            rows = conn.execute(self._select, {"after": after, "n": limit}).all()
        return [StoredEvent(int(p), _uuid(o), int(v), str(t), bytes(s)) for p, o, v, t, s in rows]

    def read_positions(self, positions: Sequence[int]) -> list[StoredEvent]:
        """The rows at these positions, in log order (a subject's events, not the whole log)."""
        found: list[StoredEvent] = []
        with self._engine.connect() as conn:
            for start in range(0, len(positions), PAGE):
                chunk = list(positions[start : start + PAGE])
                rows = conn.execute(self._at_positions, {"positions": chunk}).all()
                found += [
                    StoredEvent(int(p), _uuid(o), int(v), str(t), bytes(s))
                    for p, o, v, t, s in rows
                ]
        return sorted(found, key=lambda e: e.position)

    def has_event(self, originator_id: UUID, version: int) -> bool:
        """Whether the table holds this aggregate's event of this version at any position."""
        key = originator_id if self._engine.dialect.name == "postgresql" else str(originator_id)
        with self._engine.connect() as conn:
            return conn.execute(self._exists, {"o": key, "v": version}).first() is not None


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _events(read: EventReader, after: int = BEFORE_THE_LOG) -> Iterator[StoredEvent]:
    while True:
        page = read(after, PAGE)
        if not page:
            return
        yield from page
        after = page[-1].position


def _links(engine: Engine) -> Iterator[Link]:
    c = event_chain.c
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(event_chain).where(c.position > after).order_by(c.position).limit(PAGE)
            ).all()
        if not rows:
            return
        for row in rows:
            yield Link(
                row.position,
                UUID(row.originator_id),
                row.originator_version,
                row.topic,
                row.state_sha256,
                row.link_hash,
            )
        after = rows[-1].position
