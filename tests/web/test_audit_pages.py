"""The audit pages through HTTP (issue 16): the automatic checks linked to the cases and sites
they concern, at a cut, acknowledged by a supervisor; the BPK findings register with its
60-day clocks and its forms; restatements with their rows before and after; a rebuild whose
differences are shown before the switch is confirmed, a stale confirmation refused; published
reports beside today's figures, and publishing one. Auditors read and never act; unit
operators read none of it. No UUID on any page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update

from projections.site_status import site_status
from service.system import Jejak
from tests.conftest import log_in_page, page_csrf_token

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
REPORT = "/reports/programme_figures-2019-07-01-2019-09-30"
LHP = {
    "audit_body": "BPK RI Perwakilan Kalimantan Utara",
    "lhp_number": "12/LHP/XVIII.TJS/05/2020",
    "lhp_date": "2020-05-20",
    "lhp_received_on": "2020-05-25",
    "finding_number": "3.1",
    "title": "Bantuan transport belum disetor kembali",
    "recommendation": "Setorkan sisa bantuan ke kas negara",
    "responsible_position": "Kepala Dinas Sosial Provinsi Kalimantan Utara",
    "site_ids": "TRK-JP",
    "beneficiary_ids": "TRK-JP-0004",
    "occurred_on": "2020-06-01",
    "document.kind": "lhp",
    "document.number": "12/LHP/XVIII.TJS/05/2020",
    "document.issued_on": "2020-05-20",
    "document.issuer": "BPK RI",
}


def as_user(client: TestClient, username: str) -> TestClient:
    password = {
        "supervisor": "supervisor-kaltara-2016",
        "auditor": "auditor-kaltara-2016",
        "operator": "operator-kaltara-2016",
    }[username]
    assert log_in_page(client, username, password).status_code == 200
    return client


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form sent to `action`: what a browser sends back."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form sent to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def submit(client: TestClient, path: str, data: dict[str, str]) -> Response:
    """A form sent back as a browser sends it: its hidden fields and what was typed."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    sent: Response = client.post(
        path, data={**hidden_fields(page.text, path), **data}, follow_redirects=False
    )
    return sent


def test_the_checks_link_to_what_they_concern_at_a_cut_and_only_a_supervisor_acknowledges(
    demo_client: TestClient,
) -> None:
    page = as_user(demo_client, "auditor").get("/audit/checks")
    assert page.status_code == 200
    html = page.text
    assert "Pemeriksaan otomatis" in html and "8 temuan" in html
    assert '<a href="/sites/TRK-JP">TRK-JP</a>' in html
    assert '<a href="/cases/TRK-JP-0004">TRK-JP-0004</a>' in html
    assert "Lokasi ditutup sebelum dana tersedia" in html  # A23 by its catalogue name
    assert "Tindak lanjuti</a>" not in html  # the auditor reads, never acknowledges
    assert 'href="/audit/checks"' in html  # the nav link
    assert UUID.search(html) is None
    past = demo_client.get("/audit/checks", params={"as_at": "2019-02-01"}).text
    assert 'class="past-cut"' in past and "1 Februari 2019" in past
    assert "4 temuan" in past and "NNK-NT" in past and "TRK-LU-0015" not in past

    supervisor = as_user(demo_client, "supervisor")
    listed = supervisor.get("/audit/checks", params={"rule": "A20"}).text
    link = re.search(r'href="(/audit/checks/A20-[0-9a-f]+/steps/acknowledge_finding)"', listed)
    assert link, listed
    refused = submit(supervisor, link.group(1), {"occurred_on": "2020-06-30"})
    assert refused.status_code == 409
    assert "Alasan wajib diisi" in refused.text and "REASON_REQUIRED" in refused.text
    reason = "Selisih dua orang dicocokkan dengan berita acara penutupan"
    done = submit(supervisor, link.group(1), {"occurred_on": "2020-06-30", "reason": reason})
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/audit/checks?after=")
    after = supervisor.get(done.headers["location"]).text
    assert reason in after and "Tersimpan" in after

    auditor = as_user(demo_client, "auditor")
    assert auditor.get(link.group(1)).status_code == 403
    operator = as_user(demo_client, "operator")
    assert operator.get("/audit/checks").status_code == 403
    assert 'href="/audit/checks"' not in operator.get("/").text


