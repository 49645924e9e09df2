"""The access log read back: who read whose data, what, when, why, from which interface.

Filtered by account, role, action, subject (its id, or a woman's case number), interface and a
time range (UTC instants, the end excluded), newest first. Each entry about a woman carries her
case number beside her subject id: the data-protection officer and the auditors learn whose
record was read without being shown who she is (ADR 0042).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Select, select

from domain.recording import Role
from projections.beneficiary_status import beneficiary_status
from service.i18n.formats import PROGRAMME_TIMEZONE
from service.queries.paging import Page, page_of
from service.security.access_log import AccessAction, AccessLog, Interface
from service.security.access_log_chain import AccessLogVerification
from service.security.accounts import Account
from service.security.checkpoints import Checkpoint
from service.store.db import as_utc
from service.store.schema import access_log

WITA = ZoneInfo(PROGRAMME_TIMEZONE)
# An export holds at most this many entries: narrow the filters for more.
MAX_EXPORTED = 100_000


@dataclass(frozen=True)
class AccessLogFilter:
    """Which entries to read; None leaves a filter out. `start` is included, `end` not."""

    user_id: str | None = None
    role: Role | None = None
    action: str | None = None
    subject_id: UUID | None = None
    case_number: str | None = None
    interface: Interface | None = None
    start: datetime | None = None
    end: datetime | None = None

    def used(self) -> list[str]:
        """The names of the filters given (the access log records these, not their values)."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class AccessLogEntry:
    """One entry as read back: the time in WITA, and the case number of a woman's record."""

    id: int
    at: datetime
    user_id: str
    role: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    case_number: str | None
    detail: str | None
    interface: str

    def as_row(self) -> dict[str, Any]:
        """The entry as a row of a table or a JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def access_log_page(
    engine: Engine, filters: AccessLogFilter, limit: int, offset: int
) -> Page[AccessLogEntry]:
    """One page of the entries `filters` pick, newest first, with their total count."""
    page = page_of(engine, _query(filters), limit, offset)
    return Page([_entry(row) for row in page.items], page.total, limit, offset)


def access_log_entries(
    engine: Engine, filters: AccessLogFilter, limit: int = MAX_EXPORTED
) -> list[AccessLogEntry]:
    """The entries `filters` pick, newest first, at most `limit` (an export)."""
    with engine.connect() as conn:
        rows = conn.execute(_query(filters).limit(limit)).mappings().all()
    return [_entry(dict(row)) for row in rows]


def _query(filters: AccessLogFilter) -> Select[Any]:
    log, case = access_log.c, beneficiary_status.c
    query = (
        select(access_log, case.case_number)
        .outerjoin(beneficiary_status, case.beneficiary_id == log.subject_id)
        .order_by(log.id.desc())
    )
    if filters.user_id is not None:
        query = query.where(log.user_id == filters.user_id)
    if filters.role is not None:
        query = query.where(log.role == filters.role.value)
    if filters.action is not None:
        query = query.where(log.action == filters.action)
    if filters.subject_id is not None:
        query = query.where(log.subject_id == str(filters.subject_id))
    if filters.case_number is not None:
        query = query.where(case.case_number == filters.case_number)
    if filters.interface is not None:
        query = query.where(log.interface == filters.interface.value)
    if filters.start is not None:
        query = query.where(log.at >= filters.start.astimezone(UTC))
    if filters.end is not None:
        query = query.where(log.at < filters.end.astimezone(UTC))
    return query


def _entry(row: dict[str, Any]) -> AccessLogEntry:
    return AccessLogEntry(
        id=int(row["id"]),
        at=as_utc(row["at"]).astimezone(WITA),
        user_id=row["user_id"],
        role=row["role"],
        action=row["action"],
        subject_kind=row["subject_kind"],
        subject_id=row["subject_id"],
        case_number=row["case_number"],
        detail=row["detail"],
        interface=row["interface"],
    )


def record_read(
    log: AccessLog,
    reader: Account,
    action: AccessAction,
    what: str,
    rows: int,
    filters: AccessLogFilter,
) -> None:
    """Write a read of the access log to the access log: what was shown (a page, a CSV), how
    many entries, and the names of the filters, not their values (a value may be an account or
    a case number, which the detail need not repeat)."""
    used = ", ".join(filters.used()) or "none"
    log.record(
        reader.username,
        reader.role,
        action,
        "access_log",
        None,
        f"{what}, {rows} rows, filters: {used}",
    )


def record_verification(log: AccessLog, reader: Account, result: AccessLogVerification) -> None:
    """Write a verification of the access log's chain to the access log, after it is made:
    its outcome as ids and a kind of break, which hold nothing personal."""
    broken = result.first_break
    outcome = (
        f"intact up to entry {result.intact_up_to}"
        if broken is None
        else f"broken at entry {broken.position}: {broken.kind}"
    )
    log.record(
        reader.username,
        reader.role,
        AccessAction.VERIFY_ACCESS_LOG,
        "access_log",
        None,
        f"{outcome}, {result.checkpoints_checked} checkpoints",
    )


def record_signing(log: AccessLog, signer: Account, signed: Checkpoint | None) -> None:
    """Write the signing of the access log chain's head to the access log."""
    log.record(
        signer.username,
        signer.role,
        AccessAction.SIGN_ACCESS_LOG_CHECKPOINT,
        "access_log",
        None,
        f"entry {signed.position}" if signed else "empty log",
    )
