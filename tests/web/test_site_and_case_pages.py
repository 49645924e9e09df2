"""The site and case pages through the login, on the Kaltara demo: names people know in the
URLs, the same 404 page outside the scope as for an unknown name, no UUID on a page, her
personal data as the role may see it, and the reveal of one field, logged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from domain.units import EVERYTHING
from service.api.app import create_app
from service.demo.kaltara import DemoUser
from service.queries.access_log import AccessLogEntry, AccessLogFilter, access_log_entries
from service.queries.read_models import ReadModels
from service.security.access_log import AccessAction
from service.system import Jejak
from tests.conftest import DemoTemplate, demo_store, log_in_page, page_csrf_token

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
SITE, CASE = "TRK-JP", "TRK-JP-0004"


@dataclass(frozen=True)
class Demo:
    """The demo served, its accounts by username, and her name and NIK in clear."""

    client: TestClient
    jejak: Jejak
    users: dict[str, DemoUser]
    clear: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Demo]:
    jejak = demo_store(demo_template, tmp_path_factory.mktemp("pages"))
    try:
        users = {u.username: u for u in demo_template.users}
        supervisor = jejak.accounts.get("supervisor")
        assert supervisor is not None
        reads = ReadModels.of(jejak, EVERYTHING)
        her = reads.beneficiaries.one(supervisor, reads.beneficiaries.id_of_case(CASE))
        with TestClient(create_app(jejak=jejak)) as client:
            yield Demo(client, jejak, users, {"name": her["name"], "nik": her["nik"]})
    finally:
        jejak.close()


def page_as(demo: Demo, username: str, path: str) -> tuple[int, str]:
    """The page at `path` as `username`, logged in through the form."""
    log_in_page(demo.client, username, demo.users[username].password)
    response = demo.client.get(path)
    return response.status_code, response.text


def test_the_supervisor_sees_the_site_by_its_code_with_its_cases_and_timeline(
    demo: Demo,
) -> None:
    status, html = page_as(demo, "supervisor", f"/sites/{SITE}")
    assert status == 200
    assert "Juata Permai" in html and "Dalam pemantauan" in html
    assert f'href="/cases/{CASE}"' in html
    assert "SK DEMO/SK/TRK-JP/2018" in html
    # The timeline in Indonesian: what happened, when, by whom, on what paper.
    assert "Lokasi ditutup" in html and "Sosialisasi dilaksanakan" in html
    assert "28 Desember 2018" in html and "WITA" in html
    assert "Dinas Sosial Kota Tarakan" in html
    assert "SiteClosed</strong>" not in html
    assert not UUID_PATTERN.search(html)


def test_the_supervisor_sees_the_case_by_its_number_with_her_data_and_timeline(
    demo: Demo,
) -> None:
    status, html = page_as(demo, "supervisor", f"/cases/{CASE}")
    assert status == 200
    assert "Kasus selesai (terminasi)" in html
    assert f'href="/sites/{SITE}"' in html
    assert "Dinas Sosial Kota Tarakan" in html
    assert demo.clear["name"] in html and demo.clear["nik"] in html
    assert "Identitas diverifikasi" in html and "Salinan KTP" in html
    assert "Rp 1.125.000" in html
    assert not UUID_PATTERN.search(html)


def test_a_case_outside_the_scope_answers_as_an_unknown_one(demo: Demo) -> None:
    unknown_status, unknown = page_as(demo, "operator.nunukan", "/cases/TRK-JP-9999")
    assert unknown_status == 404
    for path in (f"/cases/{CASE}", f"/sites/{SITE}", "/sites/NO-SUCH"):
        status, html = page_as(demo, "operator.nunukan", path)
        assert status == 404, path
        assert _main(html) == _main(unknown), path
        assert "Halaman tidak ditemukan" in html
    # Her own unit's site is there.
    status, _ = page_as(demo, "operator.nunukan", "/sites/NNK-NT")
    assert status == 200


def test_the_auditor_sees_her_data_masked_everywhere_on_the_page(demo: Demo) -> None:
    status, html = page_as(demo, "auditor", f"/cases/{CASE}")
    assert status == 200
    assert demo.clear["name"] not in html and demo.clear["nik"] not in html
    assert demo.clear["nik"][-4:] in html  # masked, its last digits kept
    assert "Identitas diverifikasi" in html


def test_a_reveal_shows_one_field_and_writes_the_access_log(demo: Demo) -> None:
    _, html = page_as(demo, "supervisor", f"/cases/{CASE}")
    token = page_csrf_token(html)
    before = _reveals(demo)
    response = demo.client.post(
        f"/cases/{CASE}/reveal",
        data={"csrftoken": token, "field": "birth_date", "reason": "Cek berkas kasus"},
    )
    assert response.status_code == 200
    assert 'id="revealed"' in response.text and "Tanggal lahir" in response.text
    assert "15 Maret 1979" in response.text  # a date as Indonesians write it
    after = _reveals(demo)
    assert len(after) == len(before) + 1
    assert after[0].user_id == "supervisor" and "birth_date" in (after[0].detail or "")
    # Her timeline shows the reveal: which field, why, never the value in it.
    assert "Data pribadi ditampilkan tanpa samaran" in response.text
    refused = demo.client.post(
        f"/cases/{CASE}/reveal", data={"csrftoken": token, "field": "nik", "reason": " "}
    )
    assert refused.status_code == 422
    assert 'id="error-nik"' in refused.text
    assert len(_reveals(demo)) == len(after)


def _reveals(demo: Demo) -> list[AccessLogEntry]:
    beneficiary_id = ReadModels.of(demo.jejak, EVERYTHING).beneficiaries.id_of_case(CASE)
    wanted = AccessLogFilter(
        action=AccessAction.REVEAL_PERSONAL_DATA.value, subject_id=beneficiary_id
    )
    return access_log_entries(demo.jejak.engine, wanted)


def _main(html: str) -> str:
    """The page's own content, without the header's per-request token."""
    return html[html.index("<main") :]


def test_her_entitlements_steps_are_on_her_page_and_taken_there(demo: Demo) -> None:
    case = "TRK-JP-0048"
    _, html = page_as(demo, "supervisor", f"/cases/{case}")
    target = f"/cases/{case}/entitlements/jadup-1/steps/observe_withdrawal"
    assert f'action="{target}"' in html
    form = re.search(rf'<form[^>]*action="{target}".*?</form>', html, re.S)
    assert form
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    sent = {
        **hidden,
        "bank_reference": "RK-2019-08-0048",
        "occurred_on": "2019-08-20",
        "document.kind": "bank_statement",
        "document.number": "RK/2019/08",
        "document.issued_on": "2019-08-31",
        "document.issuer": "Bank Kaltimtara",
    }
    taken = demo.client.post(target, data=sent, follow_redirects=False)
    assert taken.status_code == 303, taken.text
    assert taken.headers["location"].startswith(f"/cases/{case}?after=")
    page = demo.client.get(taken.headers["location"]).text
    assert "Tersimpan: Catat penarikan dana." in page
    # Withdrawn: the step is no longer offered, and its address says why.
    assert f'action="{target}"' not in page
    closed = demo.client.get(target)
    assert closed.status_code == 409 and "TRANSITION_NOT_ALLOWED" in closed.text


def test_the_case_page_reads_her_history_once_for_all_its_correction_forms(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    history = demo.jejak.app.history

    def counted(record_id: object) -> object:
        reads.append(record_id)
        return history(record_id)  # type: ignore[arg-type]

    monkeypatch.setattr(demo.jejak.app, "history", counted)
    status, html = page_as(demo, "supervisor", f"/cases/{CASE}")
    assert status == 200
    # Two correction forms name the step they correct, from one read of her history.
    assert html.count('name="corrects_version"') >= 2
    assert len(reads) == len(set(reads))
