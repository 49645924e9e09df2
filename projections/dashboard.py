"""programme_dashboard: per site, how many people are in each state, and how do the headcounts
at pendataan, at closure and now compare?"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import date

from sqlalchemy import Column, Connection, Date, Integer, String, Table, Text, delete, select

from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE, OUT_OF_PROGRAMME_STATES
from domain.site import SITE_LIFECYCLE, Site
from projections.base import PositionedEvent, Projection, Row, RowProjection, key_in
from projections.dashboard_counts import (
    CountRules,
    CountTables,
    Move,
    dashboard_counts_dated,
    dashboard_counts_known,
    dashboard_move_tallies,
    dashboard_moves,
    record_moves,
)
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns
from projections.site_status import SITE_EVENTS

dashboard_members = Table(
    "programme_dashboard_members",
    metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("site_id", String(36), nullable=False, index=True),
    Column("state", String(32), nullable=False),
    # The latest business date among her events, and the dates a date cut may fall between
    # two of her events entered out of date order: [from, until) (ADR 0026).
    Column("dated_up_to", Date),
    Column("out_of_order_from", Date, index=True),
    Column("out_of_order_until", Date),
    *provenance_columns(),
)


programme_dashboard = Table(
    "programme_dashboard",
    metadata,
    Column("site_id", String(36), primary_key=True),
    Column("site_code", String(16), nullable=False),
    Column("site_name", String(200), nullable=False),
    Column("site_state", String(32), nullable=False),
    Column("headcount_at_pendataan", Integer, nullable=False),
    Column("declared_headcount_at_closure", Integer),
    Column("funding_status_at_closure", String(16)),
    Column("registered", Integer, nullable=False),
    Column("in_programme_now", Integer, nullable=False),
    # JSON object state -> count; states are few and fixed by the lifecycle declaration.
    Column("counts_by_state", Text, nullable=False),
    *provenance_columns(),
)

BENEFICIARY_EVENTS = frozenset(t.event for t in BENEFICIARY_LIFECYCLE.transitions)


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
        if isinstance(e, Beneficiary.BeneficiaryRegistered):
            row = {
                "beneficiary_id": str(e.originator_id),
                "site_id": str(e.site_id),
                "state": BENEFICIARY_LIFECYCLE.initial,
                "dated_up_to": e.occurred_on,
                "out_of_order_from": None,
                "out_of_order_until": None,
            }
        elif row is None:
            # Dated before her registration (an older store's): not a member yet at that cut.
            return None
        else:
            row = dict(row)
            row["state"] = BENEFICIARY_LIFECYCLE.folded_target(event.name, row["state"])
            row |= dated_after(row, e.occurred_on)
        return stamp(row, event)


def dated_after(member: Row, day: date) -> Row:
    """A member's date columns after an event dated `day` (pure).

    An event dated before one of hers recorded earlier was entered out of date order: a date
    cut from its date up to the latest before it falls between the two, where her sums at the
    cut are not her state (ADR 0026). Several such events widen one span, which may cover
    dates where her events are in fact in order; those are folded again needlessly, never
    wrongly.
    """
    latest: date | None = member["dated_up_to"]
    if latest is None or day >= latest:
        return {"dated_up_to": day}
    start, end = member["out_of_order_from"], member["out_of_order_until"]
    return {
        "out_of_order_from": day if start is None else min(start, day),
        "out_of_order_until": latest if end is None else max(end, latest),
    }


def fold_site_facts(row: Row | None, event: PositionedEvent) -> Row | None:
    """The dashboard's site columns after a site event (pure); None for a step of a site not
    registered in what is folded."""
    e = event.event
    if isinstance(e, Site.SiteRegistered):
        return {
            "site_id": str(e.originator_id),
            "site_code": e.code,
            "site_name": e.name,
            "site_state": SITE_LIFECYCLE.initial,
            "headcount_at_pendataan": e.headcount_at_pendataan,
            "declared_headcount_at_closure": None,
            "funding_status_at_closure": None,
        }
    if row is None:
        return None
    row = dict(row)
    row["site_state"] = SITE_LIFECYCLE.folded_target(event.name, row["site_state"])
    match e:
        case Site.SiteClosed():
            row["declared_headcount_at_closure"] = e.declared_headcount
            row["funding_status_at_closure"] = str(e.funding_status)
        case Site.SiteDetailsCorrected(corrected=corrected):
            row["site_name"] = corrected.name
            row["headcount_at_pendataan"] = corrected.headcount_at_pendataan
    return row


def summarise_members(row: Row, counts: Counter[str]) -> Row:
    """The dashboard's count columns from the site's member states (pure)."""
    return row | {
        "registered": sum(counts.values()),
        "in_programme_now": sum(n for s, n in counts.items() if s not in OUT_OF_PROGRAMME_STATES),
        "counts_by_state": json.dumps(dict(sorted(counts.items()))),
    }


class ProgrammeDashboard(Projection):
    """Folds site facts and member states, then recomputes the rows of the sites touched; keeps
    every member's move, and the sums of them that give the counts at any cut (ADR 0026)."""

    name = "programme_dashboard"
    # 2: the moves and their sums (ADR 0026).
    version = 2
    board = programme_dashboard
    move_log = dashboard_moves
    move_tallies = dashboard_move_tallies
    counts_known = dashboard_counts_known
    counts_dated = dashboard_counts_dated
    tables = (
        dashboard_members,
        programme_dashboard,
        dashboard_moves,
        dashboard_move_tallies,
        dashboard_counts_known,
        dashboard_counts_dated,
    )

    def __init__(self, count_rules: CountRules | None = None) -> None:
        self.members = DashboardMembers()
        self.count_rules = count_rules or CountRules()

    def count_tables(self) -> CountTables:
        """The tables the sums are kept in (a rebuild's copy names its shadows)."""
        return CountTables(
            self.move_log,
            self.move_tallies,
            self.counts_known,
            self.counts_dated,
            self.members.table,
        )

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        if not events:
            return
        before, after = self.members.apply_with_changes(conn, events)
        moves = self.moves(before, events)
        record_moves(conn, self.count_tables(), self.count_rules, moves, events[-1].position)
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
                folded = fold_site_facts(rows.get(sid), e)
                if folded is not None:
                    rows[sid] = folded
                counts.setdefault(sid, Counter())
        # Running totals: each move takes one from the state left and adds one to the state
        # entered.
        for move in moves:
            site = counts.setdefault(move.site_id, Counter())
            site[move.entered] += 1
            if move.left is not None:
                site[move.left] -= 1
        out = []
        for sid in touched:
            if sid not in rows:
                continue  # members of a site the log does not know: impossible by construction
            live = Counter({state: n for state, n in counts[sid].items() if n})
            out.append(stamp(summarise_members(rows[sid], live), latest[sid]))
        conn.execute(delete(self.board).where(key_in(conn, board.site_id, touched)))
        if out:
            conn.execute(self.board.insert(), out)

    def moves(
        self, before: dict[Hashable, Row | None], events: Sequence[PositionedEvent]
    ) -> list[Move]:
        """Each event of the batch that moved a member, from her row before the batch on.

        The members' writer hands back the rows before and after the batch; the moves are
        the steps in between, so her fold is run again here (it is a dict copy and a lookup).
        """
        rows = dict(before)
        moves = []
        for event in events:
            key = self.members.key_of(event)
            if key is None:
                continue
            was = rows.get(key)
            rows[key] = now = self.members.fold(was, event)
            assert now is not None, "members are never removed"
            left = None if was is None else was["state"]
            if left != now["state"]:
                moves.append(
                    Move(
                        event.position, event.event.occurred_on, now["site_id"], left, now["state"]
                    )
                )
        return moves
