"""The record of processing and the impact assessment as files for the data-protection officer
(ADR 0060): a PDF letter in Indonesian (`service/files/letters.py`), a CSV with one row per
sealed field of each activity (or per risk), and the whole as JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine

from domain.privacy.assessment_review import Conclusion
from domain.sealed import KeyPurpose
from service.files.exports.model import Column, Kind, Table
from service.files.letters import Letter, Signatory, letter_pdf
from service.files.money_exports import ExportFile
from service.i18n import document_kind_name, event_name
from service.i18n.formats import datetime_id
from service.provenance import WITA
from service.queries.processing import (
    KEY_LABEL,
    ActivityRecord,
    FieldRow,
    ImpactAssessment,
    ProcessingRecord,
    impact_assessment,
    processing_record,
)

DPO = "Pejabat Pelindungan Data Pribadi"
# The record and the assessment are the Dinas's documents, in Indonesian whoever asks.
LANGUAGE = "id"
YES_NO = {True: "ya", False: "tidak"}
CONCLUSION_ID = {
    Conclusion.ACCEPTABLE: "Risiko dapat diterima dengan langkah yang ada",
    Conclusion.MEASURES_NEEDED: "Perlu langkah tambahan",
    Conclusion.CONSULT_AGENCY: "Berkonsultasi dengan lembaga pengawas",
}


class Generated(StrEnum):
    """The two documents, by the neutral name their files carry."""

    RECORD = "catatan-pemrosesan"
    ASSESSMENT = "penilaian-dampak"


class ExportFormat(StrEnum):
    """The formats the record and the assessment are exported in."""

    PDF = "pdf"
    CSV = "csv"
    JSON = "json"

    @property
    def media_type(self) -> str:
        """The HTTP media type of a file in this format."""
        return {
            ExportFormat.PDF: "application/pdf",
            ExportFormat.CSV: "text/csv; charset=utf-8",
            ExportFormat.JSON: "application/json",
        }[self]


def _two_columns(title: str, rows: Sequence[tuple[str, str]]) -> Table:
    return Table(
        title,
        [Column("what", "Unsur"), Column("value", "Keterangan")],
        [{"what": what, "value": value} for what, value in rows],
    )


def _measures(measures: Sequence[str]) -> Table:
    return Table(
        "Langkah pengamanan (Pasal 35)",
        [Column("number", "No.", Kind.INTEGER), Column("measure", "Langkah")],
        [{"number": n, "measure": m} for n, m in enumerate(measures, start=1)],
    )


def _activity_table(number: int, activity: ActivityRecord) -> Table:
    return _two_columns(
        f"{number}. {activity.name}",
        [
            ("Tujuan", activity.purpose),
            ("Dasar pemrosesan", "; ".join(activity.legal_bases)),
            ("Peraturan", activity.statutes),
            ("Subjek data", activity.subjects),
            ("Kategori data", "; ".join(activity.categories) or "-"),
            ("Data tersegel", ", ".join(f.label for f in activity.fields) or "-"),
            ("Data lain", activity.other_data),
            ("Penerima", "; ".join(activity.recipients)),
            ("Transfer ke luar negeri", activity.transfers_abroad),
            ("Masa retensi", "; ".join(activity.retention) or "-"),
            ("Akses menurut peran", " | ".join(activity.sight) or "-"),
        ],
    )


def record_letter(record: ProcessingRecord) -> Letter:
    """The record as a letter: the activities, the fields, the tables, the documents, the
    recipients and the security measures."""
    at = record.generated_at.astimezone(WITA)
    counts = record.counts
    return Letter(
        title="Catatan Kegiatan Pemrosesan Data Pribadi",
        number=f"PDP/CATATAN/{at:%Y%m%d-%H%M}",
        subject="Catatan pemrosesan data pribadi (UU 27/2022 Pasal 31)",
        recipient=[DPO, record.controller],
        paragraphs=[
            "Catatan ini dibuat oleh Jejak dari data yang benar-benar disimpannya: kolom "
            "tersegel pada setiap peristiwa, kunci yang menyegelnya, tabel yang memuat data "
            "tentang orang, jenis dokumen, peran yang melihatnya dan masa retensinya.",
            f"Dibuat pada {datetime_id(at)}.",
        ],
        written_at=at,
        signatory=Signatory(DPO),
        facts=[
            ("Pengendali data pribadi", record.controller),
            ("Orang dengan kunci data", str(counts.subjects)),
            ("Berkas kasus dihapus", str(counts.case_files_erased)),
            ("Identitas dimusnahkan", str(counts.identities_erased)),
        ],
        tables=[
            *(_activity_table(n, a) for n, a in enumerate(record.activities, start=1)),
            Table(
                "Data pribadi tersegel",
                [
                    Column("label", "Data"),
                    Column("category", "Kategori"),
                    Column("pasal4", "Pasal 4"),
                    Column("events", "Dicatat pada"),
                    Column("key", "Kunci"),
                    Column("retention", "Retensi"),
                ],
                [
                    {
                        "label": f.label,
                        "category": f.category,
                        "pasal4": f.pasal4,
                        "events": _events(f.events),
                        "key": KEY_LABEL[KeyPurpose(f.key)],
                        "retention": f.retention,
                    }
                    for f in record.fields
                ],
            ),
            Table(
                "Tabel yang memuat data tentang orang",
                [Column("table", "Tabel"), Column("holds", "Isi"), Column("columns", "Kolom")],
                [{"table": t.table, "holds": t.holds, "columns": t.columns} for t in record.tables],
            ),
            Table(
                "Dokumen tersimpan",
                [
                    Column("kind", "Jenis"),
                    Column("categories", "Kategori data"),
                    Column("opened_by", "Dapat dibuka oleh"),
                ],
                [
                    {
                        "kind": document_kind_name(LANGUAGE, d.kind),
                        "categories": d.categories,
                        "opened_by": d.opened_by,
                    }
                    for d in record.documents
                ],
            ),
            Table(
                "Penerima di luar petugas program",
                [
                    Column("name", "Penerima"),
                    Column("receives", "Data yang diterima"),
                    Column("channel", "Cara"),
                ],
                [
                    {"name": r.name, "receives": r.receives, "channel": r.channel}
                    for r in record.recipients
                ],
            ),
            _measures(record.security_measures),
        ],
        footer_note="Catatan Kegiatan Pemrosesan Data Pribadi",
    )


def assessment_letter(assessment: ImpactAssessment) -> Letter:
    """The impact assessment as a letter: the triggers, the risks and the measures."""
    at = assessment.generated_at.astimezone(WITA)
    return Letter(
        title="Penilaian Dampak Pelindungan Data Pribadi",
        number=f"PDP/DPIA/{at:%Y%m%d-%H%M}",
        subject="Penilaian dampak pelindungan data pribadi (UU 27/2022 Pasal 34)",
        recipient=[DPO],
        paragraphs=[
            "Penilaian ini dibuat oleh Jejak dari data yang disimpannya. Penilaian dampak "
            + ("wajib" if assessment.required else "tidak wajib")
            + " karena alasan di bawah.",
            f"Dibuat pada {datetime_id(at)}.",
        ],
        written_at=at,
        signatory=Signatory(DPO),
        facts=[
            ("Orang dengan kunci data", str(assessment.counts.subjects)),
            ("Versi penilaian (SHA-256)", assessment.sha256),
            ("Status tinjauan", "sudah ditinjau" if assessment.reviewed else "belum ditinjau"),
        ],
        tables=[
            Table(
                "Alasan penilaian dampak (Pasal 34)",
                [
                    Column("trigger", "Alasan"),
                    Column("applies", "Berlaku"),
                    Column("evidence", "Dasar dari data Jejak"),
                ],
                [
                    {"trigger": t.trigger, "applies": YES_NO[t.applies], "evidence": t.evidence}
                    for t in assessment.triggers
                ],
            ),
            Table(
                "Risiko dan langkah",
                [
                    Column("risk", "Risiko"),
                    Column("level", "Kemungkinan / dampak"),
                    Column("measures", "Langkah"),
                    Column("residual", "Sisa risiko"),
                ],
                [
                    {
                        "risk": r.risk,
                        "level": f"{r.likelihood} / {r.impact}",
                        "measures": r.measures,
                        "residual": r.residual,
                    }
                    for r in assessment.risks
                ],
            ),
            _measures(assessment.security_measures),
            Table(
                "Tinjauan Pejabat Pelindungan Data Pribadi",
                [
                    Column("on", "Tanggal", Kind.DATE),
                    Column("conclusion", "Kesimpulan"),
                    Column("reason", "Temuan"),
                    Column("next", "Tinjauan berikutnya", Kind.DATE),
                ],
                [
                    {
                        "on": r.reviewed_on,
                        "conclusion": CONCLUSION_ID[Conclusion(r.conclusion)]
                        + ("" if r.assessment_sha256 == assessment.sha256 else " (versi lain)"),
                        "reason": r.reason,
                        "next": r.next_review_on,
                    }
                    for r in assessment.reviews
                ],
            ),
        ],
        footer_note="Penilaian Dampak Pelindungan Data Pribadi",
    )


def record_file(record: ProcessingRecord, format: ExportFormat) -> bytes:
    """The record in `format`."""
    if format is ExportFormat.PDF:
        return letter_pdf(record_letter(record))
    if format is ExportFormat.JSON:
        return _json(record.as_dict())
    rows = []
    for a in record.activities:
        # An activity without sealed fields (the staff's) still has its row.
        fields: list[FieldRow | None] = list(a.fields) or [None]
        for f in fields:
            rows.append(
                {
                    "kegiatan": a.name,
                    "tujuan": a.purpose,
                    "dasar_pemrosesan": "; ".join(a.legal_bases),
                    "subjek_data": a.subjects,
                    "data": f.label if f else a.other_data,
                    "kolom": f.field if f else "",
                    "kategori": f.category if f else "",
                    "pasal_4": f.pasal4 if f else "",
                    "kunci": f.key if f else "",
                    "peristiwa": _events(f.events) if f else "",
                    "penerima": "; ".join(a.recipients),
                    "transfer_luar_negeri": a.transfers_abroad,
                    "retensi": f.retention if f else "",
                }
            )
    return _csv(rows)


def assessment_file(assessment: ImpactAssessment, format: ExportFormat) -> bytes:
    """The assessment in `format`."""
    if format is ExportFormat.PDF:
        return letter_pdf(assessment_letter(assessment))
    if format is ExportFormat.JSON:
        return _json(assessment.as_dict())
    return _csv(
        [
            {
                "risiko": r.risk,
                "kemungkinan": r.likelihood,
                "dampak": r.impact,
                "langkah": r.measures,
                "sisa_risiko": r.residual,
            }
            for r in assessment.risks
        ]
    )


def _events(events: Sequence[tuple[str, str]]) -> str:
    return ", ".join(event_name(LANGUAGE, aggregate, event) for aggregate, event in events)


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def processing_export(
    engine: Engine, document: Generated, fmt: ExportFormat, now: datetime
) -> ExportFile:
    """The record or the assessment generated `now`, as a file ready to hand over (and to be
    recorded as an export, ADR 0017)."""
    if document is Generated.RECORD:
        record = processing_record(engine, now)
        content, rows = record_file(record, fmt), len(record.activities)
    else:
        assessment = impact_assessment(engine, now)
        content, rows = assessment_file(assessment, fmt), len(assessment.risks)
    return ExportFile(
        content,
        f"{document.value}-{now:%Y%m%d}.{fmt.value}",
        fmt.media_type,
        name=f"{document.value}.{fmt.value}",
        rows=rows,
    )
