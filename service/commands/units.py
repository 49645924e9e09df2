"""Unit commands: setting up the offices that work the programme (ADR 0044)."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from domain.recording import Provenance
from domain.units import Unit, UnitInfo
from service.commands.base import CommandBase, CommandResult


class UnitCommands:
    """The commands of a unit's lifecycle."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def establish_unit(self, info: UnitInfo, *, provenance: Provenance) -> CommandResult:
        """Set up a unit; a code is established once (ALREADY_REGISTERED)."""
        unit = Unit.establish(info, provenance=provenance)
        return self.app.saved(unit, what=f"unit {unit.info.code}")

    def any_established(self) -> bool:
        """Whether any unit is in the store, read from the log itself: the read model of units
        may not have caught up with a unit set up a moment ago (by another process)."""
        topic = get_topic(Unit.UnitEstablished)
        return bool(self.app.recorder.select_notifications(start=None, limit=1, topics=[topic]))

    def established(self, code: str) -> bool:
        """Whether a unit with this code is in the store (the log, not a read model)."""
        return self.app.exists(Unit.create_id(code))
