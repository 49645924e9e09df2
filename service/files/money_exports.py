"""The auditors' money exports as files: who may take them, their names, and the access log.

HTTP (`service/api/exports.py`) and the command line (`jejak money ledger|history`) both go
through `LedgerExports`, so each export is refused, named and logged the same way wherever it is
taken. Entries in the access log name the export and how many rows it held; never a name, and
never the filters' ids (a run of digits in an id would read as an identifier there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.recording import Role
from service.files.exports.csv_export import to_csv
from service.files.exports.pdf_export import to_pdf
from service.files.exports.xlsx_export import to_xlsx
from service.i18n.formats import PROGRAMME_TIMEZONE
from service.queries.money import LedgerFilter
from service.queries.money_reports import LedgerReports
from service.security.access_log import AccessAction, AccessLog
from service.security.accounts import Account
from service.system import Jejak

# The ledger holds no personal data; operators work from the worklist rather than the whole
# ledger, so they take only a woman's history, which they need to answer her.
LEDGER_EXPORT_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
PAYMENT_HISTORY_ROLES = (Role.OPERATOR, *LEDGER_EXPORT_ROLES)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_IN_FILENAMES = re.compile(r"[^A-Za-z0-9-]+")


class HistoryFormat(StrEnum):
    """How her payment history is written: a PDF to print and sign, a workbook to check."""

    PDF = "pdf"
    XLSX = "xlsx"


class LedgerFormat(StrEnum):
    """How the programme ledger is written: a workbook for people, CSV for their tools."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class ExportFile:
    """An export ready to hand over: its bytes, a neutral file name and its media type."""

    content: bytes
    filename: str
    media_type: str
    # What it holds, for the export's own record (an event, ADR 0017).
    name: str = ""
    rows: int = 0
    filters: Mapping[str, object] = field(default_factory=dict)


class ExportRefused(PermissionError):
    """The account's role may not take this export."""


class LedgerExports:
    """Writes the money reports as files, for the roles that may take them, and logs each."""

    def __init__(
        self,
        reports: LedgerReports,
        access_log: AccessLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reports = reports
        self.access_log = access_log
        self.clock = clock

    @classmethod
    def of(cls, jejak: Jejak) -> LedgerExports:
        """The exports of a started system."""
        return cls(LedgerReports(jejak.engine, jejak.vault), jejak.access_log)

    def payment_history_pdf(self, viewer: Account, beneficiary_id: UUID) -> ExportFile:
        """Her payment history as PDF, her name revealed or masked by the viewer's role."""
        return self.payment_history(viewer, beneficiary_id, HistoryFormat.PDF)

    def payment_history(
        self, viewer: Account, beneficiary_id: UUID, fmt: HistoryFormat
    ) -> ExportFile:
        """Her payment history as PDF (to print) or XLSX (to work with), the same report in
        both, her name revealed or masked by the viewer's role."""
        _require(viewer, PAYMENT_HISTORY_ROLES)
        report, subject = self.reports.payment_history(viewer, beneficiary_id, self._now())
        if fmt is HistoryFormat.XLSX:
            content, media_type = to_xlsx(report), XLSX_MEDIA_TYPE
        else:
            content, media_type = to_pdf(report), "application/pdf"
        rows = len(report.sections[0].rows)
        self.access_log.record(
            viewer.username,
            viewer.role,
            AccessAction.EXPORT_PAYMENT_HISTORY,
            "beneficiary",
            beneficiary_id,
            f"{fmt.value}, {rows} rows, name {'full' if subject.name_revealed else 'masked'}",
        )
        case = _NOT_IN_FILENAMES.sub("_", subject.case_number)
        return ExportFile(
            content,
            f"riwayat-pembayaran-{case}.{fmt.value}",
            media_type,
            name=f"payment_history.{fmt.value}",
            rows=rows,
            filters={"beneficiary_id": beneficiary_id},
        )

    def ledger(self, viewer: Account, filters: LedgerFilter, fmt: LedgerFormat) -> ExportFile:
        """The programme ledger: a workbook with the budget and per-site sheets, or the
        ledger table alone as CSV (which, by ADR 0013, carries no totals line)."""
        _require(viewer, LEDGER_EXPORT_ROLES)
        generated_at = self._now()
        report = self.reports.programme_ledger(filters, generated_at)
        ledger = report.sections[0]
        if fmt is LedgerFormat.XLSX:
            content, media_type = to_xlsx(report), XLSX_MEDIA_TYPE
        else:
            content, media_type = to_csv(ledger), "text/csv"
        used = [f.name for f in fields(filters) if getattr(filters, f.name) is not None]
        self.access_log.record(
            viewer.username,
            viewer.role,
            AccessAction.EXPORT_LEDGER,
            "payment_ledger",
            None,
            f"{fmt.value}, {len(ledger.rows)} rows, filters: {', '.join(used) or 'none'}",
        )
        day = generated_at.astimezone(ZoneInfo(PROGRAMME_TIMEZONE)).date().isoformat()
        return ExportFile(
            content,
            f"buku-besar-pembayaran-{day}.{fmt.value}",
            media_type,
            name=f"ledger.{fmt.value}",
            rows=len(ledger.rows),
            filters={f.name: getattr(filters, f.name) for f in fields(filters)},
        )

    def _now(self) -> datetime:
        # Whole seconds: the PDF stamps its creation date to the second, so finer time would
        # only make the XLSX and PDF of one moment disagree.
        return self.clock().replace(microsecond=0)


def _require(viewer: Account, roles: tuple[Role, ...]) -> None:
    if viewer.role not in roles:
        raise ExportRefused(f"the {viewer.role.value} role may not take this export")
