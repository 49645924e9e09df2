"""Queries over the audit register and the export records.

Neither holds personal data (findings link people by id, exports name filters), so every role
reads them as they are. Overdue is a question of the day: it is judged here, against the date
the caller gives (today in WITA by default), never stored.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, or_, select

from projections.audit_register import audit_register
from projections.export_records import export_records
from service.errors import NotFound
from service.queries.paging import Page, Row, page_of

LINK_COLUMNS = ("site_ids", "beneficiary_ids", "batch_ids")


class AuditRegisterQueries:
    """The questions auditors and supervisors ask of the register and of the exports."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def findings(
        self,
        *,
        as_of: date,
        state: str | None = None,
        overdue: bool | None = None,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Findings, most urgent first; `overdue` keeps only those past (or not past) due."""
        c = audit_register.c
        query = select(audit_register).order_by(
            c.due_on.is_(None), c.due_on, c.lhp_received_on, c.lhp_number, c.finding_number
        )
        if state:
            query = query.where(c.state == state)
        if overdue is True:
            query = query.where(c.due_on < as_of)
        elif overdue is False:
            query = query.where(or_(c.due_on.is_(None), c.due_on >= as_of))
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            present_finding(item, as_of)
        return page

    def finding(self, finding_id: UUID, *, as_of: date) -> Row:
        """One finding's row."""
        page = page_of(
            self.engine,
            select(audit_register).where(audit_register.c.finding_id == str(finding_id)),
            1,
            0,
        )
        if not page.items:
            raise NotFound("AuditFinding", finding_id)
        return present_finding(page.items[0], as_of)

    def exports(
        self,
        *,
        actor_id: str | None = None,
        export_name: str | None = None,
        content_sha256: str | None = None,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Exports handed out, newest first."""
        c = export_records.c
        query = select(export_records).order_by(c.position.desc())
        for column, value in (
            (c.actor_id, actor_id),
            (c.export_name, export_name),
            (c.content_sha256, content_sha256),
        ):
            if value is not None:
                query = query.where(column == value)
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            item["filters"] = json.loads(item["filters"])
        return page


def present_finding(row: Row, as_of: date) -> dict[str, Any]:
    """A register row as JSON-ready data, with its overdue flags judged as of `as_of`."""
    for column in LINK_COLUMNS:
        row[column] = json.loads(row[column])
    due = row["due_on"]
    row["overdue"] = due is not None and due < as_of
    row["days_overdue"] = (as_of - due).days if row["overdue"] else 0
    first = row["first_response_on"]
    # Whether the first answer met the statutory date; unknown until there is one.
    row["answered_late"] = None if first is None else first > row["response_due_on"]
    return row
