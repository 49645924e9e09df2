"""XLSX read back with openpyxl: real typed cells, Indonesian formats, totals, stable bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from service.files.exports.model import Column, Report, Table
from service.files.exports.xlsx_export import (
    DATE_FORMAT,
    RECORDED_TOTAL_LABEL,
    RUPIAH_FORMAT,
    TOTAL_LABEL,
    to_xlsx,
    unique_sheet_name,
)
from tests.exports.conftest import GENERATED_AT, payments_table, report_of


def read_back(report: Report) -> Workbook:
    return load_workbook(io.BytesIO(to_xlsx(report)))


def sheet(workbook: Workbook, name: str) -> Worksheet:
    found = workbook[name]
    assert isinstance(found, Worksheet)
    return found


def test_a_summary_sheet_comes_first_then_one_sheet_per_table(report: Report) -> None:
    workbook = read_back(report)

    assert workbook.sheetnames == ["Ringkasan", "Pembayaran hibah"]


def test_the_summary_holds_title_metadata_and_the_list_of_sheets(report: Report) -> None:
    summary = sheet(read_back(report), "Ringkasan")
    pairs = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}

    assert summary["A1"].value == "Riwayat pembayaran hibah usaha"
    assert summary["A1"].font.bold
    assert pairs["Program"] == "Kaltara 2016"
    assert pairs["Dibuat"] == "27 November 2026 14.05 WITA"
    assert pairs["Pembayaran hibah"] == "Pembayaran hibah"
    assert report.footer_note in pairs


def test_the_header_row_is_bold_and_frozen(report: Report) -> None:
    payments = sheet(read_back(report), "Pembayaran hibah")

    assert [cell.value for cell in payments[1]] == [
        "Kasus",
        "Tanggal bayar",
        "Dicatat",
        "Tahap",
        "Jumlah",
    ]
    assert all(cell.font.bold for cell in payments[1])
    assert payments.freeze_panes == "A2"


def test_values_are_typed_cells_with_indonesian_formats(report: Report) -> None:
    payments = sheet(read_back(report), "Pembayaran hibah")
    case, paid_on, recorded_at, instalment, amount = payments[2]

    assert (case.value, case.data_type) == ("JP-001", "s")
    assert (amount.value, amount.data_type, amount.number_format) == (5_500_000, "n", RUPIAH_FORMAT)
    assert (instalment.value, instalment.data_type) == (1, "n")
    assert isinstance(paid_on, Cell)
    assert paid_on.is_date
    assert paid_on.value == datetime(2019, 1, 10)
    assert paid_on.number_format == DATE_FORMAT == "[$-421]d mmmm yyyy"
    assert recorded_at.value == datetime(2019, 1, 10, 14, 5)  # wall-clock WITA
    assert recorded_at.number_format == '[$-421]d mmmm yyyy hh"."mm" WITA"'
    assert payments["E4"].value == -5_500_000


def test_totals_are_a_sum_formula_and_the_recorded_total(report: Report) -> None:
    payments = sheet(read_back(report), "Pembayaran hibah")
    amounts = [payments.cell(row, 5).value for row in range(2, 5)]

    assert payments["A5"].value == TOTAL_LABEL
    assert payments["E5"].value == "=SUM(E2:E4)"
    assert payments["A6"].value == RECORDED_TOTAL_LABEL
    assert payments["E6"].value == sum(amounts) == 5_500_000  # type: ignore[arg-type]
    assert payments["E6"].number_format == RUPIAH_FORMAT
    assert payments["D5"].value is None  # only the columns with a total


def test_a_table_without_rows_totals_zero_without_a_formula() -> None:
    payments = sheet(read_back(report_of(payments_table([]))), "Pembayaran hibah")

    assert payments["E2"].value == 0
    assert payments["E3"].value == 0


def test_text_starting_with_equals_stays_text() -> None:
    table = Table("t", [Column("note", "=1+1")], [{"note": '=HYPERLINK("x")'}])

    rows = sheet(read_back(report_of(table)), "t")

    assert (rows["A1"].value, rows["A1"].data_type) == ("=1+1", "s")
    assert (rows["A2"].value, rows["A2"].data_type) == ('=HYPERLINK("x")', "s")


def test_columns_are_as_wide_as_their_displayed_text(report: Report) -> None:
    payments = sheet(read_back(report), "Pembayaran hibah")

    assert payments.column_dimensions["C"].width >= len("10 Januari 2019 14.05 WITA")
    assert payments.column_dimensions["E"].width >= len("Rp 5.500.000")


def test_the_same_report_gives_the_same_bytes_stamped_with_its_date(report: Report) -> None:
    data = to_xlsx(report)
    properties = load_workbook(io.BytesIO(data)).properties

    assert to_xlsx(report) == data
    assert properties.created == properties.modified == GENERATED_AT.replace(tzinfo=None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 11, 27, 6, 5, 0)}


@pytest.mark.parametrize(
    ("title", "taken", "name"),
    [
        ("Pembayaran", set(), "Pembayaran"),
        ("Bayar: Januari/Februari [2019]?", set(), "Bayar Januari Februari 2019"),
        ("'Dikutip'", set(), "Dikutip"),
        ("", set(), "Tabel"),
        ("Ringkasan", {"ringkasan"}, "Ringkasan (2)"),
        ("PEMBAYARAN", {"pembayaran", "pembayaran (2)"}, "PEMBAYARAN (3)"),
        ("History", {"history"}, "History (2)"),
        ("Riwayat pembayaran hibah usaha per kasus", set(), "Riwayat pembayaran hibah usaha"),
        (
            "Riwayat pembayaran hibah usaha per kasus",
            {"riwayat pembayaran hibah usaha"},
            "Riwayat pembayaran hibah us (2)",
        ),
    ],
)
def test_sheet_names_are_legal_short_and_unique(title: str, taken: set[str], name: str) -> None:
    taken_before = set(taken)

    assert unique_sheet_name(title, taken) == name
    assert len(name) <= 31
    assert taken == taken_before | {name.casefold()}


def test_tables_with_the_same_title_get_their_own_sheets() -> None:
    first = payments_table([], title="Pembayaran")
    second = payments_table([], title="pembayaran")

    workbook = read_back(report_of(first, second))

    assert workbook.sheetnames == ["Ringkasan", "Pembayaran", "pembayaran (2)"]