def test_the_register_records_a_finding_by_names_and_shows_its_60_day_clock(
    demo_client: TestClient,
) -> None:
    supervisor = as_user(demo_client, "supervisor")
    empty = supervisor.get("/audit/findings").text
    assert "Belum ada temuan pemeriksaan" in empty and 'href="/audit/findings/new"' in empty
    unknown = submit(supervisor, "/audit/findings/new", {**LHP, "beneficiary_ids": "TRK-XX-0001"})
    assert unknown.status_code == 422
    field = re.search(r'<div class="field invalid">.*?</div>', unknown.text, re.S)
    assert field and 'name="beneficiary_ids"' in field.group(0)
    assert "Tidak ditemukan: TRK-XX-0001." in field.group(0)

    recorded = submit(supervisor, "/audit/findings/new", LHP)
    assert recorded.status_code == 303, recorded.text
    page = "/audit/findings/12/LHP/XVIII.TJS/05/2020/3.1"  # with its report's number
    assert recorded.headers["location"].startswith(f"{page}?after=")
    finding = supervisor.get(recorded.headers["location"]).text
    # Received 25 May 2020; due 60 days later, judged on the demo's day, 30 June 2020.
    assert "24 Juli 2020" in finding and "sisa 24 hari" in finding
    assert '<a href="/sites/TRK-JP">TRK-JP</a>' in finding
    assert '<a href="/cases/TRK-JP-0004">TRK-JP-0004</a>' in finding
    assert 'data-command="submit_response"' in finding
    assert UUID.search(finding) is None
    listed = supervisor.get("/audit/findings").text
    assert '<a href="/audit/findings/3.1">3.1</a>' in listed and "sisa 24 hari" in listed
    assert "3.1</a>" not in supervisor.get("/audit/findings", params={"overdue": "yes"}).text
    assert "3.1</a>" in supervisor.get("/audit/findings", params={"state": "OPEN"}).text
    work = supervisor.get("/worklist", params={"kind": "audit_finding"}).text
    assert f'href="{page}"' in work
    answer = {
        "summary": "Sisa bantuan telah disetor ke kas negara",
        "occurred_on": "2020-06-20",
        "document.kind": "surat_tanggapan",
        "document.number": "400/123/DINSOS/VI/2020",
        "document.issued_on": "2020-06-20",
        "document.issuer": "Dinas Sosial Provinsi Kalimantan Utara",
    }
    answered = submit(supervisor, "/audit/findings/3.1/steps/submit_response", answer)
    assert answered.status_code == 303, answered.text
    finding = supervisor.get(answered.headers["location"]).text
    assert "Sudah ditanggapi" in finding and "20 Juni 2020" in finding
    assert 'data-command="accept_follow_up"' in finding

    auditor = as_user(demo_client, "auditor")
    read = auditor.get("/audit/findings/3.1")
    assert read.status_code == 200 and "Sudah ditanggapi" in read.text
    assert "data-command=" not in read.text
    assert 'href="/audit/findings/new"' not in auditor.get("/audit/findings").text
    assert auditor.get("/audit/findings/new").status_code == 403
    assert auditor.get("/audit/findings/3.1/steps/submit_response").status_code == 403
    assert auditor.get("/audit/findings/9.9").status_code == 404
    assert as_user(demo_client, "operator").get("/audit/findings").status_code == 403

    # Another report numbers a finding alike: each is then named with its report's number.
    lhp = "7/LHP/XVIII.TJS/06/2020"
    other = {**LHP, "lhp_number": lhp, "document.number": lhp, "occurred_on": "2020-06-15"}
    supervisor = as_user(demo_client, "supervisor")
    recorded = submit(supervisor, "/audit/findings/new", other)
    assert recorded.status_code == 303, recorded.text
    assert supervisor.get(recorded.headers["location"]).status_code == 200
    listed = supervisor.get("/audit/findings").text
    assert f'href="/audit/findings/{lhp}/3.1"' in listed and f'href="{page}"' in listed
    assert supervisor.get("/audit/findings/3.1").status_code == 404


