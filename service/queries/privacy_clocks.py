"""The 72-hour clocks of UU 27/2022, as the responsible roles see them: which ran out, which run
out soon, which were stopped in time. Judged at a moment the caller gives, never stored.

`CLOCK_PAGES` says where each kind of clock's record is worked on; a kind declared in
`domain.privacy.clocks.CLOCKS` without a page here is listed without a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import quote

from sqlalchemy import Engine, or_, select

from domain.recording import Role
from projections.privacy_clocks import privacy_clocks
from service.queries.paging import Page, Row, page_of

CLOCK_PAGES: Final[dict[str, str]] = {
    "subject_request": "/privacy/requests/{label}",
    "breach": "/privacy/breaches/{label}",
}
DUE_SOON: Final = timedelta(hours=24)


def clock_page(kind: str, label: str) -> str | None:
    """The page where a clock's record is answered."""
    template = CLOCK_PAGES.get(kind)
    return template.format(label=quote(label, safe="")) if template else None


def present_clock(row: Row, now: datetime) -> Row:
    """`row` with its times aware and judged at `now`: ran out, running, hours left or over."""
    for name in ("started_at", "due_at", "stopped_at"):
        value = row.get(name)
        if value is not None and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)
    stopped = row["stopped_at"]
    row["running"] = stopped is None
    row["ran_out"] = (stopped or now) > row["due_at"]
    left = row["due_at"] - now
    row["hours_left"] = max(0, int(left.total_seconds() // 3600)) if stopped is None else None
    row["hours_over"] = (
        int(-left.total_seconds() // 3600) if row["ran_out"] and stopped is None else None
    )
    row["responsible_roles"] = row["responsible"].split(",")
    row["href"] = clock_page(row["clock_kind"], row["label"])
    return row


class ClockQueries:
    """Questions about the declared clocks, for the roles that answer for them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def clocks(
        self,
        *,
        now: datetime,
        roles: Iterable[Role] | None = None,
        running: bool | None = None,
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Row]:
        """Clocks, earliest due first; `roles` keeps those any of them answers for."""
        c = privacy_clocks.c
        query = select(privacy_clocks).order_by(c.stopped_at.is_not(None), c.due_at, c.label)
        if roles is not None:
            chosen = [str(r) for r in roles]
            if not chosen:
                return Page([], 0, limit, offset)
            query = query.where(or_(*(c.responsible.contains(r) for r in chosen)))
        if running is True:
            query = query.where(c.stopped_at.is_(None))
        elif running is False:
            query = query.where(c.stopped_at.is_not(None))
        if kind:
            query = query.where(c.clock_kind == kind)
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            present_clock(item, now)
        return page

    def running_due_by(self, *, role: Role, now: datetime, within: timedelta) -> list[Row]:
        """The running clocks `role` answers for that are due before `now + within`: ran out
        first, then the ones about to."""
        c = privacy_clocks.c
        query = (
            select(privacy_clocks)
            .where(c.stopped_at.is_(None))
            .where(c.responsible.contains(str(role)))
            .where(c.due_at <= (now + within).astimezone(UTC))
            .order_by(c.due_at, c.label)
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return [present_clock(r, now) for r in rows]

    def ran_out(self, *, now: datetime) -> list[Row]:
        """Every running clock that ran out by `now`, whoever answers for it."""
        c = privacy_clocks.c
        query = (
            select(privacy_clocks)
            .where(c.stopped_at.is_(None))
            .where(c.due_at <= now.astimezone(UTC))
            .order_by(c.due_at, c.label)
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        return [present_clock(r, now) for r in rows]
