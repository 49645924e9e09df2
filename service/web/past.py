"""A site's or a case's page as at a past business date (issue 16 point 3): her or its state
and history as they stood then, read by `GET /api/time-travel/aggregates/{id}?as_at=`'s own
function (`aggregate_at`), for the roles that API serves.

That API takes a business date (or a version), not a log position: the control on these pages
offers the date only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import Request

from service.api.time_travel import READERS as TIME_TRAVELLERS
from service.queries.time_travel import Cut, aggregate_at
from service.security.accounts import Account
from service.system import Jejak
from service.web.cuts import PageCut, cut_context, cut_of_page
from service.web.timeline import TimelineEntry

REVEAL = "PersonalDataRevealed"


def date_cut(request: Request, jejak: Jejak, viewer: Account) -> PageCut | None:
    """The business date the page is asked at (`?as_at=`), for a role the aggregate API
    serves; None for the other roles (no control). A `known_at` is not this API's and is
    left out."""
    if viewer.role not in TIME_TRAVELLERS:
        return None
    asked = cut_of_page(request, jejak)
    typed = {k: v for k, v in asked.typed.items() if k == "as_at"}
    cut = None if asked.as_at is None else Cut(as_at=asked.as_at)
    return replace(asked, cut=cut, typed=typed, refused=asked.refused & {"as_at"})


def as_it_stood(
    jejak: Jejak, aggregate_id: UUID, entries: Sequence[TimelineEntry], page_cut: PageCut | None
) -> dict[str, Any]:
    """What a site's or case's page adds at a cut: the control (`may_cut`, `page_cut`), and at
    a date the state then (`state_then`, None when it did not exist yet) and the timeline
    cut to the events `aggregate_at` folded, with the reveals recorded by that day."""
    if page_cut is None:
        return {"may_cut": False}
    context: dict[str, Any] = {"may_cut": True, **cut_context(page_cut)}
    if page_cut.as_at is None:
        return context
    try:
        past = aggregate_at(jejak, aggregate_id, version=None, as_at=page_cut.as_at)
        folded, state = int(past.version), str(past.state)
    except LookupError:
        folded, state = 0, None
    kept, seen = [], 0
    for entry in entries:
        if entry.event == REVEAL:
            if entry.recorded_at.date() <= page_cut.as_at:
                kept.append(entry)
            continue
        seen += 1
        if seen <= folded:
            kept.append(entry)
    return context | {"state_then": state, "timeline": kept}
