"""One table as CSV for machines: spreadsheets, scripts and the auditors' own tools.

The CSV is for reading values back, not for looking at, so it carries no Indonesian display:
rupiah are plain integers (``5500000``, ``-250000`` for a reversal), dates are ISO 8601
(``2019-01-10``) and datetimes ISO 8601 with their UTC offset. Totals are left out so that
every line after the header is a record; whoever reads the file can sum it.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from service.files.exports.model import CellValue, Table

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"); a leading apostrophe makes it plain text. Tab and CR are on the list because
# some spreadsheets strip them and then see what follows.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, a header row of column titles and CRLF
    line ends.

    The byte-order mark is what makes Excel read the file as UTF-8 rather than the Windows
    code page, which would garble names with non-ASCII letters.
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([defuse_formula(column.title) for column in table.columns])
    for row in table.cells:
        writer.writerow([_csv_value(value) for value in row])
    return text.getvalue().encode("utf-8-sig")


def defuse_formula(text: str) -> str:
    """`text` with a leading apostrophe if a spreadsheet would otherwise run it as a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _csv_value(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        # A number the model checked cannot carry a formula: "-250000" is a reversal and
        # stays a number.
        return str(value)
    return defuse_formula(value)
