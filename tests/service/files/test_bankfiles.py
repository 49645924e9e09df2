"""Bank files: the transfer file we write, the result file and statement we read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.errors import InvalidValue
from service.files.bankfiles import (
    FORMULA_TRIGGERS,
    RESULT_COLUMNS,
    BankFileRejected,
    LineProblem,
    ProblemCode,
    ResultLine,
    StatementLine,
    TransferLine,
    file_sha256,
    parse_result_file,
    parse_statement_file,
    render_transfer_file,
)

BATCH = "B2019-001"
PROGRAMME = "BANSOS-REHSOS-KALTARA"
VALUE_DATE = date(2019, 3, 5)
GRANT = 5_500_000
ACCOUNT = "0123456789"
HOLDER = "Contoh Ani Rahmawati"
RESULT_HEADER = ",".join(RESULT_COLUMNS)
STATEMENT_HEADER = "value_date,bank_reference,amount,kind,description"
CREDITED = f"{BATCH},{BATCH}-0001,{GRANT},CREDITED,TRX-0001,2019-03-05,"
FAILED = f"{BATCH},{BATCH}-0002,{GRANT},FAILED,,,account closed"
EXPECTED = {f"{BATCH}-{n:04d}": GRANT for n in range(1, 4)}

Where = tuple[int, str | None, str]


def transfer(number: int, **changes: object) -> TransferLine:
    values: dict[str, object] = {
        "transfer_ref": f"{BATCH}-{number:04d}",
        "bank_code": "002",
        "account_number": ACCOUNT,
        "account_holder": HOLDER,
        "amount": GRANT,
    }
    values.update(changes)
    return TransferLine(**values)  # type: ignore[arg-type]


def render(lines: Sequence[TransferLine], **changes: object) -> bytes:
    arguments: dict[str, object] = {
        "batch_number": BATCH,
        "programme_code": PROGRAMME,
        "value_date": VALUE_DATE,
        "lines": lines,
    }
    arguments.update(changes)
    return render_transfer_file(**arguments)  # type: ignore[arg-type]


def csv_file(header: str, *lines: str, end: str = "\n") -> bytes:
    return "".join(line + end for line in (header, *lines)).encode("utf-8")


def result_file(*lines: str) -> bytes:
    return csv_file(RESULT_HEADER, *lines)


def statement_file(*lines: str) -> bytes:
    return csv_file(STATEMENT_HEADER, *lines)


def parse_results(content: bytes) -> tuple[ResultLine, ...]:
    return parse_result_file(content, batch_number=BATCH, expected=EXPECTED)


def rejection(action: Callable[[], object]) -> BankFileRejected:
    with pytest.raises(BankFileRejected) as caught:
        action()
    return caught.value


def locations(error: BankFileRejected) -> list[Where]:
    """The (line, field, code) of each problem."""
    return [(problem.line, problem.field, problem.code) for problem in error.problems]


def where(action: Callable[[], object]) -> list[Where]:
    """The (line, field, code) of every problem `action` raises."""
    return locations(rejection(action))


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def bank_result(transfer_file: bytes, failed: Sequence[bool] = ()) -> list[dict[str, str]]:
    """The result lines a bank would send for a transfer file: the given lines failed."""
    results = []
    for index, order in enumerate(rows_of(transfer_file)):
        fails = index < len(failed) and failed[index]
        results.append(
            {
                "batch_number": order["batch_number"],
                "transfer_ref": order["transfer_ref"],
                "amount": order["amount"],
                "status": "FAILED" if fails else "CREDITED",
                "bank_reference": "" if fails else f"TRX{index:06d}",
                "value_date": "" if fails else "05/03/2019",
                "failure_reason": "account closed" if fails else "",
            }
        )
    return results


def written(rows: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def messages(error: BankFileRejected) -> str:
    """Everything a rejection can show: its message and each problem's field and message."""
    shown = [str(error), error.message]
    shown += [f"{problem.field} {problem.message}" for problem in error.problems]
    return "\n".join(shown)


# --- the transfer file ----------------------------------------------------------------------


