"""The auditors' money exports read back: their totals are the read models', names are masked
by role, no NIK or account number is in any of them, and each export is logged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader
from sqlalchemy import select, update

from domain.masks import mask_name
from domain.recording import Role
from projections.budget_position import budget_position
from projections.payment_ledger import LEDGER_EVENTS, ledger_totals, payment_ledger
from service.files.exports.xlsx_export import RECORDED_TOTAL_LABEL
from service.files.money_exports import ExportFile, ExportRefused, LedgerExports, LedgerFormat
from service.queries.money import LedgerFilter
from service.queries.money_reports import EVENT_LABELS, LedgerMismatch, _Snapshot
from service.security.accounts import Account
from service.system import Jejak
from tests.contract.journey import (
    ACCOUNT,
    NAME,
    NIK,
    TRANSPORT,
    UEP,
    Journey,
    MoneyStory,
    run_journey,
    run_money_story,
)

GENERATED_AT = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
AUDITOR = Account("bpk", Role.AUDITOR, "BPK RI", "Auditor", True)
OPERATOR = Account("opi", Role.OPERATOR, "Dinas Sosial Kota Tarakan", "Operator", True)
SUPERVISOR = Account("sup", Role.SUPERVISOR, "Dinsos Kaltara", "Supervisor", True)
# Each woman of the money story had an account; none of their numbers may reach an export.
STORY_ACCOUNTS = ("5301234567800000", "5301234567800001")


@dataclass(frozen=True)
class Paid:
    """A store with both money stories projected, and its exports at a fixed moment."""

    jejak: Jejak
    journey: Journey
    story: MoneyStory
    exports: LedgerExports


@pytest.fixture
def paid(jejak: Jejak) -> Paid:
    journey = run_journey(jejak.app)
    story = run_money_story(jejak.app)
    jejak.runner.catch_up()
    return Paid(jejak, journey, story, LedgerExports.of(jejak))


@pytest.fixture
def fixed(paid: Paid) -> LedgerExports:
    paid.exports.clock = lambda: GENERATED_AT
    return paid.exports


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def recorded_totals(sheet: Worksheet) -> dict[str, Any]:
    """The `Jumlah tercatat` row of a sheet, by column title."""
    titles = [str(cell.value) for cell in sheet[1]]
    (row,) = [r for r in sheet.iter_rows(values_only=True) if RECORDED_TOTAL_LABEL in r]
    return dict(zip(titles, row, strict=True))


def read_model(jejak: Jejak, query: Any) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def programme_paid(jejak: Jejak) -> int:
    rows = read_model(jejak, select(ledger_totals).where(ledger_totals.c.dimension == "component"))
    return sum(r["paid"] for r in rows)


def assert_no_identifiers(text: str) -> None:
    for secret in (NIK, ACCOUNT, *STORY_ACCOUNTS, NAME):
        assert secret not in text


def test_her_history_totals_her_last_running_total_with_her_name_masked_for_auditors(
    paid: Paid,
) -> None:
    she = paid.journey.beneficiary_id
    running = read_model(
        paid.jejak,
        select(payment_ledger.c.paid_total_beneficiary)
        .where(payment_ledger.c.beneficiary_id == str(she))
        .order_by(payment_ledger.c.position),
    )

    export = paid.exports.payment_history_pdf(AUDITOR, she)
    text = pdf_text(export.content)

    assert running[-1]["paid_total_beneficiary"] == UEP + TRANSPORT
    assert "Total diterima bersih Rp 3.250.000" in text
    assert "Jumlah Rp 3.250.000" in text
    assert mask_name(NAME) in text
    assert "DEMO/SK/2019/1" in text and "TRK-JP Juata Permai" in text
    assert "Masuk ke rekening" in text and "Transfer gagal" in text
    assert "5 Agustus 2019" in text and "Rp 3.000.000" in text
    assert "KTT-JRN-2019" in text  # the bank reference may wrap inside its cell
    assert_no_identifiers(text)
    assert export.filename == "riwayat-pembayaran-TRK-JP-0001.pdf"
    assert export.media_type == "application/pdf"


@pytest.mark.parametrize("viewer", [OPERATOR, SUPERVISOR])
def test_operators_and_supervisors_see_her_name(paid: Paid, viewer: Account) -> None:
    text = pdf_text(paid.exports.payment_history_pdf(viewer, paid.journey.beneficiary_id).content)

    assert NAME in text
    assert NIK not in text and ACCOUNT not in text


def test_the_xlsx_totals_are_the_read_models(paid: Paid) -> None:
    export = paid.exports.ledger(AUDITOR, LedgerFilter(), LedgerFormat.XLSX)
    workbook = load_workbook(io.BytesIO(export.content))
    budget = read_model(paid.jejak, select(budget_position))

    assert workbook.sheetnames == [
        "Ringkasan",
        "Buku besar",
        "Posisi anggaran",
        "Per lokasi (seluruh program)",
    ]
    ledger_sheet = workbook["Buku besar"]
    assert ledger_sheet.max_row - 3 == len(read_model(paid.jejak, select(payment_ledger)))
    assert recorded_totals(ledger_sheet)["Efek bayar"] == programme_paid(paid.jejak)
    budget_totals = recorded_totals(workbook["Posisi anggaran"])
    for title, key in (
        ("Pagu", "committed"),
        ("Dialokasikan", "allocated"),
        ("Diperintahkan", "ordered"),
        ("Masuk rekening", "credited"),
        ("Dikembalikan", "returned"),
        ("Hangus", "lapsed"),
    ):
        assert budget_totals[title] == sum(row[key] for row in budget)
    sites = workbook["Per lokasi (seluruh program)"]
    by_site = {row[0]: row[2] for row in sites.iter_rows(min_row=2, values_only=True)}
    # The money story's site nets Rp 5.500.000; the compensation belongs to no site.
    assert by_site["TRK-LU"] == 5_500_000
    assert by_site["TRK-JP"] == UEP + TRANSPORT
    assert by_site["-"] == 10_000_000
    assert recorded_totals(sites)["Dibayar bersih"] == programme_paid(paid.jejak)
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert_no_identifiers(cells)
    assert "Masuk ke rekening" in cells and "Dikembalikan ke kas negara" in cells


def test_the_csv_sums_to_the_read_models_total_for_its_filter(paid: Paid) -> None:
    site = paid.story.site_id
    every = csv_rows(paid.exports.ledger(AUDITOR, LedgerFilter(), LedgerFormat.CSV).content)
    one_site = csv_rows(
        paid.exports.ledger(AUDITOR, LedgerFilter(site_id=site), LedgerFormat.CSV).content
    )
    site_total = read_model(
        paid.jejak,
        select(ledger_totals.c.paid).where(
            ledger_totals.c.dimension == "site", ledger_totals.c.key == str(site)
        ),
    )[0]["paid"]

    assert sum(int(row["Efek bayar"]) for row in every) == programme_paid(paid.jejak)
    assert sum(int(row["Efek bayar"]) for row in one_site) == site_total == 5_500_000
    assert {row["Lokasi"] for row in one_site} == {"TRK-LU"}
    returned = next(row for row in one_site if row["Kode peristiwa"] == "FundsReturned")
    assert (returned["Efek bayar"], returned["Tanggal"]) == ("-250000", "2019-12-10")
    assert_no_identifiers("\n".join(str(row) for row in every))


def test_a_business_date_range_keeps_the_events_inside_it(paid: Paid) -> None:
    august = LedgerFilter(occurred_from=date(2019, 8, 1), occurred_to=date(2019, 8, 31))

    rows = csv_rows(paid.exports.ledger(AUDITOR, august, LedgerFormat.CSV).content)

    assert rows
    assert all("2019-08-01" <= row["Tanggal"] <= "2019-08-31" for row in rows)
    assert {row["Kode peristiwa"] for row in rows} >= {"PaymentOrdered", "CreditedToAccount"}


def test_the_same_data_at_the_same_moment_gives_the_same_bytes(
    paid: Paid, fixed: LedgerExports
) -> None:
    def twice(export: Callable[[], ExportFile]) -> tuple[bytes, bytes]:
        return export().content, export().content

    she = paid.journey.beneficiary_id
    first, second = twice(lambda: fixed.payment_history_pdf(AUDITOR, she))
    assert first == second
    for fmt in LedgerFormat:
        first, second = twice(lambda: fixed.ledger(AUDITOR, LedgerFilter(), fmt))  # noqa: B023
        assert first == second


def test_each_export_is_logged_without_personal_data(paid: Paid) -> None:
    she = paid.journey.beneficiary_id
    paid.exports.payment_history_pdf(AUDITOR, she)
    paid.exports.ledger(AUDITOR, LedgerFilter(fiscal_year=2019), LedgerFormat.XLSX)

    ledger_entry, history_entry = paid.jejak.access_log.recent(2)

    assert (history_entry.action, history_entry.subject_id) == ("export_payment_history", she)
    assert history_entry.detail == "pdf, 12 rows, name masked"
    assert ledger_entry.action == "export_ledger"
    assert ledger_entry.detail is not None and ledger_entry.detail.startswith("xlsx, ")
    assert ledger_entry.detail.endswith("filters: fiscal_year")


def test_operators_may_not_take_the_whole_ledger(paid: Paid) -> None:
    with pytest.raises(ExportRefused):
        paid.exports.ledger(OPERATOR, LedgerFilter(), LedgerFormat.CSV)
    assert all(entry.action != "export_ledger" for entry in paid.jejak.access_log.recent())


def test_a_total_the_read_model_disagrees_with_is_refused(paid: Paid) -> None:
    she = paid.journey.beneficiary_id
    with paid.jejak.engine.begin() as conn:
        conn.execute(
            update(ledger_totals)
            .where(ledger_totals.c.dimension == "beneficiary", ledger_totals.c.key == str(she))
            .values(paid=1)
        )

    with pytest.raises(LedgerMismatch):
        paid.exports.payment_history_pdf(AUDITOR, she)
    with pytest.raises(LedgerMismatch):
        paid.exports.ledger(AUDITOR, LedgerFilter(beneficiary_id=she), LedgerFormat.CSV)


def test_every_ledger_event_has_a_label() -> None:
    assert set(EVENT_LABELS) == LEDGER_EVENTS


def test_a_reports_reads_all_see_one_moment(paid: Paid) -> None:
    def tamper() -> None:
        with paid.jejak.engine.begin() as conn:
            conn.execute(update(ledger_totals).values(paid=ledger_totals.c.paid + 1))

    with _Snapshot.of(paid.jejak.engine) as read:
        before = read.totals("site")
        tamper()  # as if the projection runner committed while the report was read
        during = read.totals("site")

    assert during == before
