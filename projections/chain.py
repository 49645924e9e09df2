"""The hash chain over the event log: what one link covers, computed the same way everywhere.

A link hashes the event's log position, aggregate id, version, type (topic) and the SHA-256 of
its exact stored bytes, together with the previous link. Personal data is in the stored bytes
as ciphertext, so the chain stays verifiable after a person's key is destroyed. Hashing the
stored bytes' digest (not the bytes themselves) into the link lets a proof show an event's
place in the chain without carrying the other events' contents.

The standalone verifier shipped in evidence bundles repeats this function; a test keeps the
two byte-for-byte equal.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

CHAIN_FORMAT = b"jejak-chain-v1"
GENESIS = bytes(32)
"""The "previous link" of the first event in the log."""


@dataclass(frozen=True)
class StoredEvent:
    """An event exactly as the store holds it."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes

    @property
    def state_sha256(self) -> bytes:
        """The digest of the stored bytes."""
        return hashlib.sha256(self.state).digest()


def link_hash(
    previous: bytes,
    position: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state_sha256: bytes,
) -> bytes:
    """The link of one event, given the link before it (`GENESIS` for the first)."""
    topic_bytes = topic.encode()
    digest = hashlib.sha256(CHAIN_FORMAT)
    digest.update(previous)
    digest.update(struct.pack(">Q", position))
    digest.update(originator_id.bytes)
    digest.update(struct.pack(">QI", originator_version, len(topic_bytes)))
    digest.update(topic_bytes)
    digest.update(state_sha256)
    return digest.digest()


def link_of(previous: bytes, event: StoredEvent) -> bytes:
    """`link_hash` of a stored event."""
    return link_hash(
        previous,
        event.position,
        event.originator_id,
        event.originator_version,
        event.topic,
        event.state_sha256,
    )
