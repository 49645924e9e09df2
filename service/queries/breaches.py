"""Queries over the breach register.

The register holds no personal data: cases are linked by id and shown by case number, which
is how the programme names a case everywhere. Whether the 3x24-hour clock has run out is a
question of the moment: it is judged here, against the time the caller gives (now by default).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import Engine, select

from projections.breach_register import breach_register
from service.errors import NotFound
from service.queries import record_names
from service.queries.paging import Page, Row, page_of

# What the clock says of a breach at a moment.
RUNNING: Final = "running"
OVERDUE: Final = "overdue"
MET: Final = "met"
MISSED: Final = "missed"
STOPPED: Final = "stopped"  # dismissed: not a breach, nothing was owed
CLOCK_STATES: Final = (RUNNING, OVERDUE, MET, MISSED, STOPPED)


class BreachQueries:
    """The questions the data-protection officer, supervisors and auditors ask of the register."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def breaches(
        self, *, now: datetime, state: str | None = None, limit: int, offset: int
    ) -> Page[Row]:
        """Breaches, those still owing notices first, soonest due first; then the rest, newest
        first."""
        c = breach_register.c
        query = select(breach_register).order_by(
            c.notified_at.is_not(None) | c.dismissed_on.is_not(None),
            c.due_at,
            c.number,
        )
        if state:
            query = query.where(c.state == state)
        page = page_of(self.engine, query, limit, offset)
        names = self._case_numbers(page.items)
        for item in page.items:
            present_breach(item, now, names)
        return page

    def breach(self, number: str, *, now: datetime) -> Row:
        """One breach, by its register number."""
        page = page_of(
            self.engine, select(breach_register).where(breach_register.c.number == number), 1, 0
        )
        if not page.items:
            raise NotFound("Breach", number)
        return present_breach(page.items[0], now, self._case_numbers(page.items))

    def breach_id(self, number: str) -> UUID | None:
        """The id of the breach numbered `number`, if there is one."""
        c = breach_register.c
        with self.engine.connect() as conn:
            found = conn.execute(select(c.breach_id).where(c.number == number)).scalar_one_or_none()
        return None if found is None else UUID(found)

    def _case_numbers(self, rows: list[Row]) -> dict[str, str]:
        ids = {i for r in rows for i in json.loads(str(r["beneficiary_ids"]))}
        found = record_names.names_of(self.engine, {record_names.BENEFICIARY: ids})
        return {i: name for i, (_, name) in found.items()}


def present_breach(row: Row, now: datetime, case_numbers: dict[str, str]) -> dict[str, Any]:
    """A register row as JSON-ready data: its lists read, its cases by number, its clock judged
    at `now`."""
    for column in ("categories", "beneficiary_ids", "remediations", "notices"):
        row[column] = json.loads(str(row[column]))
    row["case_numbers"] = [case_numbers.get(i, i) for i in row["beneficiary_ids"]]
    for notice in row["notices"]:
        notice["case_numbers"] = [case_numbers.get(i, i) for i in notice["cases"]]
    notified = {c for n in row["notices"] if n["recipient"] == "subject" for c in n["cases"]}
    row["cases_outstanding"] = (
        []
        if row["all_subjects_notified"]
        else [case_numbers.get(i, i) for i in row["beneficiary_ids"] if i not in notified]
    )
    row.update(clock_of(row, now))
    return row


def clock_of(row: Row, now: datetime) -> dict[str, Any]:
    """The clock's state at `now` and the whole hours left before it runs out (negative: past)."""
    due = datetime.fromisoformat(str(row["due_at"]))
    seconds_left = (due - now.astimezone(UTC)).total_seconds()
    if row["dismissed_on"] is not None:
        state = STOPPED
    elif row["notified_at"] is not None:
        state = MET if row["notified_in_time"] else MISSED
    else:
        state = RUNNING if seconds_left > 0 else OVERDUE
    return {"clock": state, "hours_left": int(seconds_left // 3600)}
