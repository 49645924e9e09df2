"""The key vault: per-person data keys, field sealing, the keyed indexes and crypto-shredding.

Every person has two random 256-bit data keys, one per `KeyPurpose`, stored wrapped (AES-GCM)
under a key-encryption key derived from the master key. Personal fields are sealed with AES-GCM
under the data key and carried as `Sealed` values; destroying a key makes every field sealed
with it unreadable, wherever copies of the events went (ADR 0005).

Nothing here logs or raises with plaintext, keys or keyed hashes in the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.case_search import normalise_name
from domain.sealed import KeyPurpose, Sealed, Sealer
from service.security.crypto import (
    DATA_KEY_BYTES,
    NONCE_BYTES,
    SEAL_FORMAT,
    SealOpenFailed,
    derive_subkey,
    open_bytes,
)
from service.security.erasure_journal import ErasureJournal
from service.store.db import insert_ignoring_conflicts
from service.store.schema import (
    vault_duplicate_index,
    vault_name_index,
    vault_restrictions,
    vault_subject_keys,
)

logger = logging.getLogger(__name__)

"""Leading byte of a wrapped key, so a later master-key rotation can tell formats apart."""

KEY_WRAPPING_INFO = b"jejak vault key wrapping"
DUPLICATE_INDEX_INFO = b"jejak duplicate index"

# The duplicate index's kind for a name with a birth date (check A06).
NAME_AND_BIRTH_DATE = "name_birth_date"
# The kind bound into the keyed hash of a name alone, which the name index keeps (ADR 0043).
NAME_SEARCH = "name_search"

DEFAULT_CACHE_SIZE = 4096
DEFAULT_CACHE_SECONDS = 60.0


# Rows per multi-row INSERT: five columns each stays far below SQLite's variable limit.
KEY_INSERT_CHUNK = 500


@dataclass(frozen=True)
class IndexClaim:
    """How a claim on the duplicate index was answered (ADR 0029).

    `other_owner` is the subject that already held the value, or None when the value is now
    the claimant's. `taken_now` is True only when this very claim wrote the entry; a value the
    claimant already held answers False. Only a claim taken now may be given back when the
    command it guarded fails: an entry held before belongs to what the claimant recorded
    earlier. The value itself is kept only as its keyed hash.
    """

    kind: str
    keyed_hash: str
    subject_id: UUID
    other_owner: UUID | None
    taken_now: bool

    @property
    def held_by_another(self) -> bool:
        """True when another subject holds the value (the claim was refused)."""
        return self.other_owner is not None


class VaultError(Exception):
    """Base of the vault's errors. Messages name subjects, purposes and fields, never values."""

    code: ClassVar[str] = "VAULT_ERROR"


class SubjectKeyMissing(VaultError):
    """Raised when sealing for a subject whose key for the purpose was never created or erased."""

    code: ClassVar[str] = "SUBJECT_KEY_MISSING"


class SealBroken(VaultError):
    """Raised when a sealed value fails authentication.

    It was altered, moved to another subject or field, or is malformed. An erased key is not
    this error: `Vault.open` returns None for it.
    """

    code: ClassVar[str] = "SEAL_BROKEN"


class KeyUnwrapFailed(VaultError):
    """Raised when a stored data key cannot be unwrapped: a wrong master key or an altered row."""

    code: ClassVar[str] = "KEY_UNWRAP_FAILED"


def normalise_identifier(value: str) -> str:
    """The form an identifier is hashed in: NFKC, trimmed, upper-case, single inner spaces.

    NFKC folds look-alike forms (full-width digits, compatibility characters) that different
    keyboards produce, so the same NIK or name typed twice hashes the same.
    """
    return " ".join(unicodedata.normalize("NFKC", value).split()).upper()


def name_and_birth_date(name: str, birth_date: date) -> str:
    """Her name with her birth date, as the duplicate index keys them (check A06)."""
    return f"{name}|{birth_date.isoformat()}"


