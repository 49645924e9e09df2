"""Facts dated out of order through HTTP (issue 12, point 4).

Each reproduction was accepted with 201; the first then broke the dashboard as at a past date
for every user. Within one record a step dated before the step it follows is now refused with
both dates named, and the views answer for a log an older release already wrote out of order.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store
from tests.contract.journey import KELURAHAN, OPERATOR, by
from tests.domain.givens import older_release
from tests.e2e.conftest import login, system_of
from tests.e2e.test_corrections_http import CORRECTION
from tests.e2e.test_http import NIK, SITE, closed_site, doc, post, returned_beneficiary
from tests.e2e.test_money_http import funded_grant

LATE_CODE, LATE_NAME = "NNK-TG", "Nunukan Tengah"
LATE_SITE = {**SITE, "occurred_on": "2026-03-01", "code": LATE_CODE, "name": LATE_NAME}


def ancient_sosialisasi() -> dict[str, Any]:
    # Years before the pendataan, yet within the dates a business date may take (1900-01-01,
    # the issue's own example, is refused sooner: 422 for a date out of range, ADR 0033).
    return {
        "occurred_on": "1950-01-01",
        "venue": "Balai",
        "attendance": 5,
        "document": doc("notulen", "1950-01-01"),
    }


def test_a_sosialisasi_dated_before_the_sites_pendataan_is_refused_naming_both_dates(
    store_client: TestClient,
) -> None:
    site = post(store_client, "opi", "/api/sites", LATE_SITE)["id"]

    refused = post(
        store_client, "opi", f"/api/sites/{site}/sosialisasi", ancient_sosialisasi(), 409
    )

    error = refused["error"]
    assert (error["code"], error["field"]) == ("DATED_BEFORE_PREVIOUS_STEP", "occurred_on")
    assert "1950-01-01" in error["message"] and "2026-03-01" in error["message"]
    board = store_client.get(
        "/api/time-travel/dashboard?as_at=2019-12-31", headers=login(store_client, "aud")
    )
    assert board.status_code == 200, board.text


def test_the_dashboard_as_at_a_date_answers_for_a_sosialisasi_an_older_release_let_in(
    store_client: TestClient,
) -> None:
    jejak = system_of(store_client)
    site = post(store_client, "opi", "/api/sites", LATE_SITE)["id"]
    older_release_records_an_ancient_sosialisasi(jejak, site)
    jejak.runner.catch_up()

    for user in ("sup", "aud", "adm"):
        board = store_client.get(
            "/api/time-travel/dashboard?as_at=2019-12-31", headers=login(store_client, user)
        )
        assert board.status_code == 200, board.text
        assert board.json()["sites"] == []  # not registered yet on that date
    rows = store_client.get(
        "/api/time-travel/read-models/site_status?as_at=2019-12-31",
        headers=login(store_client, "aud"),
    )
    assert rows.status_code == 200 and rows.json()["rows"] == []


def test_jejak_status_as_at_a_date_answers_for_that_sosialisasi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = cli_store(tmp_path, monkeypatch, "unused-password")
    jejak = Jejak.start(settings)
    try:
        site = jejak.app.sites.register_site(
            code=LATE_CODE,
            name=LATE_NAME,
            aliases=[],
            kelurahan=KELURAHAN,
            headcount_at_pendataan=39,
            provenance=by(OPERATOR, date(2026, 3, 1)),
        ).aggregate_id
        older_release_records_an_ancient_sosialisasi(jejak, str(site))
    finally:
        jejak.close()

    status = CliRunner().invoke(cli, ["status", "--as-at", "2019-12-31"])

    assert status.exit_code == 0, status.output
    assert "NNK-TG" not in status.output


def older_release_records_an_ancient_sosialisasi(jejak: Jejak, site_id: str) -> None:
    """The reproduction's sosialisasi, recorded as a release without the order of dates did."""
    with older_release():
        jejak.app.sites.hold_sosialisasi(
            UUID(site_id),
            venue="Balai",
            attendance=5,
            facilitators=[],
            provenance=by(OPERATOR, date(1900, 1, 1), "notulen"),
        )


def departed_beneficiary(client: TestClient, departure: str) -> str:
    """A woman at a closed site, sent to training on `departure`."""
    site = closed_site(client)
    b = post(
        client,
        "opi",
        f"/api/sites/{site}/beneficiaries",
        {"occurred_on": "2016-03-20", "case_number": "TRK-JP-0009", "name": "Contoh Sembilan"},
    )["id"]
    base = f"/api/beneficiaries/{b}"
    post(
        client,
        "opi",
        f"{base}/identity-verification",
        {"occurred_on": "2025-11-20", "nik": NIK, "birth_date": "1990-04-05", "sex": "F"},
    )
    post(
        client,
        "opi",
        f"{base}/assessment",
        {
            "occurred_on": "2026-01-05",
            "home_region": {"code": "35.78.06.1004"},
            "path": "return_home",
            "document": doc("surat_keterangan", "2026-01-05"),
        },
    )
    post(client, "opi", f"{base}/training-departure", {"occurred_on": departure})
    return str(b)


