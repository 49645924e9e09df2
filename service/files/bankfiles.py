"""The bank files of a payment batch: the transfer file we send, the result file and the
account statement (rekening koran) we receive back.

Pure functions on bytes: no database, clock or network. The formats are documented in
docs/bank-files.md.

Parsing never stops at the first problem. An operator fixing a bank's file wants the whole list,
so every line is checked and all problems are raised together in one `BankFileRejected`. A
problem names the line, the column and the rule, never the cell's value: the files hold account
numbers and names, and error bodies and logs must not.

The recipients are a stigmatised group. The transfer file's only free text besides the account
holder is the remark, and the remark is a neutral programme code checked against a deny-list.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Literal, TypeVar, get_args

from domain.errors import InvalidValue

# A payment batch of this programme is a few hundred lines; these limits only stop a wrong or
# hostile upload from tying up a worker.
MAX_LINES = 200_000
MAX_BYTES = 64 * 1024 * 1024
# Matches the API's ceiling on an amount: one trillion rupiah.
MAX_AMOUNT = 10**12
MAX_HOLDER_LENGTH = 100
# The read models store a bank reference in 100 characters.
MAX_REFERENCE_LENGTH = 100
MAX_REASON_LENGTH = 200

TRANSFER_COLUMNS = (
    "batch_number",
    "transfer_ref",
    "bank_code",
    "account_number",
    "account_holder",
    "amount",
    "currency",
    "value_date",
    "remark",
)
RESULT_COLUMNS = (
    "batch_number",
    "transfer_ref",
    "amount",
    "status",
    "bank_reference",
    "value_date",
    "failure_reason",
)
STATEMENT_COLUMNS = ("value_date", "bank_reference", "amount", "kind")
# The statement's description is free text written by the bank and may hold names; it is
# accepted so that a bank's export loads as is, and then dropped unread.
STATEMENT_OPTIONAL_COLUMNS = ("description",)

CURRENCY = "IDR"

# Labels that would tell a bank clerk, or anyone who sees a recipient's account history, why
# she was paid. A deny-list catches honest mistakes, not a determined author; it is kept short.
# Acronyms are matched as whole words, since as letters they turn up inside harmless codes
# ("PS-KALTARA"); longer words are matched anywhere in the letters ("EKSLOKALISASI"). "SEKS" is
# left out because it is inside "SEKSI" (a section).
STIGMATISING_ACRONYMS = ("PSK", "PSKW", "WTS")
STIGMATISING_WORDS = (
    "LOKALISASI",
    "PROSTITUSI",
    "PELACUR",
    "SUSILA",
    "MUCIKARI",
    "GERMO",
    "PEKERJASEKS",
)

LETTER_RUN = re.compile(r"[^\W\d_]+")
BATCH_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")
PROGRAMME_CODE = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,38}[A-Z0-9])?")
BANK_CODE = re.compile(r"[0-9]{3}")
ACCOUNT_NUMBER = re.compile(r"[0-9]{6,20}")
# Plain digits only. "5.500.000" is refused: "5.500" is five and a half to some writers and
# five thousand five hundred to others, and money is never guessed (see domain/money.py).
PLAIN_AMOUNT = re.compile(r"[0-9]{1,13}")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Indonesian banks often write day/month/year; month-first is never used here.
DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# A spreadsheet opening the file runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A column's allowed values, and the keys by which repeated lines are found.
_Choice = TypeVar("_Choice", bound=str)
_Key = TypeVar("_Key", str, tuple[str, str])

ResultStatus = Literal["CREDITED", "FAILED"]
StatementKind = Literal["TRANSFER_OUT", "WITHDRAWAL", "RETURNED"]
RESULT_STATUSES: tuple[ResultStatus, ...] = get_args(ResultStatus)
STATEMENT_KINDS: tuple[StatementKind, ...] = get_args(StatementKind)


class ProblemCode(StrEnum):
    """The stable codes of `LineProblem.code`."""

    NOT_UTF8 = "NOT_UTF8"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    MALFORMED_LINE = "MALFORMED_LINE"
    MISSING_COLUMNS = "MISSING_COLUMNS"
    UNEXPECTED_COLUMNS = "UNEXPECTED_COLUMNS"
    MISSING_VALUE = "MISSING_VALUE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_DATE = "INVALID_DATE"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_KIND = "INVALID_KIND"
    INVALID_FORMAT = "INVALID_FORMAT"
    BATCH_MISMATCH = "BATCH_MISMATCH"
    UNKNOWN_LINE = "UNKNOWN_LINE"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    DUPLICATE_LINE = "DUPLICATE_LINE"
    STIGMATISING_LABEL = "STIGMATISING_LABEL"


@dataclass(frozen=True)
class LineProblem:
    """One problem in a bank file.

    `line` is the 1-based physical line (the header is 1), or 0 for a whole-file problem;
    `field` the column, or None. `message` names the rule and never the cell's value.
    """

    line: int
    field: str | None
    code: str
    message: str


class BankFileRejected(InvalidValue):
    """A bank file, or the input for one, breaks the format rules; `problems` lists them all."""

    code: ClassVar[str] = "BANK_FILE_REJECTED"
    problems: tuple[LineProblem, ...]

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        first = problems[0]
        where = f"line {first.line}" if first.line else "the file"
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__(f"bank file rejected, {count}; first, in {where}: {first.message}")
        self.problems = tuple(problems)


@dataclass(frozen=True)
class TransferLine:
    """One transfer the programme orders the bank to make."""

    transfer_ref: str
    bank_code: str
    account_number: str
    account_holder: str
    amount: int


@dataclass(frozen=True)
class ResultLine:
    """The bank's outcome for one transfer of a batch."""

    transfer_ref: str
    amount: int
    status: ResultStatus
    bank_reference: str | None
    value_date: date | None
    failure_reason: str | None