class Vault:
    """Data keys per person and purpose, sealing and opening of fields, and the duplicate index.

    Keys, index rows and erasures are each committed in their own transaction, separate from
    the event store's (the library uses its own connections). Callers order the writes so that
    a crash leaves at most an orphan key or index row, never an event no key can read.

    Unwrapped keys are cached in memory (bounded LRU). Entries expire after `cache_seconds`, so
    an erasure made by another process takes effect here within that time; an erasure made
    through this instance takes effect at once.
    """

    def __init__(
        self,
        engine: Engine,
        master_key: bytes,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        cache_seconds: float = DEFAULT_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        journal: ErasureJournal | None = None,
    ) -> None:
        if cache_size < 0 or cache_seconds < 0:
            raise ValueError("cache_size and cache_seconds must not be negative")
        self._engine = engine
        self._kek = AESGCM(derive_subkey(master_key, KEY_WRAPPING_INFO))
        self._index_key = derive_subkey(master_key, DUPLICATE_INDEX_INFO)
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: OrderedDict[tuple[UUID, KeyPurpose], tuple[float, AESGCM]] = OrderedDict()
        self._lock = threading.Lock()
        # Where every erasure is written before it is made, outside the database and its
        # backups, so that a restore can make it again (ADR 0059).
        self.journal = journal

    # --- data keys ---------------------------------------------------------------------------

    def ensure_subject_keys(self, subject_id: UUID) -> None:
        """Create the subject's identity and case-file keys where missing; idempotent.

        Committed in its own transaction. Concurrent callers are safe: each inserts and ignores
        a primary-key conflict, then the stored keys are read back, so every caller uses the
        key that won. An erased key is never created again: its row stays as a tombstone.
        """
        self.store_subject_keys(self.new_subject_keys([subject_id]))

    def new_subject_keys(
        self, subject_ids: Sequence[UUID], names: Mapping[UUID, str] | None = None
    ) -> NewSubjectKeys:
        """Fresh identity and case-file keys for the subjects, wrapped; nothing is stored yet.
        With `names`, their entries in the name index a case is found by (ADR 0043), stored
        with the keys.

        Their sealers seal with the subjects' real keys once `store_subject_keys` has reported
        that every one of these keys was stored.
        """
        # A fixed order makes concurrent inserts on PostgreSQL wait instead of deadlocking;
        # sorting by the text form compares in C, not through UUID.__lt__.
        subjects = sorted({str(s): s for s in subject_ids}.items())
        purposes = [(p, p.value) for p in sorted(KeyPurpose)]
        # One call to the OS random source for every data key and wrapping nonce of the batch.
        slot = DATA_KEY_BYTES + NONCE_BYTES
        random = os.urandom(len(subjects) * len(purposes) * slot)
        keys = NewSubjectKeys(datetime.now(UTC))
        offset = 0
        for subject_text, subject_id in subjects:
            ciphers: dict[KeyPurpose, AESGCM] = {}
            for purpose, purpose_text in purposes:
                data_key = random[offset : offset + DATA_KEY_BYTES]
                nonce = random[offset + DATA_KEY_BYTES : offset + slot]
                offset += slot
                wrapped = self._wrap(subject_text, purpose, data_key, nonce)
                keys.rows.append((subject_text, purpose_text, wrapped, keys.created_at, None))
                ciphers[purpose] = AESGCM(data_key)
            keys.sealers[subject_id] = _KeySealer(subject_id, subject_text, ciphers)
        keys.name_rows = sorted(
            (self.name_hash(name), str(subject)) for subject, name in (names or {}).items()
        )
        return keys

    def store_subject_keys(self, keys: NewSubjectKeys) -> bool:
        """Store the keys of subjects that have none, and their name-index entries, in one
        transaction; idempotent.

        Returns True when every key of the batch was stored, so its sealers seal with the
        subjects' real keys. False when some subject already had keys (or an erased key's
        tombstone), which are kept: seal with `sealer_for` then.
        """
        if self._store_all_new(keys):
            self._cache_ciphers(keys, None)
            return True
        inserted: set[tuple[str, ...]] = set()
        with self._engine.begin() as conn:
            for start in range(0, len(keys.rows), KEY_INSERT_CHUNK):
                chunk = list(map(_key_row_values, keys.rows[start : start + KEY_INSERT_CHUNK]))
                inserted |= insert_ignoring_conflicts(conn, vault_subject_keys, chunk)
            for start in range(0, len(keys.name_rows), KEY_INSERT_CHUNK):
                names = map(_name_row_values, keys.name_rows[start : start + KEY_INSERT_CHUNK])
                insert_ignoring_conflicts(conn, vault_name_index, list(names))
        # Keys this call created are cached as generated; keys that already existed (or won a
        # race against us) are read back.
        self._cache_ciphers(keys, inserted)
        self._warm_cache(sorted({UUID(s) for s, p, *_ in keys.rows if (s, p) not in inserted}))
        return False

    def _store_all_new(self, keys: NewSubjectKeys) -> bool:
        """Insert every key and name row, or none when any already exists; the common case."""
        try:
            with self._engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    _copy_key_rows(conn, keys.rows, keys.name_rows)
                else:
                    conn.execute(insert(vault_subject_keys), list(map(_key_row_values, keys.rows)))
                    if keys.name_rows:
                        conn.execute(
                            insert(vault_name_index), list(map(_name_row_values, keys.name_rows))
                        )
        except (IntegrityError, psycopg.errors.UniqueViolation):
            return False
        return True

    def _cache_ciphers(self, keys: NewSubjectKeys, only: set[tuple[str, ...]] | None) -> None:
        """Cache the batch's ciphers: all of them, or those whose rows are in `only`."""
        if not self._cache_size:
            return
        now = self._clock()
        with self._lock:
            for sealer in keys.sealers.values():
                for purpose, cipher in sealer.ciphers.items():
                    if only is None or (sealer.subject_text, purpose.value) in only:
                        slot = (sealer.subject_id, purpose)
                        self._cache[slot] = (now, cipher)
                        self._cache.move_to_end(slot)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _warm_cache(self, subject_ids: Sequence[UUID]) -> None:
        """Read back the keys that won any race and cache them, in a few queries."""
        if not self._cache_size:
            return
        ids = [str(s) for s in subject_ids][: self._cache_size // len(KeyPurpose)]
        now = self._clock()
        for start in range(0, len(ids), KEY_INSERT_CHUNK):
            chunk = ids[start : start + KEY_INSERT_CHUNK]
            with self._engine.connect() as conn:
                found = conn.execute(
                    select(
                        vault_subject_keys.c.subject_id,
                        vault_subject_keys.c.purpose,
                        vault_subject_keys.c.wrapped_key,
                    ).where(vault_subject_keys.c.subject_id.in_(chunk))
                ).all()
            for subject_text, purpose_text, wrapped in found:
                if wrapped is None:
                    continue
                subject_id, purpose = UUID(subject_text), KeyPurpose(purpose_text)
                cipher = AESGCM(self._unwrap(subject_id, purpose, bytes(wrapped)))
                with self._lock:
                    self._cache[(subject_id, purpose)] = (now, cipher)
                    self._cache.move_to_end((subject_id, purpose))
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)

    def sealer_for(self, subject_id: UUID) -> Sealer:
        """A `Sealer` that encrypts fields under this subject's keys."""
        return _SubjectSealer(self, subject_id)

    def open(self, sealed: Sealed) -> str | None:
        """The plaintext of a sealed field, or None when its key has been erased (or is absent).

        Raises `SealBroken` when the value was altered or moved to another subject or field.
        """
        purpose = KeyPurpose(sealed.purpose)
        cipher = self._cipher(sealed.subject_id, purpose)
        if cipher is None:
            return None
        try:
            nonce = base64.b64decode(sealed.nonce, validate=True)
            ciphertext = base64.b64decode(sealed.ciphertext, validate=True)
            plaintext = cipher.decrypt(
                nonce, ciphertext, _field_aad(sealed.subject_id, purpose, sealed.field)
            )
            return plaintext.decode("utf-8")
        except (InvalidTag, ValueError) as error:
            # ValueError covers bad base64, a wrong nonce length and invalid UTF-8.
            raise SealBroken(
                f"sealed field {sealed.field!r} ({purpose.value}) of subject "
                f"{sealed.subject_id} failed authentication"
            ) from error

    def is_erased(self, subject_id: UUID, purpose: KeyPurpose) -> bool:
        """True when the subject's key for `purpose` has been destroyed.

        Reads the database, not the cache, so it is authoritative across processes. A subject
        that never had keys is not erased.
        """
        with self._engine.connect() as conn:
            erased_at = conn.scalar(
                select(vault_subject_keys.c.erased_at).where(
                    _key_row(subject_id, purpose), vault_subject_keys.c.erased_at.is_not(None)
                )
            )
        return erased_at is not None

    def erase(
        self, subject_id: UUID, purposes: Iterable[KeyPurpose], *, restrict: bool = False
    ) -> None:
        """Destroy the subject's keys for `purposes` (crypto-shredding); idempotent.

        Erasing IDENTITY also removes the subject's duplicate-index rows, so the same NIK can
        be registered for someone else, and her name-index rows, so no search finds her. On
        SQLite the WAL is checkpointed and truncated so the destroyed key bytes leave the WAL
        file too (`secure_delete` zeroes them in the pages). On PostgreSQL the table is
        vacuumed, so the row version that held the key is no longer a dead tuple (ADR 0055).

        With a journal, the erasure is written there first (ADR 0059): a crash between the
        two leaves an erasure the journal holds and the store lacks, which the next start
        refuses until it is re-applied, never one a restore would forget.

        With `restrict`, her data is restricted in the same transaction (an erasure request
        carried out, ADR 0055): `restricted_subjects` names her from then on.
        """
        chosen = sorted({KeyPurpose(p) for p in purposes})
        if not chosen:
            return
        now = datetime.now(UTC)
        if self.journal is not None:
            self.journal.record(subject_id, chosen, now, restrict=restrict)
        with self._engine.begin() as conn:
            # The row is kept with its key nulled: a tombstone stops the key being recreated.
            conn.execute(
                update(vault_subject_keys)
                .where(
                    vault_subject_keys.c.subject_id == str(subject_id),
                    vault_subject_keys.c.purpose.in_([p.value for p in chosen]),
                    vault_subject_keys.c.erased_at.is_(None),
                )
                .values(wrapped_key=None, erased_at=now)
            )
            # A subject that never had a key row still gets a tombstone, so that a later
            # ensure_subject_keys cannot give it a fresh key for an erased purpose.
            insert_ignoring_conflicts(
                conn,
                vault_subject_keys,
                [
                    {
                        "subject_id": str(subject_id),
                        "purpose": p.value,
                        "wrapped_key": None,
                        "created_at": now,
                        "erased_at": now,
                    }
                    for p in chosen
                ],
            )
            if restrict:
                insert_ignoring_conflicts(
                    conn,
                    vault_restrictions,
                    [{"subject_id": str(subject_id), "restricted_at": now}],
                )
            if KeyPurpose.IDENTITY in chosen:
                for index in (vault_duplicate_index, vault_name_index):
                    conn.execute(index.delete().where(index.c.subject_id == str(subject_id)))
        with self._lock:
            for purpose in chosen:
                self._cache.pop((subject_id, purpose), None)
        if self._engine.dialect.name == "sqlite":
            self._checkpoint_sqlite()
        elif self._engine.dialect.name == "postgresql":
            self._vacuum_keys()

    def restrict(self, subject_id: UUID) -> None:
        """Restrict her data without destroying a key: the restriction she asked for (UU PDP,
        a granted restriction request, ADR 0057). Journalled first like an erasure, so a
        restore keeps it; idempotent."""
        now = datetime.now(UTC)
        if self.journal is not None:
            self.journal.record(subject_id, (), now, restrict=True)
        with self._engine.begin() as conn:
            insert_ignoring_conflicts(
                conn, vault_restrictions, [{"subject_id": str(subject_id), "restricted_at": now}]
            )

    def restricted_subjects(self) -> frozenset[UUID]:
        """Every subject whose data is restricted: her erasure was carried out (ADR 0055) or
        she asked for the restriction (ADR 0057);
        read from the database, so it holds across processes at once. Erasures are few: one
        query answers a whole page."""
        with self._engine.connect() as conn:
            found = conn.scalars(select(vault_restrictions.c.subject_id)).all()
        return frozenset(UUID(subject) for subject in found)

    def is_restricted(self, subject_id: UUID) -> bool:
        """Whether her data is restricted (her erasure carried out, or at her request)."""
        with self._engine.connect() as conn:
            found = conn.scalar(
                select(vault_restrictions.c.subject_id).where(
                    vault_restrictions.c.subject_id == str(subject_id)
                )
            )
        return found is not None

    # --- duplicate index ---------------------------------------------------------------------

    def keyed_hash(self, kind: str, value: str) -> str:
        """HMAC-SHA256 (hex) of a normalised identifier, bound to its kind.

        The key is derived from the master key, so the hashes cannot be recomputed from a
        database dump alone, unlike plain hashes of 16-digit NIKs.
        """
        return self._keyed(kind, normalise_identifier(value))

    def _keyed(self, kind: str, normal: str) -> str:
        if not kind or "\x00" in kind:
            raise ValueError("an index kind must be non-empty text without NUL")
        message = kind.encode() + b"\x00" + normal.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def claim(self, kind: str, value: str, subject_id: UUID) -> IndexClaim:
        """Claim `value` of `kind` for the subject: who else holds it, and whether this call
        took it (see `IndexClaim`). A free value is claimed and committed.

        Race-safe: the insert ignores a conflict and the owner is read back.
        """
        digest = self.keyed_hash(kind, value)
        row = {"kind": kind, "keyed_hash": digest, "subject_id": str(subject_id)}
        # A concurrent release can remove the row between our insert and read; try again then.
        for _ in range(3):
            with self._engine.begin() as conn:
                inserted = insert_ignoring_conflicts(conn, vault_duplicate_index, [row])
                owner = conn.scalar(
                    select(vault_duplicate_index.c.subject_id).where(
                        vault_duplicate_index.c.kind == kind,
                        vault_duplicate_index.c.keyed_hash == digest,
                    )
                )
            if owner is not None:
                return IndexClaim(
                    kind,
                    digest,
                    subject_id,
                    other_owner=None if owner == str(subject_id) else UUID(owner),
                    taken_now=bool(inserted),
                )
        raise VaultError(f"could not claim a {kind!r} index entry for subject {subject_id}")

    def claim_all(self, kind: str, claims: Sequence[tuple[str, UUID]]) -> dict[str, IndexClaim]:
        """`claim` for many (value, subject) pairs in one transaction, answered by value.

        A whole import's worth of claims costs one commit instead of one each. Every free
        value is claimed even when some are taken, as `claim` would have done one by one; the
        caller gives back (`give_back`) what it does not use.
        """
        if len({value for value, _ in claims}) != len(claims):
            raise ValueError("a value is claimed twice in one call")
        digests = {self.keyed_hash(kind, value): (value, subject) for value, subject in claims}
        pending = list(digests.items())
        owners: dict[str, str] = {}
        inserted: set[tuple[str, ...]] = set()
        with self._engine.begin() as conn:
            for start in range(0, len(pending), KEY_INSERT_CHUNK):
                chunk = pending[start : start + KEY_INSERT_CHUNK]
                rows = [
                    {"kind": kind, "keyed_hash": digest, "subject_id": str(subject)}
                    for digest, (_, subject) in chunk
                ]
                inserted |= insert_ignoring_conflicts(conn, vault_duplicate_index, rows)
                found = conn.execute(
                    select(
                        vault_duplicate_index.c.keyed_hash, vault_duplicate_index.c.subject_id
                    ).where(
                        vault_duplicate_index.c.kind == kind,
                        vault_duplicate_index.c.keyed_hash.in_([d for d, _ in chunk]),
                    )
                )
                owners.update({digest: owner for digest, owner in found})
        result: dict[str, IndexClaim] = {}
        for digest, (value, subject) in digests.items():
            owner = owners.get(digest)
            if owner is None:
                # Released by someone else between our insert and read: not ours to assume.
                raise VaultError(f"could not claim a {kind!r} index entry for subject {subject}")
            result[value] = IndexClaim(
                kind,
                digest,
                subject,
                other_owner=None if owner == str(subject) else UUID(owner),
                taken_now=(kind, digest) in inserted,
            )
        return result

    def give_back(self, claim: IndexClaim, *, still_held: str | None = None) -> None:
        """Undo a claim whose command failed: only an entry that very claim took is removed.

        `still_held` is the value of the claim's kind that the subject's record holds after
        the failure, if any: a concurrent run of the same command may have recorded the value
        meanwhile, resting on the entry this claim took, and then the entry stays.
        """
        if not claim.taken_now:
            return
        if still_held is not None and self.keyed_hash(claim.kind, still_held) == claim.keyed_hash:
            return
        with self._engine.begin() as conn:
            conn.execute(
                vault_duplicate_index.delete().where(
                    vault_duplicate_index.c.kind == claim.kind,
                    vault_duplicate_index.c.keyed_hash == claim.keyed_hash,
                    vault_duplicate_index.c.subject_id == str(claim.subject_id),
                )
            )

    def release(self, kind: str, value: str, subject_id: UUID) -> None:
        """Remove the subject's claim on `value` of `kind`; another subject's claim is kept."""
        digest = self.keyed_hash(kind, value)
        with self._engine.begin() as conn:
            conn.execute(
                vault_duplicate_index.delete().where(
                    vault_duplicate_index.c.kind == kind,
                    vault_duplicate_index.c.keyed_hash == digest,
                    vault_duplicate_index.c.subject_id == str(subject_id),
                )
            )

    # --- name index ----------------------------------------------------------------------------

    def name_hash(self, name: str) -> str:
        """The keyed hash a name is indexed and searched by: of its normal form (ADR 0043),
        under the duplicate index's key, bound to its own kind."""
        return self._keyed(NAME_SEARCH, normalise_name(name))

    def reindex_names(self, names: Sequence[tuple[UUID, str | None]]) -> None:
        """Index each subject by this name only (none: by no name), in one transaction: her
        corrected name replaces the one she was registered under."""
        with self._engine.begin() as conn:
            for start in range(0, len(names), KEY_INSERT_CHUNK):
                chunk = names[start : start + KEY_INSERT_CHUNK]
                conn.execute(
                    vault_name_index.delete().where(
                        vault_name_index.c.subject_id.in_([str(s) for s, _ in chunk])
                    )
                )
                rows = [
                    {"keyed_hash": self.name_hash(name), "subject_id": str(subject)}
                    for subject, name in chunk
                    if name is not None
                ]
                insert_ignoring_conflicts(conn, vault_name_index, rows)

    def named(self, name: str) -> Select[tuple[str]]:
        """The ids (text) of the subjects indexed by `name`, as a query to filter by: no name
        is opened to answer it."""
        return select(vault_name_index.c.subject_id).where(
            vault_name_index.c.keyed_hash == self.name_hash(name)
        )

    # --- internals -----------------------------------------------------------------------------

    def _seal(self, subject_id: UUID, purpose: KeyPurpose, field: str, plaintext: str) -> Sealed:
        purpose = KeyPurpose(purpose)
        cipher = self._cipher(subject_id, purpose)
        if cipher is None:
            raise SubjectKeyMissing(
                f"subject {subject_id} has no {purpose.value} key (never created, or erased)"
            )
        return _seal_with(cipher, subject_id, str(subject_id), purpose, field, plaintext)

    def _cipher(self, subject_id: UUID, purpose: KeyPurpose) -> AESGCM | None:
        """The subject's data key as a ready cipher, from the cache or the database."""
        slot = (subject_id, purpose)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(slot)
            if cached is not None and now - cached[0] < self._cache_seconds:
                self._cache.move_to_end(slot)
                return cached[1]
        with self._engine.connect() as conn:
            wrapped = conn.scalar(
                select(vault_subject_keys.c.wrapped_key).where(_key_row(subject_id, purpose))
            )
        if wrapped is None:
            with self._lock:
                self._cache.pop(slot, None)
            return None
        cipher = AESGCM(self._unwrap(subject_id, purpose, bytes(wrapped)))
        if self._cache_size:
            with self._lock:
                self._cache[slot] = (now, cipher)
                self._cache.move_to_end(slot)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return cipher

    def _wrap(self, subject_text: str, purpose: KeyPurpose, data_key: bytes, nonce: bytes) -> bytes:
        aad = _key_aad(subject_text, purpose)
        # The format of `crypto.seal_bytes`, with a nonce drawn for the whole batch.
        return SEAL_FORMAT + nonce + self._kek.encrypt(nonce, data_key, aad)

    def _unwrap(self, subject_id: UUID, purpose: KeyPurpose, wrapped: bytes) -> bytes:
        try:
            data_key = open_bytes(self._kek, wrapped, _key_aad(subject_id, purpose))
        except SealOpenFailed as error:
            raise KeyUnwrapFailed(
                f"the {purpose.value} key of subject {subject_id} cannot be unwrapped with "
                "this master key"
            ) from error
        if len(data_key) != DATA_KEY_BYTES:
            raise KeyUnwrapFailed(f"the {purpose.value} key of subject {subject_id} is malformed")
        return data_key

    def _checkpoint_sqlite(self) -> None:
        # Run outside a transaction (the driver only opens one for DML); TRUNCATE waits for
        # readers via the busy timeout and then empties the WAL file.
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if row[0]:
            logger.warning(
                "WAL checkpoint after an erasure was blocked by a reader; erased key bytes may "
                "remain in the WAL file until the next checkpoint"
            )

    def _vacuum_keys(self) -> None:
        # An UPDATE leaves the old row version, key and all, as a dead tuple until a vacuum
        # frees it; autovacuum runs when it chooses. VACUUM cannot run inside a transaction.
        # A transaction older than the erasure still sees the old version, and VACUUM then
        # keeps it; the next erasure's or autovacuum's run frees it.
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM vault_subject_keys")


