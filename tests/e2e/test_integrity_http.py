"""Integrity through HTTP and the command line: checkpoints auditors keep, and verification."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from service.cli.main import cli
from service.files.evidence.verify_bundle import verify_bundle
from service.security.checkpoints import Checkpoint, signature_valid
from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import returned_beneficiary


def test_an_auditor_keeps_the_checkpoints_and_verifies_the_log(client: TestClient) -> None:
    returned_beneficiary(client)
    signed = client.post("/api/checkpoints", headers=login(client, "adm"))
    assert signed.status_code == 201, signed.text

    pem = client.get("/api/public-key", headers=login(client, "aud"))
    kept = client.get("/api/checkpoints", headers=login(client, "aud")).json()
    verified = client.get("/api/verification", headers=login(client, "aud")).json()

    key = load_pem_public_key(pem.content)
    checkpoint = Checkpoint.from_dict(kept["checkpoints"][-1])
    assert signature_valid(checkpoint, key)  # type: ignore[arg-type]
    assert pem.headers["X-Jejak-Key-Id"] == kept["key_id"] == checkpoint.key_id
    assert verified["intact"] is True
    assert verified["intact_up_to"] == checkpoint.position
    assert verified["summary"].startswith("intact up to position")
    for refused in ("aud", "sup"):
        assert client.post("/api/checkpoints", headers=login(client, refused)).status_code == 403
    assert client.get("/api/verification", headers=login(client, "opi")).status_code == 403
    assert client.get("/api/public-key").status_code == 401


def test_verification_over_http_names_a_change_made_in_the_database(client: TestClient) -> None:
    returned_beneficiary(client)
    client.post("/api/checkpoints", headers=login(client, "sup"))
    system = system_of(client)
    with system.engine.begin() as conn:
        conn.execute(text("UPDATE stored_events SET state = :s WHERE rowid = 3"), {"s": b"{}"})

    verified = client.get("/api/verification", headers=login(client, "aud")).json()

    assert verified["intact"] is False
    assert verified["first_break"]["position"] == 3
    assert verified["first_break"]["kind"] == "changed"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JEJAK_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("JEJAK_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.setenv("JEJAK_CHECKPOINT_EVERY", "50")
    return tmp_path


def test_the_command_line_keeps_checkpoints_and_verifies_against_them(store: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    held = store / "held.json"
    kept = runner.invoke(cli, ["checkpoints", "--out", str(held)])
    assert kept.exit_code == 0, kept.output
    assert len(json.loads(held.read_text())["checkpoints"]) >= 5

    intact = runner.invoke(cli, ["verify", "--checkpoints", str(held)])

    assert intact.exit_code == 0 and intact.output.startswith("intact up to position"), (
        intact.output
    )


def test_an_auditor_downloads_a_bundle_that_verifies(client: TestClient, tmp_path: Path) -> None:
    b = returned_beneficiary(client)

    response = client.get(
        f"/api/evidence?scope=beneficiary&subject_id={b}", headers=login(client, "aud")
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    assert verify_bundle(path)
    refused = client.get("/api/evidence?scope=beneficiary", headers=login(client, "aud"))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "subject_id"
    assert (
        client.get("/api/evidence?scope=programme", headers=login(client, "opi")).status_code == 403
    )


def test_every_auditor_export_is_itself_an_event(client: TestClient) -> None:
    b = returned_beneficiary(client)
    bundle = client.get(
        f"/api/evidence?scope=beneficiary&subject_id={b}", headers=login(client, "aud")
    )
    ledger = client.get("/api/ledger.csv", headers=login(client, "aud"))

    # The records are a read model: read them once it has caught up with both exports' events.
    after = system_of(client).app.position()
    records = client.get(
        "/api/audit/exports", params={"after": after}, headers=login(client, "aud")
    ).json()["items"]

    names = {r["export_name"] for r in records}
    assert {"evidence.zip", "ledger.csv"} <= names
    assert bundle.headers["X-Jejak-Export-Sha256"] == hashlib.sha256(bundle.content).hexdigest()
    assert ledger.headers["X-Jejak-Export-Id"]