def test_a_return_home_dated_before_the_training_departure_is_refused(
    client: TestClient,
) -> None:
    b = departed_beneficiary(client, "2026-02-01")
    base = f"/api/beneficiaries/{b}"
    # The way there: her training, too, was accepted as ending before it began.
    completion = {"occurred_on": "2026-01-10", "skill": "menjahit"}
    before_departure = post(client, "opi", f"{base}/training-completion", completion, 409)
    post(client, "opi", f"{base}/training-completion", {**completion, "occurred_on": "2026-02-01"})

    refused = post(
        client,
        "opi",
        f"{base}/return-home",
        {
            "occurred_on": "2026-01-15",
            "confirming_kelurahan": {"code": "35.78.06.1004"},
            "document": doc("surat_tiba", "2026-01-15"),
        },
        409,
    )

    for answer, dated in ((before_departure, "2026-01-10"), (refused, "2026-01-15")):
        error = answer["error"]
        assert error["code"] == "DATED_BEFORE_PREVIOUS_STEP"
        assert dated in error["message"] and "2026-02-01" in error["message"]
    assert "SentToTraining" in before_departure["error"]["message"]
    history = client.get(f"{base}/history", headers=login(client, "sup"))
    assert "ReturnedHome" not in history.text


def test_a_batch_approval_dated_the_day_before_the_batch_is_refused(client: TestClient) -> None:
    _, entitlement = funded_grant(client)
    batch = post(
        client,
        "sup",
        "/api/payment-batches",
        {"occurred_on": "2019-08-01", "batch_number": "B2019-09", "entitlement_ids": [entitlement]},
    )["id"]

    refused = post(
        client, "sup2", f"/api/payment-batches/{batch}/approval", {"occurred_on": "2019-07-31"}, 409
    )

    error = refused["error"]
    assert error["code"] == "DATED_BEFORE_PREVIOUS_STEP"
    assert "2019-07-31" in error["message"] and "2019-08-01" in error["message"]
    post(client, "sup2", f"/api/payment-batches/{batch}/approval", {"occurred_on": "2019-08-01"})


def test_a_woman_registered_after_her_sites_closure_is_accepted_and_raised_by_a26(
    store_client: TestClient,
) -> None:
    site = closed_site(store_client)
    late = post(
        store_client,
        "opi",
        f"/api/sites/{site}/beneficiaries",
        {"occurred_on": "2019-01-15", "case_number": "TRK-JP-0100", "name": "Contoh Terlambat"},
    )

    listed = store_client.get(
        "/api/audit/findings",
        params={"rule": "A26", "after": late["position"]},
        headers=login(store_client, "aud"),
    )

    assert listed.status_code == 200, listed.text
    (finding,) = listed.json()["items"]
    assert finding["subject_id"] == site
    assert "2019-01-15" in finding["summary"] and "2018-12-28" in finding["summary"]


def test_a_date_correction_that_puts_her_return_before_her_training_ended_is_refused(
    client: TestClient,
) -> None:
    b = returned_beneficiary(client)  # trained 2019-06-28, home 2019-07-10 (version 6)
    path = f"/api/beneficiaries/{b}/corrections/date"

    refused = post(
        client,
        "opi",
        path,
        CORRECTION | {"corrects_version": 6, "corrected_date": "2019-06-01"},
        409,
    )
    post(client, "opi", path, CORRECTION | {"corrects_version": 6, "corrected_date": "2019-07-01"})

    error = refused["error"]
    assert (error["code"], error["field"]) == ("DATED_BEFORE_PREVIOUS_STEP", "corrected_date")
    assert "2019-06-01" in error["message"] and "2019-06-28" in error["message"]


def test_the_served_lifecycles_name_the_steps_each_may_not_be_dated_before(
    client: TestClient,
) -> None:
    served = client.get("/api/lifecycles", headers=login(client, "aud")).json()

    (approval,) = [
        t for t in served["PaymentBatch"]["transitions"] if t["event"] == "BatchApproved"
    ]
    (home,) = [t for t in served["Beneficiary"]["transitions"] if t["event"] == "ReturnedHome"]
    assert approval["not_dated_before"] == ["BatchCreated"]
    assert home["not_dated_before"] == ["TrainingCompleted", "TrainingDroppedOut"]
