"""A report as an Excel workbook: a "Ringkasan" sheet, then one sheet per table.

Values are real cells, not display text: rupiah are integers, dates are dates, so auditors can
sort, filter and sum. The Indonesian look comes from number formats:

- Rupiah use ``"Rp "#,##0``. The file cannot fix the thousands separator: ``,`` in a number
  format means "the viewer's group separator", so Excel in an Indonesian locale shows
  ``Rp 5.500.000`` and in an English one ``Rp 5,500,000``. We keep it that way rather than
  store text, because text cannot be summed.
- Dates use ``[$-421]d mmmm yyyy``; 421 is the Indonesian locale id, which makes Excel and
  LibreOffice print ``10 Januari 2019`` whatever the viewer's own language.
- Excel has no time zones, so datetimes are stored as wall-clock time in the programme's zone
  with the zone's name (``WITA``) in the format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from service.files.exports.indonesian import format_cell_id
from service.files.exports.model import CellValue, Kind, Report, Table
from service.i18n.formats import PROGRAMME_TIMEZONE, datetime_id

SUMMARY_SHEET = "Ringkasan"
RUPIAH_FORMAT = '"Rp "#,##0'
INTEGER_FORMAT = "0"
DATE_FORMAT = "[$-421]d mmmm yyyy"
TOTAL_LABEL = "Jumlah"
RECORDED_TOTAL_LABEL = "Jumlah tercatat"
TOTALS_NOTE = (
    f"Baris '{TOTAL_LABEL}' adalah rumus SUM yang dihitung ulang oleh aplikasi lembar kerja; "
    f"baris '{RECORDED_TOTAL_LABEL}' adalah jumlah yang sama, dicatat saat ekspor."
)

# Excel's limits on sheet names: 31 characters, none of these, unique ignoring case, and not
# "History", which it keeps for change tracking.
MAX_SHEET_NAME = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\s]+")
_RESERVED_SHEET_NAMES = ("history",)

BOLD = Font(bold=True)
MIN_WIDTH = 8
MAX_WIDTH = 60


def to_xlsx(report: Report) -> bytes:
    """The report as XLSX bytes; the same report always gives the same bytes."""
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on a worksheet
    summary.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET.casefold(), *_RESERVED_SHEET_NAMES}
    names = [unique_sheet_name(table.title, taken) for table in report.sections]
    for table, name in zip(report.sections, names, strict=True):
        _write_table(workbook.create_sheet(name), table)
    _write_summary(summary, report, names)
    return _save(workbook, report.generated_at)


def unique_sheet_name(title: str, taken: set[str]) -> str:
    """A legal sheet name made from `title`, not yet in `taken` (casefolded), which it joins.

    A clash gets a counter, ``Pembayaran (2)``, cut to fit within 31 characters.
    """
    base = _NOT_IN_SHEET_NAMES.sub(" ", title).strip().strip("'").strip() or "Tabel"
    name = base[:MAX_SHEET_NAME].rstrip()
    counter = 2
    while name.casefold() in taken:
        suffix = f" ({counter})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        counter += 1
    taken.add(name.casefold())
    return name


def _write_summary(sheet: Worksheet, report: Report, sheet_names: Sequence[str]) -> None:
    _put_text(_cell(sheet, 1, 1), report.title).font = Font(bold=True, size=14)
    _put_text(_cell(sheet, 2, 1), report.subtitle)
    lines: list[tuple[str, str]] = [
        *report.metadata,
        ("Dibuat", datetime_id(report.generated_at)),
    ]
    row = 4
    for label, value in lines:
        _put_text(_cell(sheet, row, 1), label).font = BOLD
        _put_text(_cell(sheet, row, 2), value)
        row += 1
    row += 1
    for column, heading in enumerate(("Lembar", "Isi", "Baris"), start=1):
        _put_text(_cell(sheet, row, column), heading).font = BOLD
    for name, table in zip(sheet_names, report.sections, strict=True):
        row += 1
        _put_text(_cell(sheet, row, 1), name)
        _put_text(_cell(sheet, row, 2), table.title)
        sheet.cell(row, 3, len(table.rows))
    row += 2
    _put_text(_cell(sheet, row, 1), report.footer_note)
    if any(table.totals for table in report.sections):
        _put_text(_cell(sheet, row + 1, 1), TOTALS_NOTE)
    widest_value = max((len(value) for _, value in lines), default=0)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = min(max(widest_value + 2, 40), MAX_WIDTH)


def _write_table(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns, start=1):
        _put_text(_cell(sheet, 1, index), column.title).font = BOLD
    # Rows are written from row 2, below the header that stays in view while scrolling.
    sheet.freeze_panes = "A2"
    for row_number, values in enumerate(table.cells, start=2):
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), 1):
            _put_value(_cell(sheet, row_number, index), column.kind, value)
    if table.totals:
        _write_totals(sheet, table)
    for index in range(len(table.columns)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = _width(table, index)


def _write_totals(sheet: Worksheet, table: Table) -> None:
    """Two rows under the data: SUM formulas, then the same totals as plain numbers.

    openpyxl cannot compute a formula's result, so the file holds no cached value for it:
    Excel shows the sum after recalculating, but a reader that does not calculate (a script,
    a viewer, openpyxl itself) would see nothing. The second row gives such readers the total,
    and gives people a visible check that the formula agrees.
    """
    last_data_row = 1 + len(table.rows)
    formula_row, recorded_row = last_data_row + 1, last_data_row + 2
    label_index = next(
        (i for i, column in enumerate(table.columns, 1) if table.total_for(column) is None),
        None,
    )
    if label_index is not None:
        _put_text(_cell(sheet, formula_row, label_index), TOTAL_LABEL).font = BOLD
        _put_text(_cell(sheet, recorded_row, label_index), RECORDED_TOTAL_LABEL).font = BOLD
    for index, column in enumerate(table.columns, start=1):
        total = table.total_for(column)
        if total is None:
            continue
        letter = get_column_letter(index)
        # With no data rows the range would reach back into the header or the formula itself.
        formula = f"=SUM({letter}2:{letter}{last_data_row})" if table.rows else 0
        for row_number, value in ((formula_row, formula), (recorded_row, total)):
            cell = sheet.cell(row_number, index, value)
            cell.number_format = _number_format(column.kind)
            cell.font = BOLD


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    cell = sheet.cell(row, column)
    assert isinstance(cell, Cell)  # only merged ranges hold other cells, and we merge none
    return cell


def _put_value(cell: Cell, kind: Kind, value: CellValue) -> None:
    if value is None:
        return
    if isinstance(value, str):
        _put_text(cell, value)
        return
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(PROGRAMME_TIMEZONE))
        cell.value = local.replace(tzinfo=None)
        cell.number_format = f'{DATE_FORMAT} hh"."mm" {local.tzname()}"'
        return
    cell.value = value
    cell.number_format = _number_format(kind)


def _number_format(kind: Kind) -> str:
    return {Kind.RUPIAH: RUPIAH_FORMAT, Kind.INTEGER: INTEGER_FORMAT, Kind.DATE: DATE_FORMAT}[kind]


def _put_text(cell: Cell, text: str) -> Cell:
    """Write `text` as a string cell, never a formula, whatever it starts with.

    openpyxl turns a string starting with ``=`` into a formula; setting the type afterwards
    keeps it text (the XLSX form of CSV-injection protection). Control characters XML cannot
    carry are replaced rather than failing the whole export.
    """
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", text)
    cell.data_type = "s"
    return cell


def _width(table: Table, index: int) -> float:
    # Width is in characters of the default font; the displayed text is a fair estimate.
    column = table.columns[index]
    texts = [column.title, *(format_cell_id(column.kind, row[index]) for row in table.cells)]
    total = table.total_for(column)
    if total is not None:
        texts.append(format_cell_id(column.kind, total))
    return float(min(max(max(map(len, texts)) + 2, MIN_WIDTH), MAX_WIDTH))


def _save(workbook: Workbook, generated_at: datetime) -> bytes:
    """Write the workbook with every timestamp in the file set to `generated_at`.

    `Workbook.save` stamps the current time into the document properties and each zip entry,
    so two exports of one report would differ; here the properties are set from the report
    and the archive is rewritten with fixed entry times.
    """
    moment = generated_at.astimezone(UTC).replace(tzinfo=None)
    workbook.properties.creator = "Jejak"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    written = io.BytesIO()
    ExcelWriter(workbook, ZipFile(written, "w", ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    with ZipFile(written) as source, ZipFile(fixed, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stamped = ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            target.writestr(stamped, source.read(entry), compress_type=ZIP_DEFLATED)
    return fixed.getvalue()
