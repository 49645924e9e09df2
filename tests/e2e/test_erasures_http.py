"""Erasure through HTTP, as the data-protection officer and two supervisors use it: her request
recorded, a four-eyes refusal, the approval that destroys her case-file key, the register, her
notice as a PDF, and her data restricted afterwards (ADR 0055)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from pypdf import PdfReader

from domain.privacy.legal_hold import HoldKind
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.sealed import KeyPurpose
from service.system import Jejak
from tests.conftest import log_in_page
from tests.e2e.conftest import PASSWORDS, login, system_of
from tests.e2e.test_http import NAME, NIK, pay_her_aid, post, returned_beneficiary

LETTER = {
    "kind": "surat",
    "number": "01/PDP/III/2025",
    "issued_on": "2025-03-03",
    "issuer": "Pemohon",
}
# The supervisor's decision memo, on which an approval or a refusal rests.
MEMO = {
    "kind": "nota_dinas",
    "number": "05/ND/PDP/III/2025",
    "issued_on": "2025-03-05",
    "issuer": "Kepala Dinas Sosial",
}
DECISION = {"occurred_on": "2025-03-05", "document": MEMO}


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_on": "2025-03-04",
        "case_number": "TRK-JP-0001",
        "received_at": "2025-03-03T09:30:00+08:00",
        "document": LETTER,
        "reason": "Permohonan penghapusan data pribadi",
    }
    return body | changes


def get(client: TestClient, user: str, path: str, expect: int = 200) -> Any:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    return response.json()


def test_a_request_is_recorded_refused_to_its_recorder_approved_and_her_data_restricted(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    b = returned_beneficiary(client)
    pay_her_aid(sqlite_jejak, b)
    jejak = system_of(client)

    # Only the data-protection officer records; only a supervisor decides.
    post(client, "opi", "/api/privacy/erasures", request_body(), expect=403)
    recorded = post(client, "dpo", "/api/privacy/erasures", request_body())
    erasure = recorded["id"]
    assert recorded["state"] == "REQUESTED"
    post(client, "dpo", f"/api/privacy/erasures/{erasure}/approval", DECISION, 403)

    # A supervisor, who did not record it, approves on a memo: her case-file key is destroyed.
    unwritten = post(
        client,
        "sup",
        f"/api/privacy/erasures/{erasure}/approval",
        {"occurred_on": "2025-03-05"},
        409,
    )
    assert unwritten["error"]["code"] == "DOCUMENT_REQUIRED"
    assert not jejak.vault.is_erased(UUID(b), KeyPurpose.CASEFILE)
    approved = post(client, "sup", f"/api/privacy/erasures/{erasure}/approval", DECISION)
    assert approved["state"] == "EXECUTED"
    assert jejak.vault.is_erased(UUID(b), KeyPurpose.CASEFILE)
    again = client.post(
        f"/api/privacy/erasures/{erasure}/approval",
        json=DECISION,
        headers=login(client, "sup2"),
    )
    assert again.status_code == 409

    one = get(client, "dpo", f"/api/privacy/erasures/{erasure}?after={approved['position']}")
    assert one["state"] == "EXECUTED" and one["case_number"] == "TRK-JP-0001"
    assert one["deleted_fields"] == ["phone", "assessment_notes"]
    assert "nik" in one["kept_fields"] and one["keep_until"] == "2029-08-05"
    assert [e["event"] for e in one["history"]] == ["ErasureRequested", "CaseFileErased"]
    listed = get(client, "sup", "/api/privacy/erasures")
    assert listed["total"] == 1
    get(client, "opi", "/api/privacy/erasures", expect=403)

    # An investigation holds her data: the notice says so.
    letter = DocumentRef("surat", "B/7/III/2025", date(2025, 3, 5), "Polda Kalimantan Utara")
    jejak.app.retention.place_legal_hold(
        kind=HoldKind.INVESTIGATION,
        beneficiary_ids=[UUID(b)],
        provenance=Provenance(
            Actor("dpo", Role.DPO, "Dinas Sosial Kota Tarakan"),
            date(2025, 3, 6),
            letter,
            "Penyidikan",
        ),
    )
    jejak.runner.catch_up()
    notice = client.get(f"/api/privacy/erasures/{erasure}/notice.pdf", headers=login(client, "dpo"))
    assert notice.status_code == 200 and notice.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.content)).pages)
    for words in (
        "PEMBERITAHUAN PENGHAPUSAN DATA PRIBADI",
        "TRK-JP-0001",
        "5 Agustus 2029",
        "penyidikan B/7/III/2025",
    ):
        assert words in text
    assert NAME not in text and NIK not in text

    # Restricted: the programme team sees that, not her data; nothing more is done with it.
    view = get(client, "opi", f"/api/beneficiaries/{b}")
    assert view["name"] == "[restricted]" and NAME not in str(view)
    refused = client.post(
        f"/api/beneficiaries/{b}/reveal",
        json={"field": "nik", "reason": "Cek"},
        headers=login(client, "sup"),
    )
    assert refused.status_code == 403
    # Her case page, to the programme team: the mark, "dibatasi" where her name was.
    assert log_in_page(client, "opi", PASSWORDS["opi"][0]).status_code in (200, 303)
    page = client.get("/cases/TRK-JP-0001")
    assert page.status_code == 200
    assert 'id="erasure-mark"' in page.text and "Berkas kasus dihapus" in page.text
    assert "dibatasi" in page.text and NAME not in page.text and "[restricted]" not in page.text
    client.cookies.clear()
    # Her payment history, as a document: every rupiah stands, "dibatasi" where her name was.
    history = client.get(f"/api/beneficiaries/{b}/payments.pdf", headers=login(client, "sup"))
    assert history.status_code == 200, history.text
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(history.content)).pages)
    assert "dibatasi" in printed and NAME not in printed and "Rp" in printed
    # The auditor and the officer read it for a reason, and the access log keeps it.
    for reader in ("aud", "dpo"):
        shown = client.post(
            f"/api/beneficiaries/{b}/reveal",
            json={"field": "nik", "reason": "Pemeriksaan BPK atas penyaluran 2019"},
            headers=login(client, reader),
        )
        assert shown.status_code == 200, shown.text
        assert shown.json()["value"] == NIK


def test_a_refusal_needs_a_reason_and_gives_her_a_notice(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    returned_beneficiary(client)
    recorded = post(client, "dpo", "/api/privacy/erasures", request_body())
    erasure = recorded["id"]
    # Four eyes: the officer who recorded it, moved to a supervisor's post, may not decide it.
    system_of(client).accounts.set_role("dpo", Role.SUPERVISOR)
    token = client.post("/auth/token", data={"username": "dpo", "password": PASSWORDS["dpo"][0]})
    as_supervisor = {"Authorization": f"Bearer {token.json()['access_token']}"}
    same = client.post(
        f"/api/privacy/erasures/{erasure}/approval",
        json=DECISION,
        headers=as_supervisor,
    )
    assert same.status_code == 409 and same.json()["error"]["code"] == "SAME_PERSON_APPROVES"
    system_of(client).accounts.set_role("dpo", Role.DPO)
    no_reason = client.post(
        f"/api/privacy/erasures/{erasure}/refusal",
        json=DECISION,
        headers=login(client, "sup"),
    )
    assert no_reason.status_code == 409
    assert no_reason.json()["error"]["code"] == "REASON_REQUIRED"
    early = client.get(
        f"/api/privacy/erasures/{erasure}/notice.pdf?after={recorded['position']}",
        headers=login(client, "dpo"),
    )
    assert early.status_code == 409

    refused = post(
        client,
        "sup",
        f"/api/privacy/erasures/{erasure}/refusal",
        DECISION | {"reason": "Pemeriksaan BPK atas penyaluran 2019 berjalan"},
    )
    notice = client.get(
        f"/api/privacy/erasures/{erasure}/notice.pdf?after={refused['position']}",
        headers=login(client, "dpo"),
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.content)).pages)
    assert "PENOLAKAN" in text and "Pemeriksaan BPK" in text
    assert "05/ND/PDP/III/2025" in text, "the notice cites the decision memo"
