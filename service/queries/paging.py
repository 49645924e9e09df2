"""One page of a list, and the page of a query's rows with their total count."""

from __future__ import annotations

import dataclasses
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, Select, func, select

Item = TypeVar("Item")
Row = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list."""

    items: list[Item]
    total: int
    limit: int
    offset: int


def page_of(engine: Engine, query: Select[Any], limit: int, offset: int) -> Page[Row]:
    """One page of `query`'s rows, with the total count of its rows."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        items = [dict(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]
    return Page(items, total, limit, offset)
