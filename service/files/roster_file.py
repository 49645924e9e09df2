"""A pendataan roster as an office keeps it: a CSV or XLSX file of case numbers, names and
phones, read into the rows the API's roster model takes.

Each row goes through `RosterRowIn`, the model `POST /api/sites/{site_id}/roster` validates its
rows with, so a rule holds the same whichever way a roster arrives. Every refused row is named
by its line in the file, and all of them are reported at once: an office fixes its file in one
go. Nothing here writes, translates or logs; a problem names the line, the column and the rule
broken, never the cell's content, which may be personal data.

The header row names the columns in Indonesian or English (`HEADERS`). CSV is UTF-8, with or
without the byte-order mark Excel writes, separated by commas or by the semicolons Excel writes
where the decimal separator is a comma (Indonesia). XLSX is read from its first sheet, in
openpyxl's read-only mode, after a look at the archive's declared sizes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from annotated_types import MaxLen
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError

from service.api.models import RosterIn, RosterRowIn

# A file of the most rows a roster may hold is well under 2 MiB as CSV.
MAX_ROSTER_BYTES: Final = 5 * 1024 * 1024
# An XLSX is a ZIP archive: what it declares unpacked is bounded too, so a small file cannot
# unpack into gigabytes.
MAX_UNPACKED_BYTES: Final = 64 * 1024 * 1024

# Accepted column names, Indonesian first, after `column_key` (lower case, spaces and dashes
# as underscores).
HEADERS: Final[Mapping[str, str]] = {
    "nomor_kasus": "case_number",
    "case_number": "case_number",
    "nama": "name",
    "name": "name",
    "telepon": "phone",
    "phone": "phone",
}
REQUIRED_COLUMNS: Final = ("case_number", "name")
FORMATS: Final = ("csv", "xlsx")


def _max_people() -> int:
    # The roster model's own limit on its rows, so that the file and the API agree.
    for rule in RosterIn.model_fields["people"].metadata:
        if isinstance(rule, MaxLen):
            return int(rule.max_length)
    raise LookupError("RosterIn.people declares no maximum length")


MAX_PEOPLE: Final = _max_people()


class RosterFileRefused(Exception):
    """Raised when a file cannot be read as a roster at all; `rule` says why (`empty`,
    `too_large`, `unpacked_too_large`, `format`, `not_utf8`, `not_csv`, `not_xlsx`,
    `unknown_columns`, `missing_columns`, `repeated_columns`, `too_many_rows`),
    `line` where in the file, `columns` the column names concerned and `limit` the limit
    broken."""

    def __init__(
        self,
        rule: str,
        *,
        line: int | None = None,
        columns: Sequence[str] = (),
        limit: int | None = None,
    ) -> None:
        super().__init__(f"roster file refused: {rule}" + (f" at line {line}" if line else ""))
        self.rule = rule
        self.line = line
        self.columns = tuple(columns)
        self.limit = limit


@dataclass(frozen=True)
class RowProblem:
    """A refused row: its line in the file, the column (a field of `RosterRowIn`, or None for
    a value under no column) and the rule broken (pydantic's error type), with its figures."""

    line: int
    field: str | None
    rule: str
    # The rule's own figures (a length's limit, a date's bounds), to tell the rule with.
    context: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class RosterLine:
    """A row that passed `RosterRowIn`, with its line in the file."""

    line: int
    row: RosterRowIn


@dataclass(frozen=True)
class RosterFile:
    """What a roster file holds: its valid rows and every refused row's problems."""

    rows: list[RosterLine] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def format_of(filename: str | None) -> str:
    """`csv` or `xlsx` from the file's name; anything else is refused."""
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix not in FORMATS:
        raise RosterFileRefused("format")
    return suffix


def read_roster_file(filename: str | None, content: bytes) -> RosterFile:
    """The rows of a roster file (CSV or XLSX, by its name), each checked by `RosterRowIn`.

    Raises `RosterFileRefused` when the file as a whole cannot be a roster; refused rows are
    returned as problems, all of them, each named by its line.
    """
    kind = format_of(filename)
    if not content:
        raise RosterFileRefused("empty")
    if len(content) > MAX_ROSTER_BYTES:
        raise RosterFileRefused("too_large", limit=MAX_ROSTER_BYTES)
    table = _csv_lines(content) if kind == "csv" else _xlsx_lines(content)
    return _checked(table)


def column_key(header: str) -> str:
    """How a header is matched against `HEADERS`: trimmed, lower case, spaces and dashes as
    underscores (`Nomor Kasus` is `nomor_kasus`)."""
    return "_".join(header.strip().lower().replace("-", " ").split())


def _checked(table: Iterator[tuple[int, list[str]]]) -> RosterFile:
    columns = _header(table)
    result = RosterFile()
    people = 0
    for line, cells in table:
        if not any(cells):
            continue  # a blank row, as spreadsheets leave between blocks
        people += 1
        if people > MAX_PEOPLE:
            raise RosterFileRefused("too_many_rows", line=line, limit=MAX_PEOPLE)
        values: dict[str, str | None] = {}
        problems: list[RowProblem] = []
        for index, cell in enumerate(cells):
            name = columns[index] if index < len(columns) else None
            if name is not None:
                values[name] = cell
            elif cell and not problems:
                problems.append(RowProblem(line, None, "no_column"))
        # An empty phone is no phone; an empty name or case number is still checked (missing).
        values["phone"] = values.get("phone") or None
        try:
            row = RosterRowIn.model_validate(values)
        except ValidationError as error:
            problems += [
                RowProblem(
                    line,
                    str(e["loc"][0]) if e["loc"] else None,
                    e["type"],
                    {
                        name: value if isinstance(value, int) else str(value)
                        for name, value in (e.get("ctx") or {}).items()
                    },
                )
                for e in error.errors(include_input=False, include_url=False)
            ]
        else:
            if not problems:
                result.rows.append(RosterLine(line, row))
        result.problems.extend(problems)
    if not people:
        raise RosterFileRefused("empty")
    return result


def _header(table: Iterator[tuple[int, list[str]]]) -> list[str | None]:
    """The first non-blank row, read as the column names; a blank header leaves its column
    unnamed (a value under it is refused)."""
    for line, cells in table:
        if not any(cells):
            continue
        keys = [column_key(c) for c in cells]
        unknown = [c.strip() for c, k in zip(cells, keys, strict=True) if k and k not in HEADERS]
        if unknown:
            raise RosterFileRefused("unknown_columns", line=line, columns=unknown)
        columns = [HEADERS[k] if k else None for k in keys]
        named = [c for c in columns if c]
        repeated = sorted({c for c in named if named.count(c) > 1})
        if repeated:
            raise RosterFileRefused("repeated_columns", line=line, columns=repeated)
        missing = [c for c in REQUIRED_COLUMNS if c not in named]
        if missing:
            raise RosterFileRefused("missing_columns", line=line, columns=missing)
        return columns
    raise RosterFileRefused("empty")


def _csv_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileRefused("not_utf8", line=content[: error.start].count(b"\n") + 1) from None
    first_line = text.split("\n", 1)[0]
    # Excel writes semicolons where the decimal separator is a comma, as in Indonesia.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]
    except csv.Error:
        # The csv module's messages name the rule broken (a NUL byte, a field over its size
        # limit), not the content; the line is where reading stopped.
        raise RosterFileRefused("not_csv", line=reader.line_num) from None


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise RosterFileRefused("not_xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterFileRefused("unpacked_too_large", limit=MAX_UNPACKED_BYTES)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise RosterFileRefused("not_xlsx") from None
    return _xlsx_rows(workbook)


def _xlsx_rows(workbook: Workbook) -> Iterator[tuple[int, list[str]]]:
    try:
        sheet = workbook.worksheets[0]
        # Read-only sheets yield every row from the first, blank ones included, so the count
        # is the spreadsheet's row number.
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield line, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: whole numbers without `.0` (a phone or a number
    typed into a cell formatted as a number), dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()
