"""Grants with a history, through the real store and read model (SQLite and PostgreSQL): an
account's role and unit by business date, "who could do this there on that day", and the scope
an examiner's assignment gives inside its days only (ADR 0045)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.assignments import AssigneeNotAuditor
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.units import EVERYTHING, NOTHING, Scope, UnitInfo, UnitKind, UnitUnknown
from service.security import grants
from service.security.accounts import Accounts
from service.security.scope import Scopes
from service.store.schema import accounts as accounts_table
from service.system import Jejak
from tests.conftest import fast_accounts

ADMIN = Actor("adm", Role.ADMIN, "DINSOS-KALTARA")
SET_UP = date(2016, 1, 4)
PASSWORD = "a long enough passphrase"
UNITS = (
    UnitInfo("DINSOS-KALTARA", "Dinsos Provinsi Kaltara", UnitKind.PROVINCE, "65"),
    UnitInfo("DINSOS-TARAKAN", "Dinas Sosial Kota Tarakan", UnitKind.REGENCY, "65.71"),
    UnitInfo("DINSOS-NUNUKAN", "Dinas Sosial Kabupaten Nunukan", UnitKind.REGENCY, "65.03"),
    UnitInfo("BPK-KALTARA", "BPK Perwakilan Kaltara", UnitKind.AUDIT_BODY, "65"),
)
LETTER = DocumentRef("surat", "ST/45/BPK/2019", date(2019, 6, 28), "BPK Perwakilan Kaltara")


def on(day: date, document: DocumentRef | None = None) -> Provenance:
    return Provenance(ADMIN, day, document)


def with_units(jejak: Jejak) -> Accounts:
    for unit in UNITS:
        jejak.app.units.establish_unit(unit, provenance=on(SET_UP))
    return fast_accounts(jejak)


def who(jejak: Jejak, command: str, unit: str, day: date) -> list[str]:
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        return [h.username for h in grants.who_could(conn, command, unit, day)]


def test_who_could_approve_payments_in_tarakan_follows_role_changes_and_moves(
    jejak: Jejak,
) -> None:
    accounts = with_units(jejak)
    accounts.create(
        "rina", PASSWORD, Role.OPERATOR, "DINSOS-TARAKAN", "Rina", provenance=on(SET_UP)
    )
    accounts.create(
        "budi", PASSWORD, Role.SUPERVISOR, "DINSOS-TARAKAN", "Budi", provenance=on(SET_UP)
    )
    accounts.create(
        "sari", PASSWORD, Role.SUPERVISOR, "DINSOS-NUNUKAN", "Sari", provenance=on(SET_UP)
    )
    # Rina is made a supervisor in 2019; Budi moves to Nunukan in mid-2019; Sari is deactivated.
    accounts.set_role("rina", Role.SUPERVISOR, provenance=on(date(2019, 3, 1)))
    accounts.set_unit("budi", "DINSOS-NUNUKAN", provenance=on(date(2019, 9, 1)))
    accounts.deactivate("sari", provenance=on(date(2019, 5, 1)))

    assert who(jejak, "approve_batch", "DINSOS-TARAKAN", date(2018, 8, 1)) == ["budi"]
    assert who(jejak, "approve_batch", "DINSOS-TARAKAN", date(2019, 8, 1)) == ["budi", "rina"]
    assert who(jejak, "approve_batch", "DINSOS-TARAKAN", date(2019, 9, 1)) == ["rina"]
    assert who(jejak, "approve_batch", "DINSOS-NUNUKAN", date(2019, 4, 30)) == ["sari"]
    assert who(jejak, "approve_batch", "DINSOS-NUNUKAN", date(2019, 9, 1)) == ["budi"]
    # A field command: operators and supervisors both.
    assert who(jejak, "register_site", "DINSOS-TARAKAN", date(2018, 8, 1)) == ["budi", "rina"]
    # The table follows the events.
    assert accounts.mismatches() == []
    moved = accounts.get("budi")
    assert moved is not None and moved.org_unit == "DINSOS-NUNUKAN"


def test_the_history_is_intervals_of_business_dates(jejak: Jejak) -> None:
    accounts = with_units(jejak)
    sk = DocumentRef("decree", "SK/800/2016", SET_UP, "Kepala Dinas")
    accounts.create(
        "rina", PASSWORD, Role.OPERATOR, "DINSOS-TARAKAN", "Rina", provenance=on(SET_UP, sk)
    )
    accounts.set_role("rina", Role.SUPERVISOR, provenance=on(date(2019, 3, 1)))
    # A move the same day as the role change makes one grant of that day.
    accounts.set_unit("rina", "DINSOS-NUNUKAN", provenance=on(date(2019, 3, 1)))
    jejak.runner.catch_up()

    with jejak.engine.connect() as conn:
        held = grants.history(conn, "rina")

    assert [(g.valid_from, g.valid_until, g.role, g.unit) for g in held] == [
        (SET_UP, date(2019, 2, 28), Role.OPERATOR, "DINSOS-TARAKAN"),
        (date(2019, 3, 1), None, Role.SUPERVISOR, "DINSOS-NUNUKAN"),
    ]
    assert held[0].document_number == "SK/800/2016" and held[0].granted_by == "adm"


def test_an_examiner_sees_what_the_assignment_gives_only_inside_its_days(jejak: Jejak) -> None:
    accounts = with_units(jejak)
    accounts.create("bpk.ani", PASSWORD, Role.AUDITOR, "BPK-KALTARA", "Ani", provenance=on(SET_UP))
    jejak.app.assignments.give(
        "bpk.ani",
        units=["DINSOS-TARAKAN"],
        valid_from=date(2019, 7, 1),
        valid_until=date(2019, 9, 30),
        provenance=on(date(2019, 6, 28), LETTER),
    )
    jejak.runner.catch_up()
    scopes = Scopes(jejak.engine)

    def scope(day: date) -> Scope:
        return scopes.of("bpk.ani", Role.AUDITOR, "BPK-KALTARA", day)

    tarakan = Scope(everything=False, units=frozenset({"DINSOS-TARAKAN"}))
    assert scope(date(2019, 6, 30)) == NOTHING
    assert scope(date(2019, 7, 1)) == tarakan
    assert scope(date(2019, 9, 30)) == tarakan
    assert scope(date(2019, 10, 1)) == NOTHING  # lapsed by itself
    # An assignment gives sight, never a command the role does not hold.
    assert who(jejak, "upload_document", "DINSOS-TARAKAN", date(2019, 8, 1)) == []
    with pytest.raises(grants.CommandUnknown), jejak.engine.connect() as conn:
        grants.who_could(conn, "approve_everything", "DINSOS-TARAKAN", date(2019, 8, 1))


def test_a_withdrawn_assignment_and_a_programme_wide_one(jejak: Jejak) -> None:
    accounts = with_units(jejak)
    accounts.create("bpk.ani", PASSWORD, Role.AUDITOR, "BPK-KALTARA", "Ani", provenance=on(SET_UP))
    jejak.app.assignments.give(
        "bpk.ani",
        whole_programme=True,
        valid_from=date(2019, 1, 1),
        valid_until=date(2019, 12, 31),
        provenance=on(date(2018, 12, 20), LETTER),
    )
    jejak.app.assignments.withdraw("bpk.ani", LETTER.number, provenance=on(date(2019, 5, 1)))
    jejak.runner.catch_up()
    scopes = Scopes(jejak.engine)

    assert scopes.of("bpk.ani", Role.AUDITOR, "BPK-KALTARA", date(2019, 4, 30)) == EVERYTHING
    assert scopes.of("bpk.ani", Role.AUDITOR, "BPK-KALTARA", date(2019, 5, 1)) == NOTHING


def test_the_scope_is_the_unit_of_the_day_asked_about(jejak: Jejak) -> None:
    accounts = with_units(jejak)
    accounts.create("budi", PASSWORD, Role.OPERATOR, "DINSOS-TARAKAN", "B", provenance=on(SET_UP))
    accounts.set_unit("budi", "DINSOS-NUNUKAN", provenance=on(date(2019, 9, 1)))
    jejak.runner.catch_up()
    scopes = Scopes(jejak.engine)

    # The argument's unit is the login cache's; the history decides.
    before = scopes.of("budi", Role.OPERATOR, "DINSOS-NUNUKAN", date(2019, 8, 31))
    after = scopes.of("budi", Role.OPERATOR, "DINSOS-NUNUKAN", date(2019, 9, 1))
    assert before.units == {"DINSOS-TARAKAN"} and after.units == {"DINSOS-NUNUKAN"}


def test_an_assignment_names_an_auditor_and_units_in_the_system(jejak: Jejak) -> None:
    accounts = with_units(jejak)
    accounts.create("rina", PASSWORD, Role.OPERATOR, "DINSOS-TARAKAN", "R", provenance=on(SET_UP))
    accounts.create("bpk.ani", PASSWORD, Role.AUDITOR, "BPK-KALTARA", "A", provenance=on(SET_UP))

    def give(auditor: str, units: list[str]) -> None:
        jejak.app.assignments.give(
            auditor,
            units=units,
            valid_from=date(2019, 7, 1),
            valid_until=date(2019, 9, 30),
            provenance=on(date(2019, 6, 28), LETTER),
        )

    with pytest.raises(AssigneeNotAuditor):
        give("rina", ["DINSOS-TARAKAN"])
    with pytest.raises(UnitUnknown):
        give("bpk.ani", ["DINSOS-BULUNGAN"])


def test_an_account_names_a_unit_in_the_system_once_there_are_units(jejak: Jejak) -> None:
    accounts = fast_accounts(jejak)
    # One office, no units yet: any text names it, as before.
    accounts.create("rina", PASSWORD, Role.OPERATOR, "Dinas Sosial Kota Tarakan", "R")
    assert not jejak.app.units.any_established()
    with_units(jejak)
    # Refused from the log at once, before the read model of units has caught up.
    assert jejak.app.units.any_established()

    with pytest.raises(UnitUnknown) as refused:
        accounts.create("budi", PASSWORD, Role.OPERATOR, "Dinas Sosial Kota Tarakan", "B")
    assert refused.value.field == "org_unit"
    with pytest.raises(UnitUnknown):
        accounts.set_unit("rina", "DINSOS-BULUNGAN")
    assert accounts.get("budi") is None


def test_accounts_from_before_the_grants_are_found_and_repaired(jejak: Jejak) -> None:
    accounts = fast_accounts(jejak)
    accounts.create("rina", PASSWORD, Role.OPERATOR, "Dinsos Tarakan", "R")
    # A row that changed in place, as every row did before grants were events.
    with jejak.engine.begin() as conn:
        conn.execute(
            accounts_table.update()
            .where(accounts_table.c.username == "rina")
            .values(role=Role.SUPERVISOR.value)
        )
        conn.execute(
            accounts_table.insert().values(
                username="lama",
                password_hash="x",
                role=Role.OPERATOR.value,
                org_unit="Dinsos Tarakan",
                display_name="L",
                active=False,
                created_at=conn.execute(select(accounts_table.c.created_at)).scalar_one(),
                updated_at=conn.execute(select(accounts_table.c.updated_at)).scalar_one(),
            )
        )

    found = {(m.username, m.problem) for m in accounts.mismatches()}
    assert found == {
        ("rina", "role: the table says supervisor, the grants operator"),
        ("lama", "no grants recorded"),
    }
    accounts.repair(on(date.today()))
    assert accounts.mismatches() == []
    # The events are the authority: the row went back to what was recorded.
    rina = accounts.get("rina")
    assert rina is not None and rina.role is Role.OPERATOR
    recorded = jejak.app.staff.account("lama")
    assert recorded is not None and not recorded.active


def test_the_unit_directory_reads_only_new_events_and_sees_a_unit_set_up_since(
    sqlite_jejak: Jejak,
) -> None:
    app = sqlite_jejak.app
    app.units.establish_unit(UNITS[0], provenance=on(SET_UP))
    assert [u.code for u in app.unit_directory().all()] == ["DINSOS-KALTARA"]

    app.units.establish_unit(UNITS[1], provenance=on(SET_UP))

    # A case page asks on every request: each time only the log after the last read.
    assert [u.code for u in app.unit_directory().all()] == ["DINSOS-KALTARA", "DINSOS-TARAKAN"]
    assert app._units_read_to == app.position()
    assert [u.code for u in app.unit_directory().all()] == ["DINSOS-KALTARA", "DINSOS-TARAKAN"]