class _SubjectSealer:
    """The `Sealer` handed to the domain for one subject."""

    def __init__(self, vault: Vault, subject_id: UUID) -> None:
        self._vault = vault
        self._subject_id = subject_id

    def seal(self, purpose: KeyPurpose, field: str, plaintext: str) -> Sealed:
        """Encrypt `plaintext` as `field` under the subject's key for `purpose`."""
        return self._vault._seal(self._subject_id, purpose, field, plaintext)


KeyRow = tuple[str, str, bytes, datetime, None]
"""subject_id, purpose, wrapped_key, created_at, erased_at: a new row of `vault_subject_keys`."""


class _KeySealer:
    """A `Sealer` holding one subject's new keys as ready ciphers (no cache or database look-up)."""

    def __init__(self, subject_id: UUID, subject_text: str, ciphers: dict[KeyPurpose, AESGCM]):
        self.subject_id = subject_id
        self.subject_text = subject_text
        self.ciphers = ciphers

    def seal(self, purpose: KeyPurpose, field: str, plaintext: str) -> Sealed:
        """Encrypt `plaintext` as `field` under the subject's new key for `purpose`."""
        cipher = self.ciphers[purpose]
        return _seal_with(cipher, self.subject_id, self.subject_text, purpose, field, plaintext)


