"""A page at a past cut (issue 16): the dashboard as at a business date and as known at a log
position, with a banner no one can miss, and a control only for the roles the API's time
travel serves."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import log_in_page

BANNER = re.compile(r'<p class="past-cut" role="note">(.*?)</p>', re.DOTALL)
TOTAL_CREDITED = re.compile(r"<tfoot>.*?(Rp [\d.]+)</th></tr></tfoot>", re.DOTALL)


def test_the_dashboard_as_at_a_past_date_says_so_and_shows_that_day(
    demo_client: TestClient,
) -> None:
    assert log_in_page(demo_client, "auditor", "auditor-kaltara-2016").status_code == 200
    today = demo_client.get("/").text
    assert BANNER.search(today) is None
    past = demo_client.get("/", params={"as_at": "2018-12-31"}).text
    banner = BANNER.search(past)
    assert banner is not None
    assert "31 Desember 2018" in banner.group(1) and "Kembali ke hari ini" in banner.group(1)
    # No money had been credited by the end of 2018; by mid-2020 it had.
    assert TOTAL_CREDITED.findall(past) == ["Rp 0"]
    assert TOTAL_CREDITED.findall(today) != ["Rp 0"]
    known = demo_client.get("/", params={"known_at": "10"}).text
    assert "posisi log 10" in BANNER.search(known).group(1)  # type: ignore[union-attr]


def test_a_cut_the_page_cannot_use_is_refused_next_to_its_field(
    demo_client: TestClient,
) -> None:
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    page = demo_client.get("/", params={"as_at": "31/12/2018", "known_at": "kemarin"}).text
    assert BANNER.search(page) is None
    assert 'id="cut-as-at-refused"' in page and 'id="cut-known-at-refused"' in page
    assert 'value="31/12/2018"' in page


def test_a_unit_operator_gets_no_cut_control(demo_client: TestClient) -> None:
    assert log_in_page(demo_client, "operator", "operator-kaltara-2016").status_code == 200
    page = demo_client.get("/", params={"as_at": "2018-12-31"}).text
    assert 'name="as_at"' not in page and BANNER.search(page) is None
