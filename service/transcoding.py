"""How domain value types are written into stored events (JSON), registered on the application."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.bank_statement import Movement, MovementKind
from domain.beneficiary import IdentityChecks
from domain.decree import AidComponent, DecreeLine
from domain.payment_batch import BatchLine
from domain.recording import Actor, DocumentRef, RegionRef, Role
from domain.sealed import KeyPurpose, Sealed


class DateAsIso(Transcoding):
    """Business dates as ISO 8601 text."""

    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class FrozenDataclassAsDict(Transcoding):
    """A frozen value dataclass as a dict of its fields; `coerce` restores enum and id types."""

    def __init__(self, cls: type[Any], name: str, coerce: dict[str, Any] | None = None) -> None:
        self.type = cls
        self.name = name
        self._coerce = coerce or {}
        # Field names looked up once: every event encodes several of these values.
        self._names = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._names}

    def decode(self, data: dict[str, Any]) -> Any:
        values = {
            k: (self._coerce[k](v) if k in self._coerce and v is not None else v)
            for k, v in data.items()
        }
        return self.type(**values)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every value type that appears in Jejak's events."""
    transcoder.register(DateAsIso())
    transcoder.register(FrozenDataclassAsDict(Actor, "actor", {"role": Role}))
    transcoder.register(FrozenDataclassAsDict(DocumentRef, "document"))
    transcoder.register(FrozenDataclassAsDict(RegionRef, "region"))
    transcoder.register(FrozenDataclassAsDict(Sealed, "sealed", {"purpose": KeyPurpose}))
    transcoder.register(FrozenDataclassAsDict(IdentityChecks, "identity_checks"))
    transcoder.register(
        FrozenDataclassAsDict(DecreeLine, "decree_line", {"component": AidComponent})
    )
    transcoder.register(FrozenDataclassAsDict(BatchLine, "batch_line"))
    transcoder.register(FrozenDataclassAsDict(Movement, "movement", {"kind": MovementKind}))
