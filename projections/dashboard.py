"""programme_dashboard: per site, how many people are in each state, and how do the headcounts
at pendataan, at closure and now compare?"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence

from sqlalchemy import Connection, delete, select

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from projections.base import PositionedEvent, Projection, Row, RowProjection, key_in
from projections.provenance import stamp
from projections.site_status import SITE_EVENTS
from projections.tables import dashboard_members, programme_dashboard

BENEFICIARY_EVENTS = frozenset(t.event for t in BENEFICIARY_LIFECYCLE.transitions)
# People excluded, referred, withdrawn or deceased no longer count as in the programme.
OUT_OF_PROGRAMME = frozenset({"EXCLUDED", "REFERRED_CHILD_PROTECTION", "WITHDRAWN", "DECEASED"})


class DashboardMembers(RowProjection):
    """Each beneficiary's site and state: the dashboard's own memory of who is where."""

    name = "programme_dashboard_members"
    table = dashboard_members
    tables = (dashboard_members,)
    key_column = "beneficiary_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in BENEFICIARY_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if event.name == "BeneficiaryRegistered":
            row = {
                "beneficiary_id": str(e.originator_id),
                "site_id": str(e.site_id),
                "state": BENEFICIARY_LIFECYCLE.initial,
            }
        else:
            assert row is not None
            row = dict(row)
            row["state"] = BENEFICIARY_LIFECYCLE.target_after(event.name, row["state"])
        return stamp(row, event)


def fold_site_facts(row: Row | None, event: PositionedEvent) -> Row:
    """The dashboard's site columns after a site event (pure)."""
    e = event.event
    if event.name == "SiteRegistered":
        return {
            "site_id": str(e.originator_id),
            "site_code": e.code,
            "site_name": e.name,
            "site_state": SITE_LIFECYCLE.initial,
            "headcount_at_pendataan": e.headcount_at_pendataan,
            "declared_headcount_at_closure": None,
            "funding_status_at_closure": None,
        }
    assert row is not None, f"{event.name} before SiteRegistered"
    row = dict(row)
    row["site_state"] = SITE_LIFECYCLE.target_after(event.name, row["site_state"])
    if event.name == "SiteClosed":
        row["declared_headcount_at_closure"] = e.declared_headcount
        row["funding_status_at_closure"] = str(e.funding_status)
    elif event.name == "SiteDetailsCorrected":
        row["site_name"] = e.corrected.name
        row["headcount_at_pendataan"] = e.corrected.headcount_at_pendataan
    return row


def summarise_members(row: Row, counts: Counter[str]) -> Row:
    """The dashboard's count columns from the site's member states (pure)."""
    return row | {
        "registered": sum(counts.values()),
        "in_programme_now": sum(n for s, n in counts.items() if s not in OUT_OF_PROGRAMME),
        "counts_by_state": json.dumps(dict(sorted(counts.items()))),
    }


class ProgrammeDashboard(Projection):
    """Folds site facts and member states, then recomputes the rows of the sites touched."""

    name = "programme_dashboard"
    board = programme_dashboard
    tables = (dashboard_members, programme_dashboard)

    def __init__(self) -> None:
        self.members = DashboardMembers()

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        before, after = self.members.apply_with_changes(conn, events)
        site_of = {str(k): r["site_id"] for k, r in after.items() if r is not None}
        latest: dict[str, PositionedEvent] = {}
        for e in events:
            oid = str(e.event.originator_id)
            sid = oid if e.name in SITE_EVENTS else site_of.get(oid)
            if sid is not None:
                latest[sid] = e
        if not latest:
            return
        touched = sorted(latest)
        board = self.board.c
        rows: dict[str, Row] = {
            r["site_id"]: dict(r)
            for r in conn.execute(
                select(self.board).where(key_in(conn, board.site_id, touched))
            ).mappings()
        }
        counts = {sid: Counter(json.loads(row["counts_by_state"])) for sid, row in rows.items()}
        for e in events:
            if e.name in SITE_EVENTS:
                sid = str(e.event.originator_id)
                rows[sid] = fold_site_facts(rows.get(sid), e)
                counts.setdefault(sid, Counter())
        # Running totals: each member touched leaves her old state and enters her new one.
        for key, now in after.items():
            was = before.get(key)
            for member, sign in ((was, -1), (now, 1)):
                if member is not None:
                    counts[member["site_id"]][member["state"]] += sign
        out = []
        for sid in touched:
            if sid not in rows:
                continue  # members of a site the log does not know: impossible by construction
            live = Counter({state: n for state, n in counts[sid].items() if n})
            out.append(stamp(summarise_members(rows[sid], live), latest[sid]))
        conn.execute(delete(self.board).where(key_in(conn, board.site_id, touched)))
        if out:
            conn.execute(self.board.insert(), out)
