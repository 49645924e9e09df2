"""The same contract on SQLite and PostgreSQL: commands, read models, exactly-once projections,
duplicates, concurrency, and no personal data in plaintext at rest."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from domain.beneficiary import Beneficiary, IdentityEvidence, NikAlreadyInProgramme
from domain.identity import Sex, make_nik
from domain.sealed import KeyPurpose
from projections.base import PositionedEvent, RowProjection, fold_all
from projections.beneficiary_status import BeneficiaryStatus, beneficiary_status
from projections.budget_position import budget_allocations, budget_of_log, budget_position
from projections.dashboard import programme_dashboard
from projections.entitlement_status import EntitlementStatus, entitlement_status
from projections.payment_ledger import ledger_of_log, ledger_totals, payment_ledger, totals_rows
from projections.site_status import SiteStatus, site_status
from projections.worklist import Worklist, worklist
from service.commands.base import AlreadyRegistered, VersionConflict
from service.errors import NotFound
from service.store.event_log import ApplicationEventSource
from service.system import Jejak
from tests.contract.journey import (
    ACCOUNT,
    NAME,
    NIK,
    OPERATOR,
    TRANSPORT,
    UEP,
    by,
    closed_site,
    run_journey,
    run_money_story,
)
from tests.projections.batches import comparable, stored_ledger

# Every read-model table with its key, for whole-table comparisons.
READ_MODEL_TABLES = (
    (beneficiary_status, "beneficiary_id"),
    (site_status, "site_id"),
    (programme_dashboard, "site_id"),
    (worklist, "subject_id"),
    (entitlement_status, "entitlement_id"),
    (payment_ledger, "position"),
    (budget_position, "commitment_id"),
    (budget_allocations, "entitlement_id"),
)


def _rows(jejak: Jejak, table: Any, key: str) -> dict[str, dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return {r[key]: dict(r) for r in conn.execute(select(table)).mappings()}


def _events(jejak: Jejak) -> list[PositionedEvent]:
    return list(ApplicationEventSource(jejak.app).read_after(0, 100_000))


def _ledger(jejak: Jejak) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return stored_ledger(conn)


def _ledger_totals(jejak: Jejak) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        query = select(ledger_totals).order_by(ledger_totals.c.dimension, ledger_totals.c.key)
        return [dict(r) for r in conn.execute(query).mappings()]


def _all_tables(jejak: Jejak) -> list[Any]:
    tables = [_rows(jejak, table, key) for table, key in READ_MODEL_TABLES]
    return [*tables, _ledger_totals(jejak)]


def test_a_full_case_is_visible_in_every_read_model(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    jejak.runner.catch_up()
    bid = str(journey.beneficiary_id)

    person = _rows(jejak, beneficiary_status, "beneficiary_id")[bid]
    assert person["state"] == "CLOSED"
    assert (person["bank_account_recorded"], person["account_holder_matches"]) == (True, True)
    assert person["aid_decreed"] == 2
    assert person["last_position"] == jejak.app.position()
    assert person["last_occurred_on"] == date(2019, 9, 10)
    site = _rows(jejak, site_status, "site_id")[str(journey.site_id)]
    assert (site["state"], site["declared_headcount"], site["funding_status"]) == (
        "CLOSED",
        62,
        "not_in_place",
    )
    board = _rows(jejak, programme_dashboard, "site_id")[str(journey.site_id)]
    assert board["headcount_at_pendataan"] == 70
    assert board["declared_headcount_at_closure"] == 62
    assert board["registered"] == 3
    assert json.loads(board["counts_by_state"]) == {"CLOSED": 1, "REGISTERED": 2}

    capital, transport = (str(e) for e in journey.entitlements)
    aid = _rows(jejak, entitlement_status, "entitlement_id")
    assert {k: (r["state"], r["case_number"], r["credited_amount"]) for k, r in aid.items()} == {
        capital: ("ACKNOWLEDGED", "TRK-JP-0001", UEP),
        transport: ("ACKNOWLEDGED", "TRK-JP-0001", TRANSPORT),
    }
    assert aid[transport]["batch_id"] == str(journey.batches[1]), "ordered again after failing"
    assert aid[capital]["fiscal_year"] == 2019 and aid[capital]["credited_on"] == date(2019, 8, 5)

    ledger = sorted(_rows(jejak, payment_ledger, "position").values(), key=lambda r: r["position"])
    assert [(r["component"], r["event"], r["paid_effect"]) for r in ledger] == [
        ("uep", "EntitlementPlanned", 0),
        ("transport", "EntitlementPlanned", 0),
        ("uep", "FundsAllocated", 0),
        ("transport", "FundsAllocated", 0),
        ("uep", "PaymentOrdered", 0),
        ("transport", "PaymentOrdered", 0),
        ("uep", "CreditedToAccount", UEP),
        ("transport", "PaymentFailed", 0),
        ("transport", "PaymentOrdered", 0),
        ("transport", "CreditedToAccount", TRANSPORT),
        ("uep", "ReceiptSigned", 0),
        ("transport", "ReceiptSigned", 0),
    ]
    assert [r["paid_total_beneficiary"] for r in ledger][-1] == UEP + TRANSPORT
    assert {r["actor_id"] for r in ledger} == {"opi", "sup", "sup2"}
    assert {r["case_number"] for r in ledger} == {"TRK-JP-0001"}
    failed = next(r for r in ledger if r["event"] == "PaymentFailed")
    assert failed["reason"] == "Rekening pasif" and failed["document_kind"] == "bank_result_file"

    (budget,) = _rows(jejak, budget_position, "commitment_id").values()
    assert (budget["committed"], budget["allocated"], budget["ordered"], budget["credited"]) == (
        UEP + TRANSPORT,
        UEP + TRANSPORT,
        UEP + TRANSPORT,
        UEP + TRANSPORT,
    )
    work = _rows(jejak, worklist, "subject_id")
    assert bid not in work, "a closed case has no next action"
    assert work[capital]["label"] == "TRK-JP-0001 UEP-1"
    assert work[capital]["next_action"] == "observe_withdrawal"
    assert work[str(journey.others[0])]["next_action"] == "verify_identity"


def test_every_money_path_lands_in_the_ledger_and_the_budget(jejak: Jejak) -> None:
    story = run_money_story(jejak.app)
    jejak.runner.catch_up()

    budgets = _rows(jejak, budget_position, "commitment_id")
    lapsed, paid = budgets[str(story.fy2018)], budgets[str(story.fy2019)]
    assert (lapsed["state"], lapsed["allocated"], lapsed["lapsed"]) == ("CLOSED", 0, 6_500_000)
    assert paid["rebudgeted_from"] == str(story.fy2018)
    # 2 x capital (one lowered by 500.000), one transport (the other removed), compensation.
    assert paid["allocated"] == 2 * UEP - 500_000 + TRANSPORT + 10_000_000
    assert paid["ordered"] == paid["credited"] == paid["allocated"]
    assert paid["returned"] == TRANSPORT
    for budget in budgets.values():
        assert budget["allocated"] <= budget["committed"]

    totals = {(r["dimension"], r["key"]): r["paid"] for r in _ledger_totals(jejak)}
    assert totals[("site", str(story.site_id))] == 5_500_000, "credited net of the return"
    assert totals[("component", "compensation")] == 10_000_000
    aid = _rows(jejak, entitlement_status, "entitlement_id")
    assert aid[str(story.unclaimed)]["state"] == "RETURNED"
    assert aid[str(story.unclaimed)]["returned_amount"] == TRANSPORT
    owner = aid[str(story.compensation)]
    assert (owner["case_number"], owner["site_id"], owner["state"]) == (None, None, "CREDITED")
    owner_rows = [
        r
        for r in _rows(jejak, payment_ledger, "position").values()
        if r["entitlement_id"] == str(story.compensation)
    ]
    assert {r["beneficiary_id"] for r in owner_rows} == {None}
    work = _rows(jejak, worklist, "subject_id")
    assert work[str(story.compensation)]["label"] == "DEMO/SK/2019/GR-1 COMPENSATION-1"


@pytest.mark.parametrize(
    "projection",
    [BeneficiaryStatus(), SiteStatus(), Worklist(), EntitlementStatus()],
    ids=lambda p: p.name,
)
def test_read_models_equal_a_fold_of_the_events(jejak: Jejak, projection: RowProjection) -> None:
    run_journey(jejak.app)
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    expected = fold_all(projection, _events(jejak))
    stored = _rows(jejak, projection.table, projection.key_column)
    assert stored == expected


def test_the_ledger_and_the_budget_equal_a_fold_of_the_events(jejak: Jejak) -> None:
    run_journey(jejak.app)
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    events = _events(jejak)
    ledger, state = ledger_of_log(events)
    assert _ledger(jejak) == [comparable(r) for r in ledger]
    assert _ledger_totals(jejak) == totals_rows(state)
    budget = budget_of_log(events)
    assert _rows(jejak, budget_position, "commitment_id") == budget.budgets
    assert _rows(jejak, budget_allocations, "entitlement_id") == budget.allocations


def test_a_rebuild_gives_the_same_tables(jejak: Jejak) -> None:
    run_journey(jejak.app)
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    before = _all_tables(jejak)
    jejak.runner.reset([p.name for p in jejak.runner.projections])
    assert jejak.runner.position() == 0
    jejak.runner.catch_up()
    assert _all_tables(jejak) == before


def test_a_failed_batch_leaves_nothing_half_written_and_the_next_run_resumes(jejak: Jejak) -> None:
    run_journey(jejak.app)
    jejak.runner.batch_size = 7
    failing = jejak.runner.projections[-1]
    original = failing.apply
    calls = {"n": 0}

    def fail_on_third_batch(conn: Any, events: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated crash mid-batch")
        original(conn, events)

    failing.apply = fail_on_third_batch  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        jejak.runner.catch_up()
    positions = jejak.runner.positions()
    assert set(positions.values()) == {14}, "two batches committed, the third rolled back"
    assert all(r["position"] <= 14 for r in _ledger(jejak)), "no ledger row of the failed batch"
    failing.apply = original  # type: ignore[method-assign]
    jejak.runner.catch_up()
    assert jejak.runner.position() == jejak.app.position()
    expected = fold_all(BeneficiaryStatus(), _events(jejak))
    assert _rows(jejak, beneficiary_status, "beneficiary_id") == expected
    money = [e for e in _events(jejak) if type(e.event).__module__ == "domain.entitlement"]
    assert [r["position"] for r in _ledger(jejak)] == [e.position for e in money]


def test_a_nik_cannot_be_verified_for_two_people(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    with pytest.raises(NikAlreadyInProgramme):
        jejak.app.beneficiaries.verify_identity(
            journey.others[0],
            evidence=IdentityEvidence(NIK, date(1991, 7, 9), Sex.FEMALE),
            provenance=by(OPERATOR, date(2018, 11, 20)),
        )
    assert jejak.app.beneficiary(journey.others[0]).state == "REGISTERED"


def test_a_refused_verification_releases_its_duplicate_claim(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    minor_birth = date(2000, 1, 1)
    nik = make_nik("657104", minor_birth, Sex.FEMALE, 9200)
    from domain.beneficiary import BeneficiaryIsMinor

    with pytest.raises(BeneficiaryIsMinor):
        jejak.app.beneficiaries.verify_identity(
            journey.others[0],
            evidence=IdentityEvidence(nik, minor_birth, Sex.FEMALE),
            provenance=by(OPERATOR, date(2016, 4, 1)),
        )
    assert not jejak.vault.claim("nik", nik, journey.others[1]).held_by_another


def test_a_site_code_and_a_case_number_are_registered_once(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    with pytest.raises(AlreadyRegistered):
        closed_site(jejak.app)
    with pytest.raises(AlreadyRegistered):
        jejak.app.beneficiaries.register_beneficiary(
            journey.site_id,
            case_number="TRK-JP-0002",
            name="Contoh Lain",
            phone=None,
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )


def test_a_stale_expected_version_is_a_conflict_not_a_lost_update(jejak: Jejak) -> None:
    site_id = closed_site(jejak.app, "TRK-LU")
    version = jejak.app.site(site_id).version
    jejak.app.sites.record_inspection(
        site_id,
        outcome="quiet",  # type: ignore[arg-type]
        provenance=by(OPERATOR, date(2019, 1, 20)),
        expected_version=version,
    )
    with pytest.raises(VersionConflict):
        jejak.app.sites.record_inspection(
            site_id,
            outcome="quiet",  # type: ignore[arg-type]
            provenance=by(OPERATOR, date(2019, 1, 21)),
            expected_version=version,
        )


def test_erasing_the_case_file_keeps_the_identity_minimum(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    jejak.vault.erase(journey.beneficiary_id, {KeyPurpose.CASEFILE})
    events = jejak.app.history(journey.beneficiary_id)
    registered = events[0]
    assert jejak.vault.open(registered.name) == NAME
    assert jejak.vault.open(registered.phone) is None
    assessed = next(e for e in events if type(e).__name__ == "Assessed")
    assert jejak.vault.open(assessed.notes) is None
    (account,) = [e for e in events if type(e).__name__ == "BankAccountRecorded"]
    assert jejak.vault.open(account.account) == ACCOUNT, "payment evidence outlives the case file"


def test_no_name_or_nik_is_stored_in_plaintext(jejak: Jejak, tmp_path: Path) -> None:
    run_journey(jejak.app)
    jejak.runner.catch_up()
    jejak.access_log.record("opi", None, "read_personal_data")
    if jejak.store.is_postgres:
        dump = _pg_dump(jejak)
    else:
        assert jejak.store.sqlite_path is not None
        dump = b"".join(
            p.read_bytes()
            for p in jejak.store.sqlite_path.parent.iterdir()
            if p.name.startswith(jejak.store.sqlite_path.name)
        )
    assert len(dump) > 10_000, "the dump must actually contain the store"
    assert b"TRK-JP-0001" in dump, "case numbers are stored, so the scan can see the data"
    for secret in (NAME, NAME.split()[-1], NIK, ACCOUNT, "811 5555 0001"):
        assert secret.encode() not in dump, f"plaintext {secret[:3]}… found at rest"


def _pg_dump(jejak: Jejak) -> bytes:
    store = jejak.store
    env = dict(os.environ, PGPASSWORD=store.password)
    result = subprocess.run(
        [
            "pg_dump",
            "-h",
            store.host,
            "-p",
            str(store.port),
            "-U",
            store.user,
            "-n",
            store.schema,
            store.dbname,
        ],
        capture_output=True,
        env=env,
        check=True,
    )
    return result.stdout


def test_the_environment_cannot_divert_events_to_memory(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import settings_for

    monkeypatch.setenv("PROGRAMME_PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("PROGRAMME_CIPHER_TOPIC", "eventsourcing.cipher:AESCipher")
    jejak = Jejak.start(settings_for(store_url, tmp_path))
    try:
        assert type(jejak.app.recorder).__module__ != "eventsourcing.popo"
        assert jejak.app.mapper.cipher is None
    finally:
        jejak.close()


def test_concurrent_writers_lose_nothing_and_the_read_models_see_everything(
    jejak: Jejak,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sites = [closed_site(jejak.app, code) for code in ("AAA-AA", "BBB-BB", "CCC-CC", "DDD-DD")]

    def inspect_repeatedly(site_id: Any) -> int:
        done = 0
        for day in range(1, 26):
            try:
                jejak.app.sites.record_inspection(
                    site_id,
                    outcome="quiet",  # type: ignore[arg-type]
                    provenance=by(OPERATOR, date(2019, 1, day)),
                )
                done += 1
            except VersionConflict:
                pass
        return done

    with ThreadPoolExecutor(max_workers=4) as pool:
        accepted = sum(pool.map(inspect_repeatedly, sites * 2))
    events = _events(jejak)
    positions = [e.position for e in events]
    assert positions == sorted(set(positions))
    assert len(events) == 4 * 4 + accepted
    jejak.runner.catch_up()
    stored = _rows(jejak, site_status, "site_id")
    assert sum(r["version"] for r in stored.values()) == len(events)


def test_rebuilding_one_read_model_leaves_the_others_where_they_are(jejak: Jejak) -> None:
    run_journey(jejak.app)
    jejak.runner.batch_size = 5
    jejak.runner.catch_up()
    before = (
        _rows(jejak, worklist, "subject_id"),
        _rows(jejak, beneficiary_status, "beneficiary_id"),
    )
    head = jejak.app.position()
    jejak.runner.reset(["worklist"])
    assert jejak.runner.positions()["beneficiary_status"] == head
    jejak.runner.catch_up()
    assert set(jejak.runner.positions().values()) == {head}
    after = _rows(jejak, worklist, "subject_id"), _rows(jejak, beneficiary_status, "beneficiary_id")
    assert after == before


def test_a_process_with_a_stale_cached_aggregate_decides_again_on_fresh_state(
    store_url: str, tmp_path: Path
) -> None:
    from domain.beneficiary import ReintegrationPath
    from tests.conftest import settings_for
    from tests.contract.journey import BIRTH, HOME

    settings = settings_for(store_url, tmp_path)
    first, second = Jejak.start(settings), Jejak.start(settings)
    try:
        site_id = closed_site(first.app)
        first.app.site(site_id)  # cached in the first process
        second.app.sites.record_inspection(
            site_id,
            outcome="quiet",  # type: ignore[arg-type]
            provenance=by(OPERATOR, date(2019, 1, 20)),
        )
        result = first.app.sites.record_inspection(
            site_id,
            outcome="quiet",  # type: ignore[arg-type]
            provenance=by(OPERATOR, date(2019, 2, 20)),
        )
        assert result.version == 6, "decided again on version 5, not saved over it"

        bid = first.app.beneficiaries.register_beneficiary(
            site_id,
            case_number="TRK-JP-0042",
            name="Contoh Empat Dua",
            phone=None,
            provenance=by(OPERATOR, date(2016, 3, 20)),
        ).aggregate_id
        second.app.beneficiaries.verify_identity(
            bid,
            evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
            provenance=by(OPERATOR, date(2018, 11, 20)),
        )
        # The first process still holds her as REGISTERED, where assessment is refused.
        assessed = first.app.beneficiaries.assess(
            bid,
            home_region=HOME,
            path=ReintegrationPath.RETURN_HOME,
            notes=None,
            provenance=by(OPERATOR, date(2019, 1, 11), "surat_keterangan"),
        )
        assert assessed.state == "ASSESSED"
    finally:
        first.close()
        second.close()


def test_a_large_roster_is_registered_atomically(jejak: Jejak) -> None:
    from service.commands.beneficiaries import NewBeneficiary

    site_id = closed_site(jejak.app)
    roster = [NewBeneficiary(f"TRK-JP-{n:04d}", f"Contoh Orang {n}") for n in range(1, 61)]
    results = jejak.app.beneficiaries.register_roster(
        site_id, roster, provenance=by(OPERATOR, date(2016, 3, 20))
    )
    positions = [r.position for r in results]
    assert len(set(positions)) == 60 and positions == sorted(positions)
    clash = [NewBeneficiary(f"TRK-JP-{n:04d}", f"Contoh Baru {n}") for n in range(61, 90)]
    clash.append(NewBeneficiary("TRK-JP-0007", "Contoh Kembar"))
    before = jejak.app.position()
    with pytest.raises(AlreadyRegistered):
        jejak.app.beneficiaries.register_roster(
            site_id, clash, provenance=by(OPERATOR, date(2016, 3, 20))
        )
    assert jejak.app.position() == before, "a refused roster writes nothing"
    # The refused roster's keys were committed first and are kept; registering those people
    # again seals with the kept keys, so their names open.
    again = jejak.app.beneficiaries.register_roster(
        site_id, clash[:-1], provenance=by(OPERATOR, date(2016, 3, 20))
    )
    assert [r.version for r in again] == [1] * len(clash[:-1])
    for result, row in zip(again, clash, strict=False):
        registered = jejak.app.history(result.aggregate_id)[0]
        assert jejak.vault.open(registered.name) == row.name
    assert (
        jejak.app.beneficiaries.register_beneficiary(
            site_id,
            case_number="TRK-JP-0090",
            name="Contoh Lagi",
            phone=None,
            provenance=by(OPERATOR, date(2016, 3, 20)),
        ).version
        == 1
    )


def test_rosters_imported_together_are_written_in_order_each_all_or_nothing(
    jejak: Jejak,
) -> None:
    from service.commands.beneficiaries import NewBeneficiary

    site_id = closed_site(jejak.app)
    pendataan = by(OPERATOR, date(2016, 3, 20))
    rosters = [
        (
            site_id,
            [NewBeneficiary(f"TRK-JP-{k * 30 + n:04d}", f"Contoh {k} {n}") for n in range(30)],
        )
        for k in range(4)
    ]
    imported = jejak.app.beneficiaries.register_rosters(rosters, provenance=pendataan)

    positions = [r.position for results in imported for r in results]
    assert positions == sorted(positions) and len(set(positions)) == 120
    assert [len(results) for results in imported] == [30] * 4
    first = imported[2][5]
    assert jejak.vault.open(jejak.app.history(first.aggregate_id)[0].name) == "Contoh 2 5"

    # The third roster repeats a registered case number: the two before it are in, it and
    # the one after it are not, and the error says how far the import got.
    fresh = [
        (site_id, [NewBeneficiary(f"TRK-JP-{200 + k * 10 + n:04d}", "Contoh") for n in range(10)])
        for k in range(4)
    ]
    fresh[2][1].append(NewBeneficiary("TRK-JP-0007", "Contoh Kembar"))
    before = jejak.app.position()
    with pytest.raises(AlreadyRegistered) as refused:
        jejak.app.beneficiaries.register_rosters(fresh, provenance=pendataan)
    assert "2 earlier rosters were registered" in (refused.value.__notes__ or [])
    assert jejak.app.position() == before + 20
    jejak.app.beneficiary(Beneficiary.create_id("TRK-JP-0219"))  # the second roster's last
    for unwritten in ("TRK-JP-0220", "TRK-JP-0230"):
        with pytest.raises(NotFound):
            jejak.app.beneficiary(Beneficiary.create_id(unwritten))
