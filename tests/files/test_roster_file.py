"""Reading a pendataan roster file: CSV (comma or semicolon, with or without BOM) and XLSX,
Indonesian or English headers, every refused row named by its line and its rule."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from service.files.roster_file import (
    MAX_PEOPLE,
    MAX_ROSTER_BYTES,
    RosterFileRefused,
    column_key,
    read_roster_file,
)


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """An Excel workbook whose first sheet holds `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def people(content: bytes, filename: str = "roster.csv") -> list[tuple[int, str, str, str | None]]:
    roster = read_roster_file(filename, content)
    assert roster.problems == []
    return [(r.line, r.row.case_number, r.row.name, r.row.phone) for r in roster.rows]


def test_a_comma_separated_file_with_english_headers_is_read_with_its_lines() -> None:
    content = (
        b"case_number,name,phone\nTRK-JP-0071,Contoh Satu,0812-1111-2222\nTRK-JP-0072,Contoh Dua,\n"
    )
    assert people(content) == [
        (2, "TRK-JP-0071", "Contoh Satu", "0812-1111-2222"),
        (3, "TRK-JP-0072", "Contoh Dua", None),
    ]


def test_excel_s_semicolons_bom_and_indonesian_headers_in_any_case_are_read() -> None:
    content = "\ufeffNomor Kasus;Nama;Telepon\r\nTRK-JP-0071;Contoh, Satu;+62 812 1111\r\n".encode()
    assert people(content) == [(2, "TRK-JP-0071", "Contoh, Satu", "+62 812 1111")]


def test_the_phone_column_may_be_left_out_and_blank_rows_are_skipped_keeping_line_numbers() -> None:
    content = b"nama,nomor_kasus\n\nContoh Satu,TRK-JP-0071\n,\nContoh Dua,TRK-JP-0072\n"
    assert [line for line, *_ in people(content)] == [3, 5]


def test_an_xlsx_roster_is_read_from_its_first_sheet_with_numbers_as_typed() -> None:
    content = xlsx(
        [
            ["Nomor Kasus", "Nama", "Telepon"],
            ["TRK-JP-0071", "Contoh Satu", 81211112222],
            [None, None, None],
            ["TRK-JP-0072", " Contoh Dua ", None],
        ]
    )
    assert people(content, "Daftar.XLSX") == [
        (2, "TRK-JP-0071", "Contoh Satu", "81211112222"),
        (4, "TRK-JP-0072", "Contoh Dua", None),
    ]


def test_every_refused_row_is_named_by_its_line_and_rule_and_good_rows_are_kept() -> None:
    content = (
        b"nomor_kasus;nama;telepon\n"
        b"TRK-JP-0071;Contoh Satu;\n"
        b"trk-jp-72;Contoh Dua;\n"
        b"TRK-JP-0073;;12\n"
        b"TRK-JP-0074;Contoh Empat;;stray\n"
    )
    roster = read_roster_file("roster.csv", content)
    assert [r.line for r in roster.rows] == [2]
    assert [(p.line, p.field, p.rule) for p in roster.problems] == [
        (3, "case_number", "string_pattern_mismatch"),
        (4, "name", "too_short"),
        (4, "phone", "string_pattern_mismatch"),
        (5, None, "no_column"),
    ]


def test_a_name_longer_than_the_model_allows_names_its_limit() -> None:
    content = b"case_number,name\nTRK-JP-0071," + b"a" * 201 + b"\n"
    (problem,) = read_roster_file("r.csv", content).problems
    assert (problem.line, problem.field, problem.rule) == (2, "name", "too_long")
    assert problem.context["max_length"] == 200


@pytest.mark.parametrize(
    ("header", "rule", "columns"),
    [
        (b"nomor_kasus,nama,umur", "unknown_columns", ("umur",)),
        (b"nomor_kasus,telepon", "missing_columns", ("name",)),
        (b"nomor_kasus,nama,name", "repeated_columns", ("name",)),
    ],
)
def test_a_header_with_unknown_missing_or_repeated_columns_is_refused(
    header: bytes, rule: str, columns: tuple[str, ...]
) -> None:
    with pytest.raises(RosterFileRefused) as refused:
        read_roster_file("r.csv", header + b"\nTRK-JP-0071,Contoh,x\n")
    assert (refused.value.rule, refused.value.line, refused.value.columns) == (rule, 1, columns)


@pytest.mark.parametrize(
    ("filename", "content", "rule"),
    [
        ("r.csv", b"", "empty"),
        ("r.csv", b"nomor_kasus,nama\n\n", "empty"),
        ("r.xlsx", xlsx([]), "empty"),
        ("r.txt", b"nomor_kasus,nama\n", "format"),
        ("r", b"nomor_kasus,nama\n", "format"),
        ("r.csv", b"nomor_kasus,nama\nTRK-JP-0071,Ren\xe9\n", "not_utf8"),
        ("r.xlsx", b"nomor_kasus,nama\n", "not_xlsx"),
    ],
)
def test_a_file_that_holds_no_roster_is_refused_as_a_whole(
    filename: str, content: bytes, rule: str
) -> None:
    with pytest.raises(RosterFileRefused) as refused:
        read_roster_file(filename, content)
    assert refused.value.rule == rule


def test_a_roster_of_more_people_than_the_api_takes_is_refused_at_the_first_row_too_many() -> None:
    rows = "".join(f"TRK-JP-{i % 10000:04d},Contoh\n" for i in range(MAX_PEOPLE + 1))
    with pytest.raises(RosterFileRefused) as refused:
        read_roster_file("r.csv", ("nomor_kasus,nama\n" + rows).encode())
    assert (refused.value.rule, refused.value.line) == ("too_many_rows", MAX_PEOPLE + 2)
    assert refused.value.limit == MAX_PEOPLE


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(RosterFileRefused) as refused:
        read_roster_file("r.csv", b"x" * (MAX_ROSTER_BYTES + 1))
    assert refused.value.rule == "too_large"


def test_a_workbook_that_unpacks_into_more_than_the_limit_is_refused_unopened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (65 * 1024 * 1024))
    with pytest.raises(RosterFileRefused) as refused:
        read_roster_file("r.xlsx", buffer.getvalue())
    assert refused.value.rule == "unpacked_too_large"


def test_headers_are_matched_without_case_spaces_or_dashes() -> None:
    assert column_key("  Nomor  Kasus ") == column_key("nomor-kasus") == "nomor_kasus"
