"""Idempotency keys: a retried command gets its first answer back and writes nothing new.

A client sends `Idempotency-Key` with a command. The first request with a given key claims it
(one atomic INSERT that does nothing on conflict), runs, and stores its answer: status code and
JSON body, refusals (4xx) included. A retry with the same key and the same request gets that
answer back. The same key on a different request is refused, and so is a retry while the first
request still runs. Keys belong to one principal and expire after a TTL. See ADR 0012.

This module knows nothing of HTTP frameworks; `service/api/idempotent.py` wires it to the routes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, RowMapping, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.errors import DomainError, InvalidValue, RuleViolation
from service.store.schema import idempotency_keys

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, as the IETF draft's sf-string allows; anything else is likely a client bug.
KEY_SHAPE = re.compile(r"[\x20-\x7e]+")
# A claim that is taken over or released between our INSERT and SELECT makes us look again;
# more than a few rounds would mean a bug, not contention.
CLAIM_ATTEMPTS = 5
# Expired rows are deleted at most this often per process, by whichever request comes first.
PURGE_INTERVAL = timedelta(hours=1)

logger = logging.getLogger(__name__)


class IdempotencyKeyRefused(DomainError):
    """Base of the refusals about the Idempotency-Key header itself; each names the header."""

    explanation: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(self.explanation, field=IDEMPOTENCY_KEY_HEADER)


class InvalidIdempotencyKey(IdempotencyKeyRefused, InvalidValue):
    """Raised when the Idempotency-Key header is empty, too long or not printable ASCII."""

    code: ClassVar[str] = "IDEMPOTENCY_KEY_INVALID"
    explanation = (
        f"{IDEMPOTENCY_KEY_HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"
    )


class IdempotencyKeyReused(IdempotencyKeyRefused, InvalidValue):
    """Raised when a key already used for one request arrives with a different request."""

    code: ClassVar[str] = "IDEMPOTENCY_KEY_REUSED"
    explanation = (
        f"this {IDEMPOTENCY_KEY_HEADER} was used for a different request; "
        "use a new key for a new request"
    )


class RequestInProgress(IdempotencyKeyRefused, RuleViolation):
    """Raised when a retry arrives while the first request with its key is still running."""

    code: ClassVar[str] = "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    explanation = f"a request with this {IDEMPOTENCY_KEY_HEADER} is still running; retry shortly"


def parse_idempotency_key(raw: str) -> str:
    """The key in a header value, with the quotes of the draft's sf-string form removed.

    Raises `InvalidIdempotencyKey` when it is empty, longer than 255 characters, or holds
    anything but printable ASCII.
    """
    key = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    if not key.strip() or len(key) > MAX_KEY_LENGTH or not KEY_SHAPE.fullmatch(key):
        raise InvalidIdempotencyKey()
    return key


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of what the request asks for: method, path and its body in canonical form.

    A JSON body is re-serialised with sorted keys and no spacing, so a client that re-encodes
    the same request (another key order, other whitespace) still matches. A body that is not
    JSON is hashed as sent.
    """
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    body_hash = hashlib.sha256(canonical).hexdigest()
    return hashlib.sha256(f"{method.upper()}\n{path}\n{body_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a key: status code and JSON body as sent."""

    status_code: int
    body: str


@dataclass(frozen=True)
class Claim:
    """The right to run the request behind a key. `token` tells this holder from a later one."""

    principal: str
    key_hash: str
    token: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class IdempotencyStore:
    """Claims keys, stores first answers and hands them back, over the SQLAlchemy engine.

    `ttl` is how long a key is remembered after its first claim. `reclaim_after` is how long a
    claim may stay pending before another request may take it over: its holder is then presumed
    to have crashed (ADR 0012 explains why running the command again is safe).
    """

    def __init__(
        self,
        engine: Engine,
        ttl: timedelta,
        reclaim_after: timedelta,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._engine = engine
        self.ttl = ttl
        self.reclaim_after = reclaim_after
        self._clock = clock
        self._last_purge: datetime | None = None

    def claim(self, principal: str, key: str, fingerprint: str) -> Claim | StoredResponse:
        """Claim `key` for this request, or return the answer stored for it.

        Raises `IdempotencyKeyReused` when the key was used for a different request, and
        `RequestInProgress` when its first request still runs.
        """
        self._purge_now_and_then()
        key_hash = hashlib.sha256(key.encode()).hexdigest()
        for _ in range(CLAIM_ATTEMPTS):
            claim = Claim(principal, key_hash, secrets.token_hex(16))
            with self._engine.begin() as conn:
                now = self._clock()
                if self._insert(conn, claim, fingerprint, now):
                    return claim
                row = (
                    conn.execute(select(idempotency_keys).where(*self._key_is(principal, key_hash)))
                    .mappings()
                    .first()
                )
                if row is None:
                    continue  # released or purged since our INSERT: try to insert again
                answer = self._decide(conn, row, claim, fingerprint, now)
                if answer is not None:
                    return answer
        raise RequestInProgress()

    def complete(self, claim: Claim, response: StoredResponse) -> bool:
        """Store the first answer. False if the claim was taken over meanwhile (then the
        answer of whoever holds it now stands)."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(idempotency_keys)
                .where(*self._held_by(claim))
                .values(response_status=response.status_code, response_body=response.body)
            )
        if result.rowcount != 1:
            logger.warning(
                "idempotency claim of %s was taken over before its answer was stored",
                claim.principal,
            )
        return result.rowcount == 1

    def release(self, claim: Claim) -> None:
        """Give the key up after a failure that wrote nothing, so that a retry runs afresh."""
        with self._engine.begin() as conn:
            conn.execute(delete(idempotency_keys).where(*self._held_by(claim)))

    def purge_expired(self) -> int:
        """Delete expired keys; returns how many."""
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.expires_at <= self._clock())
            )
        return result.rowcount

    # --- plumbing ------------------------------------------------------------------------

    def _insert(self, conn: Connection, claim: Claim, fingerprint: str, now: datetime) -> bool:
        values = self._fresh(claim, fingerprint, now) | {
            "principal": claim.principal,
            "key_hash": claim.key_hash,
        }
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        # RETURNING tells a new row from a conflict; psycopg reports no rowcount for this form.
        inserted = conn.execute(
            insert(idempotency_keys)
            .values(values)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.claim_token)
        ).first()
        return inserted is not None

    def _decide(
        self, conn: Connection, row: RowMapping, claim: Claim, fingerprint: str, now: datetime
    ) -> Claim | StoredResponse | None:
        """What an existing row means for this request; None means look again."""
        if _as_utc(row["expires_at"]) <= now:
            # Forgotten: the key is free for any request, as if the row were gone.
            return self._take_over(conn, row, claim, fingerprint, now)
        if row["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused()
        if row["response_status"] is not None:
            return StoredResponse(row["response_status"], row["response_body"])
        if _as_utc(row["claimed_at"]) <= now - self.reclaim_after:
            logger.warning(
                "idempotency claim of %s pending since %s is taken over",
                claim.principal,
                row["claimed_at"],
            )
            return self._take_over(conn, row, claim, fingerprint, now)
        raise RequestInProgress()

    def _take_over(
        self, conn: Connection, row: RowMapping, claim: Claim, fingerprint: str, now: datetime
    ) -> Claim | None:
        # Compare-and-set on the previous holder's token: of several requests taking over the
        # same row at once, exactly one matches it.
        result = conn.execute(
            update(idempotency_keys)
            .where(
                *self._key_is(claim.principal, claim.key_hash),
                idempotency_keys.c.claim_token == row["claim_token"],
            )
            .values(self._fresh(claim, fingerprint, now))
        )
        return claim if result.rowcount == 1 else None

    def _fresh(self, claim: Claim, fingerprint: str, now: datetime) -> dict[str, Any]:
        return {
            "fingerprint": fingerprint,
            "claim_token": claim.token,
            "claimed_at": now,
            "expires_at": now + self.ttl,
            "response_status": None,
            "response_body": None,
        }

    @staticmethod
    def _key_is(principal: str, key_hash: str) -> tuple[Any, ...]:
        return (idempotency_keys.c.principal == principal, idempotency_keys.c.key_hash == key_hash)

    def _held_by(self, claim: Claim) -> tuple[Any, ...]:
        return (
            *self._key_is(claim.principal, claim.key_hash),
            idempotency_keys.c.claim_token == claim.token,
            idempotency_keys.c.response_status.is_(None),
        )

    def _purge_now_and_then(self) -> None:
        # Expired rows are ignored by `claim` anyway; deleting them only bounds the table.
        # Two requests purging at once is harmless, so there is no lock.
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= PURGE_INTERVAL:
            self._last_purge = now
            self.purge_expired()


def _as_utc(moment: datetime) -> datetime:
    # SQLite returns the stored UTC time without its zone; PostgreSQL returns it aware.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
