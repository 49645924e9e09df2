"""Finding a case by number or by her exact name, on SQLite and PostgreSQL (ADR 0043): the
keyed name index is written at registration, follows a corrected name, is emptied by the
erasure of her identity key, and can be rebuilt; the searches are logged without the name."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from sqlalchemy import select

from domain.errors import InvalidValue
from domain.recording import Role
from domain.sealed import KeyPurpose
from domain.units import EVERYTHING
from service.commands.beneficiaries import NewBeneficiary
from service.commands.name_index import reindex_names
from service.queries.read_models import ReadModels
from service.queries.search import NameSearchNotAllowed
from service.security.accounts import Account
from service.store.schema import vault_name_index
from service.system import Jejak
from tests.contract.journey import OPERATOR, by, closed_site
from tests.contract.test_corrections_contract import correcting

OPERATOR_ACCOUNT = Account("opi", Role.OPERATOR, "Dinas Sosial Kota Tarakan", "Operator", True)
AUDITOR_ACCOUNT = Account("aud", Role.AUDITOR, "Inspektorat", "Auditor", True)
ADMIN_ACCOUNT = Account("adm", Role.ADMIN, "Dinas Sosial", "Admin", True)
SITI = "Siti Contohwati Aminah"


def _registered(jejak: Jejak) -> list[UUID]:
    site_id = closed_site(jejak.app)
    people = [
        r.aggregate_id
        for r in jejak.app.beneficiaries.register_roster(
            site_id,
            [
                NewBeneficiary("TRK-JP-0001", SITI),
                NewBeneficiary("TRK-JP-0002", "Contoh Dua"),
                # Names are not unique: two women may share one.
                NewBeneficiary("TRK-JP-0013", f"  {SITI.upper()} "),
            ],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    jejak.runner.catch_up()
    return people


def _cases(jejak: Jejak, name: str, viewer: Account = OPERATOR_ACCOUNT) -> list[str]:
    page = ReadModels.of(jejak, EVERYTHING).search.by_name(viewer, name, limit=50)
    return [item["case_number"] for item in page.items]


def test_a_case_is_found_by_her_exact_normalised_name_shown_as_the_role_sees_names(
    jejak: Jejak,
) -> None:
    _registered(jejak)

    page = ReadModels.of(jejak, EVERYTHING).search.by_name(
        OPERATOR_ACCOUNT, f"Ibu {SITI.lower()}", limit=50
    )

    assert [i["case_number"] for i in page.items] == ["TRK-JP-0001", "TRK-JP-0013"]
    assert {i["site_code"] for i in page.items} == {"TRK-JP"}
    assert {i["state"] for i in page.items} == {"REGISTERED"}
    assert page.items[0]["name"] == SITI
    assert _cases(jejak, "Siti Contohwati") == []
    assert _cases(jejak, "Contoh Dua") == ["TRK-JP-0002"]


def test_a_case_is_found_by_her_case_number_or_its_beginning_with_her_name_masked_for_auditors(
    jejak: Jejak,
) -> None:
    _registered(jejak)
    search = ReadModels.of(jejak, EVERYTHING).search

    exact = search.by_case_number(AUDITOR_ACCOUNT, "trk-jp-0001", limit=50)
    begun = search.by_case_number(ADMIN_ACCOUNT, "TRK-JP-000", limit=50)

    assert [i["case_number"] for i in exact.items] == ["TRK-JP-0001"]
    assert exact.items[0]["name"] not in (SITI, None)
    assert [i["case_number"] for i in begun.items] == ["TRK-JP-0001", "TRK-JP-0002"]
    assert search.by_case_number(ADMIN_ACCOUNT, "TRK-JP-9", limit=50).total == 0


def test_roles_that_see_names_masked_may_not_search_by_name(jejak: Jejak) -> None:
    _registered(jejak)
    for viewer in (AUDITOR_ACCOUNT, ADMIN_ACCOUNT):
        with pytest.raises(NameSearchNotAllowed):
            _cases(jejak, SITI, viewer)
    with pytest.raises(InvalidValue):
        _cases(jejak, " . ")


def test_a_corrected_name_finds_her_and_the_old_one_no_longer_does(jejak: Jejak) -> None:
    siti = _registered(jejak)[0]

    jejak.app.corrections.correct_beneficiary_details(
        siti, name="Siti Contohwati Aminah Benar", provenance=correcting("her KTP spells it so")
    )
    jejak.runner.catch_up()

    assert _cases(jejak, SITI) == ["TRK-JP-0013"]
    assert _cases(jejak, "siti contohwati aminah benar") == ["TRK-JP-0001"]


def test_erasing_her_identity_key_removes_her_from_the_name_index(jejak: Jejak) -> None:
    siti = _registered(jejak)[0]

    jejak.vault.erase(siti, {KeyPurpose.CASEFILE})
    assert _cases(jejak, SITI) == ["TRK-JP-0001", "TRK-JP-0013"]
    jejak.vault.erase(siti, {KeyPurpose.IDENTITY})

    assert _cases(jejak, SITI) == ["TRK-JP-0013"]
    with jejak.engine.connect() as conn:
        left = conn.execute(
            select(vault_name_index).where(vault_name_index.c.subject_id == str(siti))
        ).all()
    assert left == []


def test_a_store_registered_before_the_index_is_indexed_once_by_the_reindex(
    jejak: Jejak,
) -> None:
    siti = _registered(jejak)[0]
    jejak.vault.erase(siti, {KeyPurpose.IDENTITY})
    with jejak.engine.begin() as conn:
        conn.execute(vault_name_index.delete())
    assert _cases(jejak, "Contoh Dua") == []

    assert reindex_names(jejak, ADMIN_ACCOUNT) == 2
    assert reindex_names(jejak, ADMIN_ACCOUNT) == 2
    assert jejak.access_log.recent(1)[0].action == "reindex_names"

    assert _cases(jejak, "Contoh Dua") == ["TRK-JP-0002"]
    assert _cases(jejak, SITI) == ["TRK-JP-0013"]


def test_every_search_is_logged_with_its_count_and_never_the_name(jejak: Jejak) -> None:
    _registered(jejak)

    _cases(jejak, SITI)
    ReadModels.of(jejak, EVERYTHING).search.by_case_number(AUDITOR_ACCOUNT, "TRK-JP", limit=1)

    by_number, by_name = jejak.access_log.recent(2)
    assert (by_name.action, by_name.user_id, by_name.role) == (
        "search_by_name",
        "opi",
        Role.OPERATOR,
    )
    assert by_name.detail == "2 cases found, 2 names shown, full"
    assert (by_number.action, by_number.detail) == (
        "search_by_case_number",
        "3 cases found, 1 names shown, masked",
    )
    for entry in (by_name, by_number):
        assert "siti" not in (entry.detail or "").lower()
