"""Staff accounts and access tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from domain.recording import Role
from service.security.accounts import (
    Account,
    AccountExists,
    Accounts,
    InvalidAccount,
    TokenIssuer,
    UnknownAccount,
    token_secret,
)
from service.security.crypto import derive_subkey
from service.security.vault import DUPLICATE_INDEX_INFO, KEY_WRAPPING_INFO
from service.store.schema import accounts as accounts_table

PASSWORD = "correct horse battery"


def cheap_hasher() -> PasswordHasher:
    # The production parameters take a noticeable time per hash; the tests need many hashes.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def accounts(engine: Engine) -> Accounts:
    return Accounts(engine, cheap_hasher())


@pytest.fixture
def operator(accounts: Accounts) -> Account:
    return accounts.create("dewi.s", PASSWORD, Role.OPERATOR, "Dinsos Samarinda", "Dewi S.")


def test_an_account_authenticates_with_its_password(accounts: Accounts, operator: Account) -> None:
    assert accounts.authenticate("dewi.s", PASSWORD) == operator
    assert operator.active
    assert operator.role is Role.OPERATOR


def test_a_wrong_password_fails(accounts: Accounts, operator: Account) -> None:
    assert accounts.authenticate("dewi.s", PASSWORD + "!") is None


def test_an_unknown_username_fails(accounts: Accounts) -> None:
    assert accounts.authenticate("nobody", PASSWORD) is None


def test_an_inactive_account_cannot_authenticate(accounts: Accounts, operator: Account) -> None:
    accounts.deactivate("dewi.s")
    assert accounts.authenticate("dewi.s", PASSWORD) is None
    found = accounts.get("dewi.s")
    assert found is not None
    assert not found.active


def test_the_password_is_stored_only_as_an_argon2_hash(engine: Engine, operator: Account) -> None:
    with engine.connect() as conn:
        stored = conn.scalar(select(accounts_table.c.password_hash))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_taken_username_cannot_be_created_again(accounts: Accounts, operator: Account) -> None:
    with pytest.raises(AccountExists):
        accounts.create("dewi.s", PASSWORD, Role.ADMIN, "Dinsos", "Someone else")


@pytest.mark.parametrize("username", ["ab", "Dewi", "1dewi", "dewi s", "dewi\n", "d" * 33])
def test_a_malformed_username_is_refused(accounts: Accounts, username: str) -> None:
    with pytest.raises(InvalidAccount) as raised:
        accounts.create(username, PASSWORD, Role.OPERATOR, "Dinsos", "Dewi")
    assert raised.value.field == "username"


def test_a_short_password_is_refused_without_echoing_it(accounts: Accounts) -> None:
    with pytest.raises(InvalidAccount) as raised:
        accounts.create("dewi.s", "short9", Role.OPERATOR, "Dinsos", "Dewi")
    assert raised.value.field == "password"
    assert "short9" not in str(raised.value)


def test_an_empty_display_name_is_refused(accounts: Accounts) -> None:
    with pytest.raises(InvalidAccount) as raised:
        accounts.create("dewi.s", PASSWORD, Role.OPERATOR, "Dinsos", "   ")
    assert raised.value.field == "display_name"


def test_a_changed_password_replaces_the_old_one(accounts: Accounts, operator: Account) -> None:
    accounts.set_password("dewi.s", "a brand new passphrase")
    assert accounts.authenticate("dewi.s", PASSWORD) is None
    assert accounts.authenticate("dewi.s", "a brand new passphrase") is not None


def test_a_changed_role_shows_at_the_next_login(accounts: Accounts, operator: Account) -> None:
    accounts.set_role("dewi.s", Role.SUPERVISOR)
    found = accounts.authenticate("dewi.s", PASSWORD)
    assert found is not None
    assert found.role is Role.SUPERVISOR


def test_changing_an_unknown_account_is_refused(accounts: Accounts) -> None:
    with pytest.raises(UnknownAccount):
        accounts.set_role("nobody", Role.ADMIN)


def test_accounts_are_listed_by_username(accounts: Accounts) -> None:
    accounts.create("zaki", PASSWORD, Role.AUDITOR, "Inspektorat", "Zaki")
    accounts.create("ani", PASSWORD, Role.ADMIN, "Dinsos", "Ani")
    assert [a.username for a in accounts.list()] == ["ani", "zaki"]


def test_a_hash_with_old_parameters_is_upgraded_at_login(engine: Engine, operator: Account) -> None:
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert Accounts(engine, stronger).authenticate("dewi.s", PASSWORD) is not None
    with engine.connect() as conn:
        stored = conn.scalar(select(accounts_table.c.password_hash))
    assert stored is not None
    assert not stronger.check_needs_rehash(stored)


def test_a_token_carries_the_accounts_claims(operator: Account) -> None:
    issuer = TokenIssuer(secrets.token_bytes(32), minutes=15)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    claims = issuer.verify(issuer.issue(operator, now=now), now=now + timedelta(minutes=14))
    assert claims is not None
    assert claims.username == "dewi.s"
    assert claims.role is Role.OPERATOR
    assert claims.org_unit == "Dinsos Samarinda"
    assert claims.display_name == "Dewi S."
    assert claims.expires_at == now + timedelta(minutes=15)


def test_an_expired_token_fails(operator: Account) -> None:
    issuer = TokenIssuer(secrets.token_bytes(32), minutes=15)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    token = issuer.issue(operator, now=now)
    assert issuer.verify(token, now=now + timedelta(minutes=15)) is None


def test_an_expired_token_fails_against_the_real_clock(operator: Account) -> None:
    issuer = TokenIssuer(secrets.token_bytes(32), minutes=15)
    token = issuer.issue(operator, now=datetime.now(UTC) - timedelta(hours=1))
    assert issuer.verify(token) is None


def test_a_token_from_the_future_fails(operator: Account) -> None:
    issuer = TokenIssuer(secrets.token_bytes(32), minutes=15)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    assert issuer.verify(issuer.issue(operator, now=now + timedelta(minutes=5)), now=now) is None


def test_a_token_signed_with_another_secret_fails(operator: Account) -> None:
    token = TokenIssuer(secrets.token_bytes(32), minutes=15).issue(operator)
    assert TokenIssuer(secrets.token_bytes(32), minutes=15).verify(token) is None


def test_a_token_with_a_raised_role_fails(operator: Account) -> None:
    secret = secrets.token_bytes(32)
    issuer = TokenIssuer(secret, minutes=15)
    header, payload, signature = issuer.issue(operator).split(".")
    claims = jwt.decode(f"{header}.{payload}.{signature}", secret, algorithms=["HS256"])
    forged = jwt.encode({**claims, "role": "admin"}, secrets.token_bytes(32), algorithm="HS256")
    forged_payload = forged.split(".")[1]
    assert issuer.verify(f"{header}.{forged_payload}.{signature}") is None


def test_an_unsigned_token_fails(operator: Account) -> None:
    now = datetime.now(UTC)
    claims = {
        "sub": "dewi.s",
        "role": "admin",
        "org": "x",
        "name": "x",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    unsigned = jwt.encode(claims, "", algorithm="none")
    assert TokenIssuer(secrets.token_bytes(32), minutes=15).verify(unsigned) is None


def test_garbage_is_not_a_token() -> None:
    assert TokenIssuer(secrets.token_bytes(32), minutes=15).verify("not.a.token") is None


def test_the_token_secret_is_stable_and_separate_from_the_vault_keys() -> None:
    master = secrets.token_bytes(32)
    assert token_secret(master) == token_secret(master)
    assert len(token_secret(master)) == 32
    assert token_secret(master) not in {
        master,
        derive_subkey(master, KEY_WRAPPING_INFO),
        derive_subkey(master, DUPLICATE_INDEX_INFO),
    }