def test_the_transfer_file_is_a_header_and_one_line_per_transfer() -> None:
    content = render([transfer(1), transfer(2, account_holder="Contoh Dewi, S.Pd", amount=1)])

    assert content == (
        b"batch_number,transfer_ref,bank_code,account_number,account_holder,amount,currency,"
        b"value_date,remark\r\n"
        b"B2019-001,B2019-001-0001,002,0123456789,Contoh Ani Rahmawati,5500000,IDR,2019-03-05,"
        b"BANSOS-REHSOS-KALTARA\r\n"
        b'B2019-001,B2019-001-0002,002,0123456789,"Contoh Dewi, S.Pd",1,IDR,2019-03-05,'
        b"BANSOS-REHSOS-KALTARA\r\n"
    )


def test_the_same_batch_gives_the_same_bytes_and_hash() -> None:
    lines = [transfer(n) for n in range(1, 20)]

    first, second = render(lines), render(list(lines))

    assert first == second
    assert file_sha256(first) == file_sha256(second)
    assert file_sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("holder", ["=HYPERLINK(1)", "+62 811", "-Ani", "@SUM(A1)"])
def test_a_holder_a_spreadsheet_would_run_as_a_formula_is_disarmed(holder: str) -> None:
    (row,) = rows_of(render([transfer(1, account_holder=holder)]))

    assert row["account_holder"] == "'" + holder


@pytest.mark.parametrize(
    "programme_code",
    ["PSK-KALTARA", "BANSOS-EKS-PSK-2019", "REHSOS-WTS", "PSKW-HARAPAN-MULIA", "EKS-LOKALISASI",
     "BANSOS-PROSTITUSI", "TUNA-SUSILA-KALTARA", "psk-kaltara"],
)  # fmt: skip
def test_a_stigmatising_programme_code_is_refused(programme_code: str) -> None:
    error = rejection(lambda: render([transfer(1)], programme_code=programme_code))

    stigma = [p for p in error.problems if p.code == "STIGMATISING_LABEL"]
    assert [(p.line, p.field) for p in stigma] == [(0, "programme_code")]
    assert "neutral code" in stigma[0].message


@pytest.mark.parametrize("programme_code", [PROGRAMME, "PS-KALTARA", "REHSOS-SEKSI-2", "P2019"])
def test_a_neutral_programme_code_is_the_whole_remark(programme_code: str) -> None:
    rows = rows_of(render([transfer(1), transfer(2)], programme_code=programme_code))

    assert [row["remark"] for row in rows] == [programme_code, programme_code]


@pytest.mark.parametrize(
    "programme_code", ["", "BANSOS REHSOS", "BANSOS\nREHSOS", "BANSOS,REHSOS", "=CMD", "-BANSOS",
                       "bansos-rehsos", "A" * 41],
)  # fmt: skip
def test_a_programme_code_that_is_not_plain_text_is_refused(programme_code: str) -> None:
    problems = where(lambda: render([transfer(1)], programme_code=programme_code))

    assert problems == [(0, "programme_code", "INVALID_FORMAT")]


def test_every_problem_of_a_batch_is_reported_with_the_line_it_would_have() -> None:
    lines = [
        transfer(1),
        transfer(2, bank_code="02", amount=0),
        transfer(3, account_number="12-34", account_holder="Ani\nDewi"),
        transfer(2),
        transfer(5, transfer_ref="B2019-002-0005", amount=True),
    ]

    problems = where(lambda: render(lines, batch_number="B 2019", value_date=datetime(2019, 3, 5)))

    assert problems == [
        (0, "batch_number", "INVALID_FORMAT"),
        (0, "value_date", "INVALID_DATE"),
        (2, "transfer_ref", "INVALID_FORMAT"),
        (3, "transfer_ref", "INVALID_FORMAT"),
        (3, "bank_code", "INVALID_FORMAT"),
        (3, "amount", "INVALID_AMOUNT"),
        (4, "transfer_ref", "INVALID_FORMAT"),
        (4, "account_number", "INVALID_FORMAT"),
        (4, "account_holder", "INVALID_FORMAT"),
        (5, "transfer_ref", "INVALID_FORMAT"),
        (6, "transfer_ref", "INVALID_FORMAT"),
        (6, "amount", "INVALID_AMOUNT"),
    ]


def test_a_transfer_ref_twice_in_a_batch_is_a_duplicate() -> None:
    error = rejection(lambda: render([transfer(1), transfer(2), transfer(1)]))

    assert locations(error) == [(4, "transfer_ref", "DUPLICATE_LINE")]
    assert "line 2" in error.problems[0].message


