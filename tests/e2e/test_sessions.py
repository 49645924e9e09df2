"""Browser sessions that end: logout, inactivity and age; CSRF, cookie flags and headers
(ADR 0049)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.api.deps import SESSION_COOKIE
from service.security.sessions import WebSessions
from service.store.schema import web_sessions
from service.system import Jejak
from tests.conftest import Clock, log_in_page, page_csrf_token, settings_for
from tests.e2e.conftest import login, system_of

SUP = ("sup", "supervisor-password-1")
OPI = ("opi", "operator-password-1")
A_SITE = {
    "occurred_on": "2016-03-20",
    "code": "TRK-JP",
    "name": "Juata Permai",
    "kelurahan": {"code": "65.71.04.1002"},
    "headcount_at_pendataan": 70,
}


def session_row(client: TestClient, session_id: str) -> dict[str, object]:
    id_hash = hashlib.sha256(session_id.encode()).hexdigest()
    with system_of(client).engine.connect() as conn:
        row = conn.execute(select(web_sessions).where(web_sessions.c.id_hash == id_hash)).one()
    return dict(row._mapping)


def with_clock(client: TestClient, clock: Clock, lifetime: timedelta = timedelta(hours=12)) -> None:
    jejak = system_of(client)
    jejak.sessions = WebSessions(
        jejak.engine, idle=timedelta(minutes=30), lifetime=lifetime, clock=clock
    )


def test_logout_revokes_the_session_and_its_cookie_no_longer_works(client: TestClient) -> None:
    response = log_in_page(client, *SUP, follow_redirects=False)
    assert response.status_code == 303
    session_id = client.cookies[SESSION_COOKIE]
    row = session_row(client, session_id)
    assert row["username"] == "sup" and row["revoked_at"] is None
    # Only the id's hash is stored, never the id.
    with system_of(client).engine.connect() as conn:
        assert session_id not in str(conn.execute(select(web_sessions)).all())
    assert client.get("/auth/me").json()["username"] == "sup"
    dashboard = client.get("/")
    assert dashboard.status_code == 200

    out = client.post(
        "/logout", data={"csrftoken": page_csrf_token(dashboard.text)}, follow_redirects=False
    )
    assert out.headers["location"] == "/login"
    assert SESSION_COOKIE not in client.cookies
    assert session_row(client, session_id)["revoked_at"] is not None
    # A copy of the cookie kept from before the logout opens nothing.
    client.cookies.set(SESSION_COOKIE, session_id)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/auth/me").status_code == 401


def test_an_idle_session_ends_and_the_last_seen_time_is_written_once_a_minute(
    client: TestClient,
) -> None:
    clock = Clock()
    with_clock(client, clock)
    log_in_page(client, *SUP)
    session_id = client.cookies[SESSION_COOKIE]
    opened = session_row(client, session_id)["last_seen_at"]
    clock.advance(timedelta(seconds=30))
    assert client.get("/auth/me").status_code == 200
    assert session_row(client, session_id)["last_seen_at"] == opened
    for _ in range(3):
        # Busy: each visit within the idle time keeps the session open.
        clock.advance(timedelta(minutes=29))
        assert client.get("/", follow_redirects=False).status_code == 200
    assert session_row(client, session_id)["last_seen_at"] != opened
    clock.advance(timedelta(minutes=30))
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/auth/me").status_code == 401


def test_a_session_ends_at_its_lifetime_however_busy(client: TestClient) -> None:
    clock = Clock()
    with_clock(client, clock, lifetime=timedelta(hours=1))
    log_in_page(client, *SUP)
    for _ in range(5):
        clock.advance(timedelta(minutes=11))
        assert client.get("/auth/me").status_code == 200
    clock.advance(timedelta(minutes=5))
    assert client.get("/auth/me").status_code == 401


def test_deactivating_an_account_ends_its_session(client: TestClient) -> None:
    log_in_page(client, *SUP)
    assert client.get("/auth/me").status_code == 200
    system_of(client).accounts.deactivate("sup")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    # The login form itself: without the token, or with one of another browser's.
    bare = client.post("/login", data={"username": "sup", "password": SUP[1]})
    assert bare.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    log_in_page(client, *SUP)
    for data in ({}, {"csrftoken": "forged"}):
        refused = client.post("/logout", data=data, follow_redirects=False)
        assert refused.status_code == 403
        assert client.get("/auth/me").status_code == 200  # still logged in
    with TestClient(client.app) as other:
        foreign = page_csrf_token(other.get("/login").text)
    assert client.post("/logout", data={"csrftoken": foreign}).status_code == 403


def test_cookie_authenticated_api_calls_need_the_csrf_header(client: TestClient) -> None:
    log_in_page(client, *OPI)
    refused = client.post("/api/sites", json=A_SITE)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "CSRF_FAILED"
    forged = client.post("/api/sites", json=A_SITE, headers={"X-CSRFToken": "forged"})
    assert forged.json()["error"]["code"] == "CSRF_FAILED"
    token = client.cookies["csrftoken"]
    allowed = client.post("/api/sites", json=A_SITE, headers={"X-CSRFToken": token})
    assert allowed.status_code == 201, allowed.text


def test_bearer_api_calls_need_no_csrf_token(client: TestClient) -> None:
    log_in_page(client, *OPI)  # a session cookie is there too, and is not what authenticates
    response = client.post("/api/sites", json=A_SITE, headers=login(client, "opi"))
    assert response.status_code == 201, response.text


def test_pages_carry_the_security_headers_and_no_inline_script_or_style(
    client: TestClient,
) -> None:
    log_in_page(client, *SUP)
    for path in ("/login", "/", "/docs", "/api/sites"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
        if path != "/api/sites":
            assert "<style" not in response.text and "style=" not in response.text
            assert "<script>" not in response.text
            # Every script, stylesheet and image comes from this server: no address of
            # another host (a word like "cdn" can occur by chance in a random CSRF token).
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.text)
    assert client.get("/static/jejak.css").status_code == 200
    assert "SwaggerUIBundle" in client.get("/static/docs.js").text


def test_output_is_escaped(client: TestClient) -> None:
    page = client.get("/login?next=/%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in page.text
    assert "&#34;&gt;&lt;script&gt;" in page.text


@pytest.fixture
def auto_cookies(tmp_path: Path) -> Iterator[Jejak]:
    jejak = Jejak.start(
        settings_for(f"sqlite:///{tmp_path}/auto.db", tmp_path, cookie_secure="auto")
    )
    yield jejak
    jejak.close()


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("http://testserver", True),
        ("https://localhost", True),
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000", False),
    ],
)
def test_cookies_are_secure_outside_local_development(
    auto_cookies: Jejak, base_url: str, secure: bool
) -> None:
    with TestClient(create_app(jejak=auto_cookies), base_url=base_url) as client:
        cookies = client.get("/login").headers.get_list("set-cookie")
    (csrf,) = cookies
    assert csrf.startswith("csrftoken=") and "SameSite=Strict" in csrf
    assert ("; Secure" in csrf) is secure


def test_the_session_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    response = log_in_page(client, *SUP, follow_redirects=False)
    (session,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("jejak_")]
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert "Max-Age" not in session


def test_the_session_store_on_each_database(jejak: Jejak) -> None:
    clock = Clock()
    sessions = WebSessions(
        jejak.engine, idle=timedelta(minutes=30), lifetime=timedelta(hours=2), clock=clock
    )
    first = sessions.open("sup")
    second = sessions.open("sup")
    assert sessions.username(first) == "sup" and sessions.username("nonsense") is None
    assert sessions.revoke(first) and not sessions.revoke(first)
    assert sessions.username(first) is None and sessions.username(second) == "sup"
    clock.advance(timedelta(minutes=31))
    assert sessions.username(second) is None
    # Sessions that can no longer be used are forgotten when the next one opens.
    sessions.open("aud")
    with jejak.engine.connect() as conn:
        assert [r.username for r in conn.execute(select(web_sessions))] == ["aud"]
