"""The register of subject requests through HTTP: the officer records a request by its case
number and answers it by the lifecycle's forms; supervisors read; the other roles are refused.
Clocks are judged on the demo's day (30 June 2020) at the present time of day."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from service.notices.outbox import Outbox
from service.queries.access_log import AccessLogFilter, access_log_page
from service.system import Jejak
from tests.conftest import log_in_page, page_csrf_token
from tests.web.test_audit_pages import UUID, submit

ACCOUNTS = {
    "dpo": "dpo-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "operator": "operator-kaltara-2016",
    "auditor": "auditor-kaltara-2016",
}
REQUEST = {
    "number": "PDP-2020-001",
    "kind": "access_copy",
    "received_at": "2020-06-26T10:00",
    "channel": "in_person",
    "requester": "subject",
    "verification_method": "ktp_in_person",
    "verification_result": "pending",
    "beneficiary_id": "TRK-JP-0004",
    "summary": "Meminta salinan data pribadinya",
    "occurred_on": "2020-06-26",
}
# The letter answering her, as the answer's form takes it: an answer is always written.
ANSWER = {
    "document.kind": "surat",
    "document.number": "480/PDP/VI/2020",
    "document.issued_on": "2020-06-29",
    "document.issuer": "Dinsos Provinsi Kalimantan Utara",
}


def as_user(client: TestClient, username: str) -> TestClient:
    assert log_in_page(client, username, ACCOUNTS[username]).status_code == 200
    return client


def test_the_officer_records_a_request_sees_its_clock_and_answers_it(
    demo_client: TestClient,
) -> None:
    dpo = as_user(demo_client, "dpo")
    assert 'href="/privacy/requests/new"' in dpo.get("/privacy/requests").text
    # Her letter is offered, not required: a request made in person may have none.
    new = dpo.get("/privacy/requests/new").text
    assert re.search(r'name="document\.number"', new)
    assert not re.search(r'name="document\.number"[^>]*aria-required', new)
    unknown = submit(dpo, "/privacy/requests/new", {**REQUEST, "beneficiary_id": "TRK-XX-0001"})
    assert unknown.status_code == 422
    assert "Tidak ditemukan: TRK-XX-0001." in unknown.text

    recorded = submit(dpo, "/privacy/requests/new", REQUEST)
    assert recorded.status_code == 303, recorded.text
    listed = dpo.get(recorded.headers["location"]).text
    assert '<a href="/privacy/requests/PDP-2020-001">PDP-2020-001</a>' in listed
    # Received 26 June 10.00 WITA, due 29 June 10.00: ran out by the demo's day.
    assert "29 Juni 2020 10.00 WITA" in listed and "terlewati" in listed

    page = dpo.get("/privacy/requests/PDP-2020-001").text
    assert '<a href="/cases/TRK-JP-0004">TRK-JP-0004</a>' in page
    assert 'data-command="verify_requester"' in page
    grant = page.split('data-command="grant_subject_request"')[1].split("</form>")[0]
    assert re.search(r'name="document\.number"[^>]*aria-required="true"', grant), grant
    assert UUID.search(page) is None
    refused = submit(
        dpo,
        "/privacy/requests/PDP-2020-001/steps/grant_subject_request",
        {"done": "Salinan diserahkan", "occurred_on": "2020-06-29"},
    )
    assert refused.status_code == 409 and "REQUESTER_NOT_VERIFIED" in refused.text
    verified = submit(
        dpo,
        "/privacy/requests/PDP-2020-001/steps/verify_requester",
        {
            "verification_method": "ktp_in_person",
            "verification_result": "verified",
            "occurred_on": "2020-06-27",
        },
    )
    assert verified.status_code == 303, verified.text
    granted = submit(
        dpo,
        "/privacy/requests/PDP-2020-001/steps/grant_subject_request",
        {"done": "Salinan data diserahkan langsung", "occurred_on": "2020-06-29", **ANSWER},
    )
    assert granted.status_code == 303, granted.text
    page = dpo.get(granted.headers["location"]).text
    assert "Dikabulkan" in page and "Salinan data diserahkan langsung" in page

    supervisor = as_user(demo_client, "supervisor")
    read = supervisor.get("/privacy/requests/PDP-2020-001")
    assert read.status_code == 200 and "data-command=" not in read.text
    assert supervisor.get("/privacy/requests/new").status_code == 403
    for username in ("operator", "auditor"):
        other = as_user(demo_client, username)
        assert other.get("/privacy/requests").status_code == 403
        assert other.get("/privacy/requests/PDP-2020-001").status_code == 403
    assert as_user(demo_client, "dpo").get("/privacy/requests/PDP-2020-999").status_code == 404


def test_a_clock_that_ran_out_greets_the_officer_and_sits_on_her_worklist(
    demo_client: TestClient,
) -> None:
    dpo = as_user(demo_client, "dpo")
    recorded = submit(
        dpo,
        "/privacy/requests/new",
        {**REQUEST, "number": "PDP-2020-002", "kind": "restriction", "beneficiary_id": ""},
    )
    assert recorded.status_code == 303, recorded.text

    landing = dpo.get("/").text
    alert = re.search(r'<section id="clock-alert".*?</section>', landing, re.S)
    assert alert, "no banner on entering the workspace"
    assert "tenggat 3x24 jam terlewati" in alert.group(0)
    assert '<a href="/privacy/requests/PDP-2020-002">PDP-2020-002</a>' in alert.group(0)
    work = dpo.get("/worklist").text
    section = re.search(r'<section id="privacy-clocks".*?</section>', work, re.S)
    assert section and 'href="/privacy/requests/PDP-2020-002"' in section.group(0)

    supervisor = as_user(demo_client, "supervisor")
    assert 'id="clock-alert"' not in supervisor.get("/").text
    assert 'id="privacy-clocks"' not in supervisor.get("/worklist").text


def test_the_officer_produces_her_copy_as_a_logged_read(
    demo_app: Jejak, demo_client: TestClient, tmp_path: Path
) -> None:
    dpo = as_user(demo_client, "dpo")
    page = dpo.get("/privacy/requests/PDP-2020-001").text
    assert 'action="/privacy/requests/PDP-2020-001/copy.pdf"' in page
    token = page_csrf_token(page)

    answer = dpo.post("/privacy/requests/PDP-2020-001/copy.pdf", data={"csrftoken": token})

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="salinan-data-TRK-JP-0004.pdf"' in answer.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    for part in (
        "SALINAN DATA PRIBADI",
        "PDP-2020-001/SALINAN",
        "Nomor kasus TRK-JP-0004",
        "Riwayat kasus",
        "Bantuan dan pembayaran",
        "Rp",
        "Yang membaca data Saudari",
        "Pejabat Pelindungan Data Pribadi",
    ):
        assert part in text, part
    assert "\u2022" not in text  # her copy shows her data in clear, not masked
    (tmp_path / "copy.pdf").write_bytes(answer.content)
    entries = access_log_page(
        demo_app.engine, AccessLogFilter(user_id="dpo", action="read_personal_data"), 10, 0
    ).items
    assert any(e.detail == "access copy; reason: subject request PDP-2020-001" for e in entries)

    supervisor = as_user(demo_client, "supervisor")
    page = supervisor.get("/privacy/requests/PDP-2020-001").text
    assert "copy.pdf" not in page
    refused = supervisor.post(
        "/privacy/requests/PDP-2020-001/copy.pdf", data={"csrftoken": page_csrf_token(page)}
    )
    assert refused.status_code == 403
    dpo = as_user(demo_client, "dpo")
    restriction = dpo.get("/privacy/requests/PDP-2020-002").text
    assert "copy.pdf" not in restriction


def test_the_register_shows_what_became_of_each_notice(
    demo_app: Jejak, demo_client: TestClient
) -> None:
    outbox = Outbox(demo_app.engine)
    assert outbox.queue_ran_out(public_url="https://jejak.example") >= 1
    failed = next(n for n in outbox.waiting() if "PDP-2020-002" in n.subject)
    outbox.attempt_failed(failed.key, "ConnectionRefusedError", give_up=True)

    page = as_user(demo_client, "dpo").get("/privacy/requests").text

    notices = re.search(r'<section id="notices".*?</section>', page, re.S)
    assert notices, "no notices on the register"
    assert "Tenggat 3x24 jam terlewati: Permintaan subjek data PDP-2020-002" in notices.group(0)
    assert "gagal" in notices.group(0) and "ConnectionRefusedError" in notices.group(0)
