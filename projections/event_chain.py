"""event_chain: the hash chain over the stored events, extended as events arrive.

Each batch continues from the last link, so the chain is exactly the runner's exactly-once
order: a crash rolls the batch back with the runner's position, and the next run continues
from the last committed link. When the chain passes a multiple of `checkpoint_every`, the new
head is signed in the same transaction (the signer is passed in, the projection does no I/O of
its own beyond its tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Self

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from projections.base import PositionedEvent, Projection, Row
from projections.chain import GENESIS, link_of
from projections.schema import metadata

event_chain = Table(
    "event_chain",
    metadata,
    # One link per stored event, in log order: the tamper-evident chain (ADR 0015).
    Column("position", BigInteger, primary_key=True),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("topic", String(200), nullable=False),
    Column("state_sha256", String(64), nullable=False),
    Column("link_hash", String(64), nullable=False),
    Index("ix_event_chain_originator", "originator_id", "originator_version", unique=True),
)
"""The hash chain over the event log, kept current by a projection."""


chain_checkpoints = Table(
    "chain_checkpoints",
    metadata,
    # A signed statement of the chain head; auditors keep copies outside the system.
    Column("position", BigInteger, primary_key=True),
    Column("link_hash", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
)
"""Signed chain heads (Ed25519)."""

Signer = Callable[[int, bytes, datetime], Row]
"""(position, link hash, signed at) -> a chain_checkpoints row."""


class EventChain(Projection):
    """Appends one link per event; optionally signs the head every `checkpoint_every` events."""

    name = "event_chain"
    chain = event_chain
    tables = (event_chain, chain_checkpoints)
    # A checkpoint is a head signed at the time, of which auditors keep copies: a rebuild
    # checks the links against them, it never signs them again.
    kept = (chain_checkpoints,)

    def __init__(
        self,
        signer: Signer | None = None,
        checkpoint_every: int = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.clock = clock

    def rebuilding(self, stand_ins: Mapping[str, Table]) -> Self:
        clone = super().rebuilding(stand_ins)
        clone.signer = None
        return clone

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        start, previous = chain_head(conn, self.chain)
        rows = []
        for event in events:
            stored = event.stored
            if stored is None:
                raise ValueError("the hash chain needs the stored record of every event")
            link = link_of(previous, stored)
            rows.append(
                {
                    "position": stored.position,
                    "originator_id": str(stored.originator_id),
                    "originator_version": stored.originator_version,
                    "topic": stored.topic,
                    "state_sha256": stored.state_sha256.hex(),
                    "link_hash": link.hex(),
                }
            )
            previous = link
        if not rows:
            return
        conn.execute(self.chain.insert(), rows)
        end = events[-1].position
        # Positions have gaps, so "passed a multiple" is compared by quotient, not equality;
        # the head at the end of the batch is signed, so a checkpoint is never mid-batch.
        every = self.checkpoint_every
        if self.signer and self.clock and every > 0 and end // every > start // every:
            # An on-demand checkpoint may already name this head; it is the same statement.
            conn.execute(
                _insert_ignoring_duplicates(conn), [self.signer(end, previous, self.clock())]
            )


def chain_head(conn: Connection, chain: Table = event_chain) -> tuple[int, bytes]:
    """The position and link of the chain's last event ((0, `GENESIS`) when empty)."""
    found = conn.execute(
        select(chain.c.position, chain.c.link_hash).order_by(chain.c.position.desc()).limit(1)
    ).first()
    return (found[0], bytes.fromhex(found[1])) if found else (0, GENESIS)


def _insert_ignoring_duplicates(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(chain_checkpoints).on_conflict_do_nothing()
