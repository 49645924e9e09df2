"""A site's and a case's page as at a past business date (issue 16 point 3): her or its state
and history as they stood then, under the banner, for the roles the aggregate API serves."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from fastapi.testclient import TestClient

from service.queries.time_travel import aggregate_at
from service.system import Jejak
from tests.conftest import log_in_page

BANNER = re.compile(r'<p class="past-cut" role="note">(.*?)</p>', re.DOTALL)
STATE = re.compile(r'<dd id="(?:site|case)-state">([^<]*)</dd>')
EVENTS = re.compile(r'<li data-event="([^"]+)">')


def test_a_case_as_at_a_date_shows_her_state_and_history_then(
    demo_client: TestClient,
) -> None:
    assert log_in_page(demo_client, "auditor", "auditor-kaltara-2016").status_code == 200
    today = demo_client.get("/cases/TRK-JP-0004").text
    page = demo_client.get("/cases/TRK-JP-0004", params={"as_at": "2019-05-01"}).text
    assert BANNER.search(page) is not None and BANNER.search(today) is None
    assert "1 Mei 2019" in BANNER.search(page).group(1)  # type: ignore[union-attr]
    assert "Status saat itu" in page and 'name="known_at"' not in page
    assert STATE.search(page).group(1) == "Tidak menyelesaikan pelatihan"  # type: ignore[union-attr]
    assert STATE.search(today).group(1) != STATE.search(page).group(1)  # type: ignore[union-attr]
    then, now = EVENTS.findall(page), EVENTS.findall(today)
    assert 0 < len(then) < len(now) and now[: len(then)] == then
    # Today's steps and her data are not shown as if they were then's.
    assert 'id="personal"' not in page and 'id="past-note"' in page
    assert 'id="personal"' in today


def test_a_site_as_at_a_date_matches_the_time_travel_api(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    sites = demo_client.get("/api/sites").json()["items"]
    site = next(s for s in sites if s["code"] == "TRK-JP")
    past = aggregate_at(demo_app, UUID(site["site_id"]), version=None, as_at=date(2018, 6, 30))
    page = demo_client.get("/sites/TRK-JP", params={"as_at": "2018-06-30"}).text
    assert len(EVENTS.findall(page)) == past.version
    assert 'id="cases"' not in page
    before = demo_client.get("/sites/TRK-JP", params={"as_at": "2015-01-01"}).text
    assert STATE.search(before).group(1) == "belum terdata"  # type: ignore[union-attr]
    assert EVENTS.findall(before) == []


def test_a_unit_operator_gets_no_date_control_on_a_case(demo_client: TestClient) -> None:
    assert log_in_page(demo_client, "operator", "operator-kaltara-2016").status_code == 200
    page = demo_client.get("/cases/TRK-JP-0004", params={"as_at": "2019-05-01"}).text
    assert 'name="as_at"' not in page and BANNER.search(page) is None
    assert 'id="personal"' in page
