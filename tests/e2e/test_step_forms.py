"""The steps' forms through HTTP, as a browser sends them (ADR 0051): built from the command's
input model, converted once by that model, refusals told next to their field in Indonesian,
the version a page was built on and an idempotency key on every form."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from domain.identity import Sex, make_nik
from projections.beneficiary_status import beneficiary_status
from projections.site_status import site_status
from tests.conftest import log_in_page, page_csrf_token
from tests.e2e.conftest import login, system_of

NIK = make_nik("657104", date(1990, 4, 5), Sex.FEMALE, 9301)
WEB_LIFECYCLES = {"Site", "Beneficiary"}
SITE = {
    "code": "TRK-KB",
    "name": "Kampung Baru",
    "kelurahan.scheme": "kemendagri",
    "kelurahan.code": "65.71.01.1001",
    "headcount_at_pendataan": "12",
    "occurred_on": "2016-03-01",
}


def form_of(html: str, command: str) -> dict[str, str]:
    """The hidden fields of the form of `command` on a page: what a browser sends back."""
    form = re.search(rf'<form[^>]*data-command="{command}".*?</form>', html, re.S)
    assert form, f"no form for {command}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def submit(client: TestClient, path: str, command: str, data: dict[str, str]) -> Response:
    page = client.get(path)
    assert page.status_code == 200, page.text
    sent: Response = client.post(
        path, data={**form_of(page.text, command), **data}, follow_redirects=False
    )
    return sent


def test_an_officer_registers_a_site_and_a_woman_and_is_refused_by_field(
    client: TestClient,
) -> None:
    assert log_in_page(client, "sup", "supervisor-password-1").status_code in (200, 303)
    page = client.get("/sites/new")
    assert page.status_code == 200
    assert "Kode lokasi" in page.text and "field." not in page.text
    created = submit(client, "/sites/new", "register_site", SITE)
    assert created.status_code == 303, created.text
    assert created.headers["location"].startswith("/sites/TRK-KB?after=")

    step = "/sites/TRK-KB/steps/register_beneficiary"
    elsewhere = submit(
        client,
        step,
        "register_beneficiary",
        {"case_number": "TRK-JP-0999", "name": "Ibu Contoh", "occurred_on": "2016-03-01"},
    )
    assert elsewhere.status_code == 422
    case_field = re.search(r'<div class="field invalid">.*?</div>', elsewhere.text, re.S)
    assert case_field and 'name="case_number"' in case_field.group(0)
    assert "harus diawali kode lokasi ini, TRK-KB" in case_field.group(0)
    assert "CASE_NUMBER_OF_ANOTHER_SITE" in case_field.group(0)
    registered = submit(
        client,
        step,
        "register_beneficiary",
        {"case_number": "TRK-KB-0001", "name": "Ibu Contoh", "occurred_on": "2016-03-01"},
    )
    assert registered.status_code == 303, registered.text
    assert registered.headers["location"].startswith("/cases/TRK-KB-0001?after=")
    jejak = system_of(client)
    jejak.runner.catch_up()

    verify = "/cases/TRK-KB-0001/steps/verify_identity"
    identity = {"birth_date": "1990-04-05", "sex": "F", "occurred_on": "2016-03-02"}
    versions_before = len(jejak.app.history(case_id(client, "TRK-KB-0001")))
    refused = submit(client, verify, "verify_identity", {**identity, "nik": "1234"})
    assert refused.status_code == 422
    nik_field = re.search(r'<div class="field invalid">.*?</div>', refused.text, re.S)
    assert nik_field and 'name="nik"' in nik_field.group(0)
    assert "NIK tidak sah" in nik_field.group(0) and "NIK_INVALID" in nik_field.group(0)
    assert len(jejak.app.history(case_id(client, "TRK-KB-0001"))) == versions_before

    # The refused form comes back holding what was typed, with the same idempotency key.
    again = {**form_of(refused.text, "verify_identity"), **identity, "nik": NIK}
    first = client.post(verify, data=again, follow_redirects=False)
    assert first.status_code == 303, first.text
    # A double click: the same form sent twice writes once and answers the same.
    second = client.post(verify, data=again, follow_redirects=False)
    assert second.status_code == 303 and second.headers["location"] == first.headers["location"]
    assert len(jejak.app.history(case_id(client, "TRK-KB-0001"))) == versions_before + 1


def test_a_page_left_open_while_someone_else_acted_is_told_who(client: TestClient) -> None:
    log_in_page(client, "sup", "supervisor-password-1")
    submit(client, "/sites/new", "register_site", SITE)
    stale = client.get("/sites/TRK-KB/steps/hold_sosialisasi").text
    sosialisasi = {"venue": "Balai RT 3", "attendance": "30", "occurred_on": "2016-03-05"}
    # Another supervisor records a sosialisasi meanwhile, through the API.
    jejak = system_of(client)
    with jejak.engine.connect() as conn:
        site_id = conn.execute(
            select(site_status.c.site_id).where(site_status.c.code == "TRK-KB")
        ).scalar_one()
    other = client.post(
        f"/api/sites/{site_id}/sosialisasi",
        json={"venue": "Balai", "attendance": 20, "occurred_on": "2016-03-04"},
        headers=login(client, "sup2"),
    )
    assert other.status_code == 201, other.text
    late = client.post(
        "/sites/TRK-KB/steps/hold_sosialisasi",
        data={**form_of(stale, "hold_sosialisasi"), **sosialisasi},
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "telah diubah oleh sup2" in late.text
    # The form now carries the version stored, so deciding again is possible.
    assert form_of(late.text, "hold_sosialisasi")["expected_version"] == "2"


def test_every_form_field_of_the_programme_teams_steps_is_labelled_in_both_languages(
    client: TestClient,
) -> None:
    from service.i18n import translations
    from service.web.actions import command_routes
    from service.web.forms import label_keys

    routes = command_routes(client.app)  # type: ignore[arg-type]
    wanted = {
        key
        for (aggregate, _), route in routes.items()
        if aggregate in WEB_LIFECYCLES
        for key in label_keys(route.model)
    }
    assert len(wanted) > 60
    for language in ("id", "en"):
        missing = sorted(k for k in wanted if translations(language).gettext(k) == k)
        assert missing == [], language


def case_id(client: TestClient, case_number: str) -> UUID:
    jejak = system_of(client)
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        found = conn.execute(
            select(beneficiary_status.c.beneficiary_id).where(
                beneficiary_status.c.case_number == case_number
            )
        ).scalar_one()
    return UUID(found)


def test_a_role_the_declaration_does_not_name_gets_no_form_and_cannot_post_one(
    client: TestClient,
) -> None:
    log_in_page(client, "sup", "supervisor-password-1")
    submit(client, "/sites/new", "register_site", SITE)
    client.cookies.clear()
    log_in_page(client, "aud", "auditor-password-1")
    jejak = system_of(client)
    before = jejak.app.position()
    # An examiner reads; she takes no programme step, by any door.
    for path in ("/sites/new", "/sites/TRK-KB/steps/hold_sosialisasi"):
        assert client.get(path).status_code == 404
    token = page_csrf_token(client.get("/login").text)
    posted = client.post(
        "/sites/TRK-KB/steps/hold_sosialisasi",
        data={
            "csrftoken": token,
            "idempotency_key": "k-1",
            "venue": "Balai",
            "attendance": "5",
            "occurred_on": "2016-03-05",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 404
    assert jejak.app.position() == before
