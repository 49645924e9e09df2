"""The access log's chain over HTTP (ADR 0047): an administrator signs its head, the
data-protection officer and the auditors keep its checkpoints and verify it, no one else does,
and each verification and signing is written to the access log."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from service.security.access_log_chain import CHECKPOINT_FORMAT
from service.security.checkpoints import Checkpoint, signature_valid
from service.store.schema import access_log, access_log_chain
from tests.e2e.conftest import login, system_of


@pytest.mark.parametrize("reader", ["dpo", "aud"])
def test_the_admin_signs_and_the_dpo_and_auditors_keep_and_verify(
    store_client: TestClient, reader: str
) -> None:
    events_key = store_client.get("/api/checkpoints", headers=login(store_client, "aud"))
    signed = store_client.post("/api/access-log/checkpoints", headers=login(store_client, "adm"))
    kept = store_client.get("/api/access-log/checkpoints", headers=login(store_client, reader))
    verified = store_client.get("/api/access-log/verification", headers=login(store_client, reader))

    assert signed.status_code == 201, signed.text
    checkpoint = signed.json()["checkpoint"]
    assert checkpoint["format"] == CHECKPOINT_FORMAT
    assert kept.status_code == 200, kept.text
    body = kept.json()
    assert body["checkpoints"] == [checkpoint]
    key = load_pem_public_key(body["public_key"].encode())
    held = Checkpoint.from_dict(checkpoint, CHECKPOINT_FORMAT)
    assert signature_valid(held, key)  # type: ignore[arg-type]
    # Not the event log's key.
    assert events_key.json()["key_id"] != body["key_id"]
    assert verified.status_code == 200, verified.text
    result = verified.json()
    assert result["intact"] is True and result["first_break"] is None
    assert result["checkpoints_checked"] == 1
    assert result["intact_up_to"] >= checkpoint["position"]
    # Written after it was made, with its outcome, and nothing personal.
    newest = system_of(store_client).access_log.recent(1)[0]
    assert (newest.user_id, newest.action) == (reader, "verify_access_log")
    assert newest.detail == f"intact up to entry {result['intact_up_to']}, 1 checkpoints"
    signing = [
        e
        for e in system_of(store_client).access_log.recent(20)
        if e.action == "sign_access_log_checkpoint"
    ]
    assert [(e.user_id, e.detail) for e in signing] == [("adm", f"entry {checkpoint['position']}")]


def test_an_edited_entry_is_named_by_the_verification(store_client: TestClient) -> None:
    headers = login(store_client, "dpo")
    store_client.post("/api/access-log/checkpoints", headers=login(store_client, "adm"))
    jejak = system_of(store_client)
    with jejak.engine.begin() as conn:
        victim = conn.execute(select(func.min(access_log.c.id))).scalar_one()
        edit = text("UPDATE access_log SET user_id = 'someone' WHERE id = :id")
        conn.execute(edit, {"id": victim})

    result = store_client.get("/api/access-log/verification", headers=headers).json()

    assert result["intact"] is False
    assert result["first_break"]["entry_id"] == victim
    assert result["first_break"]["kind"] == "changed"
    assert result["summary"].startswith(f"BROKEN at entry {victim}: changed")


def test_reading_the_access_log_seals_what_it_shows(store_client: TestClient) -> None:
    headers = login(store_client, "dpo")
    jejak = system_of(store_client)

    shown = store_client.get("/api/access-log", headers=headers).json()

    with jejak.engine.connect() as conn:
        head = conn.execute(select(func.max(access_log_chain.c.entry_id))).scalar_one()
    assert head == max(e["id"] for e in shown["items"])


@pytest.mark.parametrize("username", ["opi", "sup", "adm"])
def test_no_other_role_reads_or_verifies_the_chain(store_client: TestClient, username: str) -> None:
    headers = login(store_client, username)
    for path in ("/api/access-log/checkpoints", "/api/access-log/verification"):
        response = store_client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"


@pytest.mark.parametrize("username", ["opi", "sup", "aud", "dpo"])
def test_only_administrators_sign_the_chain(store_client: TestClient, username: str) -> None:
    response = store_client.post(
        "/api/access-log/checkpoints", headers=login(store_client, username)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"
