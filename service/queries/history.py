"""One aggregate's history: "what happened to this site, case or entitlement, and who did it?"

The one current-state question that reads the event store: an aggregate's own events.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from domain.corrections import CorrectionEvent
from domain.sealed import Sealed
from domain.units import Scope
from service.errors import NotFound
from service.queries.reveal import Reveal
from service.security.access_log import AccessLog
from service.security.accounts import Account
from service.security.scope import holds
from service.security.vault import Vault
from service.store.event_log import EventLog, history


class Histories:
    """Every event of one aggregate, personal fields by the viewer's role, the read logged."""

    def __init__(
        self, log: EventLog, engine: Engine, vault: Vault, access_log: AccessLog, scope: Scope
    ) -> None:
        self.log = log
        self.engine = engine
        self.scope = scope
        self.vault = vault
        self.access_log = access_log

    def of(self, viewer: Account, aggregate_id: UUID) -> list[dict[str, Any]]:
        """Every event of one site, case or entitlement, with its metadata, oldest first.

        A corrected event stays as it was recorded; `corrections` lists the versions of the
        corrections that name it, which carry the old and new value, reason, actor, document.
        """
        if not holds(self.engine, self.scope, aggregate_id):
            raise NotFound("Record", aggregate_id)
        reveal = Reveal(self.vault, viewer)
        events = history(self.log, aggregate_id)
        corrected_by: dict[int, list[int]] = {}
        for e in events:
            if isinstance(e, CorrectionEvent):
                corrected_by.setdefault(e.corrects_version, []).append(e.originator_version)
        out = [
            event_as_dict(e, reveal) | {"corrections": corrected_by.get(e.originator_version, [])}
            for e in events
        ]
        self.access_log.record(
            viewer.username, viewer.role, "read_history", "aggregate", aggregate_id, reveal.mode
        )
        return out


def event_as_dict(event: Any, reveal: Reveal) -> dict[str, Any]:
    """An event as JSON-ready data: its metadata, facts, and personal fields per role."""
    facts: dict[str, Any] = {}
    skip = {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "occurred_on",
        "document",
        "reason",
    }
    for name, value in vars(event).items():
        if name not in skip:
            facts[name] = _plain(value, reveal)
    return {
        "event": type(event).__name__,
        "version": event.originator_version,
        "occurred_on": event.occurred_on,
        "recorded_at": event.timestamp,
        "actor": _plain(event.actor, reveal),
        "document": _plain(event.document, reveal),
        "reason": event.reason,
        "facts": facts,
    }


def _plain(value: Any, reveal: Reveal) -> Any:
    if isinstance(value, Sealed):
        return reveal(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), reveal) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v, reveal) for v in value]
    if isinstance(value, UUID):
        return str(value)
    return value
