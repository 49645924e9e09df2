"""Property: for any history the domain accepts, the batched writers leave exactly the rows a
pure fold of the events gives, however the log is cut into batches."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st
from sqlalchemy import create_engine, select

from domain.rules import ProgrammeRules
from projections.base import PositionedEvent, Projection, RowProjection, fold_all
from projections.beneficiary_status import BeneficiaryStatus
from projections.dashboard import ProgrammeDashboard
from projections.payment_history import PAYMENT_EVENTS, PaymentHistory
from projections.site_status import SiteStatus
from projections.tables import metadata, payment_history, programme_dashboard
from projections.worklist import Worklist
from tests.domain.test_properties import STEP, play


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(
    dropout_keeps_grant=st.booleans(),
    steps=st.lists(STEP, min_size=20, max_size=90),
    cuts=st.lists(st.integers(1, 40), min_size=1, max_size=12),
)
def test_batched_projections_equal_a_fold_of_the_events(
    dropout_keeps_grant: bool, steps: list[int], cuts: list[int]
) -> None:
    log: list[Any] = []
    play(ProgrammeRules(dropout_keeps_grant=dropout_keeps_grant), steps, log=log)
    events = [PositionedEvent(n, e) for n, e in enumerate(log, start=1)]
    rows = [SiteStatus(), BeneficiaryStatus(), Worklist()]
    dashboard = ProgrammeDashboard()
    projections: list[Projection] = [*rows, PaymentHistory(), dashboard]
    engine = create_engine("sqlite://")
    metadata.create_all(engine)

    start, cut = 0, 0
    while start < len(events):
        batch = events[start : start + cuts[cut % len(cuts)]]
        start, cut = start + len(batch), cut + 1
        with engine.begin() as conn:
            for projection in projections:
                projection.apply(conn, batch)

    with engine.connect() as conn:
        for projection in rows:
            assert _table(conn, projection) == fold_all(projection, events), projection.name
        money = conn.execute(select(payment_history.c.position, payment_history.c.event)).all()
        assert [tuple(m) for m in money] == [
            (e.position, e.name) for e in events if e.name in PAYMENT_EVENTS
        ]
        members = fold_all(dashboard.members, events)
        board = conn.execute(select(programme_dashboard)).mappings().one()
        assert json.loads(board["counts_by_state"]) == dict(
            Counter(m["state"] for m in members.values())
        )
        assert board["registered"] == len(members)
        assert board["site_state"] == fold_all(SiteStatus(), events)[board["site_id"]]["state"]


def _table(conn: Any, projection: RowProjection) -> dict[Any, dict[str, Any]]:
    key = projection.key_column
    return {r[key]: dict(r) for r in conn.execute(select(projection.table)).mappings()}
