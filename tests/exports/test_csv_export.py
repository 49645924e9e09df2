"""CSV for machines: read back through the csv module, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from service.files.exports.csv_export import defuse_formula, to_csv
from service.files.exports.model import Column, Kind, Table
from tests.exports.conftest import payment, payments_table


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_file_is_utf8_with_a_byte_order_mark_and_crlf_lines(payments: Table) -> None:
    data = to_csv(payments)

    assert data.startswith(b"\xef\xbb\xbfKasus,")
    assert data.count(b"\r\n") == 1 + len(payments.rows)


def test_values_read_back_machine_readable(payments: Table) -> None:
    header, *rows = read_back(to_csv(payments))

    assert header == ["Kasus", "Tanggal bayar", "Dicatat", "Tahap", "Jumlah"]
    assert rows[0] == ["JP-001", "2019-01-10", "2019-01-10T06:05:00+00:00", "1", "5500000"]
    assert [row[4] for row in rows] == ["5500000", "5500000", "-5500000"]
    assert sum(int(row[4]) for row in rows) == payments.totals["amount"]  # type: ignore[index]


def test_totals_are_left_out_so_every_line_is_a_record(payments: Table) -> None:
    rows = read_back(to_csv(payments))[1:]

    assert len(rows) == len(payments.rows)
    assert {row[0] for row in rows} == {"JP-001", "JP-002"}


def test_names_with_letters_beyond_ascii_and_separators_survive() -> None:
    table = Table("t", [Column("name", "Nama")], [{"name": 'Contoh Zoë "Ani", Tarakan\nUtara'}])

    assert read_back(to_csv(table))[1] == ['Contoh Zoë "Ani", Tarakan\nUtara']


def test_an_empty_cell_is_an_empty_field() -> None:
    table = Table("t", [Column("paid_on", "Tanggal", Kind.DATE)], [{"paid_on": None}])

    assert read_back(to_csv(table))[1] == [""]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://example.invalid","klik")',
        "+62 811 0000",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    table = Table("t", [Column("note", text)], [{"note": text}])

    header, row = read_back(to_csv(table))

    assert header == [f"'{text}"]
    assert row == [f"'{text}"]


@pytest.mark.parametrize("text", ["JP-001", "a=b", "5 - 3", "", "'sudah dikutip"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert defuse_formula(text) == text


def test_a_negative_number_in_a_numeric_column_stays_a_number() -> None:
    table = payments_table([payment("JP-009", date(2019, 3, 1), -250_000, instalment=-1)])

    row = read_back(to_csv(table))[1]

    assert row[3:] == ["-1", "-250000"]
