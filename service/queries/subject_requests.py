"""Queries over the register of subject requests, each with its clock judged at a moment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from projections.privacy_clocks import privacy_clocks
from projections.subject_requests import subject_requests
from service.errors import NotFound
from service.queries.paging import Page, Row, page_of
from service.queries.privacy_clocks import present_clock

KIND = "subject_request"


def _joined() -> Any:
    clocks = privacy_clocks.c
    return select(
        subject_requests,
        clocks.due_at,
        clocks.started_at,
        clocks.stopped_at,
        clocks.stopped_by,
        clocks.responsible,
        clocks.clock_id,
        clocks.clock_kind,
        clocks.label,
    ).join(
        privacy_clocks,
        (clocks.subject_id == subject_requests.c.request_id) & (clocks.clock_kind == KIND),
    )


def present_request(row: Row, now: datetime) -> Row:
    """The request's row with its clock judged at `now` and its times aware."""
    received = row["received_at"]
    if received.tzinfo is None:
        row["received_at"] = received.replace(tzinfo=UTC)
    return present_clock(row, now)


class SubjectRequestQueries:
    """The register as the data-protection officer and the supervisors read it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def requests(
        self, *, now: datetime, state: str | None = None, limit: int, offset: int
    ) -> Page[Row]:
        """Requests, open ones first and earliest due first, then the answered, newest first."""
        c = subject_requests.c
        # Open first: an answered request's clock is stopped.
        stopped = privacy_clocks.c.stopped_at.is_not(None)
        query = _joined().order_by(stopped, privacy_clocks.c.due_at, c.number)
        if state:
            query = query.where(c.state == state)
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            present_request(item, now)
        return page

    def by_number(self, number: str, *, now: datetime) -> Row:
        """One request by its register number."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(_joined().where(subject_requests.c.number == number))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound("SubjectRequest", number)
        return present_request(dict(row), now)

    def of_case(self, beneficiary_id: str) -> list[Row]:
        """The requests about one case, oldest first."""
        query = (
            select(subject_requests)
            .where(subject_requests.c.beneficiary_id == beneficiary_id)
            .order_by(subject_requests.c.received_at)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