def test_a_batch_without_lines_is_refused() -> None:
    assert where(lambda: render([])) == [(0, None, "EMPTY_FILE")]


def test_a_rejected_batch_never_shows_the_account_number_or_the_holder() -> None:
    account, holder = "98765", "Contoh Siti\tRahma"
    line = transfer(1, account_number=account, account_holder=holder, bank_code=account)

    error = rejection(lambda: render([line, line]))

    assert {p.field for p in error.problems} >= {"account_number", "account_holder"}
    assert account not in messages(error)
    assert "Contoh" not in messages(error)
    assert "Siti" not in messages(error)


def test_every_problem_code_is_documented() -> None:
    documented = (Path(__file__).parents[3] / "docs" / "bank-files.md").read_text("utf-8")

    assert [code for code in ProblemCode if f"| `{code}` |" not in documented] == []


def test_a_rejection_is_an_invalid_value_with_a_stable_code() -> None:
    error = rejection(lambda: render([]))

    assert isinstance(error, InvalidValue)
    assert error.code == "BANK_FILE_REJECTED"
    assert error.problems == (
        LineProblem(0, None, "EMPTY_FILE", "a transfer file needs at least one line"),
    )


# --- the result file ------------------------------------------------------------------------


def test_the_banks_result_for_a_transfer_file_reads_back() -> None:
    lines = [transfer(n, amount=GRANT + n) for n in range(1, 4)]
    expected = {line.transfer_ref: line.amount for line in lines}
    content = written(bank_result(render(lines), failed=[False, True]))

    results = parse_result_file(content, batch_number=BATCH, expected=expected)

    assert results == (
        ResultLine(f"{BATCH}-0001", GRANT + 1, "CREDITED", "TRX000000", VALUE_DATE, None),
        ResultLine(f"{BATCH}-0002", GRANT + 2, "FAILED", None, None, "account closed"),
        ResultLine(f"{BATCH}-0003", GRANT + 3, "CREDITED", "TRX000002", VALUE_DATE, None),
    )


def test_a_partial_result_file_is_valid() -> None:
    (result,) = parse_results(result_file(CREDITED))

    assert result.transfer_ref == f"{BATCH}-0001"


def test_a_byte_order_mark_crlf_spaces_and_case_are_accepted() -> None:
    header = " Batch_Number ,TRANSFER_REF,amount,status,bank_reference,value_date,failure_reason"
    line = f"{BATCH}, {BATCH}-0001 ,{GRANT},credited,TRX-1,5/3/2019,"
    content = b"\xef\xbb\xbf" + csv_file(header, line, "", end="\r\n")

    (result,) = parse_results(content)

    assert result == ResultLine(f"{BATCH}-0001", GRANT, "CREDITED", "TRX-1", VALUE_DATE, None)


def test_columns_are_found_by_name_in_any_order() -> None:
    header = ",".join(reversed(RESULT_COLUMNS))
    line = ",".join(reversed(CREDITED.split(",")))

    (result,) = parse_results(csv_file(header, line))

    assert result.bank_reference == "TRX-0001"


def test_a_failed_line_may_carry_the_banks_reference_and_date() -> None:
    line = f"{BATCH},{BATCH}-0002,{GRANT},FAILED,RTN-9,2019-03-06,account closed"

    (result,) = parse_results(result_file(line))

    assert (result.bank_reference, result.value_date) == ("RTN-9", date(2019, 3, 6))


