"""The access log's hash chain, sealed in batches, and its own signed checkpoints (ADR 0047).

Recording an access writes one row and nothing else. A seal later chains every entry not yet
chained, in id order, in one statement per batch: one link per entry, each covering every
stored column of its entry and the link before it. The heads of that chain are signed as the
event log's are, with their own key and format, so that an edited, removed, inserted or
reordered entry contradicts its link, and a log rewritten together with its chain contradicts
a checkpoint the data-protection officer or an auditor kept.

The format, for a tool outside Jejak to recompute:

- an entry's canonical JSON is the object of its columns `id` (a number), `at` (UTC,
  `YYYY-MM-DDTHH:MM:SS.ffffffZ`), `user_id`, `role`, `action`, `subject_kind`, `subject_id`,
  `detail` and `interface` (strings or null), keys sorted, no spaces, UTF-8 without escaping
  beyond JSON's own (RFC 8785 for these values);
- `entry_sha256 = SHA-256(canonical JSON)`;
- `link = SHA-256("jejak-access-log-chain-v1" ‖ previous link ‖ entry_sha256)`, the previous
  link of the first entry being 32 zero bytes;
- a checkpoint signs `{"format":"jejak-access-log-checkpoint-v1","key_id":...,"link_hash":...,
  "position":<entry id>,"signed_at":...}` (canonical JSON, Ed25519).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, select, text

from projections.chain import GENESIS
from service.security.checkpoints import (
    Checkpoint,
    Checkpoints,
    CheckpointSigner,
    signature_valid,
)
from service.security.crypto import derive_subkey
from service.security.integrity import PAGE, Break
from service.store.db import as_utc, insert_ignoring_conflicts
from service.store.schema import access_log, access_log_chain, access_log_checkpoints

CHAIN_FORMAT = b"jejak-access-log-chain-v1"
CHECKPOINT_FORMAT = "jejak-access-log-checkpoint-v1"
SIGNING_INFO = b"jejak access-log checkpoint signing"
# Every column of `access_log`, named here rather than read from the table: a column added
# later would change every old entry's JSON, so it needs a new chain format (a test holds
# the two lists equal).
CHAINED_COLUMNS = (
    "id",
    "at",
    "user_id",
    "role",
    "action",
    "subject_kind",
    "subject_id",
    "detail",
    "interface",
)
# Entries chained per transaction: the writers wait for a seal on PostgreSQL, so not too many.
SEAL_BATCH = 5_000


def canonical_entry(entry: Mapping[str, Any]) -> bytes:
    """The entry's canonical JSON, UTF-8: what its link covers."""
    values = {name: entry[name] for name in CHAINED_COLUMNS}
    values["at"] = as_utc(values["at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_sha256(entry: Mapping[str, Any]) -> bytes:
    """SHA-256 of the entry's canonical JSON."""
    return hashlib.sha256(canonical_entry(entry)).digest()


def link_hash(previous: bytes, entry_digest: bytes) -> bytes:
    """The link of one entry, given the link before it (`GENESIS` for the first)."""
    return hashlib.sha256(CHAIN_FORMAT + previous + entry_digest).digest()


def access_log_signer(master_key: bytes, signing_seed: bytes | None) -> CheckpointSigner:
    """The key that signs the access log's checkpoints: derived with its own label from
    JEJAK_SIGNING_KEY when set, else from the master key, so that it is never the event log's
    key and is kept apart from the data keys exactly when the event log's is."""
    root = signing_seed if signing_seed is not None else master_key
    return CheckpointSigner.from_seed(derive_subkey(root, SIGNING_INFO), CHECKPOINT_FORMAT)


def chain_head(conn: Connection) -> tuple[int, bytes]:
    """The id and link of the last chained entry ((0, `GENESIS`) while nothing is chained)."""
    c = access_log_chain.c
    found = conn.execute(
        select(c.entry_id, c.link_hash).order_by(c.entry_id.desc()).limit(1)
    ).first()
    return (found[0], bytes.fromhex(found[1])) if found else (0, GENESIS)


@dataclass(frozen=True)
class Sealed:
    """What a seal did: how many entries it chained, and the id of the chain's head after."""

    entries: int
    head: int


class AccessLogChain:
    """Sealing the access log into its chain, its signed checkpoints, and verifying both."""

    def __init__(self, engine: Engine, signer: CheckpointSigner) -> None:
        self._engine = engine
        self.checkpoints = Checkpoints(engine, signer, access_log_checkpoints, chain_head)

    @property
    def signer(self) -> CheckpointSigner:
        """The key that signs this chain's checkpoints."""
        return self.checkpoints.signer

    def seal(self) -> Sealed:
        """Chain every entry not yet chained, in id order, a batch per transaction."""
        sealed = 0
        while True:
            with self._engine.begin() as conn:
                _hold_writers(conn)
                head, previous = chain_head(conn)
                rows = conn.execute(
                    select(access_log)
                    .where(access_log.c.id > head)
                    .order_by(access_log.c.id)
                    .limit(SEAL_BATCH)
                ).mappings()
                entries = [dict(row) for row in rows]
                links = []
                for entry in entries:
                    digest = entry_sha256(entry)
                    previous = link_hash(previous, digest)
                    links.append(
                        {
                            "entry_id": entry["id"],
                            "entry_sha256": digest.hex(),
                            "link_hash": previous.hex(),
                        }
                    )
                # A concurrent seal on SQLite computed the same links from the same entries
                # (nothing is chained past an uncommitted entry there): its rows are kept.
                sealed += len(insert_ignoring_conflicts(conn, access_log_chain, links))
            if len(entries) < SEAL_BATCH:
                return Sealed(sealed, links[-1]["entry_id"] if links else head)

    def sign_head(self) -> Checkpoint | None:
        """Seal, then sign the chain's head (None while the log is empty); idempotent per head."""
        self.seal()
        return self.checkpoints.sign_head()

    def all_checkpoints(self) -> list[Checkpoint]:
        """Every signed checkpoint, oldest first."""
        return self.checkpoints.all()

    def verify(self, held_by_auditors: Iterable[Checkpoint] = ()) -> AccessLogVerification:
        """Seal, then re-read every entry against the chain, the store's checkpoints and any
        an auditor kept (which the store cannot have altered)."""
        self.seal()
        # An auditor's copy of a checkpoint the store still holds unchanged is one check.
        checkpoints = list(dict.fromkeys([*self.checkpoints.all(), *held_by_auditors]))
        return verify_chain(self._engine, checkpoints, self.signer.public_key)


def _hold_writers(conn: Connection) -> None:
    """Make the entries a seal reads final: on PostgreSQL an entry's id is taken before its
    transaction commits, so a later id can be visible while an earlier one is not; chaining
    past it would leave it out of the chain for good. SHARE ROW EXCLUSIVE waits for the
    inserts under way, holds new ones back until the seal commits, and lets one seal run at a
    time. SQLite has one writer at a time and needs nothing."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f"LOCK TABLE {access_log.name} IN SHARE ROW EXCLUSIVE MODE"))


@dataclass(frozen=True)
class AccessLogVerification:
    """The outcome: intact up to an entry, or the first entry where the log breaks."""

    intact_up_to: int
    entries_checked: int
    checkpoints_checked: int
    unsealed: int
    first_break: Break | None

    @property
    def intact(self) -> bool:
        """True when no break was found."""
        return self.first_break is None

    def summary(self) -> str:
        """One line for people."""
        if self.first_break is None:
            tail = f"; {self.unsealed} newer entries not yet sealed" if self.unsealed else ""
            return (
                f"intact up to entry {self.intact_up_to} ({self.entries_checked} entries, "
                f"{self.checkpoints_checked} signed checkpoints){tail}"
            )
        b = self.first_break
        return f"BROKEN at entry {b.position}: {b.kind}: {b.detail}"

    def as_dict(self) -> dict[str, Any]:
        """The outcome as JSON."""
        b = self.first_break
        return {
            "intact": self.intact,
            "intact_up_to": self.intact_up_to,
            "entries_checked": self.entries_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "unsealed": self.unsealed,
            "first_break": (
                {"entry_id": b.position, "kind": b.kind, "detail": b.detail} if b else None
            ),
            "summary": self.summary(),
        }


@dataclass(frozen=True)
class _Link:
    entry_id: int
    entry_sha256: str
    link_hash: str


def verify_chain(
    engine: Engine, checkpoints: Iterable[Checkpoint], public_key: Ed25519PublicKey
) -> AccessLogVerification:
    """Walk the entries in id order beside the stored links, recomputing the chain from the
    first entry; check every checkpoint against the recomputed chain, never the stored one.

    Ids have gaps (a rolled-back insert skips one), so nothing is inferred from counting: a
    removal is a link whose entry is gone, an insertion an entry no link knows, a reordering an
    entry whose content was chained under another id, a change an entry whose JSON no longer
    hashes to its link's digest.
    """
    signed = sorted(checkpoints, key=lambda c: c.position)
    for checkpoint in signed:
        if not signature_valid(checkpoint, public_key):
            return AccessLogVerification(
                0, 0, 0, 0, Break(checkpoint.position, "forged", "bad signature")
            )
    walk = _Walk(engine, signed)
    links = _links(engine)
    link = next(links, None)
    for entry in _entries(engine):
        problem: Break | None
        if link is not None and link.entry_id < entry["id"]:
            problem = walk.missing(link)
        else:
            problem = walk.passed_checkpoint(entry["id"])
        if problem is None:
            if link is None:
                # Newer than the chain's head: recorded since the last seal.
                problem = walk.unsealed(entry)
            elif link.entry_id > entry["id"]:
                problem = walk.unknown(entry)
            else:
                problem = walk.compare(entry, link)
                link = next(links, None)
        if problem is not None:
            return walk.finish(problem)
    if link is not None:
        return walk.finish(walk.missing(link))
    return walk.finish(walk.beyond_the_log())


class _Walk:
    """The recomputed chain so far, the checkpoints still due, and how a mismatch is named."""

    def __init__(self, engine: Engine, checkpoints: list[Checkpoint]) -> None:
        self._engine = engine
        self._due: dict[int, list[Checkpoint]] = {}
        for checkpoint in checkpoints:
            self._due.setdefault(checkpoint.position, []).append(checkpoint)
        # The due ids in order, so that the first one still due is found without a scan of
        # every checkpoint at every entry.
        self._order = deque(sorted(self._due))
        self._previous = GENESIS
        self._checked = self._checkpoints = self._last_good = self._unsealed = 0

    def compare(self, entry: Mapping[str, Any], link: _Link) -> Break | None:
        """A chained entry against its link; None when they agree."""
        digest = entry_sha256(entry)
        if digest.hex() != link.entry_sha256:
            # Swapped with another entry, or moved here from another id: reordered.
            for moved in (self.missing(link), self.unknown(entry)):
                if moved.kind == "reordered":
                    return moved
            return Break(entry["id"], "changed", "its columns differ from when it was sealed")
        self._previous = link_hash(self._previous, digest)
        if self._previous.hex() != link.link_hash:
            detail = (
                "the stored link is not the one recomputed: the link was altered, or an entry "
                "before it was removed together with its link"
            )
            return Break(entry["id"], "rewritten", detail)
        return self._reached(entry["id"])

    def unsealed(self, entry: Mapping[str, Any]) -> Break | None:
        """An entry newer than the chain's head: no link to compare, only checkpoints."""
        self._previous = link_hash(self._previous, entry_sha256(entry))
        self._unsealed += 1
        return self._checked_against_checkpoints(entry["id"])

    def missing(self, link: _Link) -> Break:
        """A chained entry whose id is empty now."""
        original = self._now_at(link)
        if original is not None:
            detail = f"the entry sealed as id {link.entry_id} now stands at id {original}"
            return Break(link.entry_id, "reordered", detail)
        return Break(link.entry_id, "removed", "a sealed entry is gone from the log")

    def unknown(self, entry: Mapping[str, Any]) -> Break:
        """An entry at an id the chain passed over."""
        sealed_as = self._sealed_as(entry)
        if sealed_as is not None:
            detail = f"the entry sealed as id {sealed_as} now stands here"
            return Break(entry["id"], "reordered", detail)
        return Break(entry["id"], "inserted", "an entry the chain never sealed")

    def passed_checkpoint(self, entry_id: int) -> Break | None:
        """A checkpoint at an id the walk went past without finding its entry."""
        due = self._first_due()
        if due is not None and due < entry_id:
            detail = "a signed checkpoint names an entry that is gone from the log"
            return Break(due, "removed", detail)
        return None

    def beyond_the_log(self) -> Break | None:
        """A checkpoint past the last entry: the log's tail was removed."""
        due = self._first_due()
        if due is not None:
            detail = "a signed checkpoint names an entry past the end of the log"
            return Break(due, "removed", detail)
        return None

    def _first_due(self) -> int | None:
        while self._order and self._order[0] not in self._due:
            self._order.popleft()
        return self._order[0] if self._order else None

    def finish(self, problem: Break | None) -> AccessLogVerification:
        return AccessLogVerification(
            self._last_good, self._checked, self._checkpoints, self._unsealed, problem
        )

    def _reached(self, entry_id: int) -> Break | None:
        problem = self._checked_against_checkpoints(entry_id)
        if problem is None:
            self._checked += 1
            self._last_good = entry_id
        return problem

    def _checked_against_checkpoints(self, entry_id: int) -> Break | None:
        for checkpoint in self._due.pop(entry_id, []):
            if checkpoint.link_hash != self._previous.hex():
                detail = (
                    "the log and its chain were rewritten together at or before this entry: "
                    "they contradict the signed checkpoint"
                )
                return Break(entry_id, "rewritten", detail)
            self._checkpoints += 1
        return None

    def _now_at(self, link: _Link) -> int | None:
        """The id of the entry whose columns, but for its id, are those sealed under `link`."""
        for entry in _entries(self._engine):
            if entry["id"] != link.entry_id and _relabelled_digest(entry, link.entry_id) == (
                link.entry_sha256
            ):
                return int(entry["id"])
        return None

    def _sealed_as(self, entry: Mapping[str, Any]) -> int | None:
        """The other id under which this entry's columns, but for its id, were sealed."""
        for link in _links(self._engine):
            if link.entry_id == entry["id"]:
                continue
            if _relabelled_digest(entry, link.entry_id) == link.entry_sha256:
                return link.entry_id
        return None


def _relabelled_digest(entry: Mapping[str, Any], entry_id: int) -> str:
    return entry_sha256({**entry, "id": entry_id}).hex()


def _entries(engine: Engine) -> Iterator[Mapping[str, Any]]:
    """Every entry in id order, read with plain SQL in pages, whatever its id."""
    # The first page has no lower bound: an entry slipped in at any id, however low, is seen.
    query = select(access_log).order_by(access_log.c.id).limit(PAGE)
    after: int | None = None
    while True:
        with engine.connect() as conn:
            page = (
                conn.execute(query if after is None else query.where(access_log.c.id > after))
                .mappings()
                .all()
            )
        if not page:
            return
        yield from (dict(row) for row in page)
        after = page[-1]["id"]


def _links(engine: Engine) -> Iterator[_Link]:
    c = access_log_chain.c
    query = select(c.entry_id, c.entry_sha256, c.link_hash).order_by(c.entry_id).limit(PAGE)
    after: int | None = None
    while True:
        with engine.connect() as conn:
            page = conn.execute(query if after is None else query.where(c.entry_id > after)).all()
        if not page:
            return
        for row in page:
            yield _Link(int(row.entry_id), row.entry_sha256, row.link_hash)
        after = page[-1].entry_id
