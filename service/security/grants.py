"""Grants with a history, read back: an account's grants by business date, the assignments in
force on a day, the scope they give, and who could issue a command where on a given day
(ADR 0045). Read from the `grants` read model (`projections.grants`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import Connection, RowMapping, select

from domain.access import WRITE_ROLES, Write
from domain.assignments import Coverage, effective_until
from domain.errors import InvalidValue
from domain.lifecycle_docs import LIFECYCLES
from domain.recording import Role
from domain.site import Site
from domain.units import EVERYTHING, Directory, Scope, UnitUnknown
from projections.custody import directory_of, site_units, units
from projections.grants import account_grants, audit_assignments


class CommandUnknown(InvalidValue):
    """Raised when a question names a command no lifecycle or write declares."""

    code: ClassVar[str] = "COMMAND_UNKNOWN"


class SiteUnknown(InvalidValue):
    """Raised when a question names a site that is not in the system."""

    code: ClassVar[str] = "SITE_UNKNOWN"


@dataclass(frozen=True)
class Grant:
    """What an account held from `valid_from` until `valid_until` (None: still in force)."""

    username: str
    display_name: str
    role: Role
    unit: str
    active: bool
    valid_from: date
    valid_until: date | None
    event: str
    granted_by: str
    document_number: str | None

    def in_force(self, day: date) -> bool:
        """Whether this is the account's grant on `day`."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def as_row(self) -> dict[str, object]:
        """The grant as JSON-ready values."""
        return {
            "valid_from": self.valid_from.isoformat(),
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "role": self.role.value,
            "unit": self.unit,
            "active": self.active,
            "event": self.event,
            "granted_by": self.granted_by,
            "document_number": self.document_number,
        }


@dataclass(frozen=True)
class Assignment:
    """An auditor's assignment and the days it gives anything."""

    auditor: str
    coverage: Coverage
    valid_from: date
    valid_until: date
    withdrawn_on: date | None
    letter_number: str
    letter_issuer: str
    given_by: str

    @property
    def last_day(self) -> date:
        """The last day it gives anything."""
        return effective_until(self.valid_until, self.withdrawn_on)

    def in_force(self, day: date) -> bool:
        """Whether it gives its coverage on `day` (it lapses by itself after `last_day`)."""
        return self.valid_from <= day <= self.last_day

    def as_row(self) -> dict[str, object]:
        """The assignment as JSON-ready values."""
        return {
            "auditor": self.auditor,
            "units": list(self.coverage.units),
            "whole_programme": self.coverage.whole_programme,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "withdrawn_on": None if self.withdrawn_on is None else self.withdrawn_on.isoformat(),
            "letter_number": self.letter_number,
            "letter_issuer": self.letter_issuer,
            "given_by": self.given_by,
        }


@dataclass(frozen=True)
class Holder:
    """An account that could issue a command at a place on a day, and why."""

    username: str
    display_name: str
    role: Role
    unit: str
    # "unit": its unit answers for the place (or oversees everything); else the letter number
    # of the assignment that gave it the place.
    through: str

    def as_row(self) -> dict[str, str]:
        """The holder as JSON-ready values."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "unit": self.unit,
            "through": self.through,
        }


def roles_for_command(command: str) -> tuple[Role, ...]:
    """The roles that may issue `command`: from its lifecycle declaration, or from the writes
    outside them (`domain.access.WRITE_ROLES`); CommandUnknown for any other name."""
    roles: list[Role] = []
    for lifecycle in LIFECYCLES:
        roles.extend(r for r in lifecycle.roles_for(command) if r not in roles)
    if command in {w.value for w in Write}:
        roles.extend(r for r in WRITE_ROLES[Write(command)] if r not in roles)
    if not roles:
        raise CommandUnknown("no lifecycle or write declares that command", field="command")
    return tuple(roles)


def history(conn: Connection, username: str) -> list[Grant]:
    """The account's grants, oldest first (empty when none was recorded)."""
    t = account_grants
    rows = conn.execute(
        select(t).where(t.c.username == username).order_by(t.c.valid_from)
    ).mappings()
    return [_grant(r) for r in rows]


def assignments_of(conn: Connection, auditor: str | None = None) -> list[Assignment]:
    """The assignments of `auditor` (every one when None), by start date."""
    t = audit_assignments
    query = select(t).order_by(t.c.valid_from, t.c.auditor, t.c.letter_number)
    if auditor is not None:
        query = query.where(t.c.auditor == auditor)
    return [_assignment(r) for r in conn.execute(query).mappings()]


def directory_on(conn: Connection, day: date) -> Directory:
    """The units established on or before `day`."""
    later = set(conn.execute(select(units.c.code).where(units.c.established_on > day)).scalars())
    return Directory(u for u in directory_of(conn).all() if u.code not in later)


