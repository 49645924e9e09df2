"""The breach notices read back from their PDFs: what Pasal 46(2) asks each to say, the
subject addressed by her case number, the agency told how many and never which cases, each on
one page."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pypdf import PdfReader

from service.files.breach_notices import agency_notice, subject_notice, subjects_notice
from service.files.letters import Letter, letter_pdf

WITA = timezone(timedelta(hours=8))
NOW = datetime(2024, 12, 3, 10, 0, tzinfo=WITA)


def breach(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "number": "KDP-2024-002",
        "categories": ["identity", "case_file"],
        "happened_from": date(2024, 11, 1),
        "happened_to": date(2024, 11, 3),
        "discovered_at": "2024-12-02T01:15:00+00:00",
        "due_at": "2024-12-05T01:15:00+00:00",
        "channel": "wrong_recipient",
        "description": "Rekap asesmen terkirim ke alamat surel dinas lain",
        "remediations": [{"on": "2024-12-02", "summary": "Penerima diminta menghapus surel"}],
        "case_numbers": ["TRK-JP-0004", "TRK-JP-0005"],
        "estimated_count": None,
        "affected_count": 2,
        "all_subjects_notified": False,
        "subjects_notified": 1,
        "notices": [
            {
                "recipient": "subject",
                "channel": "letter",
                "sent_at": "2024-12-03T02:00:00+00:00",
                "cases": ["a-case-id"],
                "to_all": False,
                "document_number": "002/PDP/XII/2024",
            }
        ],
    }
    return row | changes


def pages(letter: Letter) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(letter_pdf(letter))).pages]


def test_her_notice_names_her_case_what_was_exposed_when_how_and_what_is_done() -> None:
    (text,) = pages(subject_notice(breach(), "TRK-JP-0004", NOW))

    for said in (
        "Nomor : KDP-2024-002/S/TRK-JP-0004",
        "Pemilik Data Pribadi",
        "nomor kasus TRK-JP-0004",
        "data identitas (nama, NIK",
        "1 November 2024 s.d. 3 November 2024",
        "2 Desember 2024 09.15 WITA",
        "data terkirim kepada penerima yang salah",
        "2 Desember 2024: Penerima diminta menghapus surel",
        "Yang dapat Saudari lakukan",
        "Pejabat Pelindungan Data Pribadi",
    ):
        assert said in text, said
    assert "TRK-JP-0005" not in text


def test_the_agency_is_told_how_many_and_never_which_cases() -> None:
    (text,) = pages(agency_notice(breach(), NOW))

    assert "Kementerian Komunikasi dan Digital" in text
    assert "2 orang" in text and "1 dari 2 orang telah diberi tahu" in text
    assert "5 Desember 2024 09.15 WITA" in text
    assert "002/PDP/XII/2024" in text
    assert "TRK-JP" not in text


def test_an_estimated_breach_is_told_to_all_its_subjects_at_once() -> None:
    estimated = breach(case_numbers=[], estimated_count=120, affected_count=120, notices=[])

    (text,) = pages(subjects_notice(estimated, NOW))

    assert "Para Pemilik Data Pribadi" in text and "sekitar 120 orang (perkiraan)" in text