@dataclass(frozen=True)
class StatementLine:
    """One movement on the programme account's statement (the description is not kept)."""

    value_date: date
    bank_reference: str
    amount: int
    kind: StatementKind


def file_sha256(content: bytes) -> str:
    """The hex SHA-256 of a file, recorded with an import so the exact file can be proven later."""
    return hashlib.sha256(content).hexdigest()


class _Problems:
    """Collects problems so that all of them are reported together."""

    def __init__(self) -> None:
        self.found: list[LineProblem] = []

    def add(self, line: int, field: str | None, code: ProblemCode, message: str) -> None:
        self.found.append(LineProblem(line, field, code.value, message))

    def raise_if_any(self) -> None:
        if self.found:
            # Sorted by line, keeping each line's problems in column order (the sort is stable).
            raise BankFileRejected(sorted(self.found, key=lambda problem: problem.line))


def _rejected(line: int, code: ProblemCode, message: str) -> BankFileRejected:
    return BankFileRejected([LineProblem(line, None, code.value, message)])


# --- the transfer file ----------------------------------------------------------------------


def render_transfer_file(
    *, batch_number: str, programme_code: str, value_date: date, lines: Sequence[TransferLine]
) -> bytes:
    """The bank's transfer file for one batch: UTF-8 CSV, a header, then one line per transfer.

    The same input always gives the same bytes, so the file's hash identifies the batch. Every
    problem in the input is raised together in one `BankFileRejected`; a transfer's problems
    carry the line it would have had in the file (the first transfer is line 2).
    """
    problems = _Problems()
    _check_batch_header(problems, batch_number, programme_code, value_date)
    if not lines:
        problems.add(0, None, ProblemCode.EMPTY_FILE, "a transfer file needs at least one line")
    # The line number is zero-padded to four digits; a longer batch simply has more digits.
    transfer_ref = re.compile(re.escape(batch_number) + r"-[0-9]{4,6}")
    first_line_of: dict[str, int] = {}
    for line_number, line in enumerate(lines, start=2):
        _check_transfer_line(problems, line_number, line, transfer_ref, first_line_of)
    problems.raise_if_any()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRANSFER_COLUMNS)
    shared = (_neutralised(programme_code), value_date.isoformat())
    for line in lines:
        writer.writerow(_transfer_cells(batch_number, line, *shared))
    return out.getvalue().encode("utf-8")


