"""Units, assignments and the grants' history over HTTP, through the real app (ADR 0045)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.recording import Actor, Provenance, Role
from domain.units import UnitInfo, UnitKind
from service.provenance import today_wita
from tests.e2e.conftest import login, system_of

SET_UP = "2016-01-04"
LETTER = {
    "kind": "surat",
    "number": "ST/45/BPK/2019",
    "issued_on": "2019-06-28",
    "issuer": "BPK Perwakilan Kaltara",
}


def unit(code: str, kind: str, region: str) -> dict[str, Any]:
    return {
        "occurred_on": SET_UP,
        "code": code,
        "name": code.title(),
        "kind": kind,
        "region": region,
    }


def test_administrators_set_up_units_and_everyone_lists_them(client: TestClient) -> None:
    created = client.post(
        "/api/units", json=unit("DINSOS-TARAKAN", "regency", "65.71"), headers=login(client, "adm")
    )
    refused = client.post(
        "/api/units", json=unit("DINSOS-NUNUKAN", "regency", "65.03"), headers=login(client, "sup")
    )
    bad = client.post(
        "/api/units",
        json=unit("DINSOS-NUNUKAN", "regency", "Nunukan"),
        headers=login(client, "adm"),
    )

    assert created.status_code == 201, created.text
    assert refused.status_code == 403
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "region"
    listed = client.get(
        "/api/units", params={"after": created.json()["position"]}, headers=login(client, "opi")
    )
    assert listed.status_code == 200
    assert [u["code"] for u in listed.json()["items"]] == ["DINSOS-TARAKAN"]


def test_an_assignment_over_http_gives_its_examiner_units_and_the_history_shows_it(
    client: TestClient,
) -> None:
    jejak = system_of(client)
    admin = Provenance(Actor("adm", Role.ADMIN, "-"), date(2016, 1, 4))
    for info in (
        UnitInfo("DINSOS-TARAKAN", "Dinsos Tarakan", UnitKind.REGENCY, "65.71"),
        UnitInfo("BPK-KALTARA", "BPK Kaltara", UnitKind.AUDIT_BODY, "65"),
    ):
        jejak.app.units.establish_unit(info, provenance=admin)
    # "aud" was opened today with the free text of a store without units: moved to its unit.
    jejak.accounts.set_unit("aud", "BPK-KALTARA", provenance=Provenance(admin.actor, today_wita()))
    body = {
        "occurred_on": "2019-06-28",
        "document": LETTER,
        "auditor": "aud",
        "units": ["DINSOS-TARAKAN"],
        "valid_from": "2019-07-01",
        "valid_until": "2019-09-30",
    }

    unknown_unit = client.post(
        "/api/assignments",
        json={**body, "units": ["DINSOS-BULUNGAN"]},
        headers=login(client, "adm"),
    )
    not_an_auditor = client.post(
        "/api/assignments", json={**body, "auditor": "opi"}, headers=login(client, "adm")
    )
    given = client.post("/api/assignments", json=body, headers=login(client, "adm"))

    assert unknown_unit.status_code == 422
    assert unknown_unit.json()["error"]["code"] == "UNIT_UNKNOWN"
    assert not_an_auditor.status_code == 409
    assert not_an_auditor.json()["error"]["code"] == "ASSIGNEE_NOT_AUDITOR"
    assert given.status_code == 201, given.text
    after = {"after": given.json()["position"]}

    history = client.get("/api/accounts/aud/history", params=after, headers=login(client, "dpo"))
    assert history.status_code == 200, history.text
    assert [g["unit"] for g in history.json()["grants"]][-1] == "BPK-KALTARA"
    (assignment,) = history.json()["assignments"]
    assert assignment["units"] == ["DINSOS-TARAKAN"]
    assert assignment["letter_number"] == "ST/45/BPK/2019"
    assert client.get("/api/accounts/aud/history", headers=login(client, "opi")).status_code == 403

    withdrawn = client.post(
        "/api/assignments/withdrawals",
        json={"occurred_on": "2019-08-15", "auditor": "aud", "letter_number": "ST/45/BPK/2019"},
        headers=login(client, "adm"),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    listed = client.get(
        "/api/assignments",
        params={"after": withdrawn.json()["position"], "auditor": "aud"},
        headers=login(client, "aud"),
    )
    assert listed.json()["items"][0]["withdrawn_on"] == "2019-08-15"


def test_who_could_is_asked_by_command_place_and_day(client: TestClient) -> None:
    jejak = system_of(client)
    admin = Provenance(Actor("adm", Role.ADMIN, "-"), date(2016, 1, 4))
    jejak.app.units.establish_unit(
        UnitInfo("DINSOS-TARAKAN", "Dinsos Tarakan", UnitKind.REGENCY, "65.71"), provenance=admin
    )
    jejak.app.units.establish_unit(
        UnitInfo("DINSOS-NUNUKAN", "Dinsos Nunukan", UnitKind.REGENCY, "65.03"), provenance=admin
    )
    for username, home in (("spv.t", "DINSOS-TARAKAN"), ("spv.n", "DINSOS-NUNUKAN")):
        jejak.accounts.create(
            username, "a long passphrase", Role.SUPERVISOR, home, username, provenance=admin
        )
    jejak.accounts.set_unit(
        "spv.t", "DINSOS-NUNUKAN", provenance=Provenance(admin.actor, date(2019, 9, 1))
    )
    jejak.runner.catch_up()

    def ask(**params: str) -> Any:
        return client.get("/api/grants/who-could", params=params, headers=login(client, "aud"))

    august = ask(command="approve_batch", unit="DINSOS-TARAKAN", on="2019-08-01")
    september = ask(command="approve_batch", region="65.71", on="2019-09-01")
    nunukan = ask(command="approve_batch", unit="DINSOS-NUNUKAN", on="2019-09-01")

    assert august.status_code == 200, august.text
    assert [h["username"] for h in august.json()["items"]] == ["spv.t"]
    assert september.json()["unit"] == "DINSOS-TARAKAN"
    assert september.json()["items"] == []
    assert [h["username"] for h in nunukan.json()["items"]] == ["spv.n", "spv.t"]
    unknown = ask(command="approve_everything", unit="DINSOS-TARAKAN")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "COMMAND_UNKNOWN"
    nowhere = ask(command="approve_batch", unit="DINSOS-BULUNGAN")
    assert nowhere.status_code == 422 and nowhere.json()["error"]["code"] == "UNIT_UNKNOWN"
    forbidden = client.get(
        "/api/grants/who-could",
        params={"command": "approve_batch", "unit": "DINSOS-TARAKAN"},
        headers=login(client, "sup"),
    )
    assert forbidden.status_code == 403
