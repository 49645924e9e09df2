"""The table model refuses values that do not match their columns and totals that do not add up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.money import Rupiah
from service.files.exports.model import Column, Kind, Report, Table
from tests.exports.conftest import PAYMENT_COLUMNS, payment, payments_table, report_of


def test_cells_are_the_checked_values_in_column_order(payments: Table) -> None:
    assert payments.cells[1] == [
        "JP-002",
        date(2019, 1, 1),
        datetime(2019, 1, 1, 6, 5, tzinfo=UTC),
        1,
        5_500_000,
    ]


def test_a_rupiah_value_becomes_its_whole_amount() -> None:
    table = payments_table([payment("JP-001", date(2019, 1, 10), Rupiah(-1))])

    assert table.cells[0][-1] == -1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (Column("x", "X", Kind.RUPIAH), 5.5),
        (Column("x", "X", Kind.RUPIAH), "5500000"),
        (Column("x", "X", Kind.INTEGER), True),
        (Column("x", "X", Kind.DATE), datetime(2019, 1, 10, tzinfo=UTC)),
        (Column("x", "X", Kind.DATETIME), datetime(2019, 1, 10, 14, 5)),
        (Column("x", "X", Kind.DATETIME), date(2019, 1, 10)),
        (Column("x", "X"), 42),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_when_the_table_is_built(
    column: Column, value: object
) -> None:
    with pytest.raises(TypeError, match=f"holds {column.kind.value}"):
        Table("t", [column], [{"x": value}])


def test_an_empty_cell_is_none_in_any_column() -> None:
    table = Table("t", PAYMENT_COLUMNS, [dict.fromkeys(c.key for c in PAYMENT_COLUMNS)])

    assert table.cells == [[None] * len(PAYMENT_COLUMNS)]


def test_a_row_missing_a_column_is_refused() -> None:
    with pytest.raises(ValueError, match="no value for column 'amount'"):
        Table("t", [Column("amount", "Jumlah", Kind.RUPIAH)], [{}])


def test_a_total_that_disagrees_with_its_rows_is_refused() -> None:
    rows = [payment("JP-001", date(2019, 1, 10), 5_500_000)]

    with pytest.raises(ValueError, match="total of 'amount' is 5000000 but its rows add up"):
        Table("t", PAYMENT_COLUMNS, rows, totals={"amount": 5_000_000})


@pytest.mark.parametrize("key", ["case", "missing"])
def test_a_total_must_name_a_numeric_column(key: str) -> None:
    with pytest.raises(ValueError, match="rupiah or integer column"):
        Table("t", PAYMENT_COLUMNS, [], totals={key: 0})


def test_column_keys_are_unique_and_present() -> None:
    with pytest.raises(ValueError, match="repeats a column key"):
        Table("t", [Column("a", "A"), Column("a", "B")], [])
    with pytest.raises(ValueError, match="no columns"):
        Table("t", [], [])


def test_a_report_needs_an_aware_generation_time(payments: Table) -> None:
    good = report_of(payments)

    with pytest.raises(ValueError, match="timezone-aware"):
        Report(
            good.title,
            good.subtitle,
            good.metadata,
            good.sections,
            good.footer_note,
            generated_at=datetime(2026, 11, 27, 14, 5),
        )
