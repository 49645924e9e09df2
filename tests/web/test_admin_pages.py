"""The administrator's pages (issue 16): accounts, units and auditors' dated assignments, each
change recorded as a grant with who, when and why; refusals next to their fields; no page of
theirs for any other role."""

from __future__ import annotations

import re
import secrets

import pytest
from fastapi.testclient import TestClient

from service.system import Jejak
from tests.conftest import log_in_page, page_csrf_token

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
CASE_NUMBER = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4}\b")
TEMPORARY = re.compile(r"<dt>Kata sandi sementara</dt><dd><code>([^<]+)</code></dd>")
ADMIN = ("admin", "admin-kaltara-2016")
PAGES = (
    "/admin/accounts",
    "/admin/accounts/new",
    "/admin/accounts/auditor",
    "/admin/units",
    "/admin/assignments",
)


def error_of(html: str, form: str, field: str) -> str:
    """The refusal shown next to `field` of the form of `form` (its command)."""
    found = re.search(rf'id="s-{form}-f-{field}-error">([^<]*)</p>', html)
    assert found, f"no refusal next to {field}"
    return found.group(1)


def send(client: TestClient, path: str, form_page: str, **fields: str) -> str:
    """Send a form as a browser does: with the CSRF token its page carries and a new key."""
    token = page_csrf_token(client.get(form_page).text)
    data = {"csrftoken": token, "idempotency_key": secrets.token_urlsafe(18), **fields}
    response = client.post(path, data=data)
    assert response.status_code in (200, 201, 303, 409, 422), response.text[:500]
    return str(response.text)


def as_admin(client: TestClient) -> None:
    assert log_in_page(client, *ADMIN).status_code == 200


def new_account(client: TestClient, username: str, **extra: str) -> str:
    fields = {
        "username": username,
        "display_name": "Petugas Uji Coba",
        "role": "operator",
        "unit": "DINSOS-TARAKAN",
        "occurred_on": "2020-06-01",
        "reason": "Petugas baru bidang rehabilitasi sosial",
        **extra,
    }
    return send(client, "/admin/accounts/new", "/admin/accounts/new", **fields)


def test_the_accounts_list_shows_role_unit_and_whether_active(demo_client: TestClient) -> None:
    as_admin(demo_client)
    page = demo_client.get("/admin/accounts").text
    row = re.search(r'<tr id="account-operator">(.*?)</tr>', page, re.DOTALL)
    assert row is not None
    assert "Petugas program" in row.group(1) and "DINSOS-TARAKAN" in row.group(1)
    assert ">ya<" in row.group(1)
    assert 'href="/admin/accounts"' in page and "Administrasi" in page
    for path in PAGES:
        html = demo_client.get(path).text
        assert not UUID_PATTERN.search(html), path
        # No programme data: no case of hers is named here, let alone her name.
        assert not CASE_NUMBER.search(html), path


