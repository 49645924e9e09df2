"""Letters read back with pypdf: the heading, the facts, the tables and the signature, in
Indonesian, the same bytes for the same letter, and a long letter that pages."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from service.files.exports.model import Column, Kind, Table
from service.files.letters import Letter, Signatory, letter_pdf

WITA = timezone(timedelta(hours=8))


@pytest.fixture
def letter() -> Letter:
    kept = Table(
        "Data yang disimpan",
        [Column("data", "Data"), Column("until", "Disimpan sampai", Kind.DATE)],
        [{"data": "Nama dan NIK", "until": date(2030, 12, 31)}],
    )
    return Letter(
        title="Pemberitahuan Penghapusan Data Pribadi",
        number="PDP/2026/0001",
        subject="Jawaban atas permintaan penghapusan",
        recipient=["Pemilik data pribadi", "Nomor kasus JP-2016-001"],
        paragraphs=["Dengan hormat,", "Berkas kasus Saudari telah dihapus."],
        written_at=datetime(2026, 12, 6, 10, 30, tzinfo=WITA),
        signatory=Signatory("Pejabat Pelindungan Data Pribadi"),
        facts=[("Dihapus", "Nomor telepon, catatan asesmen")],
        tables=[kept],
        closing=["Demikian pemberitahuan ini kami sampaikan."],
    )


def texts(letter: Letter) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(letter))).pages]


def test_a_letter_reads_in_order_in_indonesian(letter: Letter) -> None:
    (text,) = texts(letter)

    order = [
        "DINAS SOSIAL",
        "Tanjung Selor, 6 Desember 2026",
        "Nomor : PDP/2026/0001",
        "Perihal : Jawaban atas permintaan penghapusan",
        "Kepada Yth.",
        "Nomor kasus JP-2016-001",
        "PEMBERITAHUAN PENGHAPUSAN DATA PRIBADI",
        "Berkas kasus Saudari telah dihapus.",
        "Dihapus",
        "Nomor telepon, catatan asesmen",
        "Data yang disimpan",
        "31 Desember 2030",
        "Demikian pemberitahuan ini",
        "Pejabat Pelindungan Data Pribadi",
        "6 Desember 2026 10.30 WITA",
        "Halaman 1 dari 1",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


def test_the_same_letter_gives_the_same_bytes(letter: Letter) -> None:
    assert letter_pdf(letter) == letter_pdf(letter)


def test_a_long_letter_pages_and_keeps_its_signature_whole(letter: Letter) -> None:
    long = replace(letter, paragraphs=["Kalimat yang panjang untuk mengisi halaman. " * 40] * 6)

    pages = texts(long)

    assert len(pages) >= 2
    assert all(f"dari {len(pages)}" in page for page in pages)
    assert "Pejabat Pelindungan Data Pribadi" in pages[-1]


def test_a_letter_needs_an_aware_time_and_a_number(letter: Letter) -> None:
    with pytest.raises(ValueError, match="timezone"):
        replace(letter, written_at=datetime(2026, 12, 6, 10, 30))
    with pytest.raises(ValueError, match="number"):
        replace(letter, number=" ")
