"""Idempotency-Key through HTTP, on SQLite and PostgreSQL: a retry returns the first answer and
writes nothing to the event log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.commands.idempotency import IdempotencyStore
from service.system import Jejak
from tests.conftest import Clock, settings_for
from tests.e2e.conftest import login, serve, system_of
from tests.e2e.test_http import SITE, doc, post

SOSIALISASI = {
    "occurred_on": "2017-08-10",
    "venue": "Balai",
    "attendance": 50,
    "document": doc("notulen", "2017-08-10"),
}
DECREE = {
    "occurred_on": "2018-12-20",
    "decree_number": "DEMO/SK/1",
    "signing_authority": "Wali Kota Tarakan",
}
CLOSURE = {
    "occurred_on": "2018-12-28",
    "declared_headcount": 62,
    "funding_status": "not_in_place",
    "document": doc("berita_acara", "2018-12-28"),
}


def send(
    client: TestClient, user: str, path: str, body: dict[str, Any], key: str
) -> httpx.Response:
    """POST `body` as `user` with an Idempotency-Key."""
    headers = {**login(client, user), "Idempotency-Key": key}
    response: httpx.Response = client.post(path, json=body, headers=headers)
    return response


def replayed(response: httpx.Response) -> bool:
    return bool(response.headers.get("Idempotent-Replayed") == "true")


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def new_events(jejak: Jejak, after: int) -> int:
    """How many events the log holds after `after` (positions may skip on PostgreSQL)."""
    return len(jejak.app.recorder.select_notifications(after, 1000, inclusive_of_start=False))


def new_site(client: TestClient) -> str:
    return str(post(client, "opi", "/api/sites", SITE)["id"])


def test_a_retried_command_returns_the_first_answer_and_writes_nothing(
    store_client: TestClient,
) -> None:
    jejak = system_of(store_client)
    first = send(store_client, "opi", "/api/sites", SITE, "site-TRK-JP")
    assert first.status_code == 201 and not replayed(first)
    head = jejak.app.position()

    again = send(store_client, "opi", "/api/sites", {**SITE}, "site-TRK-JP")

    assert again.status_code == 201 and replayed(again)
    assert again.json() == first.json()
    assert jejak.app.position() == head


def test_the_same_key_for_a_different_request_is_refused(store_client: TestClient) -> None:
    jejak = system_of(store_client)
    send(store_client, "opi", "/api/sites", SITE, "k1")
    head = jejak.app.position()

    other_body = send(store_client, "opi", "/api/sites", {**SITE, "code": "NNK-NT"}, "k1")
    other_path = send(store_client, "opi", "/api/sites/x/sosialisasi", SOSIALISASI, "k1")

    for refused in (other_body, other_path):
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert refused.json()["error"]["field"] == "Idempotency-Key"
    assert new_events(jejak, head) == 0


def test_keys_are_per_user(store_client: TestClient) -> None:
    site = new_site(store_client)
    path = f"/api/sites/{site}/sosialisasi"
    mine = send(store_client, "opi", path, SOSIALISASI, "k1")
    theirs = send(store_client, "ops", path, SOSIALISASI, "k1")
    assert mine.status_code == theirs.status_code == 201
    assert not replayed(theirs) and theirs.json()["version"] == mine.json()["version"] + 1


def test_a_refusal_is_replayed_even_once_the_command_would_succeed(
    store_client: TestClient,
) -> None:
    jejak = system_of(store_client)
    site = new_site(store_client)
    post(store_client, "sup", f"/api/sites/{site}/closure-decree", DECREE)
    closure = f"/api/sites/{site}/closure"
    refused = send(store_client, "opi", closure, CLOSURE, "close-1")
    assert refused.status_code == 409
    assert error_code(refused) == "SITE_CLOSURE_NEEDS_SOSIALISASI"
    post(store_client, "opi", f"/api/sites/{site}/sosialisasi", SOSIALISASI)
    head = jejak.app.position()

    again = send(store_client, "opi", closure, CLOSURE, "close-1")

    assert again.status_code == 409 and replayed(again)
    assert again.json() == refused.json()
    assert new_events(jejak, head) == 0
    assert send(store_client, "opi", closure, CLOSURE, "close-2").status_code == 201


def test_a_retry_while_the_first_request_runs_is_told_to_wait(
    store_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    jejak = system_of(store_client)
    path = f"/api/sites/{new_site(store_client)}/sosialisasi"
    started, finish = threading.Event(), threading.Event()
    hold_sosialisasi = jejak.app.sites.hold_sosialisasi

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        finish.wait(timeout=10)
        return hold_sosialisasi(*args, **kwargs)

    monkeypatch.setattr(jejak.app.sites, "hold_sosialisasi", slow)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(send, store_client, "opi", path, SOSIALISASI, "k1")
        assert started.wait(timeout=10)
        meanwhile = send(store_client, "opi", path, SOSIALISASI, "k1")
        finish.set()
        first = running.result(timeout=10)

    assert meanwhile.status_code == 409
    assert error_code(meanwhile) == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    assert first.status_code == 201
    later = send(store_client, "opi", path, SOSIALISASI, "k1")
    assert replayed(later) and later.json() == first.json()


def test_an_expired_key_runs_the_command_again(store_client: TestClient) -> None:
    jejak = system_of(store_client)
    clock = Clock()
    ttl = timedelta(hours=jejak.settings.idempotency_ttl_hours)
    jejak.idempotency = IdempotencyStore(jejak.engine, ttl, timedelta(minutes=2), clock)
    path = f"/api/sites/{new_site(store_client)}/sosialisasi"
    first = send(store_client, "opi", path, SOSIALISASI, "k1")
    clock.advance(ttl - timedelta(minutes=1))
    assert replayed(send(store_client, "opi", path, SOSIALISASI, "k1"))
    head = jejak.app.position()
    clock.advance(timedelta(minutes=1))

    fresh = send(store_client, "opi", path, SOSIALISASI, "k1")

    assert fresh.status_code == 201 and not replayed(fresh)
    assert fresh.json()["version"] == first.json()["version"] + 1
    assert new_events(jejak, head) == 1


def test_a_crash_gives_the_key_back(
    store_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    jejak = system_of(store_client)
    path = f"/api/sites/{new_site(store_client)}/sosialisasi"
    head = jejak.app.position()

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(jejak.app.sites, "hold_sosialisasi", crash)
        with pytest.raises(RuntimeError):
            send(store_client, "opi", path, SOSIALISASI, "k1")
    retry = send(store_client, "opi", path, SOSIALISASI, "k1")

    assert retry.status_code == 201 and not replayed(retry)
    assert new_events(jejak, head) == 1


def test_requests_refused_before_any_decision_do_not_use_up_the_key(
    store_client: TestClient,
) -> None:
    path = f"/api/sites/{new_site(store_client)}/sosialisasi"
    forbidden = send(store_client, "aud", path, SOSIALISASI, "k1")
    assert forbidden.status_code == 403
    assert send(store_client, "aud", path, SOSIALISASI, "k1").status_code == 403
    unparsable = send(store_client, "opi", path, {**SOSIALISASI, "attendance": "many"}, "k2")
    assert unparsable.status_code == 422 and error_code(unparsable) == "REQUEST_INVALID"

    fixed = send(store_client, "opi", path, SOSIALISASI, "k2")

    assert fixed.status_code == 201 and not replayed(fixed)


@pytest.mark.parametrize("key", ["", "k" * 256, "bell\x07"], ids=["empty", "long", "control"])
def test_a_malformed_key_is_refused_naming_the_header(client: TestClient, key: str) -> None:
    head = system_of(client).app.position()
    refused = send(client, "opi", "/api/sites", SITE, key)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert refused.json()["error"]["field"] == "Idempotency-Key"
    assert system_of(client).app.position() == head


def test_every_command_documents_the_header(client: TestClient) -> None:
    spec = client.get("/openapi.json", headers=login(client, "aud")).json()
    commands = {
        path: operation["post"]
        for path, operation in spec["paths"].items()
        if path.startswith("/api/") and "post" in operation
    }
    assert len(commands) >= 20
    # A download, produced again harmlessly, not a JSON answer a key could replay; and an
    # upload stored by its content, which the same bytes again cannot duplicate; and the
    # reveal act, whose answer (a value in clear) must not be stored to be replayed (ADR 0046).
    commands.pop("/api/payment-batches/{batch_id}/transfer-file")
    commands.pop("/api/documents")
    commands.pop("/api/beneficiaries/{beneficiary_id}/reveal")
    for path, command in commands.items():
        names = [p["name"] for p in command.get("parameters", []) if p["in"] == "header"]
        assert names.count("Idempotency-Key") == 1, path
    login_form = spec["paths"]["/auth/token"]["post"]
    assert "Idempotency-Key" not in str(login_form)


@pytest.fixture
def postgres_client(postgres_schema_url: str, tmp_path: Path) -> Iterator[TestClient]:
    system = Jejak.start(settings_for(postgres_schema_url, tmp_path))
    try:
        yield from serve(system)
    finally:
        system.close()


@pytest.mark.postgres
def test_fifty_concurrent_retries_run_the_command_exactly_once(
    postgres_client: TestClient,
) -> None:
    # Sosialisasi is repeatable: without the key, every one of these requests would be recorded.
    jejak = system_of(postgres_client)
    path = f"/api/sites/{new_site(postgres_client)}/sosialisasi"
    headers = {**login(postgres_client, "opi"), "Idempotency-Key": "sosialisasi-2017-08-10"}
    head = jejak.app.position()
    start = threading.Barrier(50)

    def one(_: int) -> httpx.Response:
        start.wait(timeout=30)
        response: httpx.Response = postgres_client.post(path, json=SOSIALISASI, headers=headers)
        return response

    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(one, range(50)))

    assert new_events(jejak, head) == 1
    executed = [r for r in responses if r.status_code == 201 and not replayed(r)]
    assert len(executed) == 1
    answered = [r for r in responses if r.status_code == 201]
    assert {r.text for r in answered} == {executed[0].text}
    waiting = [r for r in responses if r.status_code != 201]
    assert {(r.status_code, error_code(r)) for r in waiting} <= {
        (409, "IDEMPOTENCY_REQUEST_IN_PROGRESS")
    }