def _transfer_cells(
    batch_number: str, line: TransferLine, remark: str, value_date: str
) -> tuple[str, ...]:
    return (
        _neutralised(batch_number),
        _neutralised(line.transfer_ref),
        _neutralised(line.bank_code),
        _neutralised(line.account_number),
        _neutralised(line.account_holder),
        str(line.amount),
        CURRENCY,
        value_date,
        remark,
    )


def _neutralised(text: str) -> str:
    """Disarm a cell a spreadsheet would run as a formula (OWASP's advice: a leading quote).

    The checks already refuse such codes and references, so in practice only a holder's name
    can need it; every text cell passes through here so that a looser check later stays safe.
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _check_batch_header(
    problems: _Problems, batch_number: str, programme_code: str, value_date: date
) -> None:
    if not BATCH_NUMBER.fullmatch(batch_number):
        problems.add(
            0,
            "batch_number",
            ProblemCode.INVALID_FORMAT,
            "batch_number must be 1 to 32 letters, digits or hyphens, starting with a letter "
            "or digit",
        )
    _check_programme_code(problems, programme_code)
    # A datetime is a date too, but its time of day would be lost without a word.
    if isinstance(value_date, datetime) or not isinstance(value_date, date):
        problems.add(0, "value_date", ProblemCode.INVALID_DATE, "value_date must be a date")


def _check_programme_code(problems: _Problems, programme_code: str) -> None:
    word = stigmatising_word_in(programme_code)
    if word is not None:
        problems.add(
            0,
            "programme_code",
            ProblemCode.STIGMATISING_LABEL,
            f"programme_code contains the stigmatising word {word!r}; the remark is seen by "
            "bank staff and on the recipient's account history, so use a neutral code such as "
            "BANSOS-REHSOS-KALTARA",
        )
    if not PROGRAMME_CODE.fullmatch(programme_code):
        problems.add(
            0,
            "programme_code",
            ProblemCode.INVALID_FORMAT,
            "programme_code must be 1 to 40 capital letters, digits or inner hyphens",
        )


def stigmatising_word_in(text: str) -> str | None:
    """The first deny-listed word in `text`, ignoring case, digits and punctuation."""
    words = LETTER_RUN.findall(text.upper())
    acronym = next((word for word in words if word in STIGMATISING_ACRONYMS), None)
    letters = "".join(words)
    return acronym or next((word for word in STIGMATISING_WORDS if word in letters), None)


def _check_transfer_line(
    problems: _Problems,
    line_number: int,
    line: TransferLine,
    transfer_ref: re.Pattern[str],
    first_line_of: dict[str, int],
) -> None:
    def add(field: str, code: ProblemCode, message: str) -> None:
        problems.add(line_number, field, code, message)

    if not transfer_ref.fullmatch(line.transfer_ref):
        add(
            "transfer_ref",
            ProblemCode.INVALID_FORMAT,
            "transfer_ref must be the batch number, a hyphen and a 4- to 6-digit line number",
        )
    elif line.transfer_ref in first_line_of:
        add(
            "transfer_ref",
            ProblemCode.DUPLICATE_LINE,
            f"transfer_ref is already used on line {first_line_of[line.transfer_ref]}",
        )
    else:
        first_line_of[line.transfer_ref] = line_number
    if not BANK_CODE.fullmatch(line.bank_code):
        add("bank_code", ProblemCode.INVALID_FORMAT, "bank_code must be 3 digits")
    if not ACCOUNT_NUMBER.fullmatch(line.account_number):
        add("account_number", ProblemCode.INVALID_FORMAT, "account_number must be 6 to 20 digits")
    if not _is_plain_text(line.account_holder, MAX_HOLDER_LENGTH):
        add(
            "account_holder",
            ProblemCode.INVALID_FORMAT,
            f"account_holder must be 1 to {MAX_HOLDER_LENGTH} printable characters, "
            "not only spaces",
        )
    if not _is_valid_amount(line.amount):
        add(
            "amount",
            ProblemCode.INVALID_AMOUNT,
            f"amount must be a whole number of rupiah from 1 to {MAX_AMOUNT}",
        )


def _is_plain_text(text: object, max_length: int) -> bool:
    """Printable (no line breaks, tabs or control characters), not blank, not too long."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= max_length
        and text.isprintable()
        and not text.isspace()
    )


