"""The pages speak Indonesian unless the reader chooses English; the API keeps its codes and
fields and tells its refusals in the language `Accept-Language` asks for, English otherwise
(ADR 0048)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import log_in_page, page_csrf_token
from tests.e2e.conftest import login
from tests.e2e.test_http import SITE, closure_on_the_day, post


def refused_closure(client: TestClient, accept_language: str | None) -> dict[str, object]:
    site = post(client, "opi", "/api/sites", SITE)["id"]
    headers = login(client, "opi")
    if accept_language is not None:
        headers = {**headers, "Accept-Language": accept_language}
    # A closure straight after registration: the lifecycle allows it only once decreed.
    response = client.post(f"/api/sites/{site}/closure", json=closure_on_the_day(), headers=headers)
    assert response.status_code == 409, response.text
    error: dict[str, object] = response.json()["error"]
    return error


def test_a_refusal_is_english_when_no_language_is_asked_for(client: TestClient) -> None:
    error = refused_closure(client, None)
    assert error["code"] == "TRANSITION_NOT_ALLOWED"
    assert error["message"] == (
        "Site: 'close_site' is not allowed in state REGISTERED (allowed in: CLOSURE_DECREED)"
    )


def test_a_refusal_follows_accept_language_with_the_same_code_and_field(
    client: TestClient,
) -> None:
    error = refused_closure(client, "id-ID,id;q=0.9,en;q=0.8")
    assert error["code"] == "TRANSITION_NOT_ALLOWED"
    assert error["message"] == (
        "Tindakan «Catat penutupan lokasi» tidak dapat dilakukan dalam status «Terdata»."
    )


def test_a_language_without_a_catalogue_gets_english(client: TestClient) -> None:
    assert str(refused_closure(client, "fr-FR, de;q=0.5")["message"]).startswith("Site: ")


def test_an_invalid_field_keeps_its_field_and_is_told_in_indonesian(client: TestClient) -> None:
    response = client.post(
        "/api/sites",
        json={**SITE, "headcount_at_pendataan": -1},
        headers={**login(client, "opi"), "Accept-Language": "id"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("REQUEST_INVALID", "headcount_at_pendataan")
    assert error["message"] == "Ada isian yang tidak memenuhi aturannya."
    # Each problem names its field and rule, told in the language asked for.
    assert error["problems"][0]["field"] == "headcount_at_pendataan"
    assert error["problems"][0]["rule"] == "greater_than_equal"
    assert error["problems"][0]["message"] == "Sekurang-kurangnya 0."
    english = client.post(
        "/api/sites", json={**SITE, "headcount_at_pendataan": -1}, headers=login(client, "opi")
    )
    assert english.json()["error"]["problems"][0]["message"] == (
        "Input should be greater than or equal to 0"
    )


def test_login_required_is_told_in_indonesian(client: TestClient) -> None:
    response = client.get("/api/sites", headers={"Accept-Language": "id"})
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "LOGIN_REQUIRED",
        "message": "Silakan masuk terlebih dahulu.",
        "field": None,
    }


def test_the_login_page_is_indonesian_by_default_and_english_by_choice(
    client: TestClient,
) -> None:
    page = client.get("/login")
    assert '<html lang="id">' in page.text
    assert "Nama pengguna" in page.text and "Kata sandi" in page.text
    assert ">Masuk</button>" in page.text
    wrong = log_in_page(client, "sup", "not-it")
    assert "Nama pengguna atau kata sandi salah." in wrong.text

    chosen = client.get("/language/en?next=/login", follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/login"
    english = client.get("/login")
    assert '<html lang="en">' in english.text
    assert "Username" in english.text and ">Log in</button>" in english.text
    assert "Wrong username or password." in log_in_page(client, "sup", "not-it").text


def test_a_language_link_never_leaves_the_site_nor_sets_an_unknown_language(
    client: TestClient,
) -> None:
    response = client.get("/language/fr?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
    assert "jejak_lang" not in response.headers.get("set-cookie", "")


def test_the_dashboard_names_states_and_actions_in_indonesian(client: TestClient) -> None:
    site = post(client, "opi", "/api/sites", SITE)["id"]
    assert site
    log_in_page(client, "sup", "supervisor-password-1")
    page = client.get("/").text
    assert "<h2>Dasbor program</h2>" in page
    assert '<th scope="col">Tindakan berikutnya</th>' in page
    # The site just registered: its state by name, its overdue sosialisasi by action name.
    assert "<td>Terdata</td>" in page
    assert "<td>Catat sosialisasi</td>" in page
    assert "REGISTERED" not in page and "hold_sosialisasi" not in page
    assert "Penyelia" in page  # the viewer's role
    assert ">Keluar</button>" in page


def test_a_form_without_its_token_is_refused_in_the_readers_language(client: TestClient) -> None:
    refused = client.post("/login", data={"username": "sup", "password": "not-it"})
    assert refused.status_code == 403
    assert refused.text.startswith("Formulir sudah kedaluwarsa")
    client.get("/language/en")
    refused = client.post("/login", data={"username": "sup", "password": "not-it"})
    assert refused.text.startswith("The form has expired")


def test_a_logged_in_choice_is_the_accounts_own_on_any_browser(client: TestClient) -> None:
    log_in_page(client, "sup", "supervisor-password-1")
    page = client.get("/").text
    chosen = client.post(
        "/language/en",
        data={"csrftoken": page_csrf_token(page), "next": "/"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/"
    assert "<h2>Programme dashboard</h2>" in client.get("/").text
    # Another browser speaks Indonesian until the same person logs in there.
    with TestClient(client.app) as elsewhere:
        assert '<html lang="id">' in elsewhere.get("/login").text
        log_in_page(elsewhere, "sup", "supervisor-password-1")
        assert "<h2>Programme dashboard</h2>" in elsewhere.get("/").text
    # A different account keeps its own (the default) language.
    with TestClient(client.app) as colleague:
        log_in_page(colleague, "opi", "operator-password-1")
        assert "<h2>Dasbor program</h2>" in colleague.get("/").text


def test_the_accounts_language_is_chosen_only_behind_the_csrf_check(client: TestClient) -> None:
    log_in_page(client, "sup", "supervisor-password-1")
    refused = client.post("/language/en", data={"next": "/"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "<h2>Dasbor program</h2>" in client.get("/").text
