"""site_status: where is each site in its lifecycle, and what did pendataan and closure count?"""

from __future__ import annotations

import json
from collections.abc import Hashable

from domain.site import SITE_LIFECYCLE
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.tables import site_status

SITE_EVENTS = frozenset(t.event for t in SITE_LIFECYCLE.transitions)


class SiteStatus(RowProjection):
    """One row per site."""

    name = "site_status"
    table = site_status
    tables = (site_status,)
    key_column = "site_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in SITE_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if event.name == "SiteRegistered":
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
            }
        else:
            assert row is not None, f"{event.name} before SiteRegistered"
            row = dict(row)
            row["state"] = SITE_LIFECYCLE.target_after(event.name, row["state"])
            if event.name == "SosialisasiHeld":
                row["sosialisasi_count"] += 1
                row["last_sosialisasi_on"] = max(
                    filter(None, (row["last_sosialisasi_on"], e.occurred_on))
                )
            elif event.name == "ClosureDecreed":
                row["decree_number"] = e.decree_number
                row["decreed_on"] = e.occurred_on
            elif event.name == "SiteClosed":
                row["closed_on"] = e.occurred_on
                row["declared_headcount"] = e.declared_headcount
                row["funding_status"] = str(e.funding_status)
            elif event.name == "PostClosureInspected":
                row["last_inspection_on"] = e.occurred_on
                row["last_inspection_outcome"] = str(e.outcome)
        row["version"] = e.originator_version
        return stamp(row, event)
