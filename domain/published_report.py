"""PublishedReport: figures sent out of the programme, frozen as events (ADR 0021).

A supervisor publishes a report, for example the quarter's figures for the Ministry of Social
Affairs: its kind, its period, the figures themselves (computed from the log as known at one
position, never personal data), that position, the SHA-256 of the figures' canonical JSON, the
addressee and the covering letter. The figures are kept whole in the event, so what was sent
can be shown and checked later whatever the read models say by then.

One aggregate per kind and period. A correction is a republication: a new version of the same
report, with a reason and its own letter, naming the version and the hash it replaces. Nothing
published is edited; every version stays in the log.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.free_text import require_no_personal_data
from domain.guards import require_document, require_reason
from domain.recording import SHA256_HEX, Actor, DocumentRef, Provenance
from domain.report_lifecycles import REPORT_LIFECYCLE

ADDRESSEE_TEXT = 200
FIGURE_TEXT = 200
FIGURE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# What a report's figures say about themselves rather than about the programme; two versions
# whose other figures are equal say the same thing.
ABOUT = ("report_kind", "figures_version", "period", "known_at_position")
MAX_DEPTH = 8
MAX_FIGURES = 100_000
QUARTER = re.compile(r"^([0-9]{4})-?Q([1-4])$")


class PeriodInvalid(InvalidValue):
    """Raised when a report's period ends before it starts, or has not ended by the day the
    report is published."""

    code = "PERIOD_INVALID"


class FiguresInvalid(InvalidValue):
    """Raised when a report's figures are not those of its kind, period and log position, or
    hold something other than whole numbers, short texts and nested groups of them."""

    code = "FIGURES_INVALID"


class ReportAlreadyPublished(RuleViolation):
    """Raised when a kind and period already published is published again rather than
    republished as a new version."""

    code = "REPORT_ALREADY_PUBLISHED"


class ReportUnchanged(RuleViolation):
    """Raised when a republication carries the very figures of the version it would replace:
    there is nothing to correct."""

    code = "REPORT_UNCHANGED"


class ReportKind(StrEnum):
    """What a report counts. Each kind's figures are computed by one pure fold of the log."""

    # Per site: cases per state at the period's end, the period's steps (registered, trained,
    # returned, closed...) and the rupiah credited and returned in it; with programme totals.
    PROGRAMME_FIGURES = "programme_figures"


@dataclass(frozen=True)
class Period:
    """An inclusive range of business dates (WITA) that a report covers."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodInvalid("the period ends before it starts", field="period_end")

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        """Quarter `number` (1-4) of `year`: 1 January to 31 March, and so on."""
        if not 1 <= number <= 4:
            raise PeriodInvalid("a quarter is numbered 1 to 4", field="quarter")
        start = date(year, 3 * number - 2, 1)
        following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
        return cls(start, following - timedelta(days=1))

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2019-Q2` (or `2019Q2`), or `2019-04-01..2019-06-30`."""
        spec = text.strip()
        if found := QUARTER.match(spec):
            return cls.quarter(int(found.group(1)), int(found.group(2)))
        start, dots, end = spec.partition("..")
        try:
            if dots:
                return cls(date.fromisoformat(start), date.fromisoformat(end))
        except ValueError:
            pass
        raise PeriodInvalid("give a quarter (2019-Q2) or START..END dates", field="period")

    def contains(self, day: date) -> bool:
        """Whether `day` falls in the period."""
        return self.start <= day <= self.end

    def as_dict(self) -> dict[str, str]:
        """The period as the figures state it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def canonical_json(figures: Mapping[str, Any]) -> bytes:
    """The one byte form of a report's figures that is hashed: keys sorted, no whitespace,
    UTF-8. The same figures always give the same bytes."""
    return json.dumps(
        figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def figures_sha256(figures: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the figures' canonical JSON."""
    return hashlib.sha256(canonical_json(figures)).hexdigest()


