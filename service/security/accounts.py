"""Staff accounts with argon2 password hashes, and the short-lived access tokens they log in for.

Password hashes live in the `accounts` table, never in the event log: the log is append-only
and copied widely, and a hash is still a secret. An account's role, unit and whether it may act
are recorded as events (`domain.staff`, ADR 0045); the table is their login cache.
"""

from __future__ import annotations

import builtins
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar, Protocol

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import InvalidValue, RuleViolation
from domain.recording import Actor, Provenance, Role
from domain.staff import StaffAccount
from domain.units import UnitUnknown
from projections.custody import directory_of
from service.provenance import WITA, today_wita
from service.security.crypto import derive_subkey
from service.store.schema import accounts

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_ORG_UNIT_LENGTH = 64
MAX_DISPLAY_NAME_LENGTH = 200
TOKEN_INFO = b"jejak access tokens"
# Who a grant is attributed to when no administrator is named (a script, a test): not a
# username anyone can hold, so it never passes for one.
SETUP_ACTOR = Actor("(setup)", Role.ADMIN, "")
LEGACY_REASON = "opened from the accounts table, which held it before grants were recorded"
SIGNING_ALGORITHM = "HS256"
TOKEN_CLAIMS = ("sub", "role", "org", "name", "iat", "exp")
# Tolerates small clock differences between API workers when checking a token's issue time.
CLOCK_SKEW = timedelta(seconds=60)


class InvalidAccount(InvalidValue):
    """Raised when an account's username, password, unit or name breaks its format rule.

    The message names the rule, never the rejected value (it may be a mistyped password).
    """

    code: ClassVar[str] = "ACCOUNT_INVALID"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


class AccountExists(RuleViolation):
    """Raised when an account is created with a username that is already taken."""

    code: ClassVar[str] = "ACCOUNT_EXISTS"


class UnknownAccount(LookupError):
    """Raised when a change names an account that does not exist."""

    code: ClassVar[str] = "ACCOUNT_UNKNOWN"


@dataclass(frozen=True)
class Account:
    """A staff account as the rest of the service sees it (never with its password hash)."""

    username: str
    role: Role
    org_unit: str
    display_name: str
    active: bool


class StaffLedger(Protocol):
    """The staff accounts' events (`service.commands.grants.StaffCommands`)."""

    def account(self, username: str) -> StaffAccount | None: ...

    def open_account(
        self, username: str, *, display_name: str, role: Role, unit: str, provenance: Provenance
    ) -> object: ...

    def change_role(self, username: str, role: Role, *, provenance: Provenance) -> object: ...

    def move(self, username: str, unit: str, *, provenance: Provenance) -> object: ...

    def deactivate(self, username: str, *, provenance: Provenance) -> object: ...

    def reactivate(self, username: str, *, provenance: Provenance) -> object: ...


class UnitLedger(Protocol):
    """The units' events (`service.commands.units.UnitCommands`)."""

    def established(self, code: str) -> bool: ...

    def any_established(self) -> bool: ...


class GrantLedger(Protocol):
    """Where grants are recorded: the programme's application (ADR 0045)."""

    @property
    def staff(self) -> StaffLedger: ...

    @property
    def units(self) -> UnitLedger: ...


@dataclass(frozen=True)
class Mismatch:
    """An account whose row in the table says other than its recorded grants."""

    username: str
    problem: str


