"""The access log: every read of personal data and every change of access, with who and when.

Entries name people only by account and by subject id. They never hold personal data, so the
log can be kept for its whole retention period and shown to auditors without masking.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Engine, RowMapping, insert, select

from domain.free_text import PersonalDataInText, require_no_personal_data
from domain.recording import Role
from service.store.db import as_utc
from service.store.schema import access_log

ACTION_PATTERN = r"^[a-z][a-z_]{0,39}$"
ACTION = re.compile(ACTION_PATTERN)
MAX_USER_ID_LENGTH = 64
MAX_SUBJECT_KIND_LENGTH = 40
MAX_DETAIL_LENGTH = 200
MAX_RECENT = 10_000


class AccessAction(StrEnum):
    """The actions the service records; `AccessLog.record` also accepts other snake_case names."""

    READ_PERSONAL_DATA = "read_personal_data"
    READ_DOCUMENT = "read_document"
    # One case's personal data shown in clear by the reveal act, with the fields and the reason
    # typed in (ADR 0046): one field asked for, or the fields an evidence bundle showed.
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    EXPORT_TRANSFER_FILE = "export_transfer_file"
    VERIFY_LOG = "verify_log"
    EXPORT_LEDGER = "export_ledger"
    EXPORT_PAYMENT_HISTORY = "export_payment_history"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    # A run of failed logins began holding back an account or an address (ADR 0034).
    LOGIN_LOCKED = "login_locked"
    ACCOUNT_CREATED = "account_created"
    ROLE_CHANGED = "role_changed"
    ERASE_CASEFILE = "erase_casefile"
    # The access log read or exported (ADR 0042): the entry is written after the read, so a
    # read never lists itself.
    READ_ACCESS_LOG = "read_access_log"
    EXPORT_ACCESS_LOG = "export_access_log"
    # The access log's chain verified, and its head signed (ADR 0047), written after too.
    VERIFY_ACCESS_LOG = "verify_access_log"
    SIGN_ACCESS_LOG_CHECKPOINT = "sign_access_log_checkpoint"


class Interface(StrEnum):
    """Where an access came from: the API, the pages, or the command line."""

    API = "api"
    WEB = "web"
    CLI = "cli"
    # Entries written before the interface was recorded (migration 0019).
    UNKNOWN = "unknown"


# Set for each request by the app (`service.api.app`); outside a request the writer is the
# command line, whose process has no other way in.
current_interface: ContextVar[Interface] = ContextVar("access_interface", default=Interface.CLI)


@dataclass(frozen=True)
class AccessEntry:
    """One recorded access. `role` is None when unknown, as for a failed login."""

    id: int
    at: datetime
    user_id: str
    role: Role | None
    action: str
    subject_kind: str | None
    subject_id: UUID | None
    detail: str | None
    interface: Interface = Interface.UNKNOWN


class AccessLog:
    """Appends access entries and lists recent ones, each write committed on its own."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        user_id: str,
        role: Role | None,
        action: str,
        subject_kind: str | None = None,
        subject_id: UUID | None = None,
        detail: str | None = None,
    ) -> None:
        """Append one entry, timestamped now (UTC).

        Raises ValueError when a field is too long or malformed, or when `detail` holds what
        `domain.free_text` takes for personal data (an identifier, a phone number, an e-mail
        address): it must not be written here. Error messages never repeat the rejected value.
        """
        if not user_id or len(user_id) > MAX_USER_ID_LENGTH:
            raise ValueError(f"user_id must be 1 to {MAX_USER_ID_LENGTH} characters")
        if not ACTION.fullmatch(action):
            raise ValueError("action must be a snake_case name of at most 40 characters")
        if subject_kind is not None and not 0 < len(subject_kind) <= MAX_SUBJECT_KIND_LENGTH:
            raise ValueError(f"subject_kind must be 1 to {MAX_SUBJECT_KIND_LENGTH} characters")
        if detail is not None:
            if len(detail) > MAX_DETAIL_LENGTH:
                raise ValueError(f"detail must be at most {MAX_DETAIL_LENGTH} characters")
            try:
                require_no_personal_data(detail, field="detail")
            except PersonalDataInText as error:
                raise ValueError("detail looks like it holds an identifier; keep it out") from error
        with self._engine.begin() as conn:
            conn.execute(
                insert(access_log).values(
                    at=datetime.now(UTC),
                    user_id=user_id,
                    role=None if role is None else Role(role).value,
                    action=str(action),
                    subject_kind=subject_kind,
                    subject_id=None if subject_id is None else str(subject_id),
                    detail=detail,
                    interface=current_interface.get().value,
                )
            )

    def recent(self, limit: int = 100, subject_id: UUID | None = None) -> list[AccessEntry]:
        """The newest entries first, optionally only those about one subject."""
        if not 1 <= limit <= MAX_RECENT:
            raise ValueError(f"limit must be between 1 and {MAX_RECENT}")
        query = select(access_log).order_by(access_log.c.id.desc()).limit(limit)
        if subject_id is not None:
            query = query.where(access_log.c.subject_id == str(subject_id))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_entry(row) for row in rows]


def _entry(row: RowMapping) -> AccessEntry:
    return AccessEntry(
        id=row["id"],
        at=as_utc(row["at"]),
        user_id=row["user_id"],
        role=None if row["role"] is None else Role(row["role"]),
        action=row["action"],
        subject_kind=row["subject_kind"],
        subject_id=None if row["subject_id"] is None else UUID(row["subject_id"]),
        detail=row["detail"],
        interface=Interface(row["interface"]),
    )
