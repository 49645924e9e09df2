"""Restatement: the record that read models were rebuilt from the log and their new version
put in place of the old, changing what reports say about the past (ADR 0020).

Who did it and why, with which code, which read models at which versions, up to which log
position, and how many rows each table gained, lost or changed. The rows themselves are kept
beside the record (`restatement_diffs`), since they can run to thousands. One event per switch;
the record never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.lifecycle import SUPERVISOR_ONLY, Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentRef, Provenance

RESTATEMENT_LIFECYCLE = Lifecycle(
    aggregate="Restatement",
    states=(
        StateSpec(
            "RECORDED", "Read models were rebuilt and switched; the record never changes", True
        ),
    ),
    transitions=(
        # Run from the server's command line by a supervisor: a restatement changes the
        # reports. Auditors read the record; administrators change no programme record.
        Transition(
            "restate_read_models",
            "ReadModelsRestated",
            None,
            "RECORDED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
        ),
    ),
)

DIFF_KINDS = ("added", "removed", "changed")


class Restatement(LifecycleAggregate):
    """One switch of rebuilt read models."""

    lifecycle = RESTATEMENT_LIFECYCLE

    class ReadModelsRestated(LifecycleAggregate.Created):
        """`projections` (name -> version) rebuilt up to `log_position` by `code_version` at
        `commit`; `summary` counts rows added, removed and changed per table.

        `settings_changed` (table -> setting -> {"before", "after"}) names the settings the
        rebuild folded with that the live tables were not folded with: then they, not a row's
        last event, explain its change. Added with a default (ADR 0036): None in restatements
        recorded before settings were compared.
        """

        projections: dict[str, int]
        code_version: str
        commit: str
        log_position: int
        summary: dict[str, dict[str, int]]
        settings_changed: dict[str, dict[str, dict[str, Any]]] | None = None

    @classmethod
    def record(
        cls,
        *,
        restatement_id: UUID,
        projections: Mapping[str, int],
        code_version: str,
        commit: str,
        log_position: int,
        summary: Mapping[str, Mapping[str, int]],
        provenance: Provenance,
        settings_changed: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    ) -> Restatement:
        """Record a switch; the reason (why the reports change) is required."""
        cls.check_reason(provenance.reason)
        if not projections:
            raise InvalidValue("name at least one read model", field="projections")
        if log_position < 0:
            raise InvalidValue("must be zero or more", field="log_position")
        counts = {
            str(table): {kind: int(found.get(kind, 0)) for kind in DIFF_KINDS}
            for table, found in sorted(summary.items())
        }
        return cls._start(
            cls.ReadModelsRestated,
            restatement_id,
            projections={str(name): int(v) for name, v in sorted(projections.items())},
            code_version=code_version,
            commit=commit,
            log_position=log_position,
            summary=counts,
            settings_changed={
                str(table): {str(name): dict(change) for name, change in sorted(found.items())}
                for table, found in sorted((settings_changed or {}).items())
            },
            **provenance.event_fields(),
        )

    @staticmethod
    def check_reason(reason: str | None) -> str:
        """The reason, if a record can be made with it; checked before a switch, which cannot
        be undone by a refused record."""
        if not (reason or "").strip():
            raise InvalidValue("say why the read models are restated", field="reason")
        return require_no_personal_data(reason or "", field="reason")

    @event(ReadModelsRestated)
    def __init__(
        self,
        projections: dict[str, int],
        code_version: str,
        commit: str,
        log_position: int,
        summary: dict[str, dict[str, int]],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
        settings_changed: dict[str, dict[str, dict[str, Any]]] | None = None,
    ) -> None:
        self.projections = projections
        self.log_position = log_position
        self.summary = summary
        self.settings_changed = settings_changed or {}
