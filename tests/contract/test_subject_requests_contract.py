"""Subject requests, their 72-hour clocks and the notices outbox on both stores; the notices
delivered to a real SMTP server on a local port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from domain.privacy.clocks import SUBJECT_REQUEST_CLOCK
from domain.privacy.erasure import SubjectRestricted
from domain.privacy.request_errors import RequesterNotVerified
from domain.privacy.subject_request import WITA
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.sealed import KeyPurpose
from projections.privacy_clocks import PrivacyClocks, privacy_clocks
from service.commands.application import ProgrammeApplication
from service.commands.base import AlreadyRegistered
from service.commands.beneficiaries import NewBeneficiary
from service.notices.loop import NoticeLoop
from service.notices.outbox import FAILED, QUEUED, SENT, Outbox
from service.notices.smtp import send_waiting
from service.queries.privacy_clocks import ClockQueries
from service.store.event_log import log_events
from service.system import Jejak
from tests.conftest import settings_for
from tests.contract.journey import OPERATOR, by, closed_site
from tests.local_smtp import LocalSmtp, local_smtp

DPO = Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara")
RECEIVED = datetime(2026, 4, 6, 9, 30, tzinfo=WITA)
DUE = RECEIVED + timedelta(hours=72)
# The letter that answers her: a request is always answered in writing.
ANSWER = DocumentRef("surat", "480/PDP/IV/2026", date(2026, 4, 7), "Dinsos Provinsi Kaltara")


def her_case(app: ProgrammeApplication) -> UUID:
    site = closed_site(app)
    (result,) = app.beneficiaries.register_roster(
        site,
        [NewBeneficiary("TRK-JP-0001", "Contoh Satu")],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    return result.aggregate_id


def a_request(
    app: ProgrammeApplication,
    number: str,
    her: UUID | None,
    received: datetime = RECEIVED,
    kind: str = "access_copy",
    verification_result: str = "verified",
) -> UUID:
    return app.subject_requests.record_subject_request(
        number=number,
        kind=kind,
        received_at=received,
        channel="in_person",
        requester="subject",
        verification_method="ktp_in_person",
        verification_result=verification_result,
        beneficiary_id=her,
        summary="Meminta salinan data pribadinya",
        provenance=by(DPO, received.astimezone(WITA).date()),
    ).aggregate_id


def test_a_requests_clock_runs_for_72_hours_and_stops_when_answered(jejak: Jejak) -> None:
    app = jejak.app
    her = her_case(app)
    answered = a_request(app, "PDP-2026-001", her)
    running = a_request(app, "PDP-2026-002", None, RECEIVED + timedelta(hours=2))
    jejak.runner.catch_up()
    clocks = ClockQueries(jejak.engine)

    before = clocks.clocks(now=RECEIVED + timedelta(hours=1), roles=[Role.DPO])
    assert [c["label"] for c in before.items] == ["PDP-2026-001", "PDP-2026-002"]
    assert before.items[0]["due_at"] == DUE
    assert before.items[0]["hours_left"] == 71
    assert before.items[0]["href"] == "/privacy/requests/PDP-2026-001"

    app.subject_requests.grant_subject_request(
        answered,
        done="Salinan data diserahkan",
        provenance=Provenance(DPO, date(2026, 4, 8), ANSWER),
    )
    jejak.runner.catch_up()
    late = DUE + timedelta(hours=3)
    overdue = clocks.running_due_by(role=Role.DPO, now=late, within=timedelta(0))
    assert [(c["label"], c["hours_over"]) for c in overdue] == [("PDP-2026-002", 1)]
    assert clocks.running_due_by(role=Role.SUPERVISOR, now=late, within=timedelta(0)) == []
    stopped = clocks.clocks(now=late, running=False).items
    assert [c["subject_id"] for c in stopped] == [str(answered)]
    assert stopped[0]["stopped_by"] == "SubjectRequestGranted"
    assert str(running) in {c["subject_id"] for c in overdue}


def test_a_granted_restriction_restricts_her_and_a_refused_grant_restricts_nothing(
    jejak: Jejak,
) -> None:
    app = jejak.app
    her = her_case(app)
    unverified = a_request(
        app, "PDP-2026-010", her, kind="restriction", verification_result="pending"
    )

    with pytest.raises(RequesterNotVerified):
        app.subject_requests.grant_subject_request(
            unverified,
            done="Pemrosesan dibatasi",
            provenance=Provenance(DPO, date(2026, 4, 7), ANSWER),
        )
    assert not jejak.vault.is_restricted(her), "a refused grant restricts nothing"

    verified = a_request(app, "PDP-2026-011", her, kind="restriction")
    app.subject_requests.grant_subject_request(
        verified, done="Pemrosesan dibatasi", provenance=Provenance(DPO, date(2026, 4, 7), ANSWER)
    )

    assert jejak.vault.is_restricted(her)
    assert not jejak.vault.is_erased(her, KeyPurpose.CASEFILE), "restricted, not erased"
    with pytest.raises(SubjectRestricted):
        app.beneficiaries.withdraw(
            her, provenance=by(OPERATOR, date(2026, 4, 8), reason="mengundurkan diri")
        )


def test_a_register_number_is_recorded_once(jejak: Jejak) -> None:
    a_request(jejak.app, "PDP-2026-001", None)

    with pytest.raises(AlreadyRegistered):
        a_request(jejak.app, "pdp-2026-001", None)


def test_one_notice_is_queued_per_clock_that_ran_out(jejak: Jejak) -> None:
    a_request(jejak.app, "PDP-2026-001", None)
    a_request(jejak.app, "PDP-2026-002", None, RECEIVED + timedelta(days=10))
    jejak.runner.catch_up()
    outbox = Outbox(jejak.engine)
    late = DUE + timedelta(minutes=1)

    assert outbox.queue_ran_out(public_url="https://jejak.example", now=late) == 1
    assert outbox.queue_ran_out(public_url="https://jejak.example", now=late) == 0

    (notice,) = outbox.notices()
    assert notice["notice_key"].endswith(":expired")
    assert notice["status"] == QUEUED and notice["roles"] == "dpo"
    assert notice["subject"] == "Tenggat 3x24 jam terlewati: Permintaan subjek data PDP-2026-001"
    assert "9 April 2026 09.30 WITA" in notice["body"]
    assert "https://jejak.example/privacy/requests/PDP-2026-001" in notice["body"]
    with jejak.engine.connect() as conn:
        assert len(conn.execute(select(privacy_clocks)).all()) == 2


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtp]:
    with local_smtp() as server:
        yield server


def test_queued_notices_are_delivered_by_smtp_and_recorded_as_sent(
    sqlite_url: str, tmp_path: Path, smtp_server: LocalSmtp
) -> None:
    settings = settings_for(
        sqlite_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_from="jejak@dinsos.example",
        notice_recipients={"dpo": ["ppdp@dinsos.example"], "supervisor": ["kabid@dinsos.example"]},
    )
    jejak = Jejak.open(settings, create=True)
    try:
        a_request(jejak.app, "PDP-2026-001", None)
        jejak.runner.catch_up()
        outbox = Outbox(jejak.engine)
        outbox.queue_ran_out(public_url=settings.public_url, now=DUE + timedelta(hours=1))

        report = send_waiting(outbox, settings)
        again = send_waiting(outbox, settings)

        assert (report.sent, again.sent) == (1, 0)
        ((to, content),) = smtp_server.received.messages
        assert to == ["ppdp@dinsos.example"]
        mail = message_from_bytes(content)
        assert mail["From"] == "jejak@dinsos.example"
        assert "PDP-2026-001" in mail["Subject"]
        (notice,) = outbox.notices()
        assert notice["status"] == SENT and notice["attempts"] == 1
    finally:
        jejak.close()


def test_a_notice_the_server_refuses_is_retried_then_marked_failed(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Nothing listens on this port: every attempt fails to connect.
    settings = settings_for(
        sqlite_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=9,
        smtp_timeout_seconds=2,
        notice_max_attempts=2,
        notice_recipients={"dpo": ["ppdp@dinsos.example"]},
    )
    jejak = Jejak.open(settings, create=True)
    try:
        a_request(jejak.app, "PDP-2026-001", None)
        jejak.runner.catch_up()
        outbox = Outbox(jejak.engine, clock=lambda: datetime(2026, 4, 10, tzinfo=UTC))
        outbox.queue_ran_out(public_url=settings.public_url)

        first = send_waiting(outbox, settings)
        second = send_waiting(outbox, settings)

        assert (first.retrying, second.failed) == (1, 1)
        (notice,) = outbox.notices()
        assert notice["status"] == FAILED and notice["attempts"] == 2
        assert notice["last_error"].startswith("ConnectionRefusedError")
    finally:
        jejak.close()


def test_a_clock_due_within_a_day_is_told_apart_from_one_that_ran_out(jejak: Jejak) -> None:
    a_request(jejak.app, "PDP-2026-001", None)
    a_request(jejak.app, "PDP-2026-002", None, RECEIVED + timedelta(hours=20))
    a_request(jejak.app, "PDP-2026-003", None, RECEIVED + timedelta(days=5))
    jejak.runner.catch_up()

    due = ClockQueries(jejak.engine).running_due_by(
        role=Role.DPO, now=DUE + timedelta(hours=1), within=timedelta(hours=24)
    )

    assert [(c["label"], c["ran_out"]) for c in due] == [
        ("PDP-2026-001", True),
        ("PDP-2026-002", False),
    ]
    assert due[1]["hours_left"] == 19


def test_serve_sends_the_notices_itself_when_configured(
    sqlite_url: str, tmp_path: Path, smtp_server: LocalSmtp
) -> None:
    settings = settings_for(
        sqlite_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        notice_recipients={"dpo": ["ppdp@dinsos.example"]},
        notice_send_every_seconds=1,
    )
    jejak = Jejak.open(settings, create=True)
    loop = NoticeLoop(jejak)
    try:
        a_request(jejak.app, "PDP-2026-001", None)
        jejak.runner.catch_up()
        assert loop.start()
        for _ in range(100):
            if smtp_server.received.messages:
                break
            time.sleep(0.1)
    finally:
        loop.stop()
        jejak.close()
    assert len(smtp_server.received.messages) == 1


def test_one_event_starting_two_declared_clocks_writes_both(jejak: Jejak) -> None:
    a_request(jejak.app, "PDP-2026-001", None)
    second = replace(
        SUBJECT_REQUEST_CLOCK,
        kind="second_clock",
        responsible=frozenset({Role.SUPERVISOR}),
        window=timedelta(hours=24),
    )
    projection = PrivacyClocks((SUBJECT_REQUEST_CLOCK, second))
    events = list(log_events(jejak.app, None))
    with jejak.engine.begin() as conn:
        projection.apply(conn, events)

    clocks = ClockQueries(jejak.engine)
    now = RECEIVED + timedelta(hours=30)
    assert [c["label"] for c in clocks.ran_out(now=now)] == ["PDP-2026-001"]
    (ran_out,) = clocks.running_due_by(role=Role.SUPERVISOR, now=now, within=timedelta(0))
    assert ran_out["clock_kind"] == "second_clock"
    assert clocks.running_due_by(role=Role.DPO, now=now, within=timedelta(0)) == []
