"""A table cell as a person reads it in an Indonesian report, through the project's one
formatter per format (`service.i18n.formats`, ADR 0048)."""

from __future__ import annotations

from datetime import date, datetime

from service.files.exports.model import CellValue, Kind
from service.i18n.formats import date_id, datetime_id, rupiah


def format_cell_id(kind: Kind, value: CellValue) -> str:
    """A table value as a person reads it in an Indonesian report; an empty cell is ``""``.

    Integers are not grouped: an integer column may hold a code or a year, where ``2.019``
    would mislead.
    """
    if value is None:
        return ""
    if kind is Kind.RUPIAH and isinstance(value, int):
        return rupiah(value)
    if isinstance(value, datetime):
        return datetime_id(value)
    if isinstance(value, date):
        return date_id(value)
    return str(value)
