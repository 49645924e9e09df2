"""site_status: where is each site in its lifecycle, and what did pendataan and closure count?"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import date

from sqlalchemy import Column, Date, Integer, String, Table, Text

from domain.aggregate import LifecycleAggregate
from domain.corrections import CorrectionEvent
from domain.site import SITE_LIFECYCLE, Site
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import history_table, metadata, provenance_columns

site_status = Table(
    "site_status",
    metadata,
    Column("site_id", String(36), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("aliases", Text, nullable=False),
    Column("kelurahan_scheme", String(16), nullable=False),
    Column("kelurahan_code", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("pendataan_on", Date, nullable=False),
    Column("headcount_at_pendataan", Integer, nullable=False),
    Column("sosialisasi_count", Integer, nullable=False),
    Column("last_sosialisasi_on", Date),
    Column("decree_number", String(100)),
    Column("decreed_on", Date),
    Column("closed_on", Date),
    Column("declared_headcount", Integer),
    Column("funding_status", String(16)),
    Column("last_inspection_on", Date),
    Column("last_inspection_outcome", String(32)),
    # JSON object version -> [event, ISO date], as corrected: what a date correction folds over.
    Column("dated_events", Text),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)

site_status_history = history_table(site_status, "site_id")
"""Every change of every site_status row, event by event (ADR 0023)."""

SITE_EVENTS = SITE_LIFECYCLE.event_names
Dated = dict[int, tuple[str, date]]


class SiteStatus(RowProjection):
    """One row per site."""

    name = "site_status"
    table = site_status
    tables = (site_status,)
    history = site_status_history
    key_column = "site_id"
    # 2: corrections (ADR 0022), with `dated_events` to fold a corrected date over.
    version = 2

    def to_stored(self, row: Row) -> Row:
        # The dates stay a dict while a batch is folded and become JSON once.
        dated = {str(v): [name, on.isoformat()] for v, (name, on) in sorted(row["dated"].items())}
        stored = {k: v for k, v in row.items() if k != "dated"}
        return stored | {"dated_events": json.dumps(dated)}

    def from_stored(self, row: Row) -> Row:
        # A row written before corrections existed has no dates; its site's corrections
        # need `jejak rebuild site_status` first (ADR 0022).
        stored = json.loads(row["dated_events"] or "{}")
        dated = {int(v): (name, date.fromisoformat(on)) for v, (name, on) in stored.items()}
        return {k: v for k, v in row.items() if k != "dated_events"} | {"dated": dated}

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in SITE_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Site.SiteRegistered):
            row = {
                "site_id": str(e.originator_id),
                "code": e.code,
                "name": e.name,
                "aliases": json.dumps(list(e.aliases)),
                "kelurahan_scheme": e.kelurahan.scheme,
                "kelurahan_code": e.kelurahan.code,
                "state": SITE_LIFECYCLE.initial,
                "pendataan_on": e.occurred_on,
                "headcount_at_pendataan": e.headcount_at_pendataan,
                "sosialisasi_count": 0,
                "last_sosialisasi_on": None,
                "decree_number": None,
                "decreed_on": None,
                "closed_on": None,
                "declared_headcount": None,
                "funding_status": None,
                "last_inspection_on": None,
                "last_inspection_outcome": None,
                "dated": {},
            }
        elif row is None:
            # A cut by business date holds a step dated before the pendataan it follows (an
            # older store's): the site was not registered yet at that cut.
            return None
        else:
            row = dict(row)
            row["state"] = SITE_LIFECYCLE.folded_target(event.name, row["state"])
            _apply_step(row, e)
        if not isinstance(e, CorrectionEvent):
            row["dated"] = {**row["dated"], e.originator_version: (event.name, e.occurred_on)}
        row["version"] = e.originator_version
        return stamp(row, event)


def _apply_step(row: Row, event: LifecycleAggregate.Event) -> None:
    """A step's facts; a correction's new value replaces the one it corrects."""
    match event:
        case Site.SosialisasiHeld(occurred_on=on):
            row["sosialisasi_count"] += 1
            row["last_sosialisasi_on"] = max(filter(None, (row["last_sosialisasi_on"], on)))
        case Site.ClosureDecreed():
            row["decree_number"] = event.decree_number
            row["decreed_on"] = event.occurred_on
        case Site.SiteClosed():
            row["closed_on"] = event.occurred_on
            row["declared_headcount"] = event.declared_headcount
            row["funding_status"] = str(event.funding_status)
        case Site.PostClosureInspected():
            row["last_inspection_on"] = event.occurred_on
            row["last_inspection_outcome"] = str(event.outcome)
        case Site.SiteDetailsCorrected(corrected=corrected):
            row["name"] = corrected.name
            row["aliases"] = json.dumps(list(corrected.aliases))
            row["kelurahan_scheme"] = corrected.kelurahan.scheme
            row["kelurahan_code"] = corrected.kelurahan.code
            row["headcount_at_pendataan"] = corrected.headcount_at_pendataan
        case Site.SiteDocumentCorrected(corrected_event="ClosureDecreed"):
            row["decree_number"] = event.corrected_document.number
        case Site.SiteDateCorrected():
            dated: Dated = {
                **row["dated"],
                event.corrects_version: (event.corrected_event, event.corrected_date),
            }
            row["dated"] = dated
            # A column stays as it was when no event of its kind is dated (a row stored before
            # corrections existed, until it is rebuilt).
            row |= {k: v for k, v in _dates(dated).items() if v is not None}


def _dates(dated: Dated) -> Row:
    """The date columns of a site, from every event's date as corrected."""

    def of(name: str) -> list[date]:
        return [on for _, (kind, on) in sorted(dated.items()) if kind == name]

    def latest(name: str) -> date | None:
        dates = of(name)
        return dates[-1] if dates else None

    return {
        "pendataan_on": latest("SiteRegistered"),
        "last_sosialisasi_on": max(of("SosialisasiHeld"), default=None),
        "decreed_on": latest("ClosureDecreed"),
        "closed_on": latest("SiteClosed"),
        "last_inspection_on": latest("PostClosureInspected"),
    }
