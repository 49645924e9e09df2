"""The Kaltara demo follows the public record, and `jejak status` is a pure function of events."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from projections.tables import payment_history, programme_dashboard, site_status
from service.demo import DEMO_USERS, demo_loaded, ensure_demo_users, load_demo
from service.status import render_status
from service.system import Jejak
from tests.conftest import fast_accounts, settings_for


def _loaded(tmp_path: Path, name: str) -> Jejak:
    jejak = Jejak.start(settings_for(f"sqlite:///{tmp_path}/{name}.db", tmp_path))
    ensure_demo_users(fast_accounts(jejak))
    load_demo(jejak.app)
    jejak.runner.catch_up()
    return jejak


def test_the_demo_follows_the_kaltara_timeline(tmp_path: Path) -> None:
    jejak = _loaded(tmp_path, "demo")
    try:
        with jejak.engine.connect() as conn:
            sites = {r["code"]: dict(r) for r in conn.execute(select(site_status)).mappings()}
            board = {
                r["site_code"]: dict(r)
                for r in conn.execute(select(programme_dashboard)).mappings()
            }
        assert {c: s["headcount_at_pendataan"] for c, s in sites.items()} == {
            "NNK-NT": 39,
            "TRK-JP": 70,
            "TRK-LU": 18,
        }
        assert sum(s["headcount_at_pendataan"] for s in sites.values()) == 127
        assert sites["TRK-JP"]["closed_on"] == sites["TRK-LU"]["closed_on"] == date(2018, 12, 28)
        assert sites["NNK-NT"]["closed_on"] == date(2019, 1, 10)
        assert sites["NNK-NT"]["declared_headcount"] == 27
        assert not any(s["funds_in_place"] for s in sites.values())
        assert {c: b["registered"] for c, b in board.items()} == {
            "NNK-NT": 39,
            "TRK-JP": 70,
            "TRK-LU": 18,
        }
        jp_states = json.loads(board["TRK-JP"]["counts_by_state"])
        assert jp_states["REFERRED_CHILD_PROTECTION"] == 1
        assert jp_states["WITHDRAWN"] == 1
        assert board["NNK-NT"]["in_programme_now"] == 27
        with jejak.engine.connect() as conn:
            money = [dict(r) for r in conn.execute(select(payment_history)).mappings()]
        reversed_ = [m for m in money if m["event"] == "GrantPaymentReversed"]
        assert len(reversed_) == 1
        repaid = [
            m
            for m in money
            if m["event"] == "GrantPaid" and m["beneficiary_id"] == reversed_[0]["beneficiary_id"]
        ]
        assert len(repaid) == 2
        assert {m["amount"] for m in money} == {5_500_000}
        assert {m["occurred_on"].year for m in money if m["event"] == "GrantPaid"} == {2019}
        assert demo_loaded(jejak.app)
        assert {u.role.value for u in DEMO_USERS} == {"operator", "supervisor", "auditor", "admin"}
    finally:
        jejak.close()


def test_status_text_is_the_same_for_the_same_events(tmp_path: Path) -> None:
    first, second = _loaded(tmp_path, "one"), _loaded(tmp_path, "two")
    try:
        as_of = date(2020, 1, 1)
        text = render_status(first, as_of)
        assert text == render_status(second, as_of)
        assert "NNK-NT" in text and "unfunded closure" in text
        second.runner.reset([p.name for p in second.runner.projections])
        second.runner.catch_up()
        assert render_status(second, as_of) == text
    finally:
        first.close()
        second.close()
