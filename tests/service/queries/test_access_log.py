"""The access log read back, filtered and paged, on SQLite and on PostgreSQL (ADR 0042)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import update

from domain.recording import Role
from service.commands.beneficiaries import NewBeneficiary
from service.queries.access_log import WITA, AccessLogFilter, access_log_entries, access_log_page
from service.security.access_log import AccessAction, Interface, current_interface
from service.store.schema import access_log
from service.system import Jejak
from tests.contract.journey import OPERATOR, by, closed_site


def registered(jejak: Jejak, case_number: str) -> UUID:
    """A woman registered on a closed site, her case in the read models."""
    site_id = closed_site(jejak.app)
    (result,) = jejak.app.beneficiaries.register_roster(
        site_id,
        [NewBeneficiary(case_number, "Contoh Satu")],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    jejak.runner.catch_up()
    return result.aggregate_id


def test_entries_are_filtered_by_account_role_action_subject_and_interface(jejak: Jejak) -> None:
    log = jejak.access_log
    her = registered(jejak, "TRK-JP-0001")
    other = uuid4()
    log.record("opi", Role.OPERATOR, AccessAction.READ_PERSONAL_DATA, "beneficiary", her, "name")
    log.record("bpk", Role.AUDITOR, AccessAction.READ_PERSONAL_DATA, "beneficiary", other)
    token = current_interface.set(Interface.API)
    try:
        log.record("bpk", Role.AUDITOR, AccessAction.EXPORT_LEDGER, "payment_ledger")
    finally:
        current_interface.reset(token)

    def ids(**given: object) -> list[tuple[str, str]]:
        entries = access_log_entries(jejak.engine, AccessLogFilter(**given))  # type: ignore[arg-type]
        return [(e.user_id, e.action) for e in entries]

    assert ids() == [
        ("bpk", "export_ledger"),
        ("bpk", "read_personal_data"),
        ("opi", "read_personal_data"),
    ]
    assert ids(user_id="opi") == [("opi", "read_personal_data")]
    assert ids(role=Role.AUDITOR, action="read_personal_data") == [("bpk", "read_personal_data")]
    assert ids(subject_id=other) == [("bpk", "read_personal_data")]
    assert ids(case_number="TRK-JP-0001") == [("opi", "read_personal_data")]
    assert ids(interface=Interface.API) == [("bpk", "export_ledger")]
    assert ids(interface=Interface.CLI, user_id="bpk") == [("bpk", "read_personal_data")]
    (hers,) = access_log_entries(jejak.engine, AccessLogFilter(subject_id=her))
    assert hers.case_number == "TRK-JP-0001" and hers.subject_id == str(her)
    assert hers.at.utcoffset() == timedelta(hours=8)


def test_a_time_range_includes_its_start_and_excludes_its_end(jejak: Jejak) -> None:
    for n in range(3):
        jejak.access_log.record(f"user{n}", Role.AUDITOR, AccessAction.LOGIN)
    start = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    with jejak.engine.begin() as conn:
        for n in range(3):
            conn.execute(
                update(access_log)
                .where(access_log.c.user_id == f"user{n}")
                .values(at=start + timedelta(hours=n))
            )
    # The same instant given in WITA selects the same entries.
    in_range = access_log_entries(
        jejak.engine, AccessLogFilter(start=start.astimezone(WITA), end=start + timedelta(hours=2))
    )
    assert [e.user_id for e in in_range] == ["user1", "user0"]
    assert in_range[-1].at == start


def test_pages_hold_the_newest_first_with_the_total(jejak: Jejak) -> None:
    for n in range(5):
        jejak.access_log.record(f"user{n}", Role.DPO, AccessAction.READ_ACCESS_LOG)
    page = access_log_page(jejak.engine, AccessLogFilter(role=Role.DPO), limit=2, offset=1)
    assert page.total == 5 and (page.limit, page.offset) == (2, 1)
    assert [e.user_id for e in page.items] == ["user3", "user2"]
