"""Queries over the erasure register (ADR 0055). It holds no personal data: cases by id and
number, fields by name, reasons kept in clear on the events."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from domain.privacy.erasure import AWAITING_DECISION
from projections.erasures import erasures
from service.errors import NotFound
from service.queries.paging import Page, Row, page_of

LIST_COLUMNS = ("deleted_fields", "kept_fields")


class ErasureQueries:
    """The register of erasure requests, newest first, and one request by id or case."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def requests(self, *, state: str | None = None, limit: int, offset: int) -> Page[Row]:
        """Requests, the ones awaiting a decision first, then newest first."""
        c = erasures.c
        query = select(erasures).order_by(
            (c.state != AWAITING_DECISION), c.requested_on.desc(), c.erasure_id
        )
        if state:
            query = query.where(c.state == state)
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            _present(item)
        return page

    def one(self, erasure_id: UUID) -> Row:
        """One request's row, or NotFound."""
        with self.engine.connect() as conn:
            found = (
                conn.execute(select(erasures).where(erasures.c.erasure_id == str(erasure_id)))
                .mappings()
                .first()
            )
        if found is None:
            raise NotFound("Erasure", erasure_id)
        return _present(dict(found))

    def of_case(self, beneficiary_id: UUID) -> list[Row]:
        """Every request about her case, newest first (a case page's mark)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(erasures)
                .where(erasures.c.beneficiary_id == str(beneficiary_id))
                .order_by(erasures.c.requested_on.desc())
            ).mappings()
            return [_present(dict(r)) for r in rows]


def _present(row: dict[str, Any]) -> dict[str, Any]:
    received = row["received_at"]
    if received.tzinfo is None:  # SQLite gives back the UTC it was written in, without offset
        row["received_at"] = received.replace(tzinfo=UTC)
    for column in LIST_COLUMNS:
        row[column] = json.loads(row[column]) if row[column] else []
    return row