def test_an_account_opened_with_a_made_password_signs_in_with_it(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    as_admin(demo_client)
    shown = new_account(demo_client, "petugas.baru")
    password = TEMPORARY.search(shown)
    assert password is not None, shown[:2000]
    back = re.search(r'<a href="(/admin/accounts/petugas.baru[^"]*)">', shown)
    assert back is not None
    page = demo_client.get(back.group(1).replace("&amp;", "&")).text
    assert "Petugas Uji Coba" in page and "Akun dibuka" in page and "1 Juni 2020" in page
    assert password.group(1) not in page  # shown once, never again
    recorded = demo_app.app.staff.account("petugas.baru")
    assert recorded is not None
    opened = demo_app.app.history(recorded.id)[0]
    assert opened.actor.user_id == "admin"
    assert opened.reason == "Petugas baru bidang rehabilitasi sosial"
    logged = demo_app.access_log.recent(limit=50)
    assert any(e.action == "account_created" and e.user_id == "admin" for e in logged)
    demo_client.post("/logout", data={"csrftoken": page_csrf_token(page)})
    assert log_in_page(demo_client, "petugas.baru", password.group(1)).status_code == 200


def test_a_taken_username_and_a_weak_password_are_refused_next_to_their_fields(
    demo_client: TestClient,
) -> None:
    as_admin(demo_client)
    taken = new_account(demo_client, "operator")
    assert "ACCOUNT_EXISTS" in error_of(taken, "open-account", "username")
    weak = new_account(demo_client, "petugas.lemah", password="pendek")
    told = error_of(weak, "open-account", "password")
    assert "ACCOUNT_INVALID" in told and "paling sedikit 10 karakter" in told
    assert "pendek" not in weak  # a password is never written back into the page
    malformed = new_account(demo_client, "Petugas Besar")
    assert "ACCOUNT_INVALID" in error_of(malformed, "open-account", "username")
    assert demo_client.get("/admin/accounts/petugas.lemah").status_code == 404


def test_a_role_change_and_a_deactivation_are_recorded_and_take_effect(
    demo_client: TestClient,
) -> None:
    as_admin(demo_client)
    new_account(demo_client, "petugas.pindah", password="sandi-awal-2020")
    page = "/admin/accounts/petugas.pindah"
    version = re.search(r'name="expected_version" value="(\d+)"', demo_client.get(page).text)
    assert version is not None
    common = {"occurred_on": "2020-06-15", "expected_version": version.group(1)}
    send(demo_client, f"{page}/role", page, role="supervisor", **common)
    shown = demo_client.get(page).text
    assert re.search(r'id="account-role">Penyelia', shown)
    assert "Peran diubah" in shown and "15 Juni 2020" in shown
    # Decided on the version before the role change: someone changed it meanwhile.
    stale = send(demo_client, f"{page}/deactivate", page, **common)
    assert "Data ini telah diubah oleh admin" in stale
    fresh = re.search(r'name="expected_version" value="(\d+)"', demo_client.get(page).text)
    assert fresh is not None
    send(
        demo_client,
        f"{page}/deactivate",
        page,
        occurred_on="2020-06-20",
        expected_version=fresh.group(1),
        reason="Pindah tugas ke instansi lain",
    )
    assert "tidak, dinonaktifkan" in demo_client.get(page).text
    demo_client.cookies.clear()
    assert log_in_page(demo_client, "petugas.pindah", "sandi-awal-2020").status_code == 401


def test_an_assignment_ending_before_it_starts_is_refused_next_to_its_until(
    demo_client: TestClient,
) -> None:
    as_admin(demo_client)
    page = send(
        demo_client,
        "/admin/assignments",
        "/admin/assignments",
        auditor="auditor",
        whole_programme="1",
        valid_from="2020-03-01",
        valid_until="2020-02-01",
        occurred_on="2020-02-20",
        **{
            "document.kind": "surat",
            "document.number": "ST/99/2020",
            "document.issued_on": "2020-02-20",
            "document.issuer": "BPK Perwakilan Kalimantan Utara",
        },
    )
    assert "ASSIGNMENT_PERIOD_INVALID" in error_of(page, "give-assignment", "valid-until")
    assert "ST/99/2020" not in demo_client.get("/admin/assignments").text


def test_a_dated_assignment_is_listed_with_its_days_and_can_be_withdrawn(
    demo_client: TestClient,
) -> None:
    as_admin(demo_client)
    letter = {
        "document.kind": "surat",
        "document.number": "ST/12/2020",
        "document.issued_on": "2020-03-02",
        "document.issuer": "BPK Perwakilan Kalimantan Utara",
    }
    send(
        demo_client,
        "/admin/assignments",
        "/admin/assignments",
        auditor="auditor",
        units="DINSOS-TARAKAN",
        valid_from="2020-03-02",
        valid_until="2030-04-30",
        occurred_on="2020-03-02",
        **letter,
    )
    page = demo_client.get("/admin/assignments").text
    row = re.search(r"<tr><td><a[^>]*>auditor</a></td><td>ST/12/2020.*?</tr>", page, re.DOTALL)
    assert row is not None
    assert "DINSOS-TARAKAN" in row.group(0)
    assert "2 Maret 2020" in row.group(0) and "30 April 2030" in row.group(0)
    send(
        demo_client,
        "/admin/assignments/withdrawals",
        "/admin/assignments",
        auditor="auditor",
        letter_number="ST/12/2020",
        occurred_on="2020-04-01",
    )
    page = demo_client.get("/admin/assignments").text
    row = re.search(r"<td>ST/12/2020.*?</tr>", page, re.DOTALL)
    assert row is not None and "1 April 2020" in row.group(0)


def test_a_unit_is_set_up_and_a_bad_code_is_refused_next_to_it(demo_client: TestClient) -> None:
    as_admin(demo_client)
    unit = {"name": "Dinas Sosial Kabupaten Malinau", "kind": "regency", "region": "65.02"}
    bad = send(
        demo_client,
        "/admin/units",
        "/admin/units",
        code="malinau",
        occurred_on="2020-06-01",
        **unit,
    )
    assert error_of(bad, "establish-unit", "code")
    send(
        demo_client,
        "/admin/units",
        "/admin/units",
        code="DINSOS-MALINAU",
        occurred_on="2020-06-01",
        **unit,
    )
    page = demo_client.get("/admin/units").text
    assert "DINSOS-MALINAU" in page and "Dinas Sosial Kabupaten Malinau" in page


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("operator", "operator-kaltara-2016"),
        ("supervisor", "supervisor-kaltara-2016"),
        ("auditor", "auditor-kaltara-2016"),
        ("dpo", "dpo-kaltara-2016"),
    ],
)
def test_every_other_role_is_refused_the_administration(
    demo_client: TestClient, username: str, password: str
) -> None:
    assert log_in_page(demo_client, username, password).status_code == 200
    home = demo_client.get("/").text
    assert 'href="/admin/accounts"' not in home
    for path in PAGES:
        assert demo_client.get(path).status_code == 403, path
    token = page_csrf_token(home)
    data = {"csrftoken": token, "idempotency_key": secrets.token_urlsafe(18)}
    for path in ("/admin/accounts/new", "/admin/accounts/operator/deactivate", "/admin/units"):
        assert demo_client.post(path, data=data).status_code == 403, path
    assert demo_client.post("/admin/assignments", data=data).status_code == 403


def test_a_reset_password_is_shown_once_and_the_old_one_stops_working(
    demo_client: TestClient,
) -> None:
    as_admin(demo_client)
    new_account(demo_client, "petugas.lupa", password="sandi-lama-2020")
    page = "/admin/accounts/petugas.lupa"
    shown = send(demo_client, f"{page}/password", page)
    password = TEMPORARY.search(shown)
    assert password is not None
    demo_client.cookies.clear()
    assert log_in_page(demo_client, "petugas.lupa", "sandi-lama-2020").status_code == 401
    assert log_in_page(demo_client, "petugas.lupa", password.group(1)).status_code == 200
