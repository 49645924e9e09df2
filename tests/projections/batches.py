"""The runner's work done by hand: every projection applied in order, batch by batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, select

from projections.base import PositionedEvent, Projection, RowProjection
from projections.beneficiary_status import BeneficiaryStatus
from projections.budget_position import BudgetPosition
from projections.dashboard import ProgrammeDashboard
from projections.entitlement_status import EntitlementStatus
from projections.payment_ledger import PaymentLedger, payment_ledger
from projections.site_status import SiteStatus
from projections.tables import metadata
from projections.worklist import Worklist

# How a log is cut into batches: their sizes, repeated.
CUTS = st.lists(st.integers(1, 40), min_size=1, max_size=12)


def in_batches(
    events: Sequence[PositionedEvent], cuts: list[int]
) -> tuple[Engine, list[RowProjection]]:
    """Every projection applied in the runner's order, the log cut into batches by `cuts`."""
    rows: list[RowProjection] = [SiteStatus(), BeneficiaryStatus(), EntitlementStatus(), Worklist()]
    projections: list[Projection] = [
        *rows[:3],
        PaymentLedger(),
        BudgetPosition(),
        ProgrammeDashboard(),
        rows[3],
    ]
    return applied_in_batches(projections, events, cuts), rows


def applied_in_batches(
    projections: Sequence[Projection], events: Sequence[PositionedEvent], cuts: list[int]
) -> Engine:
    """A fresh in-memory store fed `events` through `projections` in order, the log cut into
    batches by `cuts`."""
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    start, cut = 0, 0
    while start < len(events):
        batch = events[start : start + cuts[cut % len(cuts)]]
        start, cut = start + len(batch), cut + 1
        with engine.begin() as conn:
            for projection in projections:
                projection.apply(conn, batch)
    return engine


def table_rows(conn: Any, table: Any, key: str) -> dict[Any, dict[str, Any]]:
    """A table's rows by key."""
    return {r[key]: dict(r) for r in conn.execute(select(table)).mappings()}


def stored_ledger(conn: Any) -> list[dict[str, Any]]:
    """payment_ledger in log order, comparable with `ledger_of_log` through `comparable`."""
    in_order = select(payment_ledger).order_by(payment_ledger.c.position)
    return [comparable(dict(r)) for r in conn.execute(in_order).mappings()]


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger row without `recorded_at`: SQLite hands timestamps back without their zone."""
    return {k: v for k, v in row.items() if k != "recorded_at"}
