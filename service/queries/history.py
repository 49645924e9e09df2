"""One aggregate's history: "what happened to this site, case or entitlement, and who did it?"

The one current-state question that reads the event store: an aggregate's own events, and,
among them in time, each reveal of her personal data the access log holds (ADR 0046): who
unmasked which field, why, from where; never the value.
"""

from __future__ import annotations

import dataclasses
import heapq
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from domain.corrections import CorrectionEvent
from domain.sealed import Sealed
from domain.units import Scope
from service.errors import NotFound
from service.queries.access_log import AccessLogEntry, AccessLogFilter, access_log_entries
from service.queries.reveal import Reveal, parse_reveal_detail
from service.security.access_log import AccessAction, AccessLog
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
        Each reveal of her personal data stands among the events at the time it was made, as
        a `PersonalDataRevealed` item with no version (`reveal_as_dict`).
        """
        if not holds(self.engine, self.scope, aggregate_id):
            raise NotFound("Record", aggregate_id)
        reveal = Reveal(self.vault, viewer)
        events = history(self.log, aggregate_id)
        corrected_by: dict[int, list[int]] = {}
        for e in events:
            if isinstance(e, CorrectionEvent):
                corrected_by.setdefault(e.corrects_version, []).append(e.originator_version)
        recorded = [
            event_as_dict(e, reveal) | {"corrections": corrected_by.get(e.originator_version, [])}
            for e in events
        ]
        reveals = [reveal_as_dict(entry) for entry in self._reveals_of(aggregate_id)]
        # Both are in time order; an event and a reveal of the same instant: the event first.
        out = list(heapq.merge(recorded, reveals, key=lambda item: item["recorded_at"]))
        self.access_log.record(
            viewer.username, viewer.role, "read_history", "aggregate", aggregate_id, reveal.mode
        )
        return out

    def _reveals_of(self, aggregate_id: UUID) -> list[AccessLogEntry]:
        """The reveals of this subject's personal data, oldest first."""
        wanted = AccessLogFilter(
            action=AccessAction.REVEAL_PERSONAL_DATA.value, subject_id=aggregate_id
        )
        return list(reversed(access_log_entries(self.engine, wanted)))


def reveal_as_dict(entry: AccessLogEntry) -> dict[str, Any]:
    """A reveal as an item of a history, shaped as its events are: who (account and role),
    when (WITA), the reason, and which fields, how (`field`: one asked for; `bundle`: an
    evidence bundle in clear) and from which interface as its facts. Never a value."""
    detail = parse_reveal_detail(entry.detail)
    return {
        "event": "PersonalDataRevealed",
        "version": None,
        "occurred_on": entry.at.date(),
        "recorded_at": entry.at,
        "actor": {"user_id": entry.user_id, "role": entry.role},
        "document": None,
        "reason": detail.reason,
        "facts": {
            "fields": list(detail.fields),
            "via": detail.via,
            "interface": entry.interface,
        },
        "corrections": [],
    }


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
