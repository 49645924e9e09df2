"""How domain value types are written into stored events (JSON), registered on the application."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.bank_statement import Movement, MovementKind
from domain.beneficiary import BeneficiaryDetails, IdentityChecks
from domain.decree import AidComponent, DecreeLine
from domain.payment_batch import BatchLine
from domain.privacy.destruction import DestructionItem, WithheldItem
from domain.recording import Actor, DocumentRef, RegionRef, Role
from domain.sealed import KeyPurpose, Sealed
from domain.site import SiteDetails


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
        self.field_names = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.field_names}

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
    transcoder.register(FrozenDataclassAsDict(SiteDetails, "site_details", {"aliases": tuple}))
    transcoder.register(FrozenDataclassAsDict(BeneficiaryDetails, "beneficiary_details"))
    transcoder.register(FrozenDataclassAsDict(DestructionItem, "destruction_item"))
    transcoder.register(FrozenDataclassAsDict(WithheldItem, "withheld_item", {"reasons": tuple}))


_PLAIN_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})


class OrjsonTranscoder(JSONTranscoder):
    """The library's JSON format, written by orjson; read by the library's decoder unchanged.

    The library encodes with `json.JSONEncoder`, whose C writer and per-value `default`
    callback were a fifth of a roster import. Here one Python pass replaces every value the
    standard encoder would hand to `default` by its `{"_type_": ..., "_data_": ...}` form, so
    orjson only writes plain dicts, lists, text and numbers. The bytes are the same as the
    library's (compact separators, UTF-8 unescaped), so stored events need no migration and
    either transcoder reads what the other wrote.

    How each type is made plain is decided once per type, in the order in which the standard
    encoder tests types; values already plain are passed without a call.
    """

    def __init__(self) -> None:
        super().__init__()
        # Types written as they are: the plain ones, and subclasses of text and integers.
        self._as_is: set[type] = set(_PLAIN_TYPES)
        self._converters: dict[type, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._converters.clear()

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj if type(obj) in self._as_is else self._plain(obj))

    def _plain(self, value: Any) -> Any:
        convert = self._converters.get(type(value)) or self._converter_for(type(value))
        return convert(value)

    def _plain_dict(self, value: dict[Any, Any]) -> dict[Any, Any]:
        as_is = self._as_is
        return {k: (v if type(v) in as_is else self._plain(v)) for k, v in value.items()}

    def _plain_list(self, value: list[Any] | tuple[Any, ...]) -> list[Any]:
        as_is = self._as_is
        return [v if type(v) in as_is else self._plain(v) for v in value]

    def _converter_for(self, kind: type) -> Callable[[Any], Any]:
        convert: Callable[[Any], Any]
        if issubclass(kind, str | int):
            # Subclasses such as StrEnum are written as their base value, as json does.
            self._as_is.add(kind)
            convert = _unchanged
        elif issubclass(kind, float):
            # orjson rejects float subclasses; json writes them as plain floats.
            convert = float
        elif issubclass(kind, list | tuple):
            convert = self._plain_list
        elif issubclass(kind, dict):
            convert = self._plain_dict
        elif isinstance(transcoding := self.types.get(kind), FrozenDataclassAsDict):
            convert = self._dataclass_fields(transcoding)
        elif transcoding is not None:
            convert = self._transcoded(transcoding)
        else:
            # Raises the library's own error for an unregistered type (not remembered, so a
            # transcoding registered later is used).
            return self._encode_obj
        self._converters[kind] = convert
        return convert

    def _transcoded(self, transcoding: Transcoding) -> Callable[[Any], dict[str, Any]]:
        name, encode, as_is = transcoding.name, transcoding.encode, self._as_is

        def convert(value: Any) -> dict[str, Any]:
            data = encode(value)
            return {"_type_": name, "_data_": data if type(data) in as_is else self._plain(data)}

        return _same_as_last(convert)

    def _dataclass_fields(self, transcoding: FrozenDataclassAsDict) -> Callable[[Any], Any]:
        """`_transcoded` for a dataclass: its fields made plain in one pass, not two."""
        name, field_names, as_is, plain = (
            transcoding.name,
            transcoding.field_names,
            self._as_is,
            self._plain,
        )

        def convert(value: Any) -> dict[str, Any]:
            data = {}
            for field in field_names:
                item = getattr(value, field)
                data[field] = item if type(item) in as_is else plain(item)
            return {"_type_": name, "_data_": data}

        return _same_as_last(convert)


def _same_as_last(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, answering again without work when handed the very object it converted last.

    The events of one command or roster share their values: every registration of a roster
    carries the same actor, business date and site id objects. The values are immutable and
    the plain form is only read by orjson, so handing out the same plain form is safe; the
    last object is held, so its identity cannot be reused by another object meanwhile. The
    pair is read and replaced as one tuple, so threads encoding at once never mix two pairs.
    """
    last: list[tuple[Any, Any]] = [(_NOTHING, None)]

    def convert_once(value: Any) -> Any:
        held, plain = last[0]
        if value is held:
            return plain
        plain = convert(value)
        last[0] = (value, plain)
        return plain

    return convert_once


_NOTHING = object()


def _unchanged(value: Any) -> Any:
    return value
