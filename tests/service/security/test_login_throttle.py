"""Failed-login counters in the database, on SQLite and PostgreSQL (ADR 0034)."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from service.security.login_throttle import (
    BackoffPolicy,
    Counted,
    Lockout,
    LoginThrottle,
    LoginThrottled,
)
from service.settings import Settings
from service.store.schema import login_failures
from service.system import Jejak
from tests.conftest import Clock

POLICY = BackoffPolicy(
    free_failures={Counted.ACCOUNT: 3, Counted.ADDRESS: 10},
    first_hold=timedelta(seconds=30),
    longest_hold=timedelta(minutes=10),
    forget_after=timedelta(hours=24),
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(jejak: Jejak, clock: Clock) -> LoginThrottle:
    return LoginThrottle(jejak.engine, secrets.token_bytes(32), POLICY, clock)


def fail(
    throttle: LoginThrottle, times: int, username: str = "dewi.s", address: str = "10.0.0.7"
) -> list[list[Lockout]]:
    return [throttle.failed(username, address) for _ in range(times)]


def retry_after(throttle: LoginThrottle, username: str, address: str) -> int | None:
    try:
        throttle.check(username, address)
    except LoginThrottled as held_back:
        return held_back.retry_after_seconds
    return None


def test_failures_within_the_allowance_hold_nothing_back(throttle: LoginThrottle) -> None:
    assert fail(throttle, 3) == [[], [], []]
    assert retry_after(throttle, "dewi.s", "10.0.0.7") is None


def test_each_failure_past_the_allowance_doubles_the_hold_up_to_the_ceiling(
    throttle: LoginThrottle, clock: Clock
) -> None:
    fail(throttle, 3)
    holds = []
    for _ in range(7):
        (lockout,) = throttle.failed("dewi.s", "10.0.0.7")
        holds.append(int(lockout.hold.total_seconds()))
        assert retry_after(throttle, "dewi.s", "10.0.0.7") == holds[-1]
        clock.advance(lockout.hold)
        assert retry_after(throttle, "dewi.s", "10.0.0.7") is None
    assert holds == [30, 60, 120, 240, 480, 600, 600]


def test_a_held_back_account_is_held_from_any_address(
    throttle: LoginThrottle, clock: Clock
) -> None:
    fail(throttle, 4)
    clock.advance(timedelta(seconds=10))
    assert retry_after(throttle, "dewi.s", "192.0.2.1") == 20
    assert retry_after(throttle, "rina.k", "10.0.0.7") is None


def test_an_address_guessing_at_many_accounts_is_held_back(throttle: LoginThrottle) -> None:
    for n in range(10):
        assert throttle.failed(f"user{n}", "10.0.0.7") == []
    (lockout,) = throttle.failed("user10", "10.0.0.7")
    assert lockout.counted is Counted.ADDRESS
    assert lockout.describe() == "address 10.0.0.7 held back 30 s after 11 failures"
    assert retry_after(throttle, "someone.else", "10.0.0.7") == 30
    assert retry_after(throttle, "someone.else", "10.0.0.8") is None


def test_a_success_clears_the_account_but_not_the_address(throttle: LoginThrottle) -> None:
    fail(throttle, 3)
    throttle.succeeded("dewi.s")
    assert fail(throttle, 3) == [[], [], []]
    # The address has now failed six times; it keeps counting.
    fail(throttle, 4, username="other.user")
    (lockout,) = throttle.failed("third.user", "10.0.0.7")
    assert (lockout.counted, lockout.failures) == (Counted.ADDRESS, 11)


def test_failures_are_forgotten_after_a_quiet_day(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, 3)
    clock.advance(timedelta(hours=25))
    assert throttle.failed("dewi.s", "10.0.0.7") == []
    assert throttle.purge() == 0
    clock.advance(timedelta(hours=25))
    assert throttle.purge() == 2


def test_counters_hold_keyed_hashes_not_usernames_or_addresses(
    throttle: LoginThrottle, jejak: Jejak
) -> None:
    throttle.failed("my-secret-password", "10.0.0.7")
    with jejak.engine.connect() as conn:
        rows = conn.execute(select(login_failures)).mappings().all()
    assert {row["counted"] for row in rows} == {"account", "address"}
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert "my-secret-password" not in stored and "10.0.0.7" not in stored


def test_every_process_counts_into_the_same_counters(jejak: Jejak, clock: Clock) -> None:
    secret = secrets.token_bytes(32)
    first, second = (LoginThrottle(jejak.engine, secret, POLICY, clock) for _ in range(2))
    fail(first, 2)
    fail(second, 1)
    (lockout,) = first.failed("dewi.s", "10.0.0.7")
    assert lockout.failures == 4
    assert retry_after(second, "dewi.s", "10.0.0.7") == 30


def test_trusted_proxies_are_read_as_addresses_and_networks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JEJAK_TRUSTED_PROXIES", '["10.0.0.5/24", " 192.0.2.1", "::1"]')
    assert Settings().trusted_proxies == ["10.0.0.0/24", "192.0.2.1", "::1"]
    monkeypatch.setenv("JEJAK_TRUSTED_PROXIES", '["proxy.internal"]')
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()


def test_concurrent_failures_are_all_counted(jejak: Jejak, clock: Clock) -> None:
    secret = secrets.token_bytes(32)
    throttles = [LoginThrottle(jejak.engine, secret, POLICY, clock) for _ in range(4)]

    def guess(throttle: LoginThrottle) -> None:
        for _ in range(5):
            throttle.failed("dewi.s", "10.0.0.7")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(guess, throttles))
    lockouts = throttles[0].failed("dewi.s", "10.0.0.7")
    assert {(lockout.counted, lockout.failures) for lockout in lockouts} == {
        (Counted.ACCOUNT, 21),
        (Counted.ADDRESS, 21),
    }
