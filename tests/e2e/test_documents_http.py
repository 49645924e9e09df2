"""Documents through HTTP: upload by content, roles, errors, logged downloads, the record."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.files.documents import access_log_subject
from service.system import Jejak
from tests.e2e.conftest import login

RECEIPT = b"%PDF-1.7 BAST bantuan usaha Contoh Ani Endtoend, rekening 0000-01-123456-53-1"
SHA256 = hashlib.sha256(RECEIPT).hexdigest()
FILENAME = "BAST Contoh Ani Endtoend.pdf"


def upload(
    client: TestClient,
    user: str,
    content: bytes = RECEIPT,
    kind: str = "receipt",
    filename: str = FILENAME,
    expect: int = 201,
) -> dict[str, Any]:
    response = client.post(
        "/api/documents",
        files={"file": (filename, content, "application/pdf")},
        data={"kind": kind},
        headers=login(client, user),
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_upload_answers_with_the_hash_size_media_type_and_kind(client: TestClient) -> None:
    body = upload(client, "opi")
    assert body["sha256"] == SHA256
    assert body["size"] == len(RECEIPT)
    assert body["media_type"] == "application/pdf"
    assert body["kind"] == "receipt"
    assert body["uploaded_by"]["user_id"] == "opi"
    assert "filename" not in body


def test_uploading_the_same_bytes_again_returns_the_same_record(client: TestClient) -> None:
    first = upload(client, "opi")
    again = upload(client, "sup", kind="other", filename="copy.pdf")
    assert again == first


@pytest.mark.parametrize("user", ["opi", "sup"])
def test_operators_and_supervisors_may_upload(client: TestClient, user: str) -> None:
    upload(client, user)


@pytest.mark.parametrize("user", ["aud", "adm"])
def test_auditors_and_administrators_may_not_upload(client: TestClient, user: str) -> None:
    body = upload(client, user, expect=403)
    assert body["error"]["code"] == "ROLE_FORBIDDEN"


def test_an_upload_without_login_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/documents", files={"file": ("a.pdf", b"x")}, data={"kind": "receipt"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content", "kind", "code", "field"),
    [
        (b"", "receipt", "DOCUMENT_EMPTY", "file"),
        (b"x", "invoice", "REQUEST_INVALID", "kind"),
        (b"x", "", "REQUEST_INVALID", "kind"),
    ],
)
def test_bad_uploads_are_refused_naming_the_field(
    client: TestClient, content: bytes, kind: str, code: str, field: str
) -> None:
    body = upload(client, "opi", content=content, kind=kind, expect=422)
    assert body["error"]["code"] == code
    assert body["error"]["field"] == field


def test_an_upload_without_a_file_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post(
        "/api/documents",
        data={"kind": "receipt"},
        files={"other": ("a.txt", b"x")},
        headers=login(client, "opi"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "file"


def test_an_oversized_upload_is_refused_naming_the_field(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    sqlite_jejak.documents.max_bytes = 1024
    body = upload(client, "opi", content=b"x" * 1025, expect=422)
    assert body["error"] == {
        "code": "DOCUMENT_TOO_LARGE",
        "message": "file: the document is larger than the limit of 1024 bytes",
        "field": "file",
    }
    # Refused from the declared length alone, before the body is read.
    huge = upload(client, "opi", content=b"x" * 200_000, expect=422)
    assert huge["error"]["code"] == "DOCUMENT_TOO_LARGE"
    assert upload(client, "opi", content=b"x" * 1024)["size"] == 1024


def test_a_file_larger_than_a_megabyte_is_accepted_and_read_back(client: TestClient) -> None:
    content = bytes(range(256)) * 6000
    sha256 = upload(client, "opi", content=content, kind="bank_statement")["sha256"]
    response = client.get(f"/api/documents/{sha256}", headers=login(client, "sup"))
    assert response.content == content


@pytest.mark.parametrize(
    ("user", "query", "detail"),
    [
        ("opi", "", "receipt"),
        ("sup", "", "receipt"),
        (
            "aud",
            "?in_clear=true&reason=Pemeriksaan LKPD 2019",
            "receipt; reason: Pemeriksaan LKPD 2019",
        ),
    ],
)
def test_a_download_returns_the_file_and_is_written_to_the_access_log(
    client: TestClient, sqlite_jejak: Jejak, user: str, query: str, detail: str
) -> None:
    upload(client, "opi")
    response = client.get(f"/api/documents/{SHA256}{query}", headers=login(client, user))
    assert response.status_code == 200, response.text
    assert response.content == RECEIPT
    assert hashlib.sha256(response.content).hexdigest() == SHA256
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "BAST%20Contoh%20Ani%20Endtoend.pdf" in response.headers["content-disposition"]
    entries = sqlite_jejak.access_log.recent(subject_id=access_log_subject(SHA256))
    assert [(e.user_id, e.action, e.subject_kind, e.detail) for e in entries] == [
        (user, "read_document", "document", detail)
    ]


def test_an_auditor_downloads_a_document_only_with_a_reason(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    upload(client, "opi")
    for query in ("", "?in_clear=true", "?in_clear=true&reason=%20"):
        response = client.get(f"/api/documents/{SHA256}{query}", headers=login(client, "aud"))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "REASON_REQUIRED"
        assert response.json()["error"]["field"] == "reason"
    assert sqlite_jejak.access_log.recent(subject_id=access_log_subject(SHA256)) == []


def test_admins_may_not_download(client: TestClient, sqlite_jejak: Jejak) -> None:
    upload(client, "opi")
    for query in ("", "?in_clear=true&reason=Pemeriksaan"):
        response = client.get(f"/api/documents/{SHA256}{query}", headers=login(client, "adm"))
        assert response.status_code == 403
    assert sqlite_jejak.access_log.recent(subject_id=access_log_subject(SHA256)) == []


def test_an_unknown_document_is_a_404_with_a_stable_code(client: TestClient) -> None:
    missing = hashlib.sha256(b"never uploaded").hexdigest()
    for path in (f"/api/documents/{missing}", f"/api/documents/{missing}/info"):
        response = client.get(path, headers=login(client, "sup"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"


def test_a_malformed_hash_is_refused(client: TestClient) -> None:
    response = client.get("/api/documents/ABC/info", headers=login(client, "sup"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "path.sha256"


def test_the_record_and_the_list_carry_no_filename(client: TestClient) -> None:
    upload(client, "opi")
    decree = upload(client, "sup", content=b"SK Wali Kota", kind="decree", filename="SK.pdf")
    info = client.get(f"/api/documents/{SHA256}/info", headers=login(client, "aud"))
    assert info.status_code == 200
    assert info.json()["kind"] == "receipt"
    assert "Contoh" not in info.text
    listed = client.get("/api/documents", headers=login(client, "aud")).json()
    assert [d["sha256"] for d in listed["items"]] == [decree["sha256"], SHA256]
    assert listed["total"] == 2
    assert "Contoh" not in str(listed)
    decrees = client.get("/api/documents?kind=decree", headers=login(client, "opi")).json()
    assert [d["sha256"] for d in decrees["items"]] == [decree["sha256"]]
    unknown = client.get("/api/documents?kind=invoice", headers=login(client, "opi"))
    assert unknown.status_code == 422
    assert unknown.json()["error"]["field"] == "query.kind"


def test_an_event_can_reference_an_uploaded_document_by_its_hash(client: TestClient) -> None:
    sha256 = upload(client, "opi", content=b"SK penutupan", kind="decree")["sha256"]
    site = client.post(
        "/api/sites",
        json={
            "occurred_on": "2016-03-20",
            "code": "TRK-LU",
            "name": "Lingkas Ujung",
            "kelurahan": {"code": "65.71.01.1001"},
            "headcount_at_pendataan": 18,
            "document": {
                "kind": "decree",
                "number": "DEMO/SK/2",
                "issued_on": "2016-03-01",
                "issuer": "Dinsos",
                "sha256": sha256,
            },
        },
        headers=login(client, "opi"),
    )
    assert site.status_code == 201, site.text


def test_an_oversized_upload_without_a_declared_length_is_refused(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    sqlite_jejak.documents.max_bytes = 1024
    boundary = "jejak-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nreceipt\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def chunked_body() -> Any:
        # A generator makes the client send the body chunked, without Content-Length.
        yield head
        for _ in range(100):
            yield b"x" * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/documents",
        content=chunked_body(),
        headers={
            **login(client, "opi"),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "DOCUMENT_TOO_LARGE"