def grant_on(grants: Iterable[Grant], day: date) -> Grant | None:
    """The grant in force on `day`; for a day before the account was opened, its first (an
    account recording papers older than itself acts for the unit it was opened in)."""
    ordered = list(grants)
    found = next((g for g in ordered if g.in_force(day)), None)
    if found is None and ordered and day < ordered[0].valid_from:
        return ordered[0]
    return found


def joined(scopes: Iterable[Scope]) -> Scope:
    """The scope covering everything any of `scopes` covers."""
    units_seen: set[str] = set()
    for scope in scopes:
        if scope.everything:
            return EVERYTHING
        units_seen |= scope.units
    return Scope(everything=False, units=frozenset(units_seen))


def scope_on(
    directory: Directory, unit: str, assignments: Iterable[Assignment], day: date
) -> Scope:
    """What a member of `unit` holding `assignments` sees on `day`: its unit's scope, and what
    the assignments in force that day give."""
    return joined(
        [
            directory.scope_of_unit(unit),
            *(a.coverage.scope() for a in assignments if a.in_force(day)),
        ]
    )


def place_unit(
    conn: Connection,
    directory: Directory,
    *,
    unit: str | None = None,
    region: str | None = None,
    site: str | None = None,
) -> str | None:
    """The unit answering for the place a question names: a unit's code, a region code or a
    site code (None: a place no unit below the province answers for)."""
    if unit is not None:
        if unit not in directory:
            raise UnitUnknown("no unit in the system on that day has that code", field="unit")
        return unit
    if region is not None:
        return directory.unit_for_region(region)
    if site is not None:
        found = conn.execute(
            select(site_units.c.unit).where(site_units.c.site_id == str(Site.create_id(site)))
        ).first()
        if found is None:
            raise SiteUnknown("no site in the system has that code", field="site")
        held: str | None = found.unit
        return held
    raise InvalidValue("name the place: a unit, a region or a site", field="unit")


def who_could(conn: Connection, command: str, place: str | None, day: date) -> list[Holder]:
    """The accounts that could issue `command` for things held by `place` (a unit's code;
    None: held by no unit below the province) on `day`: active then, in a role the command's
    declaration names, and with a scope then that covers the place."""
    roles = roles_for_command(command)
    directory = directory_on(conn, day)
    everyone = not directory.all()
    by_auditor: dict[str, list[Assignment]] = {}
    for a in assignments_of(conn):
        by_auditor.setdefault(a.auditor, []).append(a)
    grants: dict[str, list[Grant]] = {}
    t = account_grants
    for row in conn.execute(select(t).order_by(t.c.username, t.c.valid_from)).mappings():
        grants.setdefault(row["username"], []).append(_grant(row))
    holders: list[Holder] = []
    for username, history_of in grants.items():
        grant = next((g for g in history_of if g.in_force(day)), None)
        if grant is None or not grant.active or grant.role not in roles:
            continue
        through = _through(directory, grant, by_auditor.get(username, ()), place, day, everyone)
        if through is not None:
            holders.append(Holder(username, grant.display_name, grant.role, grant.unit, through))
    return holders


def _through(
    directory: Directory,
    grant: Grant,
    assignments: Iterable[Assignment],
    place: str | None,
    day: date,
    everyone: bool,
) -> str | None:
    if everyone or directory.scope_of_unit(grant.unit).covers(place):
        return "unit"
    for a in assignments:
        if a.in_force(day) and a.coverage.scope().covers(place):
            return a.letter_number
    return None


def _grant(row: RowMapping) -> Grant:
    valid_from = row["valid_from"]
    valid_until = row["valid_until"]
    assert isinstance(valid_from, date)
    assert valid_until is None or isinstance(valid_until, date)
    return Grant(
        username=str(row["username"]),
        display_name=str(row["display_name"]),
        role=Role(str(row["role"])),
        unit=str(row["unit"]),
        active=bool(row["active"]),
        valid_from=valid_from,
        valid_until=valid_until,
        event=str(row["event"]),
        granted_by=str(row["granted_by"]),
        document_number=None if row["document_number"] is None else str(row["document_number"]),
    )


def _assignment(row: RowMapping) -> Assignment:
    valid_from, valid_until, withdrawn_on = (
        row["valid_from"],
        row["valid_until"],
        row["withdrawn_on"],
    )
    assert isinstance(valid_from, date) and isinstance(valid_until, date)
    assert withdrawn_on is None or isinstance(withdrawn_on, date)
    return Assignment(
        auditor=str(row["auditor"]),
        coverage=Coverage(tuple(json.loads(str(row["units"]))), bool(row["whole_programme"])),
        valid_from=valid_from,
        valid_until=valid_until,
        withdrawn_on=withdrawn_on,
        letter_number=str(row["letter_number"]),
        letter_issuer=str(row["letter_issuer"]),
        given_by=str(row["given_by"]),
    )
