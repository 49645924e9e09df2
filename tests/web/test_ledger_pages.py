"""Money as pages (issue 16): her payment history, the ledger and the funding page show what the
API answers for the same question, to the roles the API serves, her name masked for an auditor
until she reveals it for a reason; a unit's operator is refused where the API refuses."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from service.queries.read_models import ReadModels
from service.security.scope import of_account
from service.system import Jejak
from tests.conftest import log_in_page, page_csrf_token

CASE = "TRK-LU-0015"
UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RUNNING = re.compile(r'<td class="num running-total">(Rp [\d.]+)</td>')
POSITIONS = re.compile(r'<tr data-position="(\d+)">')


def _as(client: TestClient, username: str) -> None:
    password = {
        "auditor": "auditor-kaltara-2016",
        "supervisor": "supervisor-kaltara-2016",
        "operator": "operator-kaltara-2016",
        "operator.nunukan": "operator-nunukan-2016",
    }[username]
    assert log_in_page(client, username, password).status_code == 200


def _ids(jejak: Jejak) -> dict[str, str]:
    supervisor = jejak.accounts.get("supervisor")
    assert supervisor is not None
    reads = ReadModels.of(jejak, of_account(jejak.scopes, supervisor))
    return {
        "case": str(reads.beneficiaries.id_of_case(CASE)),
        "site": str(reads.sites.by_code("TRK-LU")["site_id"]),
    }


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _api(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_her_payment_history_shows_the_api_rows_and_running_total_her_name_masked(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    _as(demo_client, "auditor")
    api = _api(demo_client, f"/api/beneficiaries/{_ids(demo_app)['case']}/payments")
    page = demo_client.get(f"/cases/{CASE}/payments")
    assert page.status_code == 200
    assert UUID_SHAPE.search(page.text) is None
    assert [int(p) for p in POSITIONS.findall(page.text)] == [r["position"] for r in api["items"]]
    assert RUNNING.findall(page.text) == [
        _rupiah(r["paid_total_beneficiary"]) for r in api["items"]
    ]
    net = api["items"][-1]["paid_total_beneficiary"]
    assert f'<dd id="net-received">{_rupiah(net)}</dd>' in page.text
    # Masked as the API masks it for an auditor: initials, never her name.
    assert re.fullmatch(r"(\w\. ?)+", api["name"])
    assert f'<dd id="payee-name">{api["name"]}</dd>' in page.text
    assert 'href="/cases/TRK-LU-0015/payments.pdf"' in page.text
    assert 'href="/cases/TRK-LU-0015/payments.xlsx"' in page.text
    # The case page links here.
    assert f'href="/cases/{CASE}/payments"' in demo_client.get(f"/cases/{CASE}").text


def test_her_history_at_a_past_date_shows_that_day_and_says_so(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    _as(demo_client, "auditor")
    ident = _ids(demo_app)["case"]
    api = _api(demo_client, f"/api/beneficiaries/{ident}/payments", as_at="2018-12-31")
    page = demo_client.get(f"/cases/{CASE}/payments", params={"as_at": "2018-12-31"}).text
    assert 'class="past-cut"' in page
    assert [int(p) for p in POSITIONS.findall(page)] == [r["position"] for r in api["items"]]
    assert api["total"] < _api(demo_client, f"/api/beneficiaries/{ident}/payments")["total"]


def test_an_auditor_reveals_her_name_only_with_a_reason(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    _as(demo_client, "auditor")
    page = demo_client.get(f"/cases/{CASE}/payments").text
    token = page_csrf_token(page)
    refused = demo_client.post(
        f"/cases/{CASE}/payments/reveal", data={"csrftoken": token, "reason": ""}
    )
    assert refused.status_code == 422 and 'id="error-name"' in refused.text
    shown = demo_client.post(
        f"/cases/{CASE}/payments/reveal",
        data={"csrftoken": token, "reason": "Pemeriksaan LHP 2020 nomor 12"},
    )
    assert shown.status_code == 200
    supervisor_view = _api(demo_client, f"/api/beneficiaries/{_ids(demo_app)['case']}/payments")
    revealed = re.search(r'<dd id="payee-name"><strong>([^<]+)</strong>', shown.text)
    assert revealed is not None
    assert revealed.group(1) != supervisor_view["name"]  # the clear name, not the initials


def test_her_history_downloads_as_pdf_and_xlsx(demo_client: TestClient) -> None:
    _as(demo_client, "auditor")
    pdf = demo_client.get(f"/cases/{CASE}/payments.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = demo_client.get(f"/cases/{CASE}/payments.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert f"riwayat-pembayaran-{CASE}.xlsx" in xlsx.headers["content-disposition"]
    assert demo_client.get(f"/cases/{CASE}/payments.docx").status_code == 404


def test_the_ledger_filtered_by_site_and_component_is_the_api_answer(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    _as(demo_client, "auditor")
    site = _ids(demo_app)["site"]
    api = _api(demo_client, "/api/ledger", site_id=site, component="uep", limit=50)
    page = demo_client.get("/ledger", params={"site": "TRK-LU", "component": "uep"})
    assert page.status_code == 200
    assert UUID_SHAPE.search(page.text) is None
    assert f"{api['total']} baris buku besar" in page.text
    assert [int(p) for p in POSITIONS.findall(page.text)] == [r["position"] for r in api["items"]]
    # Filtered by site: each line's running total is the site's.
    assert RUNNING.findall(page.text) == [_rupiah(r["paid_total_site"]) for r in api["items"]]
    assert 'href="/ledger.xlsx?site=TRK-LU&amp;component=uep"' in page.text
    assert 'href="/ledger.csv?site=TRK-LU&amp;component=uep"' in page.text
    second = demo_client.get("/ledger", params={"site": "TRK-LU", "page": "2"}).text
    api_second = _api(demo_client, "/api/ledger", site_id=site, limit=50, offset=50)
    assert [int(p) for p in POSITIONS.findall(second)] == [
        r["position"] for r in api_second["items"]
    ]


def test_the_ledger_at_a_past_date_and_its_refused_filters(demo_client: TestClient) -> None:
    _as(demo_client, "supervisor")
    api = _api(demo_client, "/api/ledger", as_at="2018-12-31", limit=1)
    page = demo_client.get("/ledger", params={"as_at": "2018-12-31"}).text
    assert 'class="past-cut"' in page and f"{api['total']:,}".replace(",", ".") in page
    refused = demo_client.get("/ledger", params={"fiscal_year": "dua ribu", "from": "kemarin"})
    assert refused.status_code == 200
    assert 'id="l-year-refused"' in refused.text and 'id="l-from-refused"' in refused.text


def test_the_ledger_exports_keep_the_filters(demo_client: TestClient, demo_app: Jejak) -> None:
    _as(demo_client, "auditor")
    api = _api(demo_client, "/api/ledger", site_id=_ids(demo_app)["site"], component="uep")
    csv = demo_client.get("/ledger.csv", params={"site": "TRK-LU", "component": "uep"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == api["total"] + 1  # and its header
    xlsx = demo_client.get("/ledger.xlsx", params={"site": "TRK-LU"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_the_funding_page_shows_the_budget_as_the_api_and_the_decree_by_its_number(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "auditor")
    budget = _api(demo_client, "/api/budget")["items"]
    page = demo_client.get("/funding")
    assert page.status_code == 200 and UUID_SHAPE.search(page.text) is None
    for line in budget:
        assert _rupiah(line["committed"]) in page.text and _rupiah(line["credited"]) in page.text
    past = _api(demo_client, "/api/budget", as_at="2018-12-31")["items"]
    at_cut = demo_client.get("/funding", params={"as_at": "2018-12-31"}).text
    assert 'class="past-cut"' in at_cut
    assert at_cut.count('href="/funding/') == len(past) < len(budget)
    # An auditor reads; she is offered no form.
    assert 'data-command="commit_funds"' not in page.text
    assert 'href="/decrees/DEMO-SK-REHSOS-2018-117"' in page.text
    decree = demo_client.get("/decrees/DEMO-SK-REHSOS-2018-117")
    assert decree.status_code == 200
    assert "SK DEMO/SK/REHSOS/2018/117" in decree.text and "DEMO/SK/REHSOS/2019/031" in decree.text
    assert demo_client.get("/decrees/NO-SUCH-SK").status_code == 404


def test_a_supervisor_gets_the_funding_forms_and_a_refusal_next_to_the_field(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "supervisor")
    page = demo_client.get("/funding").text
    assert 'data-command="commit_funds"' in page
    commitment = demo_client.get("/funding/2019-apbn-dipa-027-04-1-2019-akun-573111")
    assert commitment.status_code == 200
    assert 'data-command="close_fiscal_year"' in commitment.text
    assert UUID_SHAPE.search(commitment.text) is None
    refused = demo_client.post(
        "/funding",
        data={
            "csrftoken": page_csrf_token(page),
            "idempotency_key": "ledger-page-test-commit-0001",
            "fiscal_year": "2020",
            "occurred_on": "2020-01-10",
        },
    )
    assert refused.status_code == 422
    assert 'id="s-commit-funds-f-budget-line-error"' in refused.text
    correction = demo_client.get(f"/cases/{CASE}/payments").text
    assert f'href="/cases/{CASE}/entitlements/uep-1/steps/request_money_correction"' in correction


def test_a_unit_operator_is_refused_the_programme_money_but_reads_her_history(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "operator")
    for path in ("/ledger", "/ledger.csv", "/funding", "/decrees/DEMO-SK-REHSOS-2018-117"):
        assert demo_client.get(path).status_code == 404, path
    home = demo_client.get("/").text
    assert 'href="/ledger"' not in home and 'href="/funding"' not in home
    # A case her unit holds: the API gives her history, so does the page.
    held = "TRK-JP-0003"
    page = demo_client.get(f"/cases/{held}/payments")
    assert page.status_code == 200 and "16 peristiwa uang" in page.text
    assert demo_client.get(f"/cases/{held}/payments.pdf").status_code == 200
    # No request form for a correction: supervisors only.
    assert "request_money_correction" not in page.text
    # Neither a case outside her unit.
    assert demo_client.get(f"/cases/{CASE}/payments").status_code == 404
    _as(demo_client, "operator.nunukan")
    assert demo_client.get(f"/cases/{held}/payments").status_code == 404
    assert demo_client.get(f"/cases/{held}/payments.xlsx").status_code == 404


def _form_fields(html: str, command: str) -> tuple[str, dict[str, str]]:
    form = re.search(
        rf'<form method="post" action="([^"]+)" class="step" data-command="{command}">(.*?)</form>',
        html,
        re.DOTALL,
    )
    assert form is not None, command
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    return form[1], hidden


DECREE_DOCUMENT = {
    "occurred_on": "2020-06-01",
    "document.kind": "decree",
    "document.number": "DEMO/SK/2020/009",
    "document.issued_on": "2020-06-01",
    "document.issuer": "Gubernur Kalimantan Utara",
}


def test_a_decree_form_names_women_by_case_number_and_is_refused_as_the_api_refuses(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "supervisor")
    page = demo_client.get("/decrees/new").text
    assert UUID_SHAPE.search(page) is None
    action, hidden = _form_fields(page, "issue_decree")
    assert action == "/decrees/new"
    decree = {
        **hidden,
        **DECREE_DOCUMENT,
        "authority": "Gubernur Kalimantan Utara",
        "number": "DEMO/SK/2020/009",
        "legal_basis": "Pergub Kaltara 1/2020",
    }
    unknown = demo_client.post(action, data={**decree, "lines": "TRK-XX-0001 uep 3.000.000"})
    assert unknown.status_code == 422
    assert 'id="s-issue-decree-f-lines-error"' in unknown.text and "INVALID_VALUE" in unknown.text
    # An excluded woman: the API's own rule refuses her, on the form.
    excluded = demo_client.post(
        action, data={**decree, "lines": "NNK-NT-0028 uep 3.000.000", "idempotency_key": "x" * 24}
    )
    assert excluded.status_code == 409 and "IDENTITY_NOT_VERIFIED" in excluded.text


def test_an_allocation_and_an_amendment_are_refused_next_to_their_fields(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "supervisor")
    commitment = demo_client.get("/funding/2019-apbn-dipa-027-04-1-2019-akun-573111").text
    action, hidden = _form_fields(commitment, "allocate_funds")
    nothing_waits = demo_client.post(
        action,
        data={**hidden, "decree_number": "DEMO/SK/REHSOS/2018/117", "occurred_on": "2019-12-01"},
    )
    assert nothing_waits.status_code == 422
    assert 'id="s-allocate-funds-f-decree-number-error"' in nothing_waits.text
    decree = demo_client.get("/decrees/DEMO-SK-REHSOS-2018-117").text
    action, hidden = _form_fields(decree, "amend_decree")
    assert action == "/decrees/DEMO-SK-REHSOS-2018-117/steps/amend_decree"
    paid = demo_client.post(
        action,
        data={
            **hidden,
            **DECREE_DOCUMENT,
            "amendment_number": "DEMO/SK/2020/010",
            "changed": "TRK-LU-0015 uep 3.500.000",
        },
    )
    # Her UEP was paid and receipted: the amount no longer changes.
    assert paid.status_code == 409 and "TRANSITION_NOT_ALLOWED" in paid.text


def test_an_auditor_is_offered_no_funding_form_and_cannot_post_one(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "auditor")
    decree = demo_client.get("/decrees/DEMO-SK-REHSOS-2018-117").text
    assert 'class="step"' not in decree and 'href="/decrees/new"' not in (
        demo_client.get("/funding").text
    )
    assert demo_client.get("/decrees/new").status_code == 404
    token = page_csrf_token(decree)
    refused = demo_client.post("/decrees/new", data={"csrftoken": token})
    assert refused.status_code == 404
    refused = demo_client.post(
        "/funding/2019-apbn-dipa-027-04-1-2019-akun-573111/steps/close_fiscal_year",
        data={"csrftoken": token, "occurred_on": "2020-01-02"},
    )
    assert refused.status_code == 404


def test_a_rebudgeting_names_the_lapsed_commitment_by_year_and_budget_line(
    demo_client: TestClient,
) -> None:
    _as(demo_client, "supervisor")
    page = demo_client.get("/funding").text
    action, hidden = _form_fields(page, "commit_funds")
    unknown = demo_client.post(
        action,
        data={
            **hidden,
            "fiscal_year": "2020",
            "source": "apbn",
            "budget_line": "DIPA-027.04.1.2020 akun 573111",
            "funder": "Kementerian Sosial RI",
            "amount": "100.000.000",
            "rebudgeted_from": "2017 DIPA-027.04.1.2017 akun 573111",
            "occurred_on": "2020-01-06",
            "document.kind": "dipa",
            "document.number": "DIPA-027.04.1.2020",
            "document.issued_on": "2020-01-06",
            "document.issuer": "Kementerian Keuangan",
        },
    )
    assert unknown.status_code == 422
    assert 'id="s-commit-funds-f-rebudgeted-from-error"' in unknown.text
    assert "2017 DIPA-027.04.1.2017" in unknown.text  # what was typed, kept
