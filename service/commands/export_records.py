"""Every export handed out is recorded as an event: the helper export endpoints call.

An endpoint that hands out bytes (a CSV, an XLSX, a PDF, a stored document) calls
`record_export` after producing them and before returning them: if the record cannot be
written, the bytes are not handed out. The record keeps who, which export (a stable name), the
filters, the row count, the format and the SHA-256 of the exact bytes, so a file that turns up
later can be matched to the export it came from (ADR 0017).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from service.provenance import provenance, today_wita
from service.security.accounts import Account
from service.system import Jejak

EXPORT_ID_HEADER = "X-Jejak-Export-Id"
EXPORT_SHA256_HEADER = "X-Jejak-Export-Sha256"


@dataclass(frozen=True)
class ExportReceipt:
    """What recording an export gave back: its record's id and the hash of its bytes."""

    export_id: UUID
    content_sha256: str
    position: int

    def headers(self) -> dict[str, str]:
        """Response headers that tell the recipient which record their file belongs to."""
        return {EXPORT_ID_HEADER: str(self.export_id), EXPORT_SHA256_HEADER: self.content_sha256}


def record_export(
    jejak: Jejak,
    user: Account,
    *,
    name: str,
    filters: Mapping[str, object],
    rows: int,
    content: bytes,
    export_format: str | None = None,
    occurred_on: date | None = None,
) -> ExportReceipt:
    """Record that `user` is handed `content`, the export `name` (e.g. `ledger.xlsx`) made with
    `filters` (None values are left out; the rest written as text) and holding `rows` rows.

    The format is the name's extension unless given; the business date is today in WITA unless
    given. Raises InvalidValue (422) for a malformed name or filter, and PersonalDataInText when
    a filter value looks like personal data.
    """
    content_sha256 = hashlib.sha256(content).hexdigest()
    result = jejak.app.audit_register.record_export(
        export_name=name,
        export_format=export_format or format_of(name),
        filters=filters_as_text(filters),
        rows=rows,
        content_sha256=content_sha256,
        size=len(content),
        provenance=provenance(user, occurred_on or today_wita(), None, None),
    )
    jejak.runner.notify()
    return ExportReceipt(result.aggregate_id, content_sha256, result.position)


def format_of(name: str) -> str:
    """The format a stable export name implies: its extension (`ledger.xlsx` -> `xlsx`)."""
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot and extension else "file"


def filters_as_text(filters: Mapping[str, object]) -> dict[str, str]:
    """Filters as the record keeps them: text values, unset ones left out."""
    return {key: _as_text(value) for key, value in filters.items() if value is not None}


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
