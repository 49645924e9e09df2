"""grants: who held which role in which unit on which day, and the auditors' assignments.

Each account's grants are folded into intervals of business dates (ADR 0045): a row holds the
role, unit and whether the account could act from `valid_from` until `valid_until` (None: still
in force). Two grants dated the same day make one interval, the later one's. Each assignment
is a row with its days and, once withdrawn, the day it stopped giving anything. The scope
resolver (`service.security.scope`) and the question "who could do this there on that day"
(`service.security.grants`) read these tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)

from domain.assignments import AuditAssignment
from domain.staff import StaffAccount
from projections.base import PositionedEvent, Projection, Row, key_in
from projections.schema import metadata

account_grants = Table(
    "account_grants",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    # None: in force until a later grant.
    Column("valid_until", Date),
    Column("username", String(32), nullable=False, index=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    # A unit code, or the free text of a store without units (ADR 0045).
    Column("unit", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    # The event that made the grant: who gave it, on which letter, where in the log.
    Column("event", String(32), nullable=False),
    Column("granted_by", String(64), nullable=False),
    Column("document_number", String(200)),
    Column("position", BigInteger, nullable=False),
)
"""Every account's grants, as intervals of business dates."""

audit_assignments = Table(
    "audit_assignments",
    metadata,
    Column("assignment_id", String(36), primary_key=True),
    Column("auditor", String(32), nullable=False, index=True),
    # JSON list of unit codes; empty when it covers the whole programme.
    Column("units", Text, nullable=False),
    Column("whole_programme", Boolean, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("withdrawn_on", Date),
    Column("letter_number", String(200), nullable=False),
    Column("letter_issued_on", Date, nullable=False),
    Column("letter_issuer", String(200), nullable=False),
    Column("given_by", String(64), nullable=False),
    Column("given_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""Every auditor's assignment."""

STAFF_EVENTS = (
    StaffAccount.AccountOpened,
    StaffAccount.RoleChanged,
    StaffAccount.UnitChanged,
    StaffAccount.AccountDeactivated,
    StaffAccount.AccountReactivated,
)


class Grants(Projection):
    """Accounts' grant intervals and auditors' assignments; append and amend, never folded
    from another read model."""

    name = "grants"
    account_grants = account_grants
    audit_assignments = audit_assignments
    tables = (account_grants, audit_assignments)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        staff = [e for e in events if isinstance(e.event, STAFF_EVENTS)]
        if staff:
            self._fold_accounts(conn, staff)
        for positioned in events:
            e = positioned.event
            if isinstance(e, AuditAssignment.AssignmentGiven):
                conn.execute(self.audit_assignments.insert(), [assignment_row(positioned)])
            elif isinstance(e, AuditAssignment.AssignmentWithdrawn):
                table = self.audit_assignments
                conn.execute(
                    update(table)
                    .where(table.c.assignment_id == str(e.originator_id))
                    .values(withdrawn_on=e.occurred_on)
                )

    def _fold_accounts(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        # An account has a handful of grants: its whole history is loaded, folded and
        # written again, which keeps the fold a plain list operation.
        table = self.account_grants
        ids = sorted({str(e.event.originator_id) for e in events})
        histories: dict[str, list[Row]] = {i: [] for i in ids}
        query = select(table).where(key_in(conn, table.c.account_id, ids))
        for row in conn.execute(query.order_by(table.c.valid_from)).mappings():
            histories[row["account_id"]].append(dict(row))
        for positioned in events:
            history = histories[str(positioned.event.originator_id)]
            fold_grant(history, positioned)
        conn.execute(delete(table).where(key_in(conn, table.c.account_id, ids)))
        rows = [row for history in histories.values() for row in history]
        if rows:
            conn.execute(table.insert(), rows)


def fold_grant(history: list[Row], positioned: PositionedEvent) -> None:
    """Add one staff event to an account's intervals, oldest first (pure but for `history`)."""
    e = positioned.event
    day: date = e.occurred_on
    current = dict(history[-1]) if history else None
    match e:
        case StaffAccount.AccountOpened():
            grant = {
                "account_id": str(e.originator_id),
                "username": e.username,
                "display_name": e.display_name,
                "role": e.role,
                "unit": e.unit,
                "active": True,
            }
        case _ if current is None:
            return  # a later event of an account whose opening this model never saw
        case StaffAccount.RoleChanged():
            grant = {**current, "role": e.role}
        case StaffAccount.UnitChanged():
            grant = {**current, "unit": e.unit}
        case StaffAccount.AccountDeactivated():
            grant = {**current, "active": False}
        case _:
            grant = {**current, "active": True}
    grant.update(
        valid_until=None,
        event=type(e).__name__,
        granted_by=e.actor.user_id,
        document_number=None if e.document is None else e.document.number,
        position=positioned.position,
    )
    # Grants of one account are dated in order (the aggregate refuses otherwise); a grant
    # dated on or before the day the last one took effect replaces it from that day.
    if current is not None and day <= current["valid_from"]:
        history[-1] = {**grant, "valid_from": current["valid_from"]}
        return
    if current is not None:
        history[-1]["valid_until"] = day - timedelta(days=1)
    history.append({**grant, "valid_from": day})


def assignment_row(positioned: PositionedEvent) -> Row:
    """The row of one AssignmentGiven event (pure)."""
    e = positioned.event
    assert isinstance(e, AuditAssignment.AssignmentGiven)
    letter = e.document
    assert letter is not None  # the aggregate requires it
    return {
        "assignment_id": str(e.originator_id),
        "auditor": e.auditor,
        "units": json.dumps(sorted(e.units)),
        "whole_programme": e.whole_programme,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "withdrawn_on": None,
        "letter_number": letter.number,
        "letter_issued_on": letter.issued_on,
        "letter_issuer": letter.issuer,
        "given_by": e.actor.user_id,
        "given_on": e.occurred_on,
        "position": positioned.position,
    }
