"""Shared fixtures: a fresh store on SQLite and, for the contract tier, on PostgreSQL."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response

from service.demo.kaltara import DemoUser, ensure_demo_users, load_demo
from service.security.accounts import Accounts
from service.settings import Settings
from service.system import Jejak

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The PostgreSQL server the contract tier uses."""
    return os.environ.get("JEJAK_TEST_POSTGRES_URL", DEFAULT_PG)


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(postgres_url(), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL URL, or a skip (a failure when JEJAK_REQUIRE_POSTGRES=1)."""
    problem = _postgres_available()
    if problem is not None:
        message = f"PostgreSQL at {postgres_url()} unavailable: {problem}"
        if os.environ.get("JEJAK_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return postgres_url()


@pytest.fixture
def postgres_schema_url(postgres_server: str) -> Iterator[str]:
    """A URL naming a fresh schema, dropped after the test."""
    schema = f"t_{secrets.token_hex(6)}"
    yield f"{postgres_server}?schema={schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def settings_for(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test store with its own random master key."""
    values: dict[str, object] = {
        "database_url": database_url,
        "master_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "key_file": tmp_path / "unused.key",
        # The test client's host is "testserver" over plain HTTP, where `auto` would mark the
        # cookies Secure and the client would not send them back (tests/e2e/test_sessions.py).
        "cookie_secure": "never",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def cli_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password: str) -> Settings:
    """Settings for a command-line test's SQLite store, also set in the environment the
    `jejak` commands read (the password answers their `--as` prompt)."""
    url = f"sqlite:///{tmp_path}/cli.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("JEJAK_DATABASE_URL", url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", key)
    monkeypatch.setenv("JEJAK_PASSWORD", password)
    return Settings(database_url=url, master_key=key)


def fast_accounts(jejak: Jejak) -> Accounts:
    """Accounts hashed at test strength (production argon2 costs ~0.2 s per hash here)."""
    jejak.accounts = Accounts(
        jejak.engine,
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        ledger=jejak.app,
    )
    return jejak.accounts


@dataclass(frozen=True)
class DemoTemplate:
    """The Kaltara demo loaded once per test process: its SQLite store and the master key its
    personal data is sealed under."""

    database: Path
    master_key: str
    users: tuple[DemoUser, ...]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo, loaded and projected once (about ten seconds) for every module that copies
    it with `demo_store`, instead of once per module."""
    folder = tmp_path_factory.mktemp("demo-template")
    settings = settings_for(f"sqlite:///{folder}/demo.db", folder)
    jejak = Jejak.start(settings)
    try:
        users = tuple(ensure_demo_users(fast_accounts(jejak), jejak.app))
        load_demo(jejak.app)
        jejak.runner.catch_up()
    finally:
        jejak.close()
    assert settings.master_key is not None
    return DemoTemplate(folder / "demo.db", settings.master_key, users)


def demo_store(template: DemoTemplate, folder: Path, **overrides: object) -> Jejak:
    """A started system on a copy of the demo in `folder`, with `overrides` to its settings:
    the module may write to it freely."""
    copy = folder / "demo.db"
    # SQLite's own backup: a consistent copy whatever its journal holds.
    with sqlite3.connect(template.database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    settings = settings_for(
        f"sqlite:///{copy}", folder, **{"master_key": template.master_key, **overrides}
    )
    jejak = Jejak.start(settings)
    fast_accounts(jejak)
    return jejak


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an SQLite file and on a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/jejak.db"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An SQLite store in the test's own folder."""
    return f"sqlite:///{tmp_path}/jejak.db"


@pytest.fixture
def jejak(store_url: str, tmp_path: Path) -> Iterator[Jejak]:
    """A started system on each store; closed after the test."""
    system = Jejak.start(settings_for(store_url, tmp_path))
    yield system
    system.close()


@pytest.fixture
def sqlite_jejak(sqlite_url: str, tmp_path: Path) -> Iterator[Jejak]:
    """A started system on SQLite only."""
    system = Jejak.start(settings_for(sqlite_url, tmp_path))
    yield system
    system.close()


class Clock:
    """A clock the test moves by hand, for code that takes a `clock` callable."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def page_csrf_token(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in_page(
    client: TestClient, username: str, password: str, next_page: str = "/", **kwargs: Any
) -> Response:
    """Log in through the login form, as a browser does: the form first, then its CSRF token
    sent back with the password."""
    token = page_csrf_token(client.get("/login").text)
    data = {"csrftoken": token, "username": username, "password": password, "next": next_page}
    response: Response = client.post("/login", data=data, **kwargs)
    return response
