"""Published reports: figures computed from the log, frozen as events when sent out, and later
compared with today's figures for the same period (ADR 0021).

Publishing folds the log as known at its head into the report's figures
(`projections.report_figures`) and records them whole with that position and their SHA-256.
Comparing replays the log once per published version (then, on the next comparison, only what
was recorded since): the figures as known at the published position (with today's
code), then today's, and every event recorded after the publication that the period's figures
now take in. So a difference is always explained: by those events (late entries and
corrections), or, when the replay to the published position does not give the published
figures back, by a change in how figures are computed (a restatement, a new release).

Both read only the events the fold reads (a site's, a case's and an entitlement's), chosen by
topic in the event store's own query, so the replay decodes those and skips the rest of the
log (batches, decrees, audit findings, reports...).
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import desc, select

from domain.corrections import CorrectionEvent, DateCorrection
from domain.published_report import (
    Period,
    PublishedReport,
    ReportKind,
    canonical_json,
    figures_sha256,
    intact,
)
from projections.base import PositionedEvent
from projections.published_reports import published_reports
from projections.report_figures import (
    FIGURE_TOPICS,
    FigureFold,
    flatten,
    programme_figures,
)
from service.errors import NotFound
from service.queries.paging import Page, page_of
from service.store.event_log import EventLog, head, history, log_events
from service.system import Jejak


@dataclass
class _Replay:
    """A published version's comparison replay, kept between requests: its fold, the log
    position read up to, the figures as known at the publication and the later events."""

    fold: FigureFold | None = None
    read_to: int = 0
    at_position: dict[str, Any] | None = None
    later: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


# The replays of the versions compared lately, per event log: the comparison page folds the
# whole log once per version, then only what was recorded since.
REPLAYS_KEPT = 16
_REPLAYS: weakref.WeakKeyDictionary[EventLog, OrderedDict[tuple[UUID, int], _Replay]] = (
    weakref.WeakKeyDictionary()
)
_REPLAYS_LOCK = threading.Lock()


def _replays_of(app: EventLog, key: tuple[UUID, int]) -> _Replay:
    with _REPLAYS_LOCK:
        kept = _REPLAYS.setdefault(app, OrderedDict())
        replay = kept.pop(key, None) or _Replay()
        kept[key] = replay
        while len(kept) > REPLAYS_KEPT:
            kept.popitem(last=False)
        return replay


def figures(app: EventLog, kind: ReportKind, period: Period, known_at: int) -> dict[str, Any]:
    """The figures of `kind` for `period` as known at log position `known_at` (one kind so
    far; another would bring its own fold)."""
    return programme_figures(figure_events(app, known_at), period, known_at)


def figure_events(app: EventLog, known_at: int) -> Iterator[PositionedEvent]:
    """The events the figures are folded from, in log order, up to position `known_at`."""
    return log_events(app, known_at, FIGURE_TOPICS)


class PublishedReports:
    """The reports sent out, as anyone reads them: the list, one report's versions and
    figures, and the comparison of a version with today's figures."""

    def __init__(self, jejak: Jejak) -> None:
        self.jejak = jejak

    def list(self, *, kind: ReportKind | None, limit: int, offset: int) -> Page[dict[str, Any]]:
        """Every report at its latest version, latest period first."""
        c = published_reports.c
        query = select(published_reports).order_by(
            desc(c.period_end), desc(c.period_start), c.report_kind
        )
        if kind is not None:
            query = query.where(c.report_kind == kind.value)
        page = page_of(self.jejak.engine, query, limit, offset)
        for item in page.items:
            item["versions"] = _json_list(item["versions"])
        return page

    def one(self, report_id: UUID, version: int | None = None) -> dict[str, Any]:
        """The report with every version's record and one version's figures (the latest by
        default), each checked against its hash."""
        events = _versions(self.jejak, report_id)
        shown = _pick(events, version, report_id)
        versions = []
        for n, e in enumerate(events):
            record = _version_record(e)
            if n:
                record["replaces_intact"] = e.replaces_sha256 == events[n - 1].content_sha256
            versions.append(record)
        return _about(events[0], len(events)) | {
            "versions": versions,
            "shown_version": shown.originator_version,
            "content_sha256": shown.content_sha256,
            "content_intact": intact(shown.content, shown.content_sha256),
            "content": shown.content,
        }

    def compare(
        self,
        report_id: UUID,
        version: int | None = None,
        *,
        changed_only: bool = False,
        limit: int = 500,
        offset: int = 0,
    ) -> dict[str, Any]:
        """A published version's figures beside today's for the same period, each with its
        difference, and the events recorded since that make it."""
        events = _versions(self.jejak, report_id)
        published = _pick(events, version, report_id)
        position = published.log_position
        period = Period(events[0].period_start, events[0].period_end)
        now = head(self.jejak.app)
        replay = _replays_of(self.jejak.app, (report_id, published.originator_version))
        with replay.lock:
            if replay.fold is None:
                replay.fold = FigureFold(period, trace_after=position)
            fold = replay.fold
            # Only the events recorded since the last comparison of this version are read:
            # the log only grows, so what was folded stays true.
            for event in log_events(self.jejak.app, now, FIGURE_TOPICS, after=replay.read_to):
                if replay.at_position is None and event.position > position:
                    replay.at_position = fold.content(position)
                fold.add(event)
                if event.position in fold.sources:
                    replay.later.append(_later_event(event, fold, period))
            replay.read_to = max(replay.read_to, now)
            if replay.at_position is None:
                replay.at_position = fold.content(position)
            at_position = replay.at_position
            later = list(replay.later)
            today = fold.content(now)
        reproducible = canonical_json(at_position) == canonical_json(published.content)
        rows = _figure_rows(published.content, at_position, today, fold.sources, reproducible)
        changed = [r for r in rows if r["changed"]]
        return _about(events[0], len(events)) | {
            "compared_version": published.originator_version,
            "published": {
                "log_position": position,
                "content_sha256": published.content_sha256,
                "content_intact": intact(published.content, published.content_sha256),
                "published_on": published.occurred_on,
                "addressee": published.addressee,
                "document": _document(published),
            },
            "today": {"log_position": now, "content_sha256": figures_sha256(today)},
            # Replaying the log to the published position, with today's code, gives the
            # published figures back; if not, how figures are computed has changed since.
            "reproducible": reproducible,
            "figures_changed": len(changed),
            "unexplained": [r["figure"] for r in changed if not r["positions"]],
            "figures": changed if changed_only else rows,
            "events_total": len(later),
            "events": later[offset : offset + limit],
            "limit": limit,
            "offset": offset,
        }


