"""The integrity and access log pages over HTTP: the verification of the log in plain words
(intact up to position N, or where and how it breaks), the signed checkpoints and their
download, evidence bundles asked for by case number, and the access log filtered, exported and
its own chain verified; each for the roles the API allows, and no record's id on a page."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from service.system import Jejak
from service.web.access_log import AccessLogChoice
from tests.conftest import log_in_page, page_csrf_token

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
CASE = "TRK-JP-0004"
PASSWORDS = {
    "auditor": "auditor-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "operator": "operator-kaltara-2016",
    "admin": "admin-kaltara-2016",
    "dpo": "dpo-kaltara-2016",
}


def as_user(client: TestClient, username: str) -> TestClient:
    assert log_in_page(client, username, PASSWORDS[username]).status_code == 200
    return client


def post_form(client: TestClient, page: str, action: str, **fields: str) -> Response:
    token = page_csrf_token(client.get(page).text)
    response: Response = client.post(action, data={"csrftoken": token, **fields})
    return response


def head_position(jejak: Jejak) -> int:
    return int(jejak.app.recorder.max_notification_id() or 0)


@pytest.fixture
def auditor(demo_client: TestClient) -> TestClient:
    return as_user(demo_client, "auditor")


def test_the_auditor_sees_the_signed_checkpoints_and_verifies_the_log_on_request(
    auditor: TestClient, demo_app: Jejak
) -> None:
    page = auditor.get("/integrity")
    assert page.status_code == 200
    html = page.text
    assert 'href="/integrity" aria-current="page"' in html and 'href="/access-log"' in html
    # The verification is an explicit act: the page does not run it on every visit.
    assert 'id="verification"' not in html
    checkpoints = demo_app.checkpoints.all()
    assert checkpoints
    assert html.count("<td>sah</td>") == len(checkpoints) and "TIDAK sah" not in html
    assert f"kunci bersidik jari {demo_app.checkpoints.signer.key_id}" in html
    assert "WITA" in html
    assert 'href="/api/checkpoints"' in html and 'href="/api/public-key"' in html
    assert UUID.search(html) is None

    verified = post_form(auditor, "/integrity", "/integrity/verify")
    assert verified.status_code == 200
    head = f"{head_position(demo_app):,}".replace(",", ".")
    assert f"Log utuh sampai posisi {head}." in verified.text
    assert "titik periksa bertanda tangan" in verified.text
    logged = [e for e in demo_app.access_log.recent(20) if e.action == "verify_log"]
    assert logged and logged[0].user_id == "auditor"
    # The download is the checkpoints document auditors keep, with the key.
    kept = auditor.get("/api/checkpoints").json()
    assert kept["key_id"] == demo_app.checkpoints.signer.key_id
    assert len(kept["checkpoints"]) == len(checkpoints)


def test_a_changed_event_shows_where_the_log_breaks(auditor: TestClient, demo_app: Jejak) -> None:
    position = 1500
    with demo_app.engine.begin() as conn:
        (original,) = conn.execute(
            text("SELECT state FROM stored_events WHERE rowid = :p"), {"p": position}
        ).one()
        conn.execute(
            text("UPDATE stored_events SET state = :s WHERE rowid = :p"),
            {"s": bytes(original) + b" ", "p": position},
        )
    try:
        broken = post_form(auditor, "/integrity", "/integrity/verify").text
    finally:
        with demo_app.engine.begin() as conn:
            conn.execute(
                text("UPDATE stored_events SET state = :s WHERE rowid = :p"),
                {"s": original, "p": position},
            )
    assert "Log RUSAK pada posisi 1.500:" in broken
    assert "isi tersimpan sebuah catatan berbeda dari yang dicatat rantai" in broken
    assert "Utuh sebelumnya: sampai posisi 1.499." in broken


@pytest.mark.parametrize("username", ["operator", "dpo"])
def test_roles_that_do_not_verify_the_log_are_refused(
    demo_client: TestClient, username: str
) -> None:
    client = as_user(demo_client, username)
    assert 'href="/integrity"' not in client.get("/").text
    assert client.get("/integrity").status_code == 403
    token = page_csrf_token(client.get("/").text)
    assert client.post("/integrity/verify", data={"csrftoken": token}).status_code == 403


def test_an_administrator_may_sign_a_checkpoint_from_the_page(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    admin = as_user(demo_client, "admin")
    html = admin.get("/integrity").text
    assert 'action="/integrity/checkpoints"' in html
    signed = post_form(admin, "/integrity", "/integrity/checkpoints")
    head = f"{demo_app.checkpoints.all()[-1].position:,}".replace(",", ".")
    assert f"Titik periksa ditandatangani pada posisi {head}." in signed.text
    # The auditor's page offers no such button.
    auditor = as_user(demo_client, "auditor")
    assert 'action="/integrity/checkpoints"' not in auditor.get("/integrity").text


def test_an_evidence_bundle_is_asked_for_by_case_number(auditor: TestClient) -> None:
    bundle = post_form(
        auditor, "/integrity", "/integrity/evidence", scope="beneficiary", case_number=CASE
    )
    assert bundle.status_code == 200
    assert bundle.headers["content-type"] == "application/zip"
    assert "bukti-beneficiary-" in bundle.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert archive.namelist()


def test_an_evidence_form_refused_says_why_next_to_the_field(auditor: TestClient) -> None:
    unknown = post_form(
        auditor, "/integrity", "/integrity/evidence", scope="beneficiary", case_number="XX-0001"
    )
    assert unknown.status_code == 422
    assert 'id="evidence-case-problem">Tidak ada kasus dengan nomor ini.' in unknown.text
    assert 'value="XX-0001"' in unknown.text
    no_reason = post_form(
        auditor, "/integrity", "/integrity/evidence", scope="site", site_code="TRK-JP", in_clear="1"
    )
    assert no_reason.status_code == 422
    assert 'id="evidence-reason-problem"' in no_reason.text
    bad_day = post_form(
        auditor, "/integrity", "/integrity/evidence", scope="period", start="2019-13-01"
    )
    assert bad_day.status_code == 422
    assert 'id="evidence-start-problem"' in bad_day.text
    assert 'id="evidence-end-problem"' in bad_day.text


def test_the_access_log_names_accounts_and_case_numbers_never_ids(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    # A supervisor opens her case: her personal data is read, and the access log says so.
    supervisor = as_user(demo_client, "supervisor")
    assert 'href="/access-log"' not in supervisor.get("/").text
    assert supervisor.get(f"/cases/{CASE}").status_code == 200
    assert supervisor.get("/access-log").status_code == 403

    auditor = as_user(demo_client, "auditor")
    page = auditor.get("/access-log", params={"case": CASE.lower()})
    assert page.status_code == 200
    html = page.text
    assert f'<a href="/cases/{CASE}">{CASE}</a>' in html
    assert ">Membaca data pribadi</td>" in html and ">supervisor <span" in html
    assert UUID.search(html) is None
    rows = re.findall(r'<tr data-entry="\d+">', html)
    assert rows and f"{len(rows)} entri, yang terbaru di atas." in html
    # Narrowed by account: the auditor's own reads of the log, none of the supervisor's.
    own = auditor.get("/access-log", params={"user": "auditor", "action": "read_access_log"})
    assert ">Membaca log akses</td>" in own.text
    assert ">Membaca data pribadi</td>" not in own.text
    # The export carries the same filters, in the API's own names.
    assert "/api/access-log/export?format=csv&amp;case_number=TRK-JP-0004" in html
    exported = auditor.get(f"/api/access-log/export?format=csv&case_number={CASE}")
    assert exported.status_code == 200 and CASE in exported.text


def test_a_filter_the_page_cannot_use_is_marked_not_a_failure(demo_client: TestClient) -> None:
    dpo = as_user(demo_client, "dpo")
    page = dpo.get("/access-log", params={"from": "2026-02-30", "action": "Not An Action"})
    assert page.status_code == 200
    assert 'id="f-from" type="date" name="from" value="" aria-invalid="true"' in page.text
    assert 'id="filters-refused"' in page.text


def test_the_access_logs_own_chain_is_verified_on_request(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    dpo = as_user(demo_client, "dpo")
    verified = post_form(dpo, "/access-log", "/access-log/verify?user=dpo")
    assert verified.status_code == 200
    assert re.search(r"Log akses utuh sampai entri [\d.]+\.", verified.text)
    assert 'href="/api/access-log/checkpoints"' in verified.text
    logged = [e for e in demo_app.access_log.recent(5) if e.action == "verify_access_log"]
    assert logged and logged[0].user_id == "dpo"


def test_days_are_whole_days_in_wita_and_pages_keep_the_filters() -> None:
    chosen = AccessLogChoice.read({"from": "2026-12-01", "to": "2026-12-06", "page": "2"})
    filters = chosen.filters()
    assert filters.start is not None and filters.end is not None
    assert filters.start.isoformat() == "2026-12-01T00:00:00+08:00"
    # The last day is included: up to, not including, the next midnight.
    assert filters.end.isoformat() == "2026-12-07T00:00:00+08:00"
    assert chosen.query_string(3) == "from=2026-12-01&to=2026-12-06&page=3"
    assert chosen.end == date(2026, 12, 6)
