"""While the database cannot be reached, the API answers 503 with `Retry-After` and the
standard error body, recovers by itself once it can, and never logs a statement's parameters
(ADR 0033)."""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import sqlalchemy.exc
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from service.api.app import create_app
from service.system import Jejak
from tests.conftest import settings_for
from tests.e2e.conftest import PASSWORDS, login
from tests.e2e.test_http import SITE

# What a failing statement would have quoted: a name and a NIK, as personal data looks.
PERSONAL = "Contoh Ani Rahasia 6571044504900001"


class Outage:
    """A TCP relay between the system and PostgreSQL that the test can cut and restore: the
    database itself stays up for everyone else using the server."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.up = True
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.links += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and break every open one, as a crashed server would."""
        self.up = False
        with self.lock:
            for link in self.links:
                with contextlib.suppress(OSError):
                    link.shutdown(socket.SHUT_RDWR)
                link.close()
            self.links.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.close()


def _recovers(request: Callable[[], Response], within_seconds: float = 40) -> bool:
    """True once `request` succeeds; until then every answer must be a 503, never a 500."""
    deadline = time.monotonic() + within_seconds
    while time.monotonic() < deadline:
        response = request()
        if response.status_code < 300:
            return True
        assert response.status_code == 503, response.text
    return False


def _accounts(jejak: Jejak) -> None:
    from tests.conftest import fast_accounts

    fast_accounts(jejak)
    for username, (password, role) in PASSWORDS.items():
        jejak.accounts.create(username, password, role, "Dinas Sosial Kota Tarakan", username)


@pytest.fixture
def outage(postgres_schema_url: str) -> Iterator[Outage]:
    parts = urlsplit(postgres_schema_url)
    relay = Outage(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield relay
    relay.close()


def _through(url: str, relay: Outage) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{relay.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.mark.postgres
def test_requests_get_503_while_the_database_is_unreachable_then_succeed(
    postgres_schema_url: str, outage: Outage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    jejak = Jejak.start(settings_for(_through(postgres_schema_url, outage), tmp_path))
    try:
        _accounts(jejak)
        app = create_app(jejak=jejak, run_projections=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            headers = login(client, "opi")
            assert client.get("/api/sites", headers=headers).status_code == 200
            outage.cut()
            with caplog.at_level(logging.DEBUG):
                down = [
                    client.get("/api/sites", headers=headers),
                    client.post("/api/sites", json={**SITE, "name": PERSONAL}, headers=headers),
                    client.post("/auth/token", data={"username": "opi", "password": PERSONAL}),
                ]
            for response in down:
                assert response.status_code == 503, response.text
                assert response.headers["Retry-After"].isdigit()
                assert response.json()["error"]["code"] == "STORE_UNAVAILABLE"
            assert PERSONAL not in caplog.text
            outage.restore()
            assert _recovers(lambda: client.post("/api/sites", json=SITE, headers=headers))
            assert client.get("/api/sites", headers=headers).status_code == 200
    finally:
        outage.restore()
        jejak.close()


@pytest.mark.postgres
def test_connections_cut_by_the_server_are_replaced_without_a_500(
    postgres_server: str,
    postgres_schema_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Our connections carry a name of their own, so that only they are cut: other tests may
    # share the server.
    name = f"jejak-cut-{secrets.token_hex(4)}"
    monkeypatch.setenv("PGAPPNAME", name)
    jejak = Jejak.start(settings_for(postgres_schema_url, tmp_path))
    try:
        _accounts(jejak)
        app = create_app(jejak=jejak, run_projections=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            headers = login(client, "opi")
            assert client.post("/api/sites", json=SITE, headers=headers).status_code == 201
            assert client.get("/api/sites", headers=headers).status_code == 200
            # The environment names this connection too: it needs a name of its own.
            with psycopg.connect(
                postgres_server, autocommit=True, application_name="jejak-test-admin"
            ) as admin:
                cut = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    (name,),
                ).fetchone()
            assert cut is not None and cut[0] > 0
            after = [
                client.get("/api/sites", headers=headers),
                client.post(
                    "/api/sites", json={**SITE, "code": "TRK-KP", "name": "Karang"}, headers=headers
                ),
            ]
            # The pool's check finds the cut connections and replaces them: a request that
            # met only dead ones before its wait ran out is told to retry, never a 500.
            for response in after:
                assert response.status_code in (200, 201, 503), response.text
            assert _recovers(lambda: client.get("/api/sites", headers=headers))
            again = {**SITE, "code": "TRK-SB", "name": "Sebengkok"}
            assert _recovers(lambda: client.post("/api/sites", json=again, headers=headers))
    finally:
        jejak.close()


def test_a_failing_statement_never_quotes_its_parameters(jejak: Jejak) -> None:
    with pytest.raises(sqlalchemy.exc.DBAPIError) as failure, jejak.engine.connect() as conn:
        conn.execute(text("SELECT :name FROM no_such_table"), {"name": PERSONAL})
    assert PERSONAL not in str(failure.value)
    assert PERSONAL not in repr(failure.value)


def test_an_unexpected_failure_is_a_json_500_and_one_from_the_store_a_503(
    sqlite_jejak: Jejak,
) -> None:
    app = create_app(jejak=sqlite_jejak, run_projections=False)

    @app.get("/failing/{how}")
    def failing(how: str) -> None:
        if how == "bug":
            raise RuntimeError("a bug")
        try:
            # Nothing listens on port 1: the connection is refused.
            sqlalchemy.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none").connect()
        except sqlalchemy.exc.OperationalError as error:
            # The store's error, raised again under another name.
            raise RuntimeError("while reading") from error

    with TestClient(app, raise_server_exceptions=False) as client:
        bug = client.get("/failing/bug")
        store = client.get("/failing/store")
    assert (bug.status_code, bug.json()["error"]["code"]) == (500, "INTERNAL_ERROR")
    assert (store.status_code, store.json()["error"]["code"]) == (503, "STORE_UNAVAILABLE")
    assert store.headers["Retry-After"] == "10"