def _versions(jejak: Jejak, report_id: UUID) -> list[Any]:
    """The report's events, one per version, oldest first."""
    try:
        events = history(jejak.app, report_id)
    except NotFound:
        raise NotFound("published report", report_id) from None
    if not isinstance(events[0], PublishedReport.ReportPublished):
        raise NotFound("published report", report_id)
    return events


def _pick(events: Sequence[Any], version: int | None, report_id: UUID) -> Any:
    if version is None:
        return events[-1]
    if not 1 <= version <= len(events):
        raise NotFound(f"version {version} of published report", report_id)
    return events[version - 1]


def _about(first: Any, versions: int) -> dict[str, Any]:
    return {
        "report_id": str(first.originator_id),
        "report_kind": first.report_kind,
        "period": {"start": first.period_start, "end": first.period_end},
        "latest_version": versions,
    }


def _version_record(e: Any) -> dict[str, Any]:
    return {
        "version": e.originator_version,
        "event": type(e).__name__,
        "published_on": e.occurred_on,
        "recorded_at": e.timestamp,
        "log_position": e.log_position,
        "content_sha256": e.content_sha256,
        "content_intact": intact(e.content, e.content_sha256),
        "addressee": e.addressee,
        "document": _document(e),
        "actor": _actor(e),
        "reason": e.reason,
        "code_version": e.code_version,
        "commit": e.commit,
        "replaces_version": getattr(e, "replaces_version", None),
        "replaces_sha256": getattr(e, "replaces_sha256", None),
    }


def _document(e: Any) -> dict[str, Any] | None:
    return asdict(e.document) if e.document is not None else None


def _actor(e: Any) -> dict[str, Any]:
    return asdict(e.actor)


def _later_event(event: PositionedEvent, fold: FigureFold, period: Period) -> dict[str, Any]:
    """An event recorded after the publication that feeds the period's figures."""
    e = event.event
    return {
        "position": event.position,
        "event": event.name,
        "aggregate_type": type(e).__qualname__.split(".")[0],
        "aggregate_id": str(e.originator_id),
        "subject": fold.subject(event),
        "occurred_on": e.occurred_on,
        # Dated in the period, or before it (a correction of how things stood at its end).
        "dated_in_period": period.contains(e.occurred_on),
        "recorded_at": event.recorded_at,
        "actor": _actor(e),
        "corrects": _corrected(e),
        "figures": sorted(fold.sources[event.position]),
    }


def _corrected(e: Any) -> dict[str, Any] | None:
    """What a correction corrects: the event by its version, and a date's old and new day;
    None for any other event. The figures it moved show what changed."""
    if isinstance(e, DateCorrection):
        return {
            "version": e.corrects_version,
            "event": e.corrected_event,
            "previous_date": e.previous_date,
            "corrected_date": e.corrected_date,
        }
    if isinstance(e, CorrectionEvent):
        # The only other correction the figures read: a site's details, recorded at pendataan.
        return {"version": e.corrects_version, "event": "SiteRegistered"}
    return None


def _figure_rows(
    published: Mapping[str, Any],
    at_position: Mapping[str, Any],
    today: Mapping[str, Any],
    sources: Mapping[int, set[str]],
    reproducible: bool,
) -> list[dict[str, Any]]:
    """Each figure: published, today, the difference, and the later events that feed it."""
    then, now = flatten(published), flatten(today)
    recomputed = flatten(at_position)
    fed: dict[str, list[int]] = {}
    for position in sorted(sources):
        for figure in sources[position]:
            fed.setdefault(figure, []).append(position)
    rows = []
    for figure in [*then, *(f for f in now if f not in then)]:
        old, new = then.get(figure), now.get(figure)
        row: dict[str, Any] = {
            "figure": figure,
            "published": old,
            "today": new,
            "difference": new - old if isinstance(old, int) and isinstance(new, int) else None,
            "changed": old != new,
            "positions": fed.get(figure, []),
        }
        if not reproducible:
            row["recomputed_at_published_position"] = recomputed.get(figure)
        rows.append(row)
    return rows


def _json_list(text: str) -> list[Any]:
    loaded: list[Any] = json.loads(text)
    return loaded
