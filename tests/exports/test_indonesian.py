"""A table cell shown by its column's kind, through the one formatter per format."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.files.exports.indonesian import format_cell_id
from service.files.exports.model import Kind


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (Kind.TEXT, None, ""),
        (Kind.TEXT, "JP-001", "JP-001"),
        (Kind.INTEGER, 2019, "2019"),
        (Kind.RUPIAH, 2019, "Rp 2.019"),
        (Kind.DATE, date(2019, 1, 10), "10 Januari 2019"),
        (Kind.DATETIME, datetime(2019, 1, 10, 6, 5, tzinfo=UTC), "10 Januari 2019 14.05 WITA"),
    ],
)
def test_a_cell_is_displayed_by_its_column_kind(kind: Kind, value: object, text: str) -> None:
    assert format_cell_id(kind, value) == text  # type: ignore[arg-type]
