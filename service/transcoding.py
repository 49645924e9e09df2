"""How domain value types are written into stored events (JSON), registered on the application."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import (
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
)

from domain.beneficiary import IdentityChecks
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


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


class OrjsonTranscoder(JSONTranscoder):
    """The library's JSON format, written by orjson; read by the library's decoder unchanged.

    The library encodes with `json.JSONEncoder`, whose C writer and per-value `default`
    callback were a fifth of a roster import. Here one Python pass replaces every value the
    standard encoder would hand to `default` by its `{"_type_": ..., "_data_": ...}` form, so
    orjson only writes plain dicts, lists, text and numbers. The bytes are the same as the
    library's (compact separators, UTF-8 unescaped), so stored events need no migration and
    either transcoder reads what the other wrote.
    """

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._plain(obj))

    def _plain(self, value: Any) -> Any:
        """`value` with registered types transcoded, tested in the standard encoder's order."""
        kind = type(value)
        if kind in _PLAIN_TYPES:
            return value
        if kind is dict:
            return {key: self._plain(item) for key, item in value.items()}
        if kind is list or kind is tuple:
            return [self._plain(item) for item in value]
        if isinstance(value, str | int):
            # Subclasses such as StrEnum are written as their base value, as json does.
            return value
        if isinstance(value, float):
            # orjson rejects float subclasses; json writes them as plain floats.
            return float(value)
        if isinstance(value, list | tuple):
            return [self._plain(item) for item in value]
        if isinstance(value, dict):
            return {key: self._plain(item) for key, item in value.items()}
        return self._plain_registered(value)

    def _plain_registered(self, value: Any) -> dict[str, Any]:
        try:
            transcoding = self.types[type(value)]
        except KeyError:
            # The library's own error for an unregistered type, with its message.
            self._encode_obj(value)
            raise TranscodingNotRegisteredError(type(value)) from None
        return {"_type_": transcoding.name, "_data_": self._plain(transcoding.encode(value))}