def credited(**changes: str) -> str:
    """The CREDITED line of transfer 1 with some cells changed."""
    cells = dict(zip(RESULT_COLUMNS, CREDITED.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells.values())


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"transfer_ref": f"{BATCH}-0009"}, ("transfer_ref", "UNKNOWN_LINE")),
        ({"transfer_ref": ""}, ("transfer_ref", "MISSING_VALUE")),
        ({"amount": "5500001"}, ("amount", "AMOUNT_MISMATCH")),
        ({"batch_number": "B2019-002"}, ("batch_number", "BATCH_MISMATCH")),
        ({"batch_number": ""}, ("batch_number", "BATCH_MISMATCH")),
        ({"amount": "5.500.000"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": "5500000.00"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": "Rp5500000"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": "0"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": "-5"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": "1" + "0" * 12 + "1"}, ("amount", "INVALID_AMOUNT")),
        ({"amount": ""}, ("amount", "MISSING_VALUE")),
        ({"value_date": "2019-02-30"}, ("value_date", "INVALID_DATE")),
        ({"value_date": "03-05-2019"}, ("value_date", "INVALID_DATE")),
        ({"value_date": "2019/03/05"}, ("value_date", "INVALID_DATE")),
        ({"value_date": "13/13/2019"}, ("value_date", "INVALID_DATE")),
        ({"value_date": ""}, ("value_date", "MISSING_VALUE")),
        ({"status": "PAID"}, ("status", "INVALID_STATUS")),
        ({"status": ""}, ("status", "MISSING_VALUE")),
        ({"failure_reason": "why"}, ("failure_reason", "INVALID_STATUS")),
        ({"bank_reference": ""}, ("bank_reference", "MISSING_VALUE")),
        ({"bank_reference": "X" * 101}, ("bank_reference", "INVALID_FORMAT")),
        ({"status": "FAILED", "failure_reason": ""}, ("failure_reason", "MISSING_VALUE")),
    ],
)
def test_each_problem_of_a_result_line_is_reported_at_its_line(
    changes: dict[str, str], problem: tuple[str, str]
) -> None:
    content = result_file(FAILED, credited(**changes))

    assert where(lambda: parse_results(content)) == [(3, *problem)]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (f"{BATCH},{BATCH}-0001,{GRANT},CREDITED,TRX-1", "MISSING_COLUMNS"),
        (f"{CREDITED},extra", "UNEXPECTED_COLUMNS"),
        (f'{BATCH},{BATCH}-0001,{GRANT},CREDITED,"TRX-1', "MALFORMED_LINE"),
        (f'{BATCH},{BATCH}-0001,{GRANT},CREDITED,"TRX"-1,2019-03-05,', "MALFORMED_LINE"),
    ],
)
def test_a_line_that_does_not_fit_the_header_is_reported_at_its_line(line: str, code: str) -> None:
    assert where(lambda: parse_results(result_file(FAILED, line))) == [(3, None, code)]


def test_a_transfer_reported_twice_is_a_duplicate_naming_the_first_line() -> None:
    error = rejection(lambda: parse_results(result_file(CREDITED, FAILED, CREDITED)))

    assert locations(error) == [(4, "transfer_ref", "DUPLICATE_LINE")]
    assert "line 2" in error.problems[0].message


def test_every_problem_of_a_result_file_is_reported_together_in_line_order() -> None:
    content = result_file(
        CREDITED,
        f"{BATCH},{BATCH}-0002,1,FAILED,,,closed",
        f"{BATCH},{BATCH}-0003",
        "",
        f"B2019-002,{BATCH}-0009,{GRANT},LOST,,31/02/2019,",
        CREDITED,
    )

    assert where(lambda: parse_results(content)) == [
        (3, "amount", "AMOUNT_MISMATCH"),
        (4, None, "MISSING_COLUMNS"),
        (6, "batch_number", "BATCH_MISMATCH"),
        (6, "transfer_ref", "UNKNOWN_LINE"),
        (6, "status", "INVALID_STATUS"),
        (6, "value_date", "INVALID_DATE"),
        (7, "transfer_ref", "DUPLICATE_LINE"),
    ]


def test_a_quoted_cell_over_two_lines_counts_both_lines() -> None:
    reason_over_two_lines = f'{BATCH},{BATCH}-0002,{GRANT},FAILED,,,"account\nclosed"'
    content = result_file(reason_over_two_lines, f"{BATCH},{BATCH}-0001,1,CREDITED,T,,")

    assert where(lambda: parse_results(content)) == [
        (2, "failure_reason", "INVALID_FORMAT"),
        (4, "amount", "AMOUNT_MISMATCH"),
        (4, "value_date", "MISSING_VALUE"),
    ]


def test_a_broken_quote_stops_the_check_there_after_reporting_the_lines_before() -> None:
    content = result_file(f"{BATCH},{BATCH}-0001,1,CREDITED,T,2019-03-05,", 'x,"y', CREDITED)

    assert where(lambda: parse_results(content)) == [
        (2, "amount", "AMOUNT_MISMATCH"),
        (3, None, "MALFORMED_LINE"),
    ]


