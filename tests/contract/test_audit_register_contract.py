"""The audit register and the export records on both stores: commands, read models, worklist."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from domain.recording import Role
from projections.audit_register import audit_register
from projections.export_records import export_records
from projections.worklist import worklist
from service.commands.application import ProgrammeApplication
from service.commands.base import AlreadyRegistered, CommandResult
from service.commands.export_records import record_export
from service.errors import NotFound
from service.queries.audit_register import AuditRegisterQueries
from service.security.accounts import Account
from service.system import Jejak
from tests.contract.journey import KELURAHAN, OPERATOR, SUPERVISOR, by

LHP = "23.B/LHP/XIX.TJS/05/2020"
RECEIVED_ON = date(2020, 5, 25)
DUE_ON = date(2020, 7, 24)  # 60 days after receipt (UU 15/2004 Pasal 20)
GRANT = 5_500_000


def a_site(app: ProgrammeApplication) -> UUID:
    return app.sites.register_site(
        code="TRK-JP",
        name="Juata Permai",
        aliases=[],
        kelurahan=KELURAHAN,
        headcount_at_pendataan=70,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id


def a_finding(app: ProgrammeApplication, site_ids: list[UUID], number: str = "3.2") -> UUID:
    return app.audit_register.record_finding(
        audit_body="BPK RI Perwakilan Kalimantan Utara",
        lhp_number=LHP,
        lhp_date=date(2020, 5, 20),
        lhp_received_on=RECEIVED_ON,
        finding_number=number,
        title="Bantuan UEP belum dapat ditelusuri ke rekening penerima",
        recommendation="Merekonsiliasi penyaluran UEP dengan rekening koran",
        responsible_position="Kepala Dinas Sosial Provinsi Kalimantan Utara",
        amount_to_recover=GRANT,
        site_ids=site_ids,
        provenance=by(SUPERVISOR, date(2020, 5, 27), "lhp"),
    ).aggregate_id


def answer(app: ProgrammeApplication, finding: UUID, on: date, recovered: int = 0) -> CommandResult:
    return app.audit_register.submit_response(
        finding,
        summary="Rekonsiliasi selesai; bukti setor terlampir",
        amount_recovered=recovered,
        provenance=by(OPERATOR, on, "surat_tanggapan"),
    )


def row_of(jejak: Jejak, finding: UUID) -> dict[str, object]:
    jejak.runner.catch_up()
    return AuditRegisterQueries(jejak.engine).finding(finding, as_of=date(2020, 8, 1))


def test_a_finding_goes_from_the_lhp_to_closure_and_the_register_follows(jejak: Jejak) -> None:
    app = jejak.app
    site = a_site(app)
    finding = a_finding(app, [site])

    opened = row_of(jejak, finding)
    answer(app, finding, date(2020, 7, 30), recovered=1_000_000)
    app.audit_register.reject_follow_up(
        finding, provenance=by(SUPERVISOR, date(2020, 9, 1), "surat", "kurang")
    )
    rejected = row_of(jejak, finding)
    answer(app, finding, date(2020, 10, 1), recovered=GRANT - 1_000_000)
    app.audit_register.accept_follow_up(
        finding, provenance=by(SUPERVISOR, date(2020, 11, 2), "surat")
    )
    closed = app.audit_register.close_finding(
        finding, provenance=by(SUPERVISOR, date(2020, 12, 1), "laporan")
    )
    final = row_of(jejak, finding)

    assert (opened["state"], opened["due_on"], opened["overdue"]) == ("OPEN", DUE_ON, True)
    assert opened["days_overdue"] == 8 and opened["site_ids"] == [str(site)]
    assert (rejected["deadline"], rejected["due_on"]) == ("follow_up_days", date(2020, 10, 31))
    assert closed.state == "CLOSED"
    assert final["state"] == "CLOSED" and final["due_on"] is None and not final["overdue"]
    assert (final["responses"], final["amount_recovered"]) == (2, GRANT)
    assert final["answered_late"] is True  # first answered 30 July, due 24 July
    assert final["last_assessment"] == "accepted" and final["closed_on"] == date(2020, 12, 1)


def test_an_open_finding_is_on_the_worklist_until_it_closes(jejak: Jejak) -> None:
    app = jejak.app
    finding = a_finding(app, [a_site(app)])
    jejak.runner.catch_up()

    with jejak.engine.connect() as conn:
        row = (
            conn.execute(select(worklist).where(worklist.c.subject_id == str(finding)))
            .mappings()
            .one()
        )

    assert row["subject_kind"] == "audit_finding"
    assert row["label"] == f"{LHP} temuan 3.2"
    assert (row["next_action"], row["deadline"], row["due_on"]) == (
        "submit_response",
        "bpk_response_days",
        DUE_ON,
    )
    assert json.loads(row["milestones"]) == {"FindingRecorded": RECEIVED_ON.isoformat()}


def test_overdue_findings_are_those_past_due_on_the_day_asked(jejak: Jejak) -> None:
    app = jejak.app
    late = a_finding(app, [], "3.1")
    answered = a_finding(app, [], "3.2")
    answer(app, answered, date(2020, 7, 1))
    jejak.runner.catch_up()
    queries = AuditRegisterQueries(jejak.engine)

    on_time = queries.findings(as_of=DUE_ON, overdue=True, limit=10, offset=0)
    after = queries.findings(as_of=date(2020, 7, 25), overdue=True, limit=10, offset=0)
    not_overdue = queries.findings(as_of=date(2020, 7, 25), overdue=False, limit=10, offset=0)

    assert on_time.total == 0
    assert [r["finding_id"] for r in after.items] == [str(late)]
    assert [r["finding_id"] for r in not_overdue.items] == [str(answered)]


def test_a_finding_is_recorded_once_and_links_only_what_exists(jejak: Jejak) -> None:
    app = jejak.app
    a_finding(app, [])

    with pytest.raises(AlreadyRegistered):
        a_finding(app, [])
    with pytest.raises(NotFound):
        a_finding(app, [uuid4()], "4.1")


def test_every_export_is_recorded_with_the_hash_of_its_bytes(jejak: Jejak) -> None:
    auditor = Account("aud", Role.AUDITOR, "Inspektorat", "Auditor", True)
    content = b"position,amount\n1,5500000\n"

    receipt = record_export(
        jejak,
        auditor,
        name="ledger.csv",
        filters={"fiscal_year": 2019, "site_id": None, "component": "uep"},
        rows=1,
        content=content,
    )
    jejak.runner.catch_up()

    with jejak.engine.connect() as conn:
        row = conn.execute(select(export_records)).mappings().one()
    assert row["export_id"] == str(receipt.export_id)
    assert row["content_sha256"] == hashlib.sha256(content).hexdigest() == receipt.content_sha256
    assert (row["export_name"], row["export_format"], row["row_count"]) == ("ledger.csv", "csv", 1)
    assert json.loads(row["filters"]) == {"component": "uep", "fiscal_year": "2019"}
    assert (row["actor_id"], row["actor_role"], row["size"]) == ("aud", "auditor", len(content))
    assert jejak.app.history(receipt.export_id)[0].actor.user_id == "aud"


def test_the_register_rebuilds_to_the_same_rows(jejak: Jejak) -> None:
    app = jejak.app
    finding = a_finding(app, [a_site(app)])
    answer(app, finding, date(2020, 7, 1))
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        before = [dict(r) for r in conn.execute(select(audit_register)).mappings()]

    jejak.runner.reset(["audit_register"])
    jejak.runner.catch_up()

    with jejak.engine.connect() as conn:
        after = [dict(r) for r in conn.execute(select(audit_register)).mappings()]
    assert after == before and len(after) == 1
