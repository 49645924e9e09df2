"""The berita acara pemusnahan: the minutes of a destruction of personal data at the end of
its retention period (domain research 6.5; UU 27/2022 ties destruction to the archive
retention schedule).

It names people by case number only, never by name: the names are what was destroyed. It
lists what was destroyed, what was withheld and why, the period and its paper, and who
proposed and who approved. It is made once, when the keys are destroyed, and kept by its
hash as the document of the DestructionCarriedOut event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domain.privacy.categories import RetentionCategory
from domain.privacy.destruction import Destruction
from service.files.exports.model import Column, Kind, Table
from service.files.letters import Letter, Signatory
from service.i18n.formats import date_id

CATEGORY_ID = {
    RetentionCategory.IDENTITY_MINIMUM.value: "Identitas minimum (bukti pembayaran)",
    RetentionCategory.CASE_FILE.value: "Berkas kasus",
}
# Short enough for the letter's label column.
PERIOD_LABEL = {
    RetentionCategory.IDENTITY_MINIMUM.value: "Retensi identitas minimum",
    RetentionCategory.CASE_FILE.value: "Retensi berkas kasus",
}
HOLD_ID = {
    "investigation": "penyidikan",
    "litigation": "perkara di pengadilan",
    "audit_finding": "temuan pemeriksaan belum selesai",
    "not_due": "masa retensi belum berakhir",
}


def _withheld_reason(reason: str) -> str:
    kind, _, reference = reason.partition(": ")
    label = HOLD_ID.get(kind, kind)
    return f"{label} ({reference})" if reference else label


def berita_acara(
    destruction: Destruction,
    *,
    written_at: datetime,
    periods: Mapping[str, str],
    proposed_by: str,
    approved_by: str,
    approved_on: date,
) -> Letter:
    """The berita acara of `destruction`, approved and about to be recorded as carried out;
    `periods` describes the period in force per category ("10 tahun sejak ...")."""
    destroyed = Table(
        "Data yang dimusnahkan",
        [
            Column("case", "Nomor kasus"),
            Column("category", "Kategori data"),
            Column("ends", "Akhir masa retensi", Kind.DATE),
        ],
        [
            {
                "case": item.case_number,
                "category": CATEGORY_ID.get(item.category, item.category),
                "ends": item.ends_on,
            }
            for item in destruction.approved
        ],
    )
    tables = [destroyed]
    if destruction.withheld:
        tables.append(
            Table(
                "Data yang tidak dimusnahkan",
                [
                    Column("case", "Nomor kasus"),
                    Column("category", "Kategori data"),
                    Column("why", "Alasan"),
                ],
                [
                    {
                        "case": item.case_number,
                        "category": CATEGORY_ID.get(item.category, item.category),
                        "why": "; ".join(_withheld_reason(r) for r in item.reasons),
                    }
                    for item in destruction.withheld
                ],
            )
        )
    return Letter(
        title="Berita Acara Pemusnahan Data Pribadi",
        number=destruction.number,
        subject="Pemusnahan data pribadi yang masa retensinya telah berakhir",
        recipient=["Arsip Dinas", "Pejabat Pelindungan Data Pribadi"],
        paragraphs=[
            f"Pada hari ini, {date_id(approved_on)}, telah dilakukan pemusnahan data pribadi"
            " penerima manfaat yang masa retensinya telah berakhir menurut jadwal retensi"
            " arsip, dengan memusnahkan kunci data yang melindunginya. Data yang dienkripsi"
            " dengan kunci tersebut tidak dapat dibaca lagi di mana pun salinannya berada.",
            "Catatan keuangan (jumlah, tanggal, nomor kasus, referensi bank) dan jejak audit"
            " tetap utuh, sehingga buku besar pembayaran tetap dapat dibuktikan.",
        ],
        written_at=written_at,
        signatory=Signatory("Penyelia yang menyetujui", approved_by),
        facts=[
            ("Diusulkan oleh", proposed_by),
            ("Disetujui oleh", approved_by),
            *((PERIOD_LABEL.get(c, c), text) for c, text in sorted(periods.items())),
            ("Jumlah dimusnahkan", str(len(destruction.approved))),
            ("Jumlah tidak dimusnahkan", str(len(destruction.withheld))),
        ],
        tables=tables,
        closing=[
            "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan"
            " sebagaimana mestinya."
        ],
    )
