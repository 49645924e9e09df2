"""Signed checkpoints of the hash chain (Ed25519), and the key that signs them.

A checkpoint states "the chain's link at position N is H", signed. Auditors keep every
checkpoint outside the system as it is made; someone who later rewrites history, even with the
signing key, produces a chain that contradicts a checkpoint the auditors already hold (ADR 0015).

The signed message is canonical JSON, so any tool can rebuild and check it:
`{"format":"jejak-checkpoint-v1","key_id":...,"link_hash":...,"position":...,"signed_at":...}`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, Engine, Table, select

from projections.event_chain import chain_checkpoints, chain_head
from service.security.crypto import derive_subkey
from service.store.db import as_utc, insert_ignoring_conflicts

CHECKPOINT_FORMAT = "jejak-checkpoint-v1"
SIGNING_INFO = b"jejak chain checkpoint signing"


@dataclass(frozen=True)
class Checkpoint:
    """One signed chain head."""

    position: int
    link_hash: str
    signed_at: datetime
    key_id: str
    signature: str
    # Which chain it states the head of: the event log's, or the access log's (ADR 0047).
    format: str = CHECKPOINT_FORMAT

    def message(self) -> bytes:
        """The exact bytes that were signed."""
        return checkpoint_message(
            self.position, self.link_hash, self.signed_at, self.key_id, self.format
        )

    def as_dict(self) -> dict[str, Any]:
        """The checkpoint as auditors keep it (JSON)."""
        return {
            "format": self.format,
            "position": self.position,
            "link_hash": self.link_hash,
            "signed_at": self.signed_at.isoformat(),
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], format: str = CHECKPOINT_FORMAT) -> Checkpoint:
        """A checkpoint read back from an auditor's copy, which must be of `format`."""
        if data.get("format") != format:
            raise ValueError(f"not a checkpoint of the format {format}")
        return cls(
            position=int(data["position"]),
            link_hash=str(data["link_hash"]),
            signed_at=datetime.fromisoformat(str(data["signed_at"])),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
            format=format,
        )


def checkpoint_message(
    position: int,
    link_hash: str,
    signed_at: datetime,
    key_id: str,
    format: str = CHECKPOINT_FORMAT,
) -> bytes:
    """Canonical JSON of what a checkpoint asserts. The format is signed with the rest, so a
    checkpoint of one chain can never pass for one of the other."""
    return json.dumps(
        {
            "format": format,
            "key_id": key_id,
            "link_hash": link_hash,
            "position": position,
            "signed_at": signed_at.astimezone(UTC).isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


class CheckpointSigner:
    """Signs chain heads with the programme's Ed25519 key."""

    def __init__(self, private_key: Ed25519PrivateKey, format: str = CHECKPOINT_FORMAT) -> None:
        self._key = private_key
        self.format = format
        self.public_key = private_key.public_key()
        self.key_id = key_id_of(self.public_key)

    @classmethod
    def from_seed(cls, seed: bytes, format: str = CHECKPOINT_FORMAT) -> CheckpointSigner:
        """A signer from a 32-byte Ed25519 seed, of checkpoints of `format`."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed), format)

    @classmethod
    def from_master_key(cls, master_key: bytes) -> CheckpointSigner:
        """The default signer: a seed derived from the master key (set JEJAK_SIGNING_KEY to
        keep the signing key apart from the data keys)."""
        return cls.from_seed(derive_subkey(master_key, SIGNING_INFO))

    def sign(self, position: int, link: bytes, signed_at: datetime) -> Checkpoint:
        """A checkpoint of the chain at `position` with link `link`."""
        at = signed_at.astimezone(UTC)
        message = checkpoint_message(position, link.hex(), at, self.key_id, self.format)
        signature = base64.b64encode(self._key.sign(message)).decode()
        return Checkpoint(position, link.hex(), at, self.key_id, signature, self.format)

    def sign_bytes(self, data: bytes) -> str:
        """A base64 Ed25519 signature of `data` (an evidence bundle's manifest)."""
        return base64.b64encode(self._key.sign(data)).decode()

    def row(self, position: int, link: bytes, signed_at: datetime) -> dict[str, Any]:
        """`sign`, as a chain_checkpoints row (the projection's signer)."""
        checkpoint = self.sign(position, link, signed_at)
        return {
            "position": checkpoint.position,
            "link_hash": checkpoint.link_hash,
            "signed_at": checkpoint.signed_at,
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature,
        }

    def public_key_pem(self) -> str:
        """The public key auditors verify with (PEM, SubjectPublicKeyInfo)."""
        return self.public_key.public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        ).decode()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming the key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_valid(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    """True when the checkpoint was signed by this key and not altered since."""
    if checkpoint.key_id != key_id_of(public_key):
        return False
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


Head = Callable[[Connection], tuple[int, bytes]]
"""(connection) -> the position and link of a chain's head ((0, anything) while it is empty)."""


class Checkpoints:
    """The checkpoints in the store, and signing the current head on demand.

    By default those of the event log's chain; the access log's chain keeps its own series in
    its own table, signed by its own key (ADR 0047). A table's one primary-key column holds the
    position of the head it signs.
    """

    def __init__(
        self,
        engine: Engine,
        signer: CheckpointSigner,
        table: Table = chain_checkpoints,
        head: Head = chain_head,
    ) -> None:
        self._engine = engine
        self.signer = signer
        self._table = table
        (self._position,) = table.primary_key.columns
        self._head = head

    def sign_head(self, now: datetime | None = None) -> Checkpoint | None:
        """Sign the chain's current head (None while the chain is empty); idempotent per head."""
        with self._engine.begin() as conn:
            position, link = self._head(conn)
            if position == 0:
                return None
            at_head = select(self._table).where(self._position == position)
            existing = conn.execute(at_head).first()
            if existing is not None:
                return self._checkpoint(existing._mapping)
            signed = self.signer.sign(position, link, now or datetime.now(UTC))
            row = {
                self._position.name: signed.position,
                "link_hash": signed.link_hash,
                "signed_at": signed.signed_at,
                "key_id": signed.key_id,
                "signature": signed.signature,
            }
            insert_ignoring_conflicts(conn, self._table, [row])
            # Whoever signed this head first (the runner or another request) is kept.
            return self._checkpoint(conn.execute(at_head).one()._mapping)

    def all(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(self._table).order_by(self._position)).mappings()
            return [self._checkpoint(row) for row in rows]

    def document(self) -> dict[str, Any]:
        """Every checkpoint with the key that signs them: the JSON auditors keep."""
        return {
            "key_id": self.signer.key_id,
            "public_key": self.signer.public_key_pem(),
            "checkpoints": [c.as_dict() for c in self.all()],
        }

    def _checkpoint(self, row: Any) -> Checkpoint:
        return Checkpoint(
            int(row[self._position.name]),
            row["link_hash"],
            as_utc(row["signed_at"]),
            row["key_id"],
            row["signature"],
            self.signer.format,
        )
