"""The worklist and search pages over HTTP: what a unit's operator sees, how the filters narrow
it, where the rows lead, and the day the demo is shown as at (ADR 0050)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from service.web.worklist import WorklistFilter, page_of_work
from tests.conftest import log_in_page, page_csrf_token

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
ROW_LINK = re.compile(r'<td data-label="[^"]*"><a href="([^"]+)">([^<]+)</a>')


def logged_in(client: TestClient, username: str, password: str) -> TestClient:
    assert log_in_page(client, username, password).status_code == 200
    return client


def row_links(html: str) -> list[tuple[str, str]]:
    return ROW_LINK.findall(html)


def test_a_unit_operator_sees_only_its_own_sites_work(demo_client: TestClient) -> None:
    client = logged_in(demo_client, "operator.nunukan", "operator-nunukan-2016")
    page = client.get("/worklist")
    assert page.status_code == 200
    html = page.text
    links = row_links(html)
    assert links, "the worklist shows no rows"
    assert all(label.startswith("NNK-NT") for _, label in links)
    assert ("/sites/NNK-NT", "NNK-NT") in links
    # A case's row leads to her case by its number.
    assert all(href == f"/cases/{label}" for href, label in links if label != "NNK-NT")
    # The site filter offers the sites the viewer sees, and no other.
    assert 'value="NNK-NT"' in html and 'value="TRK-JP"' not in html
    assert UUID.search(html) is None
    # The banner names the day the demo is shown as at, and the worklist judges on it.
    assert "Data demo ditampilkan per 30 Juni 2020" in html
    assert 'name="as_of" value="2020-06-30"' in html
    # Navigation to every part of the workspace, the current one marked.
    assert 'href="/worklist" aria-current="page"' in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_filters_narrow_the_list(demo_client: TestClient) -> None:
    client = logged_in(demo_client, "supervisor", "supervisor-kaltara-2016")
    everything = client.get("/worklist").text
    assert "/sites/TRK-JP" in everything and "/sites/NNK-NT" in everything
    one_site = row_links(client.get("/worklist", params={"site": "TRK-LU"}).text)
    assert one_site and all(label.startswith("TRK-LU") for _, label in one_site)
    sites_only = row_links(client.get("/worklist", params={"kind": "site"}).text)
    assert sorted(label for _, label in sites_only) == ["NNK-NT", "TRK-JP", "TRK-LU"]
    overdue = client.get("/worklist", params={"due": "overdue", "kind": "beneficiary"}).text
    assert "Tidak ada tugas yang sesuai" in overdue  # as at 30 June 2020 no case is late
    later = client.get(
        "/worklist", params={"due": "overdue", "kind": "beneficiary", "as_of": "2020-12-31"}
    ).text
    assert row_links(later) and "Tenggat dinilai per tanggal" in later
    returned = client.get("/worklist", params={"state": "beneficiary.RETURNED"}).text
    assert row_links(returned) and "Menetap di daerah setempat" not in returned.split("<tbody>")[1]
    # An entitlement's row leads to the case of the woman it is owed to.
    owed = row_links(client.get("/worklist", params={"kind": "entitlement"}).text)
    assert owed and all(href.startswith("/cases/") for href, _ in owed)
    # A site the viewer does not see, or an unusable day, still answers a page.
    assert not row_links(client.get("/worklist", params={"site": "XXX-YY"}).text)
    refused = client.get("/worklist", params={"as_of": "1900-01-01"})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.text


def test_the_list_is_paged_with_its_filters_kept(demo_client: TestClient) -> None:
    client = logged_in(demo_client, "supervisor", "supervisor-kaltara-2016")
    first = client.get("/worklist", params={"kind": "entitlement"}).text
    assert "Halaman 1 dari" in first
    following = re.search(r'rel="next" href="([^"]+)"', first)
    assert following and following.group(1) == "/worklist?kind=entitlement&amp;page=2"
    second = client.get("/worklist", params={"kind": "entitlement", "page": "2"}).text
    assert 'rel="prev" href="/worklist?kind=entitlement"' in second
    assert row_links(second) != row_links(first)


def test_the_dashboard_links_its_overdue_work_and_fits_its_day(demo_client: TestClient) -> None:
    client = logged_in(demo_client, "supervisor", "supervisor-kaltara-2016")
    html = client.get("/").text
    assert "Per tanggal 30 Juni 2020" in html
    assert 'href="/worklist?due=overdue"' in html
    assert "/sites/NNK-NT" in html
    assert UUID.search(html) is None


def test_search_by_case_number_and_by_name_for_the_roles_that_may(
    demo_client: TestClient,
) -> None:
    client = logged_in(demo_client, "operator.nunukan", "operator-nunukan-2016")
    found = client.get("/search", params={"case_number": "nnk-nt-000"}).text
    assert 'href="/cases/NNK-NT-0001"' in found
    # Scoped as the API's search: another unit's cases are not found.
    assert "Kasus ditemukan: 0" in client.get("/search", params={"case_number": "TRK"}).text
    refused = client.get("/search", params={"case_number": "!!"})
    assert refused.status_code == 200 and 'id="s-case-refused"' in refused.text
    name = re.search(r"NNK-NT-0001</a></td><td>[^<]*</td><td>[^<]*</td><td>([^<]+)</td>", found)
    assert name and name.group(1).startswith("Contoh")
    by_name = client.post(
        "/search",
        data={"csrftoken": page_csrf_token(client.get("/search").text), "name": name.group(1)},
    )
    assert by_name.status_code == 200 and 'href="/cases/NNK-NT-0001"' in by_name.text
    assert UUID.search(by_name.text) is None


def test_an_auditor_searches_by_number_only(demo_client: TestClient) -> None:
    client = logged_in(demo_client, "auditor", "auditor-kaltara-2016")
    page = client.get("/search").text
    assert 'name="name"' not in page
    refused = client.post(
        "/search", data={"csrftoken": page_csrf_token(page), "name": "Contoh Siti"}
    )
    assert refused.status_code == 403
    assert "tidak boleh mencari berdasarkan nama" in refused.text


def test_a_page_asks_for_a_login_first(demo_client: TestClient) -> None:
    answer = demo_client.get("/worklist", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/worklist"


def test_a_filter_keeps_what_it_understands() -> None:
    day = date(2020, 6, 30)
    chosen = WorklistFilter.read({"state": "site.MONITORED", "due": "soon", "page": "x"}, day)
    assert (chosen.kind, chosen.state, chosen.due, chosen.page) == ("site", "MONITORED", "", 1)
    assert chosen.query_string(2, day) == "state=site.MONITORED&page=2"
    assert (
        page_of_work({"subject_kind": "batch", "label": "DEMO-2019-01"}) == "/batches/DEMO-2019-01"
    )
    assert page_of_work({"subject_kind": "audit_finding", "label": "T-1"}) is None