class NewSubjectKeys:
    """Keys made by `Vault.new_subject_keys`: rows to store, and a sealer per subject."""

    def __init__(self, created_at: datetime) -> None:
        self.created_at = created_at
        self.rows: list[KeyRow] = []
        # keyed_hash, subject_id: the subjects' entries in the name index.
        self.name_rows: list[tuple[str, str]] = []
        self.sealers: dict[UUID, _KeySealer] = {}

    def sealer_for(self, subject_id: UUID) -> Sealer:
        """The subject's sealer under these new keys."""
        return self.sealers[subject_id]


def _seal_with(
    cipher: AESGCM,
    subject_id: UUID,
    subject_text: str,
    purpose: KeyPurpose,
    field: str,
    plaintext: str,
) -> Sealed:
    if not field:
        raise ValueError("a sealed value needs a field name")
    nonce = os.urandom(NONCE_BYTES)
    aad = _field_aad(subject_text, purpose, field)
    ciphertext = cipher.encrypt(nonce, plaintext.encode("utf-8"), aad)
    return Sealed(
        subject_id=subject_id,
        purpose=purpose,
        field=field,
        nonce=base64.b64encode(nonce).decode("ascii"),
        ciphertext=base64.b64encode(ciphertext).decode("ascii"),
    )


def _field_aad(subject: UUID | str, purpose: KeyPurpose, field: str) -> bytes:
    return f"{subject}|{purpose.value}|{field}".encode()


