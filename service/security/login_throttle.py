"""Login throttling: wrong passwords hold back further logins, per account and per address.

Each account and each client address has a counter of failed logins in the database, so that
every process serving the store sees the same counts. Past a free allowance, each further
failure holds logins back for a while that doubles with every failure, up to a ceiling. While
held back, a login is refused before its password is checked (a right password must not tell
itself apart from a wrong one), and the client is told when to try again. A successful login
clears its account's counter; an address's counter is only forgotten with time, so that one
valid account cannot clear the way for guessing at others. See ADR 0034.

Accounts and addresses are stored as keyed hashes: a username box sometimes holds a password
typed in the wrong place, and addresses need not be kept in clear to be counted.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine, and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from service.security.crypto import derive_subkey
from service.settings import Settings
from service.store.db import as_utc
from service.store.schema import login_failures

# Doubling stops mattering long before this; it keeps 2**n small.
MAX_DOUBLINGS = 30
# Forgotten counters are deleted at most this often per process, by whichever failure comes first.
PURGE_INTERVAL = timedelta(hours=1)
THROTTLE_INFO = b"jejak login throttle"


class Counted(StrEnum):
    """What a counter of failed logins counts for."""

    ACCOUNT = "account"
    ADDRESS = "address"


class LoginThrottled(Exception):
    """Raised when a login arrives while its account or its client address is held back."""

    code = "LOGIN_THROTTLED"

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(
            "too many failed logins for this account or from this address; "
            f"try again in {retry_after_seconds} s"
        )


@dataclass(frozen=True)
class BackoffPolicy:
    """How many failures are free, and how long each later one holds logins back."""

    free_failures: dict[Counted, int]
    first_hold: timedelta
    longest_hold: timedelta
    forget_after: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> BackoffPolicy:
        """The policy the deployment configured."""
        return cls(
            free_failures={
                Counted.ACCOUNT: settings.login_free_failures_per_account,
                Counted.ADDRESS: settings.login_free_failures_per_address,
            },
            first_hold=timedelta(seconds=settings.login_backoff_seconds),
            longest_hold=timedelta(seconds=settings.login_backoff_max_seconds),
            forget_after=timedelta(hours=settings.login_failures_forgotten_after_hours),
        )

    def hold_after(self, counted: Counted, failures: int) -> timedelta | None:
        """How long logins are held back after the `failures`-th failure in a row, if at all."""
        beyond = failures - self.free_failures[counted]
        if beyond <= 0:
            return None
        return min(self.longest_hold, self.first_hold * (1 << min(beyond - 1, MAX_DOUBLINGS)))


@dataclass(frozen=True)
class Lockout:
    """A hold-back that a failure has just started, for the access log."""

    counted: Counted
    address: str | None
    failures: int
    hold: timedelta

    def describe(self) -> str:
        """A line for the access log; the address is kept only when it is a plain IP address,
        so that a forged header cannot write free text there."""
        whose = "account" if self.counted is Counted.ACCOUNT else f"address {self.address or '-'}"
        return (
            f"{whose} held back {int(self.hold.total_seconds())} s after {self.failures} failures"
        )


class LoginThrottle:
    """Counts failed logins in the database and says when logins are held back."""

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        policy: BackoffPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._secret = secret
        self.policy = policy
        self._clock = clock
        self._last_purge: datetime | None = None

    def check(self, username: str, address: str | None) -> None:
        """Raise `LoginThrottled` while the account or the address is held back."""
        now = self._clock()
        keys = self._keys(username, address)
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(login_failures.c.locked_until).where(
                    or_(
                        *(
                            and_(login_failures.c.counted == c, login_failures.c.key_hash == k)
                            for c, k in keys.items()
                        )
                    ),
                    login_failures.c.locked_until.is_not(None),
                )
            ).all()
        waits = [as_utc(row.locked_until) - now for row in rows]
        longest = max(waits, default=timedelta(0))
        if longest > timedelta(0):
            raise LoginThrottled(math.ceil(longest.total_seconds()))

    def failed(self, username: str, address: str | None) -> list[Lockout]:
        """Count a failed login against the account and the address; the hold-backs it starts."""
        now = self._clock()
        lockouts = []
        with self._engine.begin() as conn:
            for counted, key_hash in self._keys(username, address).items():
                failures = self._count(conn, counted, key_hash, now)
                hold = self.policy.hold_after(counted, failures)
                if hold is None:
                    continue
                conn.execute(
                    update(login_failures)
                    .where(
                        login_failures.c.counted == counted, login_failures.c.key_hash == key_hash
                    )
                    .values(locked_until=now + hold)
                )
                lockouts.append(Lockout(counted, _plain_ip(address), failures, hold))
        self._purge_now_and_then(now)
        return lockouts

    def succeeded(self, username: str) -> None:
        """Clear the account's counter. The address's is left to time (see the module)."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(login_failures).where(
                    login_failures.c.counted == Counted.ACCOUNT,
                    login_failures.c.key_hash == self._hash(Counted.ACCOUNT, username),
                )
            )

    def purge(self) -> int:
        """Delete the counters whose last failure is forgotten; how many went."""
        forgotten = self._clock() - self.policy.forget_after
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(login_failures).where(
                    login_failures.c.last_failure_at < forgotten,
                    or_(
                        login_failures.c.locked_until.is_(None),
                        login_failures.c.locked_until < forgotten,
                    ),
                )
            )
        return result.rowcount

    # --- plumbing ------------------------------------------------------------------------

    def _keys(self, username: str, address: str | None) -> dict[Counted, str]:
        return {
            Counted.ACCOUNT: self._hash(Counted.ACCOUNT, username),
            # Requests without a known peer share one counter rather than escape counting.
            Counted.ADDRESS: self._hash(Counted.ADDRESS, address or "-"),
        }

    def _hash(self, counted: Counted, value: str) -> str:
        message = f"{counted.value}\0{value}".encode(errors="surrogateescape")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _count(self, conn: Connection, counted: Counted, key_hash: str, now: datetime) -> int:
        """Add one failure in a single upsert, so that concurrent failures are all counted;
        a counter whose last failure is forgotten starts again at one."""
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        statement = insert(login_failures).values(
            counted=counted.value, key_hash=key_hash, failures=1, last_failure_at=now
        )
        forgotten = login_failures.c.last_failure_at < now - self.policy.forget_after
        failures: int = conn.execute(
            statement.on_conflict_do_update(
                index_elements=[login_failures.c.counted, login_failures.c.key_hash],
                set_={
                    "failures": case((forgotten, 1), else_=login_failures.c.failures + 1),
                    "last_failure_at": now,
                },
            ).returning(login_failures.c.failures)
        ).scalar_one()
        return failures

    def _purge_now_and_then(self, now: datetime) -> None:
        if self._last_purge is None or now - self._last_purge >= PURGE_INTERVAL:
            self._last_purge = now
            self.purge()


def throttle_secret(master_key: bytes) -> bytes:
    """The key of the counters' hashes, derived from the master key (HKDF, its own label)."""
    return derive_subkey(master_key, THROTTLE_INFO)


def _plain_ip(address: str | None) -> str | None:
    try:
        return None if address is None else str(ipaddress.ip_address(address))
    except ValueError:
        return None
