"""The data-protection workspace, `/privacy`: its registers for the data-protection officer
and the supervisors, in the menu of those who read it, refused to the other roles."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import log_in_page

ACCOUNTS = {
    "dpo": "dpo-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "operator": "operator-kaltara-2016",
    "auditor": "auditor-kaltara-2016",
    "admin": "admin-kaltara-2016",
}
REGISTERS = (
    "/privacy/requests",
    "/privacy/erasures",
    "/privacy/breaches",
    "/privacy/retention",
    "/privacy/processing",
)


@pytest.mark.parametrize("username", ["dpo", "supervisor"])
def test_the_officers_find_every_register(demo_client: TestClient, username: str) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    page = demo_client.get("/privacy")

    assert page.status_code == 200
    assert "<h2>Pelindungan Data</h2>" in page.text
    assert re.search(r'<a href="/privacy" aria-current="page">Pelindungan Data</a>', page.text)
    assert [link for link in REGISTERS if f'href="{link}"' in page.text] == list(REGISTERS)
    assert "Register kegagalan pelindungan data" in page.text


@pytest.mark.parametrize("username", ["operator", "auditor", "admin"])
def test_the_other_roles_are_refused_and_see_no_link(
    demo_client: TestClient, username: str
) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    assert demo_client.get("/privacy").status_code == 403
    assert 'href="/privacy"' not in demo_client.get("/").text


def test_a_visitor_is_sent_to_log_in(demo_client: TestClient) -> None:
    answer = demo_client.get("/privacy", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/privacy"
