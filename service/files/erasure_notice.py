"""The written notice she receives when her erasure request is decided, in Indonesian (issue 17
point 1, domain research §8.3 step 6): what was deleted, what is kept, why and until when.

It names her case by number, never her name: the letter is handed to her by the programme
team, who know whom it is for, and the file may travel by e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from domain.privacy.erasure import REFUSED, WITA
from service.files.letters import Letter, Signatory, letter_pdf
from service.i18n.formats import date_id, datetime_id

# Her sealed fields as the letter names them.
FIELD_NAMES: Mapping[str, str] = {
    "phone": "nomor telepon",
    "assessment_notes": "catatan asesmen pekerja sosial",
    "name": "nama",
    "nik": "NIK",
    "kk": "nomor Kartu Keluarga",
    "birth_date": "tanggal lahir",
    "sex": "jenis kelamin",
    "bank_account": "nomor rekening bank",
    "bank_account_holder": "nama pemilik rekening",
}
LEGAL_BASIS = (
    "Dasar hukumnya: UU Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi Pasal 15"
    " (kepentingan umum dalam penyelenggaraan negara) dan Pasal 20 (kewajiban hukum dan tugas"
    " berdasarkan peraturan perundang-undangan); UU Nomor 15 Tahun 2004 Pasal 10 (hak Badan"
    " Pemeriksa Keuangan atas bukti pertanggungjawaban keuangan negara); serta Jadwal Retensi"
    " Arsip (JRA) keuangan."
)
SIGNATORY = Signatory("Pejabat Pelindungan Data Pribadi")


def _named(fields: list[str]) -> str:
    return ", ".join(FIELD_NAMES.get(f, f) for f in fields)


HOLD_KINDS: Mapping[str, str] = {
    "investigation": "penyidikan",
    "litigation": "perkara di pengadilan",
    "audit_finding": "temuan pemeriksaan",
}


def _holds(holds: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{HOLD_KINDS.get(kind, kind)} {reference}" for kind, reference in holds)


def _on_the_decision(erasure: Mapping[str, Any]) -> str:
    """ "Berdasarkan keputusan Nomor ... tanggal ...": the supervisor's memo the decision rests
    on, when the register holds it (decisions recorded before memos were required do not)."""
    number = erasure.get("decision_number")
    if not number:
        return ""
    issued: date | None = erasure.get("decision_issued_on")
    on = f" tanggal {date_id(issued)}" if issued else ""
    return f"Berdasarkan keputusan Nomor {number}{on}, "


def erasure_notice(erasure: Mapping[str, Any], holds: Sequence[tuple[str, str]] = ()) -> Letter:
    """The notice for a decided erasure request (a row of the erasures read model); `holds`
    are the legal holds and open audit findings that keep her data from destruction now, each
    by kind and reference."""
    decided: date = erasure["decided_on"]
    received: datetime = erasure["received_at"]
    decision = _on_the_decision(erasure)
    request = (
        f"Menjawab permohonan Saudari yang kami terima pada {datetime_id(received)}"
        f" (surat nomor {erasure['request_number']}), dengan ini kami sampaikan keputusan atas"
        " permohonan penghapusan data pribadi Saudari."
    )
    common: dict[str, Any] = {
        "number": f"PDP/HAPUS/{erasure['case_number']}/{decided.year}",
        "recipient": ["Pemilik data pribadi", f"Nomor kasus {erasure['case_number']}"],
        "written_at": datetime.combine(decided, time(9, 0), WITA),
        "signatory": SIGNATORY,
        "closing": [
            "Demikian pemberitahuan ini kami sampaikan. Atas perhatian Saudari kami ucapkan"
            " terima kasih."
        ],
    }
    if erasure["state"] == REFUSED:
        return Letter(
            title="Pemberitahuan Penolakan Penghapusan Data Pribadi",
            subject="Jawaban atas permohonan penghapusan data pribadi",
            paragraphs=[
                "Dengan hormat,",
                request,
                _sentence(decision, "permohonan Saudari tidak dapat kami penuhi pada saat ini.")
                + f" Alasannya: {erasure['decision_reason']}.",
                "Data Saudari tetap kami lindungi, dan setiap pembacaannya dicatat. Saudari dapat"
                " mengajukan permohonan kembali atau menyampaikan keberatan kepada Pejabat"
                " Pelindungan Data Pribadi.",
            ],
            facts=[("Tanggal keputusan", date_id(decided))],
            **common,
        )
    keep_until: date = erasure["keep_until"]
    return Letter(
        title="Pemberitahuan Penghapusan Data Pribadi",
        subject="Jawaban atas permohonan penghapusan data pribadi",
        paragraphs=[
            "Dengan hormat,",
            request,
            _sentence(
                decision,
                f"permohonan Saudari disetujui dan dilaksanakan pada {date_id(decided)}.",
            )
            + " Berkas kasus Saudari telah dihapus: kunci yang menyandikannya dimusnahkan,"
            " sehingga data tersebut tidak dapat dibuka lagi oleh siapa pun.",
            "Data identitas yang menjadi bukti pembayaran bantuan kepada Saudari wajib tetap kami"
            " simpan, dalam keadaan dibatasi: tidak lagi digunakan untuk program, hanya dibaca"
            " untuk pemeriksaan (audit) dan tuntutan hukum, dan setiap pembacaan dicatat beserta"
            " alasannya. " + LEGAL_BASIS,
            f"Data tersebut dimusnahkan pada {date_id(keep_until)} dengan berita acara"
            " pemusnahan, kecuali masih ada temuan Badan Pemeriksa Keuangan, penyidikan, atau"
            " perkara di pengadilan yang belum selesai (penahanan hukum); pemusnahan lalu ditunda"
            " sampai hal itu selesai, dan Saudari akan diberi tahu.",
        ],
        facts=[
            ("Dihapus", _named(erasure["deleted_fields"])),
            ("Disimpan dan dibatasi", _named(erasure["kept_fields"])),
            (
                "Pembayaran terakhir",
                date_id(erasure["last_paid_on"]) if erasure["last_paid_on"] else "tidak ada",
            ),
            ("Disimpan sampai", date_id(keep_until)),
            ("Penahanan hukum", _holds(holds) if holds else "tidak ada saat ini"),
        ],
        **common,
    )


def _sentence(lead: str, rest: str) -> str:
    """`rest` after `lead`, or on its own with a capital letter when there is no lead."""
    return lead + rest if lead else rest[0].upper() + rest[1:]


def erasure_notice_pdf(erasure: Mapping[str, Any], holds: Sequence[tuple[str, str]] = ()) -> bytes:
    """The notice as a PDF."""
    return letter_pdf(erasure_notice(erasure, holds))
