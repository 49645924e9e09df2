"""The roster import page over HTTP, logged in through the login form: a good file registers
everyone, a file with bad lines names them all and writes nothing, a site outside the
viewer's units is not there, and a double submit registers once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from domain.beneficiary import Beneficiary
from service.api.app import create_app
from service.store.registered_ids import registered_among
from service.system import Jejak
from tests.conftest import DemoTemplate, demo_store, log_in_page, page_csrf_token

OPERATOR = ("operator", "operator-kaltara-2016")
NUNUKAN = ("operator.nunukan", "operator-nunukan-2016")
AUDITOR = ("auditor", "auditor-kaltara-2016")
SUPERVISOR = ("supervisor", "supervisor-kaltara-2016")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate
) -> Iterator[FastAPI]:
    """The app over a copy of the Kaltara demo for the module (each test registers its own
    people)."""
    jejak = demo_store(demo_template, tmp_path_factory.mktemp("roster"))
    app = create_app(jejak=jejak)
    with TestClient(app):
        yield app
    jejak.close()


@pytest.fixture
def demo(served: FastAPI) -> Jejak:
    """The system behind the app."""
    jejak: Jejak = served.state.jejak
    return jejak


def browser(app: FastAPI, who: tuple[str, str] | None = None) -> TestClient:
    """A browser of its own (its own cookies), logged in as `who`."""
    client = TestClient(app)
    if who is not None:
        assert log_in_page(client, *who, follow_redirects=False).status_code == 303
    return client


def form_of(page: str) -> dict[str, str]:
    """The hidden fields of the roster form, as the browser would send them back."""
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    return {
        "csrftoken": page_csrf_token(page),
        "idempotency_key": key.group(1),
        "occurred_on": "2016-04-02",
        "document.kind": "daftar_pendataan",
        "document.number": "DP/TRK-JP/2016/2",
        "document.issued_on": "2016-04-02",
        "document.issuer": "Dinas Sosial Kota Tarakan",
    }


def send(client: TestClient, data: dict[str, str], name: str, content: bytes) -> Response:
    """The roster form sent with `content` as its file."""
    answer: Response = client.post(
        "/sites/TRK-JP/roster",
        data=data,
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    return answer


def exists(demo: Jejak, case_number: str) -> bool:
    subject = Beneficiary.create_id(case_number)
    return subject in registered_among(demo.app.recorder, [subject])


def test_a_good_csv_registers_every_row_and_goes_back_to_the_site(
    served: FastAPI, demo: Jejak
) -> None:
    client = browser(served, OPERATOR)
    page = client.get("/sites/TRK-JP/roster")
    assert page.status_code == 200
    assert "nomor_kasus" in page.text and "Impor daftar pendataan" in page.text
    content = (
        "nomor_kasus;nama;telepon\n"
        "TRK-JP-0101;Contoh Seratus Satu;0812 555 0101\n"
        "TRK-JP-0102;Contoh Seratus Dua;\n"
    )
    answer = send(client, form_of(page.text), "daftar.csv", content.encode())
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/sites/TRK-JP?registered=2"
    assert exists(demo, "TRK-JP-0101") and exists(demo, "TRK-JP-0102")


def test_a_csv_with_two_bad_lines_names_both_in_indonesian_and_writes_nothing(
    served: FastAPI, demo: Jejak
) -> None:
    client = browser(served, OPERATOR)
    page = client.get("/sites/TRK-JP/roster")
    before = demo.app.position()
    content = (
        "case_number,name,phone\n"
        "TRK-JP-0111,Contoh Satu,\n"
        "TRK-JP-112,Contoh Dua,\n"
        "TRK-JP-0113,Contoh Tiga,\n"
        "TRK-JP-0114,,\n"
    )
    answer = send(client, form_of(page.text), "daftar.csv", content.encode())
    assert answer.status_code == 422
    assert "Tidak ada yang didata" in answer.text
    case_number = "<strong>Baris 3:</strong> Nomor kasus: Harus berupa kode lokasi dan empat angka"
    assert case_number in answer.text
    assert "<strong>Baris 5:</strong> Nama: Wajib diisi." in answer.text
    assert demo.app.position() == before
    assert not exists(demo, "TRK-JP-0111")
    # The values typed in are kept for the next try.
    assert 'value="DP/TRK-JP/2016/2"' in answer.text


def test_a_case_number_already_registered_is_named_by_its_line(
    served: FastAPI, demo: Jejak
) -> None:
    client = browser(served, OPERATOR)
    page = client.get("/sites/TRK-JP/roster")
    before = demo.app.position()
    content = b"nomor_kasus,nama\nTRK-JP-0121,Contoh Satu\nTRK-JP-0001,Contoh Dua\n"
    answer = send(client, form_of(page.text), "daftar.csv", content)
    assert answer.status_code == 409
    assert "<strong>Baris 3:</strong> Sudah terdaftar" in answer.text
    assert demo.app.position() == before


def test_a_case_number_of_another_site_is_named_by_its_line_with_the_rule(
    served: FastAPI, demo: Jejak
) -> None:
    client = browser(served, OPERATOR)
    page = client.get("/sites/TRK-JP/roster")
    before = demo.app.position()
    content = b"nomor_kasus,nama\nTRK-JP-0141,Contoh Satu\nTRK-LU-0142,Contoh Dua\n"
    answer = send(client, form_of(page.text), "daftar.csv", content)
    assert answer.status_code == 409
    assert (
        "<strong>Baris 3:</strong> Nomor kasus harus diawali kode lokasi ini, TRK-JP" in answer.text
    )
    assert demo.app.position() == before


def test_a_site_outside_the_viewer_s_units_is_not_there_and_other_roles_may_not_import(
    served: FastAPI,
) -> None:
    nunukan = browser(served, NUNUKAN)
    assert nunukan.get("/sites/TRK-JP/roster").status_code == 404
    assert nunukan.get("/sites/NUN-XX/roster").status_code == 404
    assert nunukan.get("/sites/NNK-NT/roster").status_code == 200
    auditor = browser(served, AUDITOR)
    refused = auditor.get("/sites/TRK-JP/roster")
    assert refused.status_code == 403 and "Tidak diizinkan" in refused.text
    anonymous = browser(served)
    to_login = anonymous.get("/sites/TRK-JP/roster", follow_redirects=False)
    assert to_login.headers["location"] == "/login?next=/sites/TRK-JP/roster"


def test_the_same_form_sent_twice_registers_once(served: FastAPI, demo: Jejak) -> None:
    client = browser(served, SUPERVISOR)
    page = client.get("/sites/TRK-JP/roster")
    data = form_of(page.text)
    content = b"nomor_kasus,nama\nTRK-JP-0131,Contoh Satu\n"
    first = send(client, data, "daftar.csv", content)
    position = demo.app.position()
    second = send(client, data, "daftar.csv", content)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"] == "/sites/TRK-JP?registered=1"
    assert demo.app.position() == position


def test_an_upload_form_without_its_token_before_the_file_is_refused(served: FastAPI) -> None:
    client = browser(served, OPERATOR)
    data = form_of(client.get("/sites/TRK-JP/roster").text)
    token = data.pop("csrftoken")
    roster = {"file": ("daftar.csv", b"nomor_kasus,nama\n", "text/csv")}
    assert client.post("/sites/TRK-JP/roster", data=data, files=roster).status_code == 403
    # The file first, then the token: the check does not read a file to find a token.
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nnomor_kasus,nama\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n{token}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    refused = client.post("/sites/TRK-JP/roster", content=body, headers=headers)
    assert refused.status_code == 403
    garbage = client.post("/sites/TRK-JP/roster", content=b"\x00" * 64, headers=headers)
    assert garbage.status_code == 403


def test_a_document_uploaded_through_its_page_shows_its_hash_and_kind(served: FastAPI) -> None:
    operator = browser(served, OPERATOR)
    page = operator.get("/documents/new")
    assert page.status_code == 200 and "Unggah dokumen" in page.text
    # The list of documents is the programme's: a unit's operator does not see it.
    assert 'id="recent-documents"' not in page.text
    content = b"%PDF-1.4 daftar pendataan TRK-JP"
    stored = operator.post(
        "/documents/new",
        data={"csrftoken": page_csrf_token(page.text), "kind": "daftar_pendataan"},
        files={"file": ("daftar.pdf", content, "application/pdf")},
    )
    assert stored.status_code == 201
    assert hashlib.sha256(content).hexdigest() in stored.text
    assert "Daftar pendataan" in stored.text
    supervisor = browser(served, SUPERVISOR)
    listed = supervisor.get("/documents/new")
    assert 'id="recent-documents"' in listed.text
    assert hashlib.sha256(content).hexdigest() in listed.text
    assert browser(served, AUDITOR).get("/documents/new").status_code == 403
