"""Property: for any history the domain accepts, the batched writers leave exactly the rows a
pure fold of the events gives, however the log is cut into batches."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st
from sqlalchemy import select

from domain.rules import ProgrammeRules
from projections.base import PositionedEvent, fold_all
from projections.dashboard import ProgrammeDashboard, programme_dashboard
from projections.site_status import SiteStatus
from tests.domain.test_properties import STEP, play
from tests.projections.batches import CUTS, in_batches, table_rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(
    dropout_keeps_grant=st.booleans(),
    steps=st.lists(STEP, min_size=20, max_size=90),
    cuts=CUTS,
)
def test_batched_projections_equal_a_fold_of_the_events(
    dropout_keeps_grant: bool, steps: list[int], cuts: list[int]
) -> None:
    log: list[Any] = []
    play(ProgrammeRules(dropout_keeps_grant=dropout_keeps_grant), steps, log=log)
    events = [PositionedEvent(n, e) for n, e in enumerate(log, start=1)]
    engine, rows = in_batches(events, cuts)

    with engine.connect() as conn:
        for projection in rows:
            assert table_rows(conn, projection.table, projection.key_column) == fold_all(
                projection, events
            ), projection.name
        members = fold_all(ProgrammeDashboard().members, events)
        board = conn.execute(select(programme_dashboard)).mappings().one()
        assert json.loads(board["counts_by_state"]) == dict(
            Counter(m["state"] for m in members.values())
        )
        assert board["registered"] == len(members)
        assert board["site_state"] == fold_all(SiteStatus(), events)[board["site_id"]]["state"]