def test_a_header_missing_a_column_and_with_an_unknown_one_is_reported_at_line_1() -> None:
    header = RESULT_HEADER.replace("status", "keterangan").replace("amount", "amount,amount")

    assert where(lambda: parse_results(csv_file(header, CREDITED))) == [
        (1, "status", "MISSING_COLUMNS"),
        (1, "amount", "UNEXPECTED_COLUMNS"),
        (1, None, "UNEXPECTED_COLUMNS"),
    ]


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", result_file(), result_file("", "")]
)
def test_an_empty_file_or_a_header_alone_is_refused(content: bytes) -> None:
    assert where(lambda: parse_results(content)) == [(0, None, "EMPTY_FILE")]


def test_a_file_that_is_not_utf8_is_refused_at_its_first_bad_line() -> None:
    content = result_file(CREDITED, f"{BATCH},{BATCH}-0002,{GRANT},FAILED,,,rekening ditutup")
    latin1 = content.replace(b"ditutup", "dituţup".encode("cp1250"))

    assert where(lambda: parse_results(latin1)) == [(3, None, "NOT_UTF8")]


def test_a_file_over_200_000_lines_is_refused_before_it_is_read() -> None:
    content = result_file(*[CREDITED] * 200_000)

    assert where(lambda: parse_results(content)) == [(0, None, "FILE_TOO_LARGE")]


@pytest.mark.parametrize(
    "content",
    [
        # A bank put the account number and the holder where the format has other columns.
        result_file(
            f"{BATCH},{ACCOUNT},{ACCOUNT},Contoh Ani,{ACCOUNT * 11},{ACCOUNT},Contoh Ani\tR"
        ),
        # A file without its header: the first line is read as one.
        csv_file(f"{BATCH},{BATCH}-0001,{GRANT},CREDITED,{ACCOUNT},Contoh Ani,x"),
    ],
)
def test_a_rejected_result_file_never_shows_an_account_number_or_a_name(content: bytes) -> None:
    error = rejection(lambda: parse_results(content))

    assert ACCOUNT not in messages(error)
    assert "Contoh" not in messages(error)


# --- the account statement ------------------------------------------------------------------


def test_a_statement_reads_back_without_its_description() -> None:
    content = statement_file(
        "05/03/2019,TRX-1,5500000,TRANSFER_OUT,TRF KE CONTOH ANI",
        "2019-03-12,TRX-1,5500000,returned,RETUR CONTOH ANI",
        '2019-03-20,TRX-2,250000,WITHDRAWAL,"TARIK TUNAI, CONTOH DEWI"',
    )

    statement = parse_statement_file(content)

    assert statement == (
        StatementLine(VALUE_DATE, "TRX-1", GRANT, "TRANSFER_OUT"),
        StatementLine(date(2019, 3, 12), "TRX-1", GRANT, "RETURNED"),
        StatementLine(date(2019, 3, 20), "TRX-2", 250_000, "WITHDRAWAL"),
    )
    assert "CONTOH" not in repr(statement)


def test_the_statements_description_column_is_optional() -> None:
    content = csv_file("value_date,bank_reference,amount,kind", "2019-03-05,TRX-1,1,TRANSFER_OUT")

    assert parse_statement_file(content) == (StatementLine(VALUE_DATE, "TRX-1", 1, "TRANSFER_OUT"),)


def test_every_problem_of_a_statement_is_reported_at_its_line() -> None:
    content = statement_file(
        "2019-03-05,TRX-1,5500000,TRANSFER_OUT,",
        "2019-03-32,,5.500.000,PAID,x",
        "2019-03-06,TRX-1,5500000,TRANSFER_OUT,again",
        "2019-03-06,TRX-1,5500000,RETURNED,same reference, other kind",
        ",TRX-3,1,WITHDRAWAL,",
    )

    assert where(lambda: parse_statement_file(content)) == [
        (3, "value_date", "INVALID_DATE"),
        (3, "bank_reference", "MISSING_VALUE"),
        (3, "amount", "INVALID_AMOUNT"),
        (3, "kind", "INVALID_KIND"),
        (4, "bank_reference", "DUPLICATE_LINE"),
        (5, None, "UNEXPECTED_COLUMNS"),
        (6, "value_date", "MISSING_VALUE"),
    ]


