"""Login throttling through HTTP, on SQLite and PostgreSQL: wrong passwords in a row earn a
growing hold-back (429 with Retry-After), written to the access log (ADR 0034)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.security.access_log import AccessAction
from service.security.login_throttle import BackoffPolicy, LoginThrottle, throttle_secret
from service.system import Jejak
from tests.conftest import Clock, fast_accounts, log_in_page, settings_for
from tests.e2e.conftest import PASSWORDS, system_of

RIGHT = PASSWORDS["opi"][0]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def with_clock(jejak: Jejak, clock: Clock) -> None:
    """The system's throttle, on a clock the test moves."""
    jejak.login_throttle = LoginThrottle(
        jejak.engine,
        throttle_secret(jejak.settings.master_key_bytes),
        BackoffPolicy.from_settings(jejak.settings),
        clock,
    )


@pytest.fixture
def throttled_client(store_client: TestClient, clock: Clock) -> TestClient:
    with_clock(system_of(store_client), clock)
    return store_client


def token(
    client: TestClient, password: str, username: str = "opi", headers: dict[str, str] | None = None
) -> int:
    response = client.post(
        "/auth/token", data={"username": username, "password": password}, headers=headers
    )
    status: int = response.status_code
    return status


def test_twelve_wrong_passwords_in_a_row_are_held_back_with_a_growing_wait(
    throttled_client: TestClient, clock: Clock
) -> None:
    statuses = [token(throttled_client, "wrong-password") for _ in range(12)]
    # Five free failures, the sixth starts a 30 s hold; the rest arrive inside it.
    assert statuses == [401] * 6 + [429] * 6
    response = throttled_client.post("/auth/token", data={"username": "opi", "password": RIGHT})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "LOGIN_THROTTLED"
    assert response.json()["error"]["field"] is None

    clock.advance(timedelta(seconds=30))
    assert token(throttled_client, "wrong-password") == 401
    response = throttled_client.post("/auth/token", data={"username": "opi", "password": RIGHT})
    assert response.headers["Retry-After"] == "60"

    clock.advance(timedelta(seconds=60))
    assert token(throttled_client, RIGHT) == 200
    # The right password cleared the account: five free failures again.
    assert [token(throttled_client, "wrong-password") for _ in range(5)] == [401] * 5


def test_a_lockout_is_written_to_the_access_log(throttled_client: TestClient) -> None:
    for _ in range(7):
        token(throttled_client, "wrong-password")
    entries = system_of(throttled_client).access_log.recent(20)
    actions = [e.action for e in entries]
    assert actions.count(AccessAction.LOGIN_FAILED) == 6
    (locked,) = [e for e in entries if e.action == AccessAction.LOGIN_LOCKED]
    assert locked.user_id == "opi"
    assert locked.detail == "account held back 30 s after 6 failures"


def test_the_login_page_is_held_back_as_well(throttled_client: TestClient) -> None:
    for _ in range(6):
        token(throttled_client, "wrong-password")
    response = log_in_page(throttled_client, "opi", RIGHT, follow_redirects=False)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    # The page speaks Indonesian unless the reader chose English (ADR 0048).
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 30 detik." in response.text


def serve_at(tmp_path: Path, clock: Clock, peer: str, **settings: object) -> Iterator[TestClient]:
    """The app on a fresh SQLite store, reached from `peer`, with the test's clock."""
    jejak = Jejak.start(settings_for(f"sqlite:///{tmp_path}/peer.db", tmp_path, **settings))
    with_clock(jejak, clock)
    fast_accounts(jejak)
    for username, (password, role) in PASSWORDS.items():
        jejak.accounts.create(username, password, role, "Dinas Sosial Kota Tarakan", username)
    with TestClient(create_app(jejak=jejak), client=(peer, 50000)) as client:
        yield client
    jejak.close()


@pytest.fixture
def behind_proxy(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    """The app behind a reverse proxy at 10.0.0.1, which it is configured to trust."""
    yield from serve_at(
        tmp_path,
        clock,
        "10.0.0.1",
        trusted_proxies=["10.0.0.0/24"],
        login_free_failures_per_address=3,
    )


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(
    behind_proxy: TestClient,
) -> None:
    one = {"X-Forwarded-For": "198.51.100.7"}
    other = {"X-Forwarded-For": "198.51.100.8"}
    users = ["opi", "ops", "sup", "aud"]
    assert [token(behind_proxy, "wrong", u, headers=one) for u in users] == [401] * 4
    assert token(behind_proxy, PASSWORDS["adm"][0], "adm", headers=one) == 429
    assert token(behind_proxy, PASSWORDS["adm"][0], "adm", headers=other) == 200
    (locked,) = [
        e
        for e in system_of(behind_proxy).access_log.recent(20)
        if e.action == AccessAction.LOGIN_LOCKED
    ]
    assert locked.detail == "address 198.51.100.7 held back 30 s after 4 failures"


@pytest.fixture
def direct(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    """The app reached directly by a client at 203.0.113.9, with no proxy configured."""
    yield from serve_at(tmp_path, clock, "203.0.113.9", login_free_failures_per_address=3)


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(
    direct: TestClient,
) -> None:
    users = ["opi", "ops", "sup", "aud"]
    for n, username in enumerate(users):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        token(direct, "wrong", username, headers=forged)
    fresh = {"X-Forwarded-For": "198.51.100.99"}
    assert token(direct, PASSWORDS["adm"][0], "adm", headers=fresh) == 429
