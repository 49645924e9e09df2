"""The application's orjson transcoder writes exactly what the library's JSON transcoder writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from domain.recording import Role
from service.store.transcoding import OrjsonTranscoder
from tests.domain.givens import (
    BENEFICIARY_STATES,
    SITE_STATES,
    beneficiary_history,
    event_transcoder,
    site_history,
)


def _states(events: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in vars(e).items() if k != "originator_id"} for e in events]


def _every_event() -> list[dict[str, Any]]:
    events = [e for state in SITE_STATES for e in site_history(state)]
    events += [e for state in BENEFICIARY_STATES for e in beneficiary_history(state)]
    return _states(events)


def test_every_event_of_both_lifecycles_is_written_byte_for_byte_as_the_library_does() -> None:
    library, ours = event_transcoder(JSONTranscoder), event_transcoder(OrjsonTranscoder)
    for state in _every_event():
        assert ours.encode(state) == library.encode(state)


class _Colour(StrEnum):
    RED = "red"


class _Text(str):
    pass


def test_subclasses_nesting_and_non_ascii_text_match_the_library() -> None:
    value = {
        "enum": _Colour.RED,
        "role": Role.OPERATOR,
        "text": _Text('Sungai Bengawan \u2013 \u00e9\u4e2d\n"q"\\'),
        "nested": ({"ids": [uuid4(), uuid4()]}, [date(2016, 5, 10), None, True, 1.5, -3]),
        "at": datetime(2026, 11, 27, 8, 30, tzinfo=UTC),
        "empty": {},
    }
    library, ours = event_transcoder(JSONTranscoder), event_transcoder(OrjsonTranscoder)
    assert ours.encode(value) == library.encode(value)
    assert ours.decode(ours.encode(value)) == library.decode(library.encode(value))


@dataclass(frozen=True)
class _Unregistered:
    x: int


def test_an_unregistered_type_raises_the_librarys_error() -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="_Unregistered"):
        event_transcoder(OrjsonTranscoder).encode({"value": [_Unregistered(1)]})
