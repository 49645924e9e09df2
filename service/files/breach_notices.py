"""The written notices of a personal-data breach (UU PDP Pasal 46), in Indonesian, as letters.

Pasal 46(2) says what a notice holds: the personal data exposed, when and how, and what is
done to handle and recover from it. Each is generated from the breach register's row:

- to one subject, for each affected case. She is addressed as the owner of the data of her case
  number, not by her name: the officer who sends it matches the number to her contact, which
  domain research §8.2 item 5 keeps outside the breached system; printing her name would be a
  read of her identity for every case of a breach that may affect hundreds, and a letter that
  goes astray would name her as one of the programme's women;
- to all subjects at once, when the cases are only estimated or are told by announcement;
- to the agency (lembaga PDP; while it is not set up, the ministry, domain research §8.1): the
  counts, the categories, the remediation and the subjects' notices, never a case number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

from service.files.exports.model import Column, Kind, Table
from service.files.letters import OFFICE, PLACE, PROGRAMME, Letter, Signatory
from service.i18n.formats import date_id, datetime_id, number

TITLE: Final = "Pemberitahuan Kegagalan Pelindungan Data Pribadi"
DPO_POSITION: Final = "Pejabat Pelindungan Data Pribadi"
LAW: Final = "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi"
AGENCY: Final = (
    "Lembaga Penyelenggara Pelindungan Data Pribadi",
    "c.q. Kementerian Komunikasi dan Digital Republik Indonesia",
    "di Jakarta",
)
CATEGORIES: Final = {
    "identity": "data identitas (nama, NIK, nomor KK, tanggal lahir)",
    "case_file": "data berkas kasus (nomor telepon, catatan asesmen, riwayat kasus)",
    "financial": "data keuangan (nomor rekening dan nama pemilik rekening)",
}
CHANNELS: Final = {
    "lost_device": "perangkat (laptop, telepon, flashdisk) hilang atau dicuri",
    "lost_papers": "berkas kertas hilang atau tercecer",
    "wrong_recipient": "data terkirim kepada penerima yang salah",
    "unauthorised_access": "akses oleh pihak yang tidak berwenang",
    "malware": "serangan perangkat lunak berbahaya",
    "disclosure": "data diungkapkan tanpa dasar yang sah",
    "other": "lainnya (lihat uraian)",
}
NOTICE_CHANNELS: Final = {
    "letter": "surat",
    "in_person": "disampaikan langsung",
    "phone": "telepon",
    "email": "surat elektronik",
    "agency_portal": "portal lembaga",
    "announcement": "pengumuman",
}
WHAT_SHE_CAN_DO: Final = (
    "Yang dapat Saudari lakukan: waspadai siapa pun yang menghubungi Saudari dengan mengaku "
    "dari program ini atau dari bank dan meminta PIN, kata sandi atau kode; petugas program "
    "tidak pernah memintanya. Periksa buku tabungan Saudari dan laporkan ke bank bila ada "
    "transaksi yang tidak Saudari kenal.",
    "Saudari berhak meminta akses dan salinan data pribadi Saudari, perbaikan, pembatasan atau "
    f"penghapusannya sesuai {LAW}. Untuk pertanyaan dan permintaan tersebut, hubungi "
    f"{DPO_POSITION} di kantor {OFFICE} di {PLACE} dengan menyebutkan nomor surat ini.",
)


def subject_notice(breach: Mapping[str, Any], case_number: str, written_at: datetime) -> Letter:
    """The notice to the subject of the case `case_number`, one of those the breach affects."""
    return Letter(
        title=TITLE,
        number=f"{breach['number']}/S/{case_number}",
        subject=TITLE,
        recipient=("Pemilik Data Pribadi", f"nomor kasus {case_number}", "di tempat"),
        paragraphs=(
            "Dengan hormat,",
            f"Sesuai Pasal 46 {LAW}, kami memberitahukan bahwa telah terjadi kegagalan "
            f"pelindungan data pribadi yang menyangkut data Saudari yang kami kelola dalam "
            f"{PROGRAMME}, sebagai berikut.",
        ),
        facts=_what_happened(breach),
        closing=(*WHAT_SHE_CAN_DO, "Kami mohon maaf atas kejadian ini."),
        written_at=written_at,
        signatory=Signatory(DPO_POSITION),
    )


def subjects_notice(breach: Mapping[str, Any], written_at: datetime) -> Letter:
    """The one notice to every subject of the breach, as an announcement or a circular."""
    return Letter(
        title=TITLE,
        number=f"{breach['number']}/S",
        subject=TITLE,
        recipient=(f"Para Pemilik Data Pribadi dalam {PROGRAMME}", "di tempat"),
        paragraphs=(
            "Dengan hormat,",
            f"Sesuai Pasal 46 {LAW}, kami memberitahukan bahwa telah terjadi kegagalan "
            f"pelindungan data pribadi yang menyangkut data sebagian penerima manfaat "
            f"{PROGRAMME}, sebagai berikut.",
        ),
        facts=(*_what_happened(breach), ("Jumlah pemilik data", _affected(breach))),
        closing=(*WHAT_SHE_CAN_DO, "Kami mohon maaf atas kejadian ini."),
        written_at=written_at,
        signatory=Signatory(DPO_POSITION),
    )


def agency_notice(breach: Mapping[str, Any], written_at: datetime) -> Letter:
    """The notice to the agency: what, when, how, how many, and what is done; no case named."""
    notices = [n for n in breach["notices"] if n["recipient"] == "subject"]
    return Letter(
        title=TITLE,
        number=f"{breach['number']}/L",
        subject=TITLE,
        recipient=AGENCY,
        paragraphs=(
            "Dengan hormat,",
            f"Sesuai Pasal 46 ayat (1) {LAW}, {OFFICE} sebagai pengendali data pribadi "
            f"{PROGRAMME} memberitahukan kegagalan pelindungan data pribadi berikut.",
        ),
        facts=(
            ("Nomor register", str(breach["number"])),
            *_what_happened(breach),
            ("Jumlah pemilik data", _affected(breach)),
            ("Batas pemberitahuan", datetime_id(_moment(breach["due_at"]))),
            ("Pemilik data diberi tahu", _subjects_told(breach)),
        ),
        tables=[_subject_notice_table(notices)] if notices else [],
        closing=(
            "Data pribadi pemilik data tidak dicantumkan dalam surat ini; keterangan lebih "
            f"lanjut dapat diminta kepada {DPO_POSITION} {OFFICE}. Demikian pemberitahuan ini "
            "kami sampaikan.",
        ),
        written_at=written_at,
        signatory=Signatory(DPO_POSITION),
    )


def _what_happened(breach: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    remediations = breach["remediations"]
    return (
        ("Data pribadi yang terungkap", "; ".join(CATEGORIES[c] for c in breach["categories"])),
        ("Waktu kejadian", _period(breach["happened_from"], breach["happened_to"])),
        ("Diketahui pada", datetime_id(_moment(breach["discovered_at"]))),
        ("Cara terungkap", CHANNELS[str(breach["channel"])]),
        ("Uraian", str(breach["description"])),
        (
            # Labels fit one line of the facts' column: a longer one would fold over the next.
            "Upaya penanganan",
            "; ".join(
                f"{date_id(date.fromisoformat(str(r['on'])))}: {r['summary']}" for r in remediations
            )
            or "sedang dilakukan",
        ),
    )


def _period(start: date, end: date | None) -> str:
    if end is None:
        return f"sejak {date_id(start)} (akhir belum diketahui)"
    if end == start:
        return date_id(start)
    return f"{date_id(start)} s.d. {date_id(end)}"


def _moment(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


def _affected(breach: Mapping[str, Any]) -> str:
    if breach["estimated_count"] is not None:
        return f"sekitar {number(int(breach['estimated_count']))} orang (perkiraan)"
    return f"{number(int(breach['affected_count']))} orang"


def _subjects_told(breach: Mapping[str, Any]) -> str:
    if breach["all_subjects_notified"]:
        return "seluruh pemilik data telah diberi tahu"
    told, total = int(breach["subjects_notified"]), int(breach["affected_count"])
    if breach["estimated_count"] is not None:
        return "belum seluruhnya; pemberitahuan sedang disampaikan"
    return f"{number(told)} dari {number(total)} orang telah diberi tahu"


def _subject_notice_table(notices: Iterable[Mapping[str, Any]]) -> Table:
    rows = [
        {
            "sent_at": _moment(n["sent_at"]),
            "channel": NOTICE_CHANNELS[str(n["channel"])],
            "count": "semua" if n["to_all"] else number(len(n["cases"])),
            "document": str(n["document_number"] or ""),
        }
        for n in notices
    ]
    return Table(
        "Pemberitahuan kepada pemilik data",
        [
            Column("sent_at", "Dikirim", Kind.DATETIME),
            Column("channel", "Saluran"),
            Column("count", "Jumlah"),
            Column("document", "Nomor surat"),
        ],
        rows,
    )