class Accounts:
    """Creates, authenticates and changes staff accounts.

    Role, unit and whether an account may act are recorded as events first (`ledger`, the
    authority: ADR 0045), then copied to the account's row, which logins and every request
    read. Each change takes the administrator's provenance: who gave the grant, from which
    business date, on which letter. Without one, the change is attributed to `SETUP_ACTOR`
    and dated today (scripts, tests). Without a ledger (a table on its own, in unit tests of
    the hashing) nothing is recorded.

    `hasher` defaults to argon2id with the library's recommended parameters; tests pass a
    cheaper one. When the parameters change, a hash is upgraded at the next successful login.
    """

    def __init__(
        self,
        engine: Engine,
        hasher: PasswordHasher | None = None,
        ledger: GrantLedger | None = None,
    ) -> None:
        self._engine = engine
        self._hasher = hasher or PasswordHasher()
        self._ledger = ledger

    def create(
        self,
        username: str,
        password: str,
        role: Role,
        org_unit: str,
        display_name: str,
        *,
        provenance: Provenance | None = None,
    ) -> Account:
        """Create an active account; raises `AccountExists`, `InvalidAccount` or
        `UnitUnknown` (once units are in the system, `org_unit` is a unit's code)."""
        _check_username(username)
        _check_password(password)
        account = Account(
            username=username,
            role=Role(role),
            org_unit=self._checked_unit(org_unit, "org_unit"),
            display_name=_checked_text(display_name, "display_name", MAX_DISPLAY_NAME_LENGTH),
            active=True,
        )
        if self.get(username) is not None or (
            self._ledger is not None and self._ledger.staff.account(username) is not None
        ):
            raise AccountExists("that username is already taken", field="username")
        if self._ledger is not None:
            self._ledger.staff.open_account(
                username,
                display_name=account.display_name,
                role=account.role,
                unit=account.org_unit,
                provenance=_given(provenance),
            )
        now = datetime.now(UTC)
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(accounts).values(
                        username=account.username,
                        password_hash=self._hasher.hash(password),
                        role=account.role.value,
                        org_unit=account.org_unit,
                        display_name=account.display_name,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError as error:
            raise AccountExists("that username is already taken", field="username") from error
        return account

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password matches and the account is active, else None.

        An unknown username still costs one hash verification, so response times do not tell
        which usernames exist.
        """
        with self._engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
        if row is None:
            self._verify(self._dummy_hash, password)
            return None
        stored_hash: str = row.password_hash
        if not self._verify(stored_hash, password) or not row.active:
            return None
        if self._hasher.check_needs_rehash(stored_hash):
            self._update(username, password_hash=self._hasher.hash(password))
        return _account(row._mapping)

    def get(self, username: str) -> Account | None:
        """The account, active or not, or None."""
        row = self._row(username)
        return None if row is None else _account(row)

    def set_password(self, username: str, password: str) -> None:
        """Replace the password; raises `InvalidAccount` or `UnknownAccount`."""
        _check_password(password)
        self._update(username, password_hash=self._hasher.hash(password))

    def set_role(self, username: str, role: Role, *, provenance: Provenance | None = None) -> None:
        """Change the account's role from the provenance's date; raises `UnknownAccount`.

        Every request reads the account again, so the new role applies at once.
        """
        recorded = self._recorded(username, provenance)
        if recorded is not None and recorded.role is not Role(role):
            self._staff.change_role(username, Role(role), provenance=_given(provenance))
        self._update(username, role=Role(role).value)

    def set_unit(self, username: str, unit: str, *, provenance: Provenance | None = None) -> None:
        """Move the account to another unit from the provenance's date; raises
        `UnknownAccount` or `UnitUnknown`."""
        checked = self._checked_unit(unit, "unit")
        recorded = self._recorded(username, provenance)
        if recorded is not None and recorded.unit != checked:
            self._staff.move(username, checked, provenance=_given(provenance))
        self._update(username, org_unit=checked)

    def deactivate(self, username: str, *, provenance: Provenance | None = None) -> None:
        """Stop the account from logging in; its history stays. Raises `UnknownAccount`."""
        recorded = self._recorded(username, provenance)
        if recorded is not None and recorded.active:
            self._staff.deactivate(username, provenance=_given(provenance))
        self._update(username, active=False)

    def reactivate(self, username: str, *, provenance: Provenance | None = None) -> None:
        """Let a deactivated account log in again, in its role and unit."""
        recorded = self._recorded(username, provenance)
        if recorded is not None and not recorded.active:
            self._staff.reactivate(username, provenance=_given(provenance))
        self._update(username, active=True)

    def list(self) -> builtins.list[Account]:
        """Every account, active or not, by username."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.username)).mappings().all()
        return [_account(row) for row in rows]

    def mismatches(self) -> builtins.list[Mismatch]:
        """Accounts whose row says other than their recorded grants, and rows with none."""
        found: builtins.list[Mismatch] = []
        for account in self.list():
            recorded = self._staff.account(account.username)
            if recorded is None:
                found.append(Mismatch(account.username, "no grants recorded"))
                continue
            for what, row_value, event_value in (
                ("role", account.role.value, recorded.role.value),
                ("unit", account.org_unit, recorded.unit),
                ("active", str(account.active), str(recorded.active)),
            ):
                if row_value != event_value:
                    found.append(
                        Mismatch(
                            account.username,
                            f"{what}: the table says {row_value}, the grants {event_value}",
                        )
                    )
        return found

    def repair(self, provenance: Provenance | None = None) -> builtins.list[Mismatch]:
        """Record the opening of accounts with no grants (from their rows), and copy the
        recorded grants to the rows that differ; returns what was repaired."""
        repaired = self.mismatches()
        for username in dict.fromkeys(m.username for m in repaired):
            recorded = self._recorded(username, provenance)
            assert recorded is not None
            self._update(
                username,
                role=recorded.role.value,
                org_unit=recorded.unit,
                active=recorded.active,
            )
        return repaired

    @property
    def _staff(self) -> StaffLedger:
        if self._ledger is None:
            raise RuntimeError("these accounts record no grants: no ledger was given")
        return self._ledger.staff

    def _row(self, username: str) -> RowMapping | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
        return None if row is None else row._mapping

    def _recorded(self, username: str, provenance: Provenance | None) -> StaffAccount | None:
        """The account's recorded grants (None without a ledger). An account from before
        grants were recorded has its opening recorded first, from its row, dated the day the
        row was made: what it held before that change is all the table knew."""
        row = self._row(username)
        if row is None:
            raise UnknownAccount("no account has that username")
        if self._ledger is None:
            return None
        recorded = self._staff.account(username)
        if recorded is not None:
            return recorded
        given = _given(provenance)
        created_on = _business_date(row["created_at"])
        self._staff.open_account(
            username,
            display_name=row["display_name"],
            role=Role(row["role"]),
            unit=row["org_unit"],
            provenance=Provenance(given.actor, created_on, None, LEGACY_REASON),
        )
        if not row["active"]:
            self._staff.deactivate(
                username,
                provenance=Provenance(
                    given.actor, _business_date(row["updated_at"]), None, LEGACY_REASON
                ),
            )
        return self._staff.account(username)

    def _checked_unit(self, unit: str, field: str) -> str:
        """The unit, trimmed: once units are in the system, the code of one of them; before,
        any text (a store of one office, ADR 0045)."""
        text = _checked_text(unit, field, MAX_ORG_UNIT_LENGTH)
        ledger = self._ledger
        if ledger is None or ledger.units.established(text):
            return text
        with self._engine.connect() as conn:
            known = bool(directory_of(conn).all())
        if known or ledger.units.any_established():
            raise UnitUnknown("once units are in the system, name one by its code", field=field)
        return text

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _update(self, username: str, **values: Any) -> None:
        with self._engine.begin() as conn:
            result = conn.execute(
                update(accounts)
                .where(accounts.c.username == username)
                .values(**values, updated_at=datetime.now(UTC))
            )
        if result.rowcount == 0:
            raise UnknownAccount("no account has that username")


@dataclass(frozen=True)
class TokenClaims:
    """What a verified access token says about its bearer."""

    username: str
    role: Role
    org_unit: str
    display_name: str
    issued_at: datetime
    expires_at: datetime


class TokenIssuer:
    """Issues and verifies short-lived access tokens (JWT, HS256) for logged-in accounts."""

    def __init__(self, secret: bytes, minutes: int) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 bytes")
        if minutes < 1:
            raise ValueError("tokens must live at least one minute")
        self._secret = secret
        self._lifetime = timedelta(minutes=minutes)

    def issue(self, account: Account, now: datetime | None = None) -> str:
        """A signed token for the account, valid from `now` for the configured minutes."""
        issued = _aware(now)
        payload = {
            "sub": account.username,
            "role": account.role.value,
            "org": account.org_unit,
            "name": account.display_name,
            "iat": int(issued.timestamp()),
            "exp": int((issued + self._lifetime).timestamp()),
        }
        return jwt.encode(payload, self._secret, algorithm=SIGNING_ALGORITHM)

    def verify(self, token: str, now: datetime | None = None) -> TokenClaims | None:
        """The token's claims, or None when it is expired, not yet valid, forged or malformed."""
        try:
            # The library's own time checks are off because they read the wall clock; the same
            # checks are made below against `now`, which tests can fix.
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[SIGNING_ALGORITHM],
                options={
                    "require": list(TOKEN_CLAIMS),
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
            issued_at = datetime.fromtimestamp(int(payload["iat"]), UTC)
            expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
            claims = TokenClaims(
                username=str(payload["sub"]),
                role=Role(payload["role"]),
                org_unit=str(payload["org"]),
                display_name=str(payload["name"]),
                issued_at=issued_at,
                expires_at=expires_at,
            )
        except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError):
            return None
        moment = _aware(now)
        if moment >= expires_at or issued_at > moment + CLOCK_SKEW:
            return None
        return claims


def token_secret(master_key: bytes) -> bytes:
    """The access-token signing key, derived from the master key (HKDF, its own label)."""
    return derive_subkey(master_key, TOKEN_INFO)


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _check_username(username: str) -> None:
    if not USERNAME.fullmatch(username):
        raise InvalidAccount(
            "a username is 3 to 32 characters: a lowercase letter, then lowercase letters, "
            "digits, '.', '_' or '-'",
            field="username",
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def _checked_text(value: str, field: str, max_length: int) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > max_length:
        raise InvalidAccount(f"{field} must be 1 to {max_length} characters", field=field)
    return cleaned


def _given(provenance: Provenance | None) -> Provenance:
    """The provenance of a grant: the administrator's, or the setup's dated today."""
    if provenance is not None:
        return provenance
    return Provenance(SETUP_ACTOR, today_wita())


def _business_date(moment: datetime) -> date:
    """The business date (WITA) of a time the table recorded."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(WITA).date()


def _account(row: RowMapping) -> Account:
    return Account(
        username=row["username"],
        role=Role(row["role"]),
        org_unit=row["org_unit"],
        display_name=row["display_name"],
        active=bool(row["active"]),
    )
