"""Staff accounts with argon2 password hashes, and the short-lived access tokens they log in for.

Password hashes live in the `accounts` table, never in the event log: the log is append-only
and copied widely, and a hash is still a secret.
"""

from __future__ import annotations

import builtins
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import InvalidValue, RuleViolation
from domain.recording import Role
from service.security.crypto import derive_subkey
from service.store.schema import accounts

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_ORG_UNIT_LENGTH = 64
MAX_DISPLAY_NAME_LENGTH = 200
TOKEN_INFO = b"jejak access tokens"
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


class Accounts:
    """Creates, authenticates and changes staff accounts.

    `hasher` defaults to argon2id with the library's recommended parameters; tests pass a
    cheaper one. When the parameters change, a hash is upgraded at the next successful login.
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._hasher = hasher or PasswordHasher()

    def create(
        self, username: str, password: str, role: Role, org_unit: str, display_name: str
    ) -> Account:
        """Create an active account; raises `AccountExists` or `InvalidAccount`."""
        _check_username(username)
        _check_password(password)
        account = Account(
            username=username,
            role=Role(role),
            org_unit=_checked_text(org_unit, "org_unit", MAX_ORG_UNIT_LENGTH),
            display_name=_checked_text(display_name, "display_name", MAX_DISPLAY_NAME_LENGTH),
            active=True,
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
        with self._engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
        return None if row is None else _account(row._mapping)

    def set_password(self, username: str, password: str) -> None:
        """Replace the password; raises `InvalidAccount` or `UnknownAccount`."""
        _check_password(password)
        self._update(username, password_hash=self._hasher.hash(password))

    def set_role(self, username: str, role: Role) -> None:
        """Change the account's role; raises `UnknownAccount`.

        Tokens already issued keep the old role until they expire, unless the caller checks
        the account on each request.
        """
        self._update(username, role=Role(role).value)

    def deactivate(self, username: str) -> None:
        """Stop the account from logging in; its history stays. Raises `UnknownAccount`."""
        self._update(username, active=False)

    def list(self) -> builtins.list[Account]:
        """Every account, active or not, by username."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.username)).mappings().all()
        return [_account(row) for row in rows]

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


def _account(row: RowMapping) -> Account:
    return Account(
        username=row["username"],
        role=Role(row["role"]),
        org_unit=row["org_unit"],
        display_name=row["display_name"],
        active=bool(row["active"]),
    )