def _is_valid_amount(amount: object) -> bool:
    # bool is an int subclass; True rupiah is a bug, not an amount.
    return isinstance(amount, int) and not isinstance(amount, bool) and 0 < amount <= MAX_AMOUNT


# --- reading the bank's files ---------------------------------------------------------------


def _read_table(
    content: bytes, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[_Row], _Problems]:
    """Decode and split a bank file into rows by column name, checking the header.

    A whole-file problem (not UTF-8, empty, too large) or a header problem is raised at once:
    the rows cannot be read against a wrong header. Problems of single lines are collected and
    returned with the rows that could be read.
    """
    # newline="" hands CRLF, LF and CR line ends to the csv module, which handles all three.
    # strict=True makes a stray or unclosed quote an error instead of a silently merged cell.
    reader = csv.reader(io.StringIO(_decoded(content), newline=""), strict=True)
    problems = _Problems()
    rows: list[_Row] = []
    header: tuple[str, ...] | None = None
    lines_read = 0
    try:
        for cells in reader:
            # A quoted cell may span lines; a record starts on the line after the last one.
            line, lines_read = lines_read + 1, reader.line_num
            if not cells:
                continue  # a blank line carries nothing
            if header is None:
                header = _checked_header(line, cells, required, optional)
            elif len(cells) == len(header):
                stripped = [cell.strip() for cell in cells]
                rows.append(_Row(line, dict(zip(header, stripped, strict=True)), problems))
            else:
                _add_cell_count_problem(problems, line, len(cells), len(header))
    except csv.Error:
        problems.add(
            lines_read + 1,
            None,
            ProblemCode.MALFORMED_LINE,
            "the line is not valid CSV (a quote is stray or not closed); checking stopped here",
        )
    if header is None and not problems.found:
        raise _rejected(0, ProblemCode.EMPTY_FILE, "the file is empty")
    if not rows and not problems.found:
        raise _rejected(0, ProblemCode.EMPTY_FILE, "the file has a header but no lines")
    return rows, problems


def _decoded(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise _rejected(0, ProblemCode.FILE_TOO_LARGE, f"the file is over {MAX_BYTES} bytes")
    if content.count(b"\n") > MAX_LINES:
        raise _rejected(0, ProblemCode.FILE_TOO_LARGE, f"the file is over {MAX_LINES} lines")
    try:
        # utf-8-sig drops the byte order mark spreadsheet programs put in front.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _rejected(
            line, ProblemCode.NOT_UTF8, "the file is not UTF-8 text; save it as CSV UTF-8"
        ) from None


