"""One page of a list, the shape every paged question answers in.

It stands alone so that whatever lists something (the read models, the document store) can
answer in pages without importing the read models and what they import.
"""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclasses.dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list."""

    items: list[Item]
    total: int
    limit: int
    offset: int