def _key_aad(subject: UUID | str, purpose: KeyPurpose) -> bytes:
    return f"{subject}|{purpose.value}".encode()


def _key_row(subject_id: UUID, purpose: KeyPurpose) -> ColumnElement[bool]:
    return and_(
        vault_subject_keys.c.subject_id == str(subject_id),
        vault_subject_keys.c.purpose == purpose.value,
    )


def _key_row_values(row: KeyRow) -> dict[str, Any]:
    subject_id, purpose, wrapped_key, created_at, erased_at = row
    return {
        "subject_id": subject_id,
        "purpose": purpose,
        "wrapped_key": wrapped_key,
        "created_at": created_at,
        "erased_at": erased_at,
    }


def _name_row_values(row: tuple[str, str]) -> dict[str, str]:
    return {"keyed_hash": row[0], "subject_id": row[1]}


def _copy_key_rows(
    conn: Connection, rows: Sequence[KeyRow], name_rows: Sequence[tuple[str, str]]
) -> None:
    """All key rows through one binary COPY, the name rows through another; a row that exists
    fails the whole COPY.

    COPY cannot skip conflicts, but it is the cheapest way in: a roster's key rows through an
    INSERT of arrays cost the server and the client about twice as much.
    """
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(
        "COPY vault_subject_keys (subject_id, purpose, wrapped_key, created_at, erased_at)"
        " FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["text", "text", "bytea", "timestamptz", "timestamptz"])
        for row in rows:
            copy.write_row(row)
    if name_rows:
        with cursor.copy(
            "COPY vault_name_index (keyed_hash, subject_id) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["text", "text"])
            for name_row in name_rows:
                copy.write_row(name_row)
