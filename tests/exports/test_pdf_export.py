"""PDF read back with pypdf: Indonesian text, page numbering, repeated headers, stable bytes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from service.files.exports.model import Column, Kind, Report, Table
from service.files.exports.pdf_export import to_latin1, to_pdf
from tests.exports.conftest import GENERATED_AT, payment, payments_table, report_of

HEADER_LINE = "Kasus Tanggal bayar Dicatat Tahap Jumlah"


def page_texts(report: Report) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(to_pdf(report))).pages]


@pytest.fixture
def long_report() -> Report:
    """Enough payments to run over several pages."""
    rows = [
        payment(f"JP-{n:03}", date(2019, 1, 1) + timedelta(days=n), 5_500_000) for n in range(150)
    ]
    return report_of(payments_table(rows))


def test_the_text_is_in_indonesian_formats(report: Report) -> None:
    (text,) = page_texts(report)

    assert "Riwayat pembayaran hibah usaha" in text
    assert "Program Kaltara 2016" in text
    assert "27 November 2026 14.05 WITA" in text
    assert "10 Januari 2019" in text
    assert "1 Januari 2019" in text
    assert "31 Desember 2019 14.05 WITA" in text
    assert "Rp 5.500.000" in text
    assert "-Rp 5.500.000" in text
    assert "Jumlah Rp 5.500.000" in text
    assert "Data pribadi disamarkan sesuai peran pembaca." in text
    assert "Halaman 1 dari 1" in text


def test_the_page_is_a4(report: Report) -> None:
    (page,) = PdfReader(io.BytesIO(to_pdf(report))).pages

    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_long_table_repeats_its_header_and_numbers_every_page(long_report: Report) -> None:
    texts = page_texts(long_report)

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert HEADER_LINE in text, f"page {number} has no header row"
        assert f"Halaman {number} dari {len(texts)}" in text
    all_text = "\n".join(texts)
    assert all(f"JP-{n:03}" in all_text for n in range(150))
    assert "Jumlah Rp 825.000.000" in texts[-1]


def test_a_table_without_rows_says_so() -> None:
    (text,) = page_texts(report_of(payments_table([])))

    assert HEADER_LINE in text
    assert "Tidak ada data" in text
    assert "Jumlah Rp 0" in text


def test_the_same_report_gives_the_same_bytes(long_report: Report) -> None:
    assert to_pdf(long_report) == to_pdf(long_report)


def test_the_creation_date_is_the_reports_and_changes_the_bytes(report: Report) -> None:
    later = replace(report, generated_at=GENERATED_AT + timedelta(minutes=1))

    metadata = PdfReader(io.BytesIO(to_pdf(report))).metadata

    assert metadata is not None
    assert metadata.creation_date == GENERATED_AT
    assert metadata.title == report.title
    assert to_pdf(later) != to_pdf(report)


@pytest.mark.parametrize(
    ("text", "latin1"),
    [
        ("Contoh Siti Aisyah", "Contoh Siti Aisyah"),
        ("Zoë Müller", "Zoë Müller"),
        ("\u201cTarakan\u201d \u2013 Nunukan\u2026", '"Tarakan" - Nunukan...'),
        ("Őzil Łukasz", "Ozil ?ukasz"),
        ("李", "?"),
    ],
)
def test_text_is_brought_into_latin1_for_the_core_font(text: str, latin1: str) -> None:
    assert to_latin1(text) == latin1


def test_text_beyond_latin1_is_printed_rather_than_failing_the_export(payments: Table) -> None:
    report = replace(report_of(payments), title="Laporan \u201cKaltara\u201d \u2014 李")

    (text,) = page_texts(report)

    assert 'Laporan "Kaltara" - ?' in text


def test_a_table_wider_than_the_page_wraps_its_text_and_never_an_amount() -> None:
    notes = [Column(f"note{n}", f"Catatan {n}") for n in range(6)]
    columns = [*notes, Column("amount", "Jumlah", Kind.RUPIAH)]
    long_text = "hasil_transfer DEMO/hasil_transfer/2019/000001 dicatat oleh supervisor"
    rows = [{**{c.key: long_text for c in notes}, "amount": 3_000_000}]

    (text,) = page_texts(report_of(Table("Lebar", columns, rows, totals={"amount": 3_000_000})))

    assert "Rp 3.000.000" in text
    assert "Jumlah Rp 3.000.000" in text
