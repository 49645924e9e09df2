"""The money ledger through the application, on SQLite and PostgreSQL.

Every multi-aggregate command saves atomically; concurrent commands meet on aggregate versions
and are decided again on fresh state, so money is never allocated past a commitment and a
component is never credited twice, however many attempts race.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlalchemy import MetaData, Table, select, update

from domain.beneficiary import IdentityEvidence, ReintegrationPath
from domain.decree import AidComponent, PaymentType, entitlement_id
from domain.errors import DomainError
from domain.funding import FundingCommitment, FundingSource
from domain.identity import Sex, make_nik
from domain.money_errors import (
    AccountChangeWhileOrdered,
    AccountHolderMismatch,
    AidStillDue,
    BankAccountShared,
    CommitmentExceeded,
    EntitlementAlreadyDecreed,
    EntitlementNotReady,
    FourEyesRequired,
    IdentityNotVerified,
)
from domain.recording import Actor, Role
from service.commands.application import ProgrammeApplication
from service.commands.beneficiaries import NewBeneficiary
from service.commands.money import NewDecreeLine
from service.files.bankfiles import ResultLine
from service.queries.reconciliation import Reconciliations
from service.system import Jejak
from tests.contract.journey import HOME, OPERATOR, SUPERVISOR, by, closed_site

KEMENSOS = Actor("ppk", Role.SUPERVISOR, "Kementerian Sosial")
GRANT = 5_500_000
NAMES = ("Contoh Satu Ledger", "Contoh Dua Ledger", "Contoh Tiga Ledger")


def returned_home(app: ProgrammeApplication, count: int = 2) -> list[UUID]:
    """Women of a closed site, verified, trained and home: ready to be paid."""
    site_id = closed_site(app)
    people = [
        r.aggregate_id
        for r in app.beneficiaries.register_roster(
            site_id,
            [NewBeneficiary(f"TRK-JP-{n + 1:04d}", NAMES[n]) for n in range(count)],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    for n, person in enumerate(people):
        born = date(1990, 1, 1 + n)
        app.beneficiaries.verify_identity(
            person,
            evidence=IdentityEvidence(
                make_nik("657104", born, Sex.FEMALE, 9200 + n), born, Sex.FEMALE
            ),
            provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
        )
        app.beneficiaries.assess(
            person,
            home_region=HOME,
            path=ReintegrationPath.RETURN_HOME,
            notes=None,
            provenance=by(OPERATOR, date(2019, 1, 11), "surat_keterangan"),
        )
        app.beneficiaries.send_to_training(
            person, facility_id="KTM-PSKW-HM", provenance=by(OPERATOR, date(2019, 2, 11))
        )
        app.beneficiaries.complete_training(
            person, skill="menjahit", provenance=by(OPERATOR, date(2019, 6, 28), "sertifikat")
        )
        app.beneficiaries.confirm_return_home(
            person,
            confirming_kelurahan=HOME,
            provenance=by(OPERATOR, date(2019, 7, 10), "surat_tiba"),
        )
    return people


def commitment(app: ProgrammeApplication, amount: int, line: str = "DIPA-2019 573111") -> UUID:
    return app.money.commit_funds(
        fiscal_year=2019,
        source=FundingSource.APBN,
        budget_line=line,
        funder="Kementerian Sosial",
        amount=amount,
        provenance=by(KEMENSOS, date(2019, 1, 2), "dipa"),
    ).aggregate_id


def decree(app: ProgrammeApplication, people: list[UUID], number: str = "SK/1/2019") -> UUID:
    return app.money.issue_decree(
        authority="Direktur Rehsos",
        number=number,
        legal_basis="Permensos (demo)",
        payment_type=PaymentType.BENEFICIARY_AID,
        lines=[NewDecreeLine(AidComponent.UEP, GRANT, beneficiary_id=p) for p in people],
        provenance=by(KEMENSOS, date(2019, 3, 4), "decree"),
    ).aggregate_id


def uep(person: UUID) -> UUID:
    return entitlement_id(person, AidComponent.UEP, 1)


def ready_to_order(app: ProgrammeApplication, people: list[UUID]) -> None:
    """Decreed, funded and with an account in her own name."""
    decree(app, people)
    app.money.allocate_funds(
        commitment(app, len(people) * GRANT),
        entitlement_ids=[uep(p) for p in people],
        provenance=by(KEMENSOS, date(2019, 3, 11)),
    )
    for n, person in enumerate(people):
        app.beneficiaries.record_bank_account(
            person,
            bank_code="124",
            account_number=f"00123400{n:04d}",
            holder_name=NAMES[n].upper(),
            provenance=by(OPERATOR, date(2019, 7, 12), "buku_tabungan"),
        )


def approved_batch(
    app: ProgrammeApplication, people: list[UUID], number: str = "B-1", on: date = date(2019, 8, 1)
) -> UUID:
    """A batch created on `on`, approved and sent the next day."""
    batch = app.money.create_batch(
        batch_number=number, entitlement_ids=[uep(p) for p in people], provenance=by(SUPERVISOR, on)
    ).aggregate_id
    next_day = on + timedelta(days=1)
    app.money.approve_batch(batch, provenance=by(KEMENSOS, next_day))
    app.money.record_transfer_export(
        batch, file_sha256="0" * 64, provenance=by(SUPERVISOR, next_day)
    )
    return batch


def credit_line(
    app: ProgrammeApplication, batch: UUID, index: int = 0, ok: bool = True
) -> ResultLine:
    line = list(app.batch(batch).lines.values())[index]
    if ok:
        return ResultLine(
            line.transfer_ref, line.amount, "CREDITED", f"BANK-{index}", date(2019, 8, 5), None
        )
    return ResultLine(line.transfer_ref, line.amount, "FAILED", None, None, "account closed")


def events_named(app: ProgrammeApplication, aggregate_id: UUID, name: str) -> int:
    return sum(type(e).__name__ == name for e in app.history(aggregate_id))


def test_a_grant_goes_from_decree_to_receipt_and_her_case_closes(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    batch = approved_batch(app, people)

    summary = app.money.apply_bank_result(
        batch,
        file_sha256="1" * 64,
        lines=[credit_line(app, batch)],
        provenance=by(SUPERVISOR, date(2019, 8, 5)),
    )
    with pytest.raises(AidStillDue):
        app.beneficiaries.close_case(people[0], provenance=by(SUPERVISOR, date(2019, 8, 6)))
    app.money.acknowledge_receipt(uep(people[0]), provenance=by(OPERATOR, date(2019, 8, 9), "bast"))
    closed = app.beneficiaries.close_case(people[0], provenance=by(SUPERVISOR, date(2019, 9, 1)))

    assert (summary.credited, summary.failed, summary.already_imported) == (1, 0, False)
    assert app.batch(batch).state == "SETTLED"
    assert app.entitlement(uep(people[0])).state == "ACKNOWLEDGED"
    assert closed.state == "CLOSED"
    assert [type(e).__name__ for e in app.history(uep(people[0]))] == [
        "EntitlementPlanned",
        "FundsAllocated",
        "PaymentOrdered",
        "CreditedToAccount",
        "ReceiptSigned",
    ]


def test_the_same_result_file_twice_changes_nothing(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    batch = approved_batch(app, people)
    lines = [credit_line(app, batch)]
    app.money.apply_bank_result(
        batch, file_sha256="1" * 64, lines=lines, provenance=by(SUPERVISOR, date(2019, 8, 5))
    )
    head = app.position()

    again = app.money.apply_bank_result(
        batch, file_sha256="1" * 64, lines=lines, provenance=by(SUPERVISOR, date(2019, 8, 6))
    )

    assert again.already_imported and app.position() == head


def test_a_failed_transfer_is_reordered_in_a_new_batch(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    first = approved_batch(app, people, "B-1")
    app.money.apply_bank_result(
        first,
        file_sha256="1" * 64,
        lines=[credit_line(app, first, ok=False)],
        provenance=by(SUPERVISOR, date(2019, 8, 3)),
    )
    assert app.entitlement(uep(people[0])).state == "FAILED"

    # Ordered again after the failure came back, as it can only be.
    second = approved_batch(app, people, "B-2", on=date(2019, 8, 3))
    app.money.apply_bank_result(
        second,
        file_sha256="2" * 64,
        lines=[credit_line(app, second)],
        provenance=by(SUPERVISOR, date(2019, 8, 9)),
    )

    assert app.entitlement(uep(people[0])).state == "CREDITED"
    assert events_named(app, uep(people[0]), "PaymentOrdered") == 2
    assert events_named(app, uep(people[0]), "CreditedToAccount") == 1


def test_a_batch_needs_a_second_supervisor_and_ready_entitlements(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    batch = app.money.create_batch(
        batch_number="B-1",
        entitlement_ids=[uep(people[0])],
        provenance=by(SUPERVISOR, date(2019, 8, 1)),
    ).aggregate_id

    with pytest.raises(FourEyesRequired):
        app.money.approve_batch(batch, provenance=by(SUPERVISOR, date(2019, 8, 2)))
    app.money.approve_batch(batch, provenance=by(KEMENSOS, date(2019, 8, 2)))
    with pytest.raises(EntitlementNotReady):
        app.money.create_batch(
            batch_number="B-2",
            entitlement_ids=[uep(people[0])],
            provenance=by(SUPERVISOR, date(2019, 8, 3)),
        )


def test_a_decree_names_only_verified_people_and_each_component_once(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    site = app.beneficiary(people[0]).site_id
    stranger = app.beneficiaries.register_beneficiary(
        site,
        case_number="TRK-JP-0099",
        name="Contoh Belum",
        phone=None,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id
    head = app.position()

    with pytest.raises(IdentityNotVerified):
        decree(app, [people[0], stranger])
    assert app.position() == head, "a refused decree writes nothing"
    decree(app, people)
    with pytest.raises(EntitlementAlreadyDecreed):
        decree(app, people, number="SK/2/2019")


def test_an_account_of_another_case_or_in_another_name_is_refused(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 2)
    ready_to_order(app, people[:1])

    with pytest.raises(BankAccountShared):
        app.beneficiaries.record_bank_account(
            people[1],
            bank_code="124",
            account_number="001234000000",
            holder_name=NAMES[1],
            provenance=by(OPERATOR, date(2019, 7, 12), "buku_tabungan"),
        )
    app.beneficiaries.record_bank_account(
        people[1],
        bank_code="124",
        account_number="009999000001",
        holder_name="SOMEONE ELSE",
        provenance=by(OPERATOR, date(2019, 7, 12), "buku_tabungan"),
    )
    decree(app, people[1:], number="SK/2/2019")
    app.money.allocate_funds(
        commitment(app, GRANT, "DPA-2019 1.06"),
        entitlement_ids=[uep(people[1])],
        provenance=by(KEMENSOS, date(2019, 3, 11)),
    )
    with pytest.raises(AccountHolderMismatch):
        app.money.create_batch(
            batch_number="B-9",
            entitlement_ids=[uep(people[1])],
            provenance=by(SUPERVISOR, date(2019, 8, 1)),
        )


def test_her_death_cancels_what_was_not_yet_ordered_and_frees_the_funds(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    decree(app, people)
    funds = commitment(app, GRANT)
    app.money.allocate_funds(
        funds, entitlement_ids=[uep(people[0])], provenance=by(KEMENSOS, date(2019, 3, 11))
    )

    app.beneficiaries.record_death(
        people[0], provenance=by(OPERATOR, date(2019, 7, 20), "surat_kematian")
    )

    assert app.entitlement(uep(people[0])).state == "CANCELLED"
    assert app.commitment(funds).available == GRANT


def race(attempts: int, attempt: Callable[[int], object]) -> list[object]:
    """Run `attempt(i)` from `attempts` threads released together; their results or errors."""
    start = threading.Barrier(attempts)
    results: list[object] = [None] * attempts

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = attempt(i)
        except DomainError as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_allocations_never_exceed_the_commitment(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 3)
    decree(app, people)
    funds = commitment(app, 2 * GRANT)

    results = race(
        3,
        lambda i: app.money.allocate_funds(
            funds, entitlement_ids=[uep(people[i])], provenance=by(KEMENSOS, date(2019, 3, 11))
        ),
    )

    refused = [r for r in results if isinstance(r, CommitmentExceeded)]
    assert len(refused) == 1, results
    fresh = app.commitment(funds)
    assert fresh.allocated == 2 * GRANT <= fresh.amount
    assert sum(app.entitlement(uep(p)).state == "ALLOCATED" for p in people) == 2


@pytest.mark.parametrize("attempts", [50])
def test_fifty_concurrent_attempts_to_pay_one_entitlement_end_in_one_credit(
    jejak: Jejak, attempts: int
) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    batch = approved_batch(app, people)
    line = credit_line(app, batch)

    results = race(
        attempts,
        lambda i: app.money.apply_bank_result(
            batch,
            file_sha256=f"{i:064x}",
            lines=[
                ResultLine(
                    line.transfer_ref, line.amount, "CREDITED", f"BANK-{i}", date(2019, 8, 5), None
                )
            ],
            provenance=by(SUPERVISOR, date(2019, 8, 5)),
        ),
    )

    assert events_named(app, uep(people[0]), "CreditedToAccount") == 1
    credited = [r for r in results if not isinstance(r, DomainError) and r.credited == 1]  # type: ignore[attr-defined]
    assert len(credited) == 1, results
    # Every other attempt was refused by the ledger's rules or saw nothing left to do.
    assert all(isinstance(r, DomainError) or r.credited == 0 for r in results if r not in credited)  # type: ignore[attr-defined]


def test_a_commitment_is_recorded_once_per_budget_line_and_year(jejak: Jejak) -> None:
    app = jejak.app
    funds = commitment(app, GRANT)
    assert funds == FundingCommitment.create_id(2019, FundingSource.APBN, "DIPA-2019 573111")
    with pytest.raises(DomainError):
        commitment(app, GRANT)


def test_reconciliation_finds_what_the_statement_and_the_ledger_disagree_on(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 2)
    ready_to_order(app, people)
    batch = approved_batch(app, people)
    app.money.apply_bank_result(
        batch,
        file_sha256="1" * 64,
        lines=[credit_line(app, batch, 0), credit_line(app, batch, 1)],
        provenance=by(SUPERVISOR, date(2019, 8, 5)),
    )
    statement = (
        "value_date,bank_reference,amount,kind\n"
        "2019-08-05,BANK-0,5500000,TRANSFER_OUT\n"  # matches her credit
        "2019-08-05,BANK-1,5493500,TRANSFER_OUT\n"  # the bank moved less than recorded
        "2019-08-05,BANK-X,5500000,TRANSFER_OUT\n"  # a transfer the ledger never made
        "2019-08-20,BANK-0,5500000,WITHDRAWAL\n"
    )
    app.money.import_bank_statement(
        content=statement.encode(),
        account_label="Bank Kaltimtara",
        provenance=by(SUPERVISOR, date(2019, 8, 31), "bank_statement"),
    )
    jejak.runner.catch_up()

    report = Reconciliations(jejak.engine, {}).for_batch(batch, as_of=date(2019, 12, 31))

    found = report.as_dict()
    assert not report.clean
    assert found["counts"] == {
        "matched": 1,
        "not_on_statement": 0,
        "unknown_to_system": 1,
        "amount_mismatches": 1,
        "not_withdrawn": 1,
        "returns_unmatched": 0,
    }
    assert found["unknown_to_system"][0]["bank_reference"] == "BANK-X"
    assert found["amount_mismatches"][0]["bank_amount"] == 5_493_500
    assert found["not_withdrawn"][0]["bank_reference"] == "BANK-1"
    (line,) = found["budget_lines"]
    assert (line["ledger_net"], line["bank_net"], line["agrees"]) == (
        2 * GRANT,
        2 * GRANT - 6_500,
        False,
    )


def test_her_account_cannot_change_while_a_transfer_to_it_is_at_the_bank(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    batch = approved_batch(app, people)
    change = {
        "bank_code": "124",
        "account_number": "009876543210",
        "holder_name": NAMES[0],
        "provenance": by(OPERATOR, date(2019, 8, 3), "buku_tabungan"),
    }

    with pytest.raises(AccountChangeWhileOrdered):
        app.beneficiaries.record_bank_account(people[0], **change)  # type: ignore[arg-type]
    app.money.apply_bank_result(
        batch,
        file_sha256="1" * 64,
        lines=[credit_line(app, batch, ok=False)],
        provenance=by(SUPERVISOR, date(2019, 8, 5)),
    )
    app.beneficiaries.record_bank_account(people[0], **change)  # type: ignore[arg-type]

    assert app.beneficiary(people[0]).account_holder_matches


def test_a_decree_notes_on_each_person_exactly_her_own_entitlements(jejak: Jejak) -> None:
    # Her lines are gathered in one pass over the decree (a decree may name 40,000 people);
    # interleaved lines must still land on the right person, in the decree's order.
    app = jejak.app
    her, other = returned_home(app, 2)
    transport = AidComponent.TRANSPORT
    app.money.issue_decree(
        authority="Direktur Rehsos",
        number="SK/9/2019",
        legal_basis="Permensos (demo)",
        payment_type=PaymentType.BENEFICIARY_AID,
        lines=[
            NewDecreeLine(AidComponent.UEP, GRANT, beneficiary_id=her),
            NewDecreeLine(AidComponent.UEP, GRANT, beneficiary_id=other),
            NewDecreeLine(transport, 250_000, beneficiary_id=her),
        ],
        provenance=by(KEMENSOS, date(2019, 3, 4), "decree"),
    )

    assert app.beneficiary(her).entitlement_ids == (uep(her), entitlement_id(her, transport, 1))
    assert app.beneficiary(other).entitlement_ids == (uep(other),)


def transfer_holders(app: ProgrammeApplication, batch: UUID) -> list[str]:
    """The holder column of the batch's transfer file, as the bank reads it."""
    content = app.money.export_transfer_file(batch, provenance=by(SUPERVISOR, date(2019, 8, 2)))
    return [row["account_holder"] for row in csv.DictReader(io.StringIO(content.decode()))]