def test_a_statement_without_a_header_is_refused_without_showing_its_cells() -> None:
    content = csv_file(f"2019-03-05,{ACCOUNT},5500000,TRANSFER_OUT,CONTOH ANI")

    error = rejection(lambda: parse_statement_file(content))

    assert {p.code for p in error.problems} == {"MISSING_COLUMNS", "UNEXPECTED_COLUMNS"}
    assert ACCOUNT not in messages(error)
    assert "CONTOH" not in messages(error)


# --- properties -----------------------------------------------------------------------------

holders = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=100
).filter(lambda holder: not holder.isspace() and holder.isprintable())
orders = st.lists(
    st.tuples(
        st.from_regex(r"[0-9]{3}", fullmatch=True),
        st.from_regex(r"[0-9]{6,20}", fullmatch=True),
        holders,
        st.integers(min_value=1, max_value=10**12),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


def batch_of(orders: list[tuple[str, str, str, int, bool]]) -> list[TransferLine]:
    return [
        TransferLine(f"{BATCH}-{n:04d}", bank_code, account, holder, amount)
        for n, (bank_code, account, holder, amount, _) in enumerate(orders, start=1)
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(orders)
def test_any_valid_batch_round_trips_through_the_bank(
    orders: list[tuple[str, str, str, int, bool]],
) -> None:
    lines = batch_of(orders)
    failed = [fails for *_, fails in orders]

    content = render(lines)
    results = parse_result_file(
        written(bank_result(content, failed)),
        batch_number=BATCH,
        expected={line.transfer_ref: line.amount for line in lines},
    )

    sent = rows_of(content)
    assert render(lines) == content
    assert [row["account_holder"] for row in sent] == [
        "'" + line.account_holder if line.account_holder.startswith(FORMULA_TRIGGERS)
        else line.account_holder
        for line in lines
    ]  # fmt: skip
    assert [row["account_number"] for row in sent] == [line.account_number for line in lines]
    assert [(r.transfer_ref, r.amount) for r in results] == [
        (line.transfer_ref, line.amount) for line in lines
    ]
    assert [r.status == "FAILED" for r in results] == failed


Corruption = Callable[[list[dict[str, str]], int], Where]


def _unknown(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["transfer_ref"] = f"{BATCH}-9999"
    return (index + 2, "transfer_ref", "UNKNOWN_LINE")


def _changed_amount(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["amount"] = str(int(rows[index]["amount"]) % 10**12 + 1)
    return (index + 2, "amount", "AMOUNT_MISMATCH")


def _dotted_amount(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["amount"] = f"{int(rows[index]['amount']):,}".replace(",", ".") + ",00"
    return (index + 2, "amount", "INVALID_AMOUNT")


def _other_batch(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["batch_number"] = "B2019-002"
    return (index + 2, "batch_number", "BATCH_MISMATCH")


def _impossible_date(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["value_date"] = "30/02/2019"
    return (index + 2, "value_date", "INVALID_DATE")


def _unknown_status(rows: list[dict[str, str]], index: int) -> Where:
    rows[index]["status"] = "PENDING"
    return (index + 2, "status", "INVALID_STATUS")


def _missing_required(rows: list[dict[str, str]], index: int) -> Where:
    field = "bank_reference" if rows[index]["status"] == "CREDITED" else "failure_reason"
    rows[index][field] = ""
    return (index + 2, field, "MISSING_VALUE")


def _repeated(rows: list[dict[str, str]], index: int) -> Where:
    rows.append(dict(rows[index]))
    return (len(rows) + 1, "transfer_ref", "DUPLICATE_LINE")


CORRUPTIONS: tuple[Corruption, ...] = (
    _unknown,
    _changed_amount,
    _dotted_amount,
    _other_batch,
    _impossible_date,
    _unknown_status,
    _missing_required,
    _repeated,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(orders, st.data())
def test_any_single_corruption_is_reported_alone_at_its_line(
    orders: list[tuple[str, str, str, int, bool]], data: st.DataObject
) -> None:
    lines = batch_of(orders)
    rows = bank_result(render(lines), [fails for *_, fails in orders])
    index = data.draw(st.integers(0, len(rows) - 1), label="line index")
    corruption = data.draw(st.sampled_from(CORRUPTIONS), label="corruption")

    problem = corruption(rows, index)

    expected = {line.transfer_ref: line.amount for line in lines}
    content = written(rows)
    assert where(lambda: parse_result_file(content, batch_number=BATCH, expected=expected)) == [
        problem
    ]
