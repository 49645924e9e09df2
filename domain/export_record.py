"""ExportRecord: the record that someone was handed an export, and exactly which bytes.

Auditors read everything and change nothing, but what they take away is itself a fact worth
keeping: who exported what (a stable name such as `ledger.xlsx`), with which filters, how many
rows, in which format, and the SHA-256 of the bytes handed out, so a file shown later can be
matched to its export. One event per export; the record never changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.audit_lifecycles import EXPORT_LIFECYCLE
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.recording import SHA256_HEX, Actor, DocumentRef, Provenance

EXPORT_NAME = re.compile(r"^[a-z0-9][a-z0-9_./{}-]{0,99}$")
EXPORT_FORMAT = re.compile(r"^[a-z0-9]{1,16}$")
FILTER_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_FILTERS = 20
FILTER_VALUE_LENGTH = 200
# Ids and hashes are what filters usually hold; their hex digits can run ten long by chance.
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ExportRecord(LifecycleAggregate):
    """One export handed out."""

    lifecycle = EXPORT_LIFECYCLE

    class ExportMade(LifecycleAggregate.Created):
        """`export_name` with `filters` was handed out: `rows` rows, `size` bytes."""

        export_name: str
        export_format: str
        filters: dict[str, str]
        rows: int
        content_sha256: str
        size: int

    @classmethod
    def make(
        cls,
        *,
        record_id: UUID,
        export_name: str,
        export_format: str,
        filters: Mapping[str, str],
        rows: int,
        content_sha256: str,
        size: int,
        provenance: Provenance,
    ) -> ExportRecord:
        """Record an export; `record_id` is new for each export (the service makes it)."""
        if not EXPORT_NAME.match(export_name):
            raise InvalidValue("a stable lowercase name such as ledger.xlsx", field="export_name")
        if not EXPORT_FORMAT.match(export_format):
            raise InvalidValue("a short lowercase format such as xlsx", field="export_format")
        if not SHA256_HEX.match(content_sha256):
            raise InvalidValue(
                "must be 64 lowercase hexadecimal characters", field="content_sha256"
            )
        for count, field in ((rows, "rows"), (size, "size")):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise InvalidValue("must be a whole number, zero or more", field=field)
        return cls._start(
            cls.ExportMade,
            record_id,
            export_name=export_name,
            export_format=export_format,
            filters=_filters(filters),
            rows=rows,
            content_sha256=content_sha256,
            size=size,
            **provenance.event_fields(),
        )

    @event(ExportMade)
    def __init__(
        self,
        export_name: str,
        export_format: str,
        filters: dict[str, str],
        rows: int,
        content_sha256: str,
        size: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.export_name = export_name
        self.content_sha256 = content_sha256


def _filters(filters: Mapping[str, str]) -> dict[str, str]:
    if len(filters) > MAX_FILTERS:
        raise InvalidValue(f"at most {MAX_FILTERS} filters", field="filters")
    checked: dict[str, str] = {}
    for key, value in sorted(filters.items()):
        if not FILTER_KEY.match(key):
            raise InvalidValue("filter names are lowercase snake_case", field="filters")
        if not isinstance(value, str) or len(value) > FILTER_VALUE_LENGTH:
            raise InvalidValue(
                f"filter values are text of at most {FILTER_VALUE_LENGTH} characters",
                field=f"filters.{key}",
            )
        is_id = UUID_TEXT.match(value) or SHA256_HEX.match(value)
        checked[key] = value if is_id else require_no_personal_data(value, field=f"filters.{key}")
    return checked
