"""The neutral report model every export writes: a report of titled tables of typed columns.

Values are checked when a table is built, so each writer can rely on a rupiah cell holding an
int and a datetime cell knowing its time zone, and a bad row fails where it is made rather
than halfway through writing a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import TypeGuard

from domain.money import Rupiah

CellValue = str | int | date | datetime | None


class Kind(StrEnum):
    """What a column holds, which decides how each format writes and aligns it."""

    TEXT = "text"
    RUPIAH = "rupiah"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"

    @property
    def is_numeric(self) -> bool:
        return self in (Kind.RUPIAH, Kind.INTEGER)


@dataclass(frozen=True)
class Column:
    """One column: the row key it reads, the title printed above it, and its kind."""

    key: str
    title: str
    kind: Kind = Kind.TEXT

    def value(self, row: Mapping[str, object]) -> CellValue:
        """This column's value in `row`, checked against the kind; None is an empty cell."""
        if self.key not in row:
            raise ValueError(f"row has no value for column {self.key!r}")
        value = row[self.key]
        if value is None:
            return None
        if self.kind is Kind.RUPIAH and isinstance(value, Rupiah):
            return value.amount
        if _fits(value, self.kind):
            return value
        raise TypeError(
            f"column {self.key!r} holds {self.kind.value}, not {type(value).__name__}: {value!r}"
        )


def _fits(value: object, kind: Kind) -> TypeGuard[str | int | date | datetime]:
    # bool is an int and datetime is a date; neither belongs in those columns.
    if kind is Kind.TEXT:
        return isinstance(value, str)
    if kind.is_numeric:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Kind.DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, datetime) and value.utcoffset() is not None


@dataclass(frozen=True)
class Table:
    """A titled table. `totals` maps numeric column keys to their totals.

    The totals are given rather than computed so that a total the caller took from elsewhere
    (the read model's own sum, a bank statement) is checked against the rows: a table whose
    total disagrees with its rows is refused.
    """

    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, object]]
    totals: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        keys = [column.key for column in self.columns]
        if not keys:
            raise ValueError(f"table {self.title!r} has no columns")
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.title!r} repeats a column key")
        checked = self.cells  # every value is checked here, where the table is built
        for key, total in (self.totals or {}).items():
            self._check_total(key, total, checked)

    @cached_property
    def cells(self) -> list[list[CellValue]]:
        """The rows as checked values, in column order."""
        return [[column.value(row) for column in self.columns] for row in self.rows]

    def total_for(self, column: Column) -> int | None:
        """The total of `column`, or None where the table has no total for it."""
        return (self.totals or {}).get(column.key)

    def _check_total(self, key: str, total: int, cells: list[list[CellValue]]) -> None:
        index = next((i for i, c in enumerate(self.columns) if c.key == key), None)
        if index is None or not self.columns[index].kind.is_numeric:
            raise ValueError(f"total {key!r} does not name a rupiah or integer column")
        column_sum = sum(value for row in cells if isinstance(value := row[index], int))
        if column_sum != total:
            raise ValueError(f"total of {key!r} is {total} but its rows add up to {column_sum}")


@dataclass(frozen=True)
class Report:
    """A document: a title block, metadata lines, tables and a closing note.

    `generated_at` is printed on the report and stamped into the files as their creation
    date, so the same report always gives the same bytes and auditors can compare hashes.
    """

    title: str
    subtitle: str
    metadata: Sequence[tuple[str, str]]
    sections: Sequence[Table]
    footer_note: str
    generated_at: datetime

    def __post_init__(self) -> None:
        if self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware")
