"""The access log as a file (CSV or XLSX), for the data-protection officer and the auditors.

HTTP (`GET /api/access-log/export`) and the command line (`jejak access-log --format csv`)
both write it here. It holds what the log holds: accounts, subject ids, case numbers, actions
and reasons, never a name. Times are shown in WITA.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from service.files.exports.csv_export import to_csv
from service.files.exports.model import Column, Kind, Report, Table
from service.files.exports.xlsx_export import to_xlsx
from service.files.money_exports import XLSX_MEDIA_TYPE, ExportFile
from service.queries.access_log import WITA, AccessLogEntry, AccessLogFilter

COLUMNS = (
    Column("id", "Nomor", Kind.INTEGER),
    Column("at", "Waktu (WITA)", Kind.DATETIME),
    Column("user_id", "Akun"),
    Column("role", "Peran"),
    Column("action", "Tindakan"),
    Column("subject_kind", "Jenis subjek"),
    Column("subject_id", "ID subjek"),
    Column("case_number", "Nomor kasus"),
    Column("detail", "Keterangan"),
    Column("interface", "Antarmuka"),
)
NOTE = "Log akses tidak memuat data pribadi: orang disebut dengan akun, ID subjek dan nomor kasus."


class AccessLogFormat(StrEnum):
    """How the access log is written: a workbook for people, CSV for their tools."""

    CSV = "csv"
    XLSX = "xlsx"


def access_log_file(
    entries: Sequence[AccessLogEntry],
    filters: AccessLogFilter,
    fmt: AccessLogFormat,
    generated_at: datetime,
) -> ExportFile:
    """The entries as a file named after the day it was made (WITA)."""
    table = Table("Log akses", COLUMNS, [entry.as_row() for entry in entries])
    if fmt is AccessLogFormat.XLSX:
        report = Report(
            title="Log akses data pribadi",
            subtitle="Siapa membaca data siapa, kapan, mengapa, dan dari antarmuka mana",
            metadata=[
                ("Filter", ", ".join(filters.used()) or "tidak ada"),
                ("Jumlah baris", str(len(entries))),
            ],
            sections=[table],
            footer_note=NOTE,
            generated_at=generated_at,
        )
        content, media_type = to_xlsx(report), XLSX_MEDIA_TYPE
    else:
        content, media_type = to_csv(table), "text/csv"
    day = generated_at.astimezone(WITA).date().isoformat()
    return ExportFile(
        content,
        f"log-akses-{day}.{fmt.value}",
        media_type,
        name=f"access_log.{fmt.value}",
        rows=len(entries),
        filters={f: getattr(filters, f) for f in filters.used()},
    )
