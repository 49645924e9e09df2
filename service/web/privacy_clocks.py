"""The 72-hour clocks where the responsible roles meet them: a section of the worklist, and a
banner on entering the workspace naming the clocks that ran out or run out within a day
(ADR 0057). Every clock declared in `domain.privacy.clocks.CLOCKS` shows here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from domain.privacy.subject_request import WITA
from service.queries.paging import Row
from service.queries.privacy_clocks import DUE_SOON, ClockQueries
from service.security.accounts import Account
from service.system import Jejak
from service.web.rendering import viewed_as_of


def clocks_judged_at(request: Request) -> datetime:
    """The moment the pages judge clocks at: now, or the viewing day at this time of day."""
    now = datetime.now(WITA)
    day = viewed_as_of(request)
    return (datetime.combine(day, now.timetz()) if day else now).astimezone(UTC)


def running_clocks(jejak: Jejak, viewer: Account, now: datetime) -> list[Row]:
    """The running clocks the viewer's role answers for, earliest due first."""
    page = ClockQueries(jejak.engine).clocks(
        now=now, roles=[viewer.role], running=True, limit=200, offset=0
    )
    return page.items


def clock_banner(jejak: Jejak, viewer: Account, request: Request) -> dict[str, Any]:
    """What the banner on entering the workspace shows the viewer: the clocks that ran out and
    those that run out within a day (none for a role that answers for none)."""
    now = clocks_judged_at(request)
    due = ClockQueries(jejak.engine).running_due_by(role=viewer.role, now=now, within=DUE_SOON)
    return {
        "clocks_now": now,
        "clocks_ran_out": [c for c in due if c["ran_out"]],
        "clocks_due_soon": [c for c in due if not c["ran_out"]],
    }