def test_the_transfer_file_names_the_holder_as_her_passbook_prints_it(jejak: Jejak) -> None:
    app = jejak.app
    people = returned_home(app, 2)
    ready_to_order(app, people)
    batch = app.money.create_batch(
        batch_number="B-1",
        entitlement_ids=[uep(p) for p in people],
        provenance=by(SUPERVISOR, date(2019, 8, 1)),
    ).aggregate_id
    app.money.approve_batch(batch, provenance=by(KEMENSOS, date(2019, 8, 2)))

    assert transfer_holders(app, batch) == [NAMES[0].upper(), NAMES[1].upper()]


def test_an_account_recorded_before_holder_names_were_kept_pays_in_her_registered_name(
    jejak: Jejak,
) -> None:
    app = jejak.app
    people = returned_home(app, 1)
    ready_to_order(app, people)
    # The account's event as the code before ADR 0036 stored it: no holder name.
    events = Table(app.recorder.events_table_name, MetaData(), autoload_with=jejak.engine)  # type: ignore[attr-defined]
    with jejak.engine.begin() as conn:
        (state,) = conn.execute(
            select(events.c.state).where(events.c.topic.like("%BankAccountRecorded"))
        ).one()
        older = json.loads(bytes(state))
        del older["holder_name"]
        conn.execute(
            update(events)
            .where(events.c.topic.like("%BankAccountRecorded"))
            .values(state=json.dumps(older).encode())
        )
    settings = jejak.settings
    jejak.close()
    restarted = Jejak.start(settings)  # no aggregate cached from before the rewrite
    try:
        batch = restarted.app.money.create_batch(
            batch_number="B-1",
            entitlement_ids=[uep(people[0])],
            provenance=by(SUPERVISOR, date(2019, 8, 1)),
        ).aggregate_id
        restarted.app.money.approve_batch(batch, provenance=by(KEMENSOS, date(2019, 8, 2)))

        assert restarted.app.beneficiary(people[0]).bank_account_holder is None
        assert transfer_holders(restarted.app, batch) == [NAMES[0]]
    finally:
        restarted.close()