class PublishedReport(LifecycleAggregate):
    """One report of one kind and period, and every version of it that was sent out."""

    lifecycle = REPORT_LIFECYCLE

    class ReportPublished(LifecycleAggregate.Created):
        """`content` (the figures of `report_kind` for the period, as known at `log_position`)
        was sent to `addressee` under the covering letter (the document); `content_sha256` is
        the SHA-256 of its canonical JSON; `code_version` at `commit` computed it."""

        report_kind: str
        period_start: date
        period_end: date
        content: dict[str, Any]
        content_sha256: str
        log_position: int
        addressee: str
        code_version: str
        commit: str

    class ReportRepublished(LifecycleAggregate.Event):
        """A corrected version was sent: new figures as known at a later position, replacing
        version `replaces_version` (whose figures hashed to `replaces_sha256`); `reason` says
        why."""

        content: dict[str, Any]
        content_sha256: str
        log_position: int
        addressee: str
        code_version: str
        commit: str
        replaces_version: int
        replaces_sha256: str

    @staticmethod
    def create_id(kind: ReportKind, period: Period) -> UUID:
        """Deterministic: a kind and period is published once, then republished."""
        return uuid5(NAMESPACE_URL, f"jejak:report:{kind.value}:{period}")

    @classmethod
    def publish(
        cls,
        *,
        kind: ReportKind,
        period: Period,
        content: Mapping[str, Any],
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        provenance: Provenance,
    ) -> PublishedReport:
        """Publish the figures of `kind` for `period`, computed as known at `log_position`."""
        cls.check_publishable(period, provenance)
        figures = check_figures(content, kind, period, log_position)
        return cls._start(
            cls.ReportPublished,
            cls.create_id(kind, period),
            report_kind=kind.value,
            period_start=period.start,
            period_end=period.end,
            content=figures,
            content_sha256=figures_sha256(figures),
            log_position=log_position,
            addressee=_text(addressee, "addressee", ADDRESSEE_TEXT),
            code_version=code_version,
            commit=commit,
            **_checked(provenance).event_fields(),
        )

    @staticmethod
    def check_publishable(period: Period, provenance: Provenance) -> None:
        """Refuse a publication before its figures are computed: the period must be over by
        the publication date, and the covering letter given."""
        if period.end > provenance.occurred_on:
            raise PeriodInvalid(
                "the period must have ended by the day the report is published", field="period_end"
            )
        require_document(provenance, "the covering letter")

    @event(ReportPublished)
    def __init__(
        self,
        report_kind: str,
        period_start: date,
        period_end: date,
        content: dict[str, Any],
        content_sha256: str,
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.report_kind = report_kind
        self.period_start = period_start
        self.period_end = period_end
        self.content = content
        self.content_sha256 = content_sha256
        self.log_position = log_position
        self.addressee = addressee

    @property
    def kind(self) -> ReportKind:
        """What the report counts."""
        return ReportKind(self.report_kind)

    @property
    def period(self) -> Period:
        """The business dates the report covers."""
        return Period(self.period_start, self.period_end)

    def republish(
        self,
        *,
        content: Mapping[str, Any],
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        provenance: Provenance,
    ) -> None:
        """Send a corrected version replacing the latest one; the reason says why."""
        self._allowed("republish_report")
        require_reason(provenance)
        require_document(provenance, "the covering letter of the corrected version")
        if log_position < self.log_position:
            raise FiguresInvalid(
                "a correction is computed at or after the position of the version it replaces",
                field="log_position",
            )
        figures = check_figures(content, self.kind, self.period, log_position)
        if _said(figures) == _said(self.content):
            raise ReportUnchanged(
                f"the figures are those of version {self.version}; there is nothing to correct",
                field="content",
            )
        self._republished(
            content=figures,
            content_sha256=figures_sha256(figures),
            log_position=log_position,
            addressee=_text(addressee, "addressee", ADDRESSEE_TEXT),
            code_version=code_version,
            commit=commit,
            replaces_version=self.version,
            replaces_sha256=self.content_sha256,
            **_checked(provenance).event_fields(),
        )

    @event(ReportRepublished)
    def _republished(
        self,
        content: dict[str, Any],
        content_sha256: str,
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        replaces_version: int,
        replaces_sha256: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.content = content
        self.content_sha256 = content_sha256
        self.log_position = log_position
        self.addressee = addressee


def intact(content: Mapping[str, Any], content_sha256: str) -> bool:
    """Whether frozen figures still hash to the SHA-256 recorded with them."""
    return bool(SHA256_HEX.match(content_sha256)) and figures_sha256(content) == content_sha256


def check_figures(
    content: Mapping[str, Any], kind: ReportKind, period: Period, log_position: int
) -> dict[str, Any]:
    """`content` as a plain dict, if it states this kind, period and position and holds only
    whole numbers, short texts (no personal data) and nested groups of them."""
    if isinstance(log_position, bool) or not isinstance(log_position, int) or log_position < 0:
        raise InvalidValue("must be a log position, zero or more", field="log_position")
    if not isinstance(content, Mapping):
        raise FiguresInvalid("the figures are a JSON object", field="content")
    stated = (content.get("report_kind"), content.get("period"), content.get("known_at_position"))
    if stated != (kind.value, period.as_dict(), log_position):
        raise FiguresInvalid(
            "the figures must state the report's kind, period and log position", field="content"
        )
    count = [0]
    return _group(content, "content", 1, count)


def _group(value: Mapping[str, Any], path: str, depth: int, count: list[int]) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise FiguresInvalid(f"figures nest at most {MAX_DEPTH} deep", field=path)
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not FIGURE_KEY.match(key):
            raise FiguresInvalid("figure names are 1 to 64 letters, digits, _ or -", field=path)
        where = f"{path}.{key}"
        count[0] += 1
        if count[0] > MAX_FIGURES:
            raise FiguresInvalid(f"at most {MAX_FIGURES} figures", field=path)
        if isinstance(item, Mapping):
            checked[key] = _group(item, where, depth + 1, count)
        elif isinstance(item, str):
            if not item.strip() or len(item) > FIGURE_TEXT:
                raise FiguresInvalid(f"a text figure is 1 to {FIGURE_TEXT} characters", field=where)
            checked[key] = require_no_personal_data(item, field=where)
        elif item is None or (isinstance(item, int) and not isinstance(item, bool)):
            checked[key] = item
        else:
            raise FiguresInvalid("a figure is a whole number, a short text or empty", field=where)
    return checked


def _said(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The figures without what they say about themselves."""
    return {k: v for k, v in figures.items() if k not in ABOUT}


def _text(value: str, field: str, longest: int) -> str:
    text = value.strip()
    if not text or len(text) > longest:
        raise InvalidValue(f"must be 1 to {longest} characters", field=field)
    return require_no_personal_data(text, field=field)


def _checked(provenance: Provenance) -> Provenance:
    # The reason is read with the report by every role and kept for good.
    if provenance.reason:
        require_no_personal_data(provenance.reason, field="reason")
    return provenance