def test_a_rebuild_shows_its_differences_refuses_a_stale_confirmation_and_is_restated(
    demo_app: Jejak, demo_client: TestClient
) -> None:
    # A live row gone wrong (as a faulty fold would leave it): the rebuild puts it right.
    with demo_app.engine.begin() as conn:
        conn.execute(
            update(site_status).where(site_status.c.code == "TRK-JP").values(name="Nama salah")
        )
    supervisor = as_user(demo_client, "supervisor")
    form = supervisor.get("/rebuild").text
    token = page_csrf_token(form)
    reason = "Nama lokasi di tabel baca tidak sesuai log"
    shown = supervisor.post(
        "/rebuild", data={"csrftoken": token, "read_model": "site_status", "reason": reason}
    )
    assert shown.status_code == 200, shown.text
    assert "Perbedaan site_status pada posisi log" in shown.text
    row = re.search(r"<tr class=\"differs\"><th scope=\"row\">name</th>.*?</tr>", shown.text)
    assert row and "Nama salah" in row.group(0) and "Juata Permai" in row.group(0)
    assert UUID.search(shown.text) is None
    confirm = hidden_fields(shown.text, "/rebuild/switch")
    stale = supervisor.post("/rebuild/switch", data={**confirm, "position": "1"})
    assert stale.status_code == 409 and "Periksa perbedaannya lagi" in stale.text
    assert supervisor.get("/restatements").text.count('href="/restatements/1"') == 0
    switched = supervisor.post("/rebuild/switch", data=confirm, follow_redirects=False)
    assert switched.status_code == 303, switched.text
    assert switched.headers["location"] == "/restatements?switched=1"
    again = supervisor.post("/rebuild/switch", data=confirm)
    assert again.status_code == 409  # the rebuild was used up by the switch

    auditor = as_user(demo_client, "auditor")
    listed = auditor.get("/restatements").text
    assert 'href="/restatements/1"' in listed and reason in listed
    one = auditor.get("/restatements/1").text
    assert "Nama salah" in one and "Juata Permai" in one and "site_status" in one
    assert UUID.search(one) is None
    assert auditor.get("/restatements/2").status_code == 404
    assert auditor.get("/rebuild").status_code == 403
    assert auditor.post("/rebuild", data={"csrftoken": token}).status_code in (403, 419)
    assert as_user(demo_client, "operator").get("/restatements").status_code == 403


def test_a_published_report_is_shown_beside_today_and_a_supervisor_publishes_one(
    demo_client: TestClient,
) -> None:
    auditor = as_user(demo_client, "auditor")
    listed = auditor.get("/reports").text
    assert f'href="{REPORT}"' in listed and "DEMO/400/REHSOS/X/2019" in listed
    assert 'href="/reports/new"' not in listed
    report = auditor.get(REPORT).text
    assert "di samping angka hari ini" in report and "Ya: angka cocok" in report
    assert "Juata Permai (Sungai Bengawan)" in report
    assert UUID.search(report) is None
    assert auditor.get("/reports/new").status_code == 403
    assert auditor.get("/reports/programme_figures-2030-01-01-2030-03-31").status_code == 404

    supervisor = as_user(demo_client, "supervisor")
    published = submit(
        supervisor,
        "/reports/new",
        {
            "report_kind": "programme_figures",
            "period_start": "2019-10-01",
            "period_end": "2019-12-31",
            "addressee": "Direktorat Rehabilitasi Sosial, Kementerian Sosial RI",
            "occurred_on": "2020-01-10",
            "document.kind": "surat_pengantar",
            "document.number": "DEMO/400/REHSOS/I/2020",
            "document.issued_on": "2020-01-10",
            "document.issuer": "Dinsosnakertrans Provinsi Kalimantan Utara",
        },
    )
    assert published.status_code == 303, published.text
    new = "/reports/programme_figures-2019-10-01-2019-12-31"
    assert published.headers["location"].startswith(f"{new}?after=")
    page = supervisor.get(published.headers["location"]).text
    assert "DEMO/400/REHSOS/I/2020" in page and 'data-command="republish_report"' in page

    operator = as_user(demo_client, "operator")
    figures = operator.get(new)
    assert figures.status_code == 200 and "Angka saat dikirim" in figures.text
    assert "di samping angka hari ini" not in figures.text  # the comparison replays the log
