"""An HTTP client against the real app on a fresh SQLite store, with one account per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from domain.recording import Role
from service.api.app import create_app
from service.system import Jejak
from tests.conftest import fast_accounts

PASSWORDS = {
    "opi": ("operator-password-1", Role.OPERATOR),
    "ops": ("operator-password-2", Role.OPERATOR),
    "sup": ("supervisor-password-1", Role.SUPERVISOR),
    "sup2": ("supervisor-password-2", Role.SUPERVISOR),
    "aud": ("auditor-password-1", Role.AUDITOR),
    "adm": ("admin-password-1", Role.ADMIN),
    "dpo": ("dpo-password-1", Role.DPO),
}


_TOKENS: dict[tuple[int, str], str] = {}


@pytest.fixture
def client(sqlite_jejak: Jejak) -> Iterator[TestClient]:
    """A client whose app runs projections in the background, as `jejak serve` does."""
    yield from serve(sqlite_jejak)


@pytest.fixture
def store_client(jejak: Jejak) -> Iterator[TestClient]:
    """The same client on an SQLite file and on a PostgreSQL schema."""
    yield from serve(jejak)


def serve(jejak: Jejak) -> Iterator[TestClient]:
    """A client of the real app on `jejak`, with one account per role."""
    _TOKENS.clear()
    fast_accounts(jejak)
    for username, (password, role) in PASSWORDS.items():
        jejak.accounts.create(
            username, password, role, "Dinas Sosial Kota Tarakan", f"Test {role.value}"
        )
    with TestClient(create_app(jejak=jejak)) as test_client:
        yield test_client


def system_of(client: TestClient) -> Jejak:
    """The system behind a client's app, to look at its event log."""
    jejak: Jejak = client.app.state.jejak  # type: ignore[attr-defined]
    return jejak


def login(client: TestClient, username: str) -> dict[str, str]:
    """Bearer headers for `username`."""
    key = (id(client), username)
    if key not in _TOKENS:
        password = PASSWORDS[username][0]
        response = client.post("/auth/token", data={"username": username, "password": password})
        assert response.status_code == 200, response.text
        _TOKENS[key] = response.json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[key]}"}
