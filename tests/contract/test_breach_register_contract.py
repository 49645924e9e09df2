"""The breach register on both stores: commands, the read model and its 3x24-hour clock, and a
rebuild of the read model from the log that gives the same rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from sqlalchemy import select

from domain.recording import Actor, Role
from projections.breach_register import breach_register
from service.commands.application import ProgrammeApplication
from service.commands.base import AlreadyRegistered
from service.queries.breaches import BreachQueries
from service.system import Jejak
from tests.contract.journey import OPERATOR, by
from tests.contract.test_audit_register_contract import a_site

WITA = timezone(timedelta(hours=8))
DPO = Actor("dpo", Role.DPO, "Dinsosnakertrans Provinsi Kalimantan Utara")
DISCOVERED = datetime(2024, 12, 2, 9, 15, tzinfo=WITA)
DAY = date(2024, 12, 2)


def her_case(app: ProgrammeApplication, site: UUID, number: str) -> UUID:
    return app.beneficiaries.register_beneficiary(
        site,
        case_number=number,
        name="Contoh Kontrak",
        phone=None,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id


def a_breach(app: ProgrammeApplication, cases: list[UUID]) -> UUID:
    return app.breaches.record_suspected_breach(
        number="KDP-2024-001",
        discovered_at=DISCOVERED,
        happened_from=date(2024, 11, 30),
        channel="lost_device",
        categories=["identity", "financial"],
        beneficiary_ids=cases,
        description="Laptop berisi ekspor daftar penerima manfaat tertinggal di taksi",
        provenance=by(DPO, DAY),
    ).aggregate_id


def notice(
    app: ProgrammeApplication, breach: UUID, hours: int, recipient: str, everyone: bool = False
) -> str:
    sent = DISCOVERED + timedelta(hours=hours)
    return app.breaches.record_notice_sent(
        breach,
        recipient=recipient,
        channel="letter",
        sent_at=sent,
        to_all_subjects=everyone,
        provenance=by(DPO, sent.date(), "surat"),
    ).state


def test_a_breach_is_notified_late_and_the_register_says_so(jejak: Jejak) -> None:
    app = jejak.app
    site = a_site(app)
    her, neighbour = her_case(app, site, "TRK-JP-0001"), her_case(app, site, "TRK-JP-0002")
    breach = a_breach(app, [her, neighbour])
    with pytest.raises(AlreadyRegistered):
        a_breach(app, [her])
    app.breaches.confirm_breach(breach, provenance=by(DPO, DAY))
    app.breaches.record_remediation(breach, summary="Sandi diganti", provenance=by(DPO, DAY))
    jejak.runner.catch_up()
    queries = BreachQueries(jejak.engine)
    owing = queries.breach("KDP-2024-001", now=DISCOVERED + timedelta(hours=80))
    assert (owing["clock"], owing["hours_left"]) == ("overdue", -8)
    assert owing["case_numbers"] == ["TRK-JP-0001", "TRK-JP-0002"]

    assert notice(app, breach, 70, "agency") == "CONFIRMED"
    assert notice(app, breach, 90, "subject", everyone=True) == "NOTIFIED"
    jejak.runner.catch_up()

    row = queries.breach("KDP-2024-001", now=DISCOVERED + timedelta(days=30))
    assert row["state"] == "NOTIFIED" and row["clock"] == "missed"
    assert row["notified_at"] == "2024-12-05T19:15:00+00:00"
    assert row["due_at"] == "2024-12-05T01:15:00+00:00"
    assert row["cases_outstanding"] == []
    assert [n["recipient"] for n in row["notices"]] == ["agency", "subject"]


def test_a_dismissed_breach_stops_its_clock(jejak: Jejak) -> None:
    app = jejak.app
    breach = a_breach(app, [her_case(app, a_site(app), "TRK-JP-0001")])
    app.breaches.dismiss_breach(breach, provenance=by(DPO, DAY, reason="Laptop terenkripsi"))
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        stored = [dict(r) for r in conn.execute(select(breach_register)).mappings()]

    assert [(r["state"], r["dismissal_reason"]) for r in stored] == [
        ("DISMISSED", "Laptop terenkripsi")
    ]
    row = BreachQueries(jejak.engine).breach("KDP-2024-001", now=DISCOVERED + timedelta(days=9))
    assert row["clock"] == "stopped"