def _checked_header(
    line: int, cells: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[str, ...]:
    header = tuple(cell.strip().lower() for cell in cells)
    problems = _Problems()
    for column in required:
        if column not in header:
            problems.add(
                line, column, ProblemCode.MISSING_COLUMNS, f"the header lacks the column {column}"
            )
    allowed = set(required) | set(optional)
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if column in seen:
            problems.add(
                line, column, ProblemCode.UNEXPECTED_COLUMNS, f"the header has {column} twice"
            )
        elif column not in allowed:
            # Not named: a file without a header has an account number or a name here.
            problems.add(
                line,
                None,
                ProblemCode.UNEXPECTED_COLUMNS,
                f"header column {position} is not a column of this format",
            )
        seen.add(column)
    problems.raise_if_any()
    return header


def _add_cell_count_problem(problems: _Problems, line: int, found: int, wanted: int) -> None:
    code = ProblemCode.MISSING_COLUMNS if found < wanted else ProblemCode.UNEXPECTED_COLUMNS
    problems.add(line, None, code, f"the line has {found} cells where the header has {wanted}")


class _Row:
    """One data line: its first physical line and its cells by column, read into typed values
    by methods that add a problem for each bad cell."""

    __slots__ = ("cells", "line", "problems")

    def __init__(self, line: int, cells: dict[str, str], problems: _Problems) -> None:
        self.line = line
        self.cells = cells
        self.problems = problems

    def problem(self, field: str, code: ProblemCode, message: str) -> None:
        self.problems.add(self.line, field, code, message)

    def present(self, field: str, *, required: bool, why: str = "") -> str | None:
        """The cell's text, or None when it is empty (a problem when it is `required`)."""
        value = self.cells[field]
        if value:
            return value
        if required:
            self.problem(field, ProblemCode.MISSING_VALUE, f"{field} is required{why}")
        return None

    def text(self, field: str, max_length: int, *, required: bool, why: str = "") -> str | None:
        value = self.present(field, required=required, why=why)
        if value is None or _is_plain_text(value, max_length):
            return value
        self.problem(
            field,
            ProblemCode.INVALID_FORMAT,
            f"{field} must be at most {max_length} printable characters",
        )
        return None

    def amount(self) -> int | None:
        value = self.present("amount", required=True)
        if value is None:
            return None
        if PLAIN_AMOUNT.fullmatch(value) and 0 < int(value) <= MAX_AMOUNT:
            return int(value)
        self.problem(
            "amount",
            ProblemCode.INVALID_AMOUNT,
            f"amount must be whole rupiah in plain digits, from 1 to {MAX_AMOUNT}, without "
            "thousands dots, decimals or currency",
        )
        return None

    def date(self, field: str, *, required: bool, why: str = "") -> date | None:
        value = self.present(field, required=required, why=why)
        if value is None:
            return None
        parsed = _parsed_date(value)
        if parsed is None:
            self.problem(
                field,
                ProblemCode.INVALID_DATE,
                f"{field} must be a real date written yyyy-mm-dd or dd/mm/yyyy",
            )
        return parsed

    def choice(self, field: str, choices: tuple[_Choice, ...], code: ProblemCode) -> _Choice | None:
        value = self.present(field, required=True)
        if value is None:
            return None
        upper = value.upper()
        for choice in choices:
            if upper == choice:
                return choice
        self.problem(field, code, f"{field} must be one of {', '.join(choices)}")
        return None


# A bank file holds a handful of distinct dates over thousands of lines.
@functools.lru_cache(maxsize=1024)
def _parsed_date(text: str) -> date | None:
    if match := ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := DAY_FIRST_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # 2019-02-30 and the like
        return None


# --- the result file ------------------------------------------------------------------------


def parse_result_file(
    content: bytes, *, batch_number: str, expected: Mapping[str, int]
) -> tuple[ResultLine, ...]:
    """The bank's result lines for `batch_number`, checked against what the batch ordered.

    `expected` maps each transfer_ref of the batch to its amount. A partial file (the bank
    reports some transfers later) is valid; a line the batch did not order, a changed amount or
    a transfer reported twice is not. Every problem is raised together in `BankFileRejected`.
    """
    rows, problems = _read_table(content, required=RESULT_COLUMNS)
    first_line_of: dict[str, int] = {}
    results: list[ResultLine] = []
    for row in rows:
        result = _result_line(row, batch_number, expected, first_line_of)
        if result is not None:
            results.append(result)
    problems.raise_if_any()
    return tuple(results)


def _result_line(
    row: _Row,
    batch_number: str,
    expected: Mapping[str, int],
    first_line_of: dict[str, int],
) -> ResultLine | None:
    if row.cells["batch_number"] != batch_number:
        row.problem(
            "batch_number",
            ProblemCode.BATCH_MISMATCH,
            "batch_number is not the batch being imported",
        )
    transfer_ref = _ordered_transfer_ref(row, expected, first_line_of)
    amount = row.amount()
    if transfer_ref is not None and amount is not None and amount != expected[transfer_ref]:
        row.problem(
            "amount",
            ProblemCode.AMOUNT_MISMATCH,
            "amount differs from the amount the batch ordered for this transfer_ref",
        )
    status = row.choice("status", RESULT_STATUSES, ProblemCode.INVALID_STATUS)
    credited, failed = status == "CREDITED", status == "FAILED"
    bank_reference = row.text(
        "bank_reference", MAX_REFERENCE_LENGTH, required=credited, why=" when CREDITED"
    )
    value_date = row.date("value_date", required=credited, why=" when CREDITED")
    failure_reason = row.text(
        "failure_reason", MAX_REASON_LENGTH, required=failed, why=" when FAILED"
    )
    if credited and failure_reason is not None:
        row.problem(
            "failure_reason",
            ProblemCode.INVALID_STATUS,
            "a CREDITED line must not carry a failure_reason",
        )
    if transfer_ref is None or amount is None or status is None:
        return None
    return ResultLine(transfer_ref, amount, status, bank_reference, value_date, failure_reason)


def _ordered_transfer_ref(
    row: _Row, expected: Mapping[str, int], first_line_of: dict[str, int]
) -> str | None:
    """The line's transfer_ref when the batch ordered it; a problem when unknown or repeated."""
    transfer_ref = row.present("transfer_ref", required=True)
    if transfer_ref is None:
        return None
    if transfer_ref not in expected:
        row.problem(
            "transfer_ref", ProblemCode.UNKNOWN_LINE, "transfer_ref is not a line of this batch"
        )
        return None
    _note_first_line(row, "transfer_ref", transfer_ref, first_line_of)
    return transfer_ref


def _note_first_line(row: _Row, field: str, key: _Key, first_line_of: dict[_Key, int]) -> None:
    """Remember where `key` first appeared, or report this line as a repeat of it."""
    first = first_line_of.setdefault(key, row.line)
    if first != row.line:
        row.problem(field, ProblemCode.DUPLICATE_LINE, f"the same line is already on line {first}")


# --- the account statement ------------------------------------------------------------------


def parse_statement_file(content: bytes) -> tuple[StatementLine, ...]:
    """The movements of the programme account's statement (rekening koran).

    The optional description column is read past and never returned: banks put the
    counterparty's name there. A line is a duplicate when its bank_reference and kind repeat an
    earlier line's. Every problem is raised together in `BankFileRejected`.
    """
    rows, problems = _read_table(
        content, required=STATEMENT_COLUMNS, optional=STATEMENT_OPTIONAL_COLUMNS
    )
    first_line_of: dict[tuple[str, str], int] = {}
    statement: list[StatementLine] = []
    for row in rows:
        line = _statement_line(row, first_line_of)
        if line is not None:
            statement.append(line)
    problems.raise_if_any()
    return tuple(statement)


def _statement_line(row: _Row, first_line_of: dict[tuple[str, str], int]) -> StatementLine | None:
    value_date = row.date("value_date", required=True)
    bank_reference = row.text("bank_reference", MAX_REFERENCE_LENGTH, required=True)
    amount = row.amount()
    kind = row.choice("kind", STATEMENT_KINDS, ProblemCode.INVALID_KIND)
    if bank_reference is not None and kind is not None:
        _note_first_line(row, "bank_reference", (bank_reference, kind), first_line_of)
    if value_date is None or bank_reference is None or amount is None or kind is None:
        return None
    return StatementLine(value_date, bank_reference, amount, kind)


def render_result_file(batch_number: str, lines: Sequence[ResultLine]) -> bytes:
    """A result file as a bank sends it, for the demo and for tests that play the bank."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                batch_number,
                line.transfer_ref,
                line.amount,
                line.status,
                line.bank_reference or "",
                line.value_date.isoformat() if line.value_date else "",
                line.failure_reason or "",
            ]
        )
    return out.getvalue().encode()
