"""Units, examiners' assignments and the grants' history over HTTP (ADR 0044, ADR 0045).

Setting up a unit and giving or withdrawing an assignment are administrators' commands, as
their lifecycles declare; every signed-in account may list the units; the grants' history and
"who could do this there on that day" are for the roles `domain.access.READ_ROLES` names."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from domain.access import READ_ROLES, Read
from domain.assignments import ASSIGNMENT_LIFECYCLE
from domain.units import UNIT_LIFECYCLE, UnitInfo, UnitKind
from projections.custody import directory_of
from service.api.access import command_role
from service.api.answers import CREATED, caught_up, command_out
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, FromJson, Line
from service.api.models import CommandIn, CommandOut, DocumentIn, ShortText
from service.provenance import today_wita
from service.security import grants

commands = APIRouter(prefix="/api", tags=["commands"], route_class=IdempotentCommandRoute)
reads = APIRouter(prefix="/api", tags=["queries"])
READERS = READ_ROLES[Read.GRANTS]
UnitCode = Annotated[Line, Field(pattern=r"^[A-Z][A-Z0-9-]{1,31}$", examples=["DINSOS-TARAKAN"])]
Username = Annotated[Line, Field(pattern=r"^[a-z][a-z0-9._-]{2,31}$")]


class UnitIn(CommandIn):
    """A unit to set up; `occurred_on` is the day it joins the system."""

    code: UnitCode
    name: ShortText
    kind: Annotated[UnitKind, FromJson]
    # The Kemendagri code of its region; "" for the ministry.
    region: Line = Field(pattern=r"^([0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?)?$")
    facilities: list[Annotated[Line, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]] = Field(
        default_factory=list, max_length=20
    )


class AssignmentIn(CommandIn):
    """An examiner's assignment: the units it covers or the whole programme, its days, and its
    letter (`document`, a surat tugas)."""

    auditor: Username
    units: list[UnitCode] = Field(default_factory=list, max_length=64)
    whole_programme: bool = False
    valid_from: BusinessDate
    valid_until: BusinessDate
    document: DocumentIn | None = None


class WithdrawalIn(CommandIn):
    """The withdrawal of the assignment `letter_number` gave `auditor`, from `occurred_on`."""

    auditor: Username
    letter_number: ShortText


@commands.post(
    "/units", status_code=CREATED, dependencies=[command_role(UNIT_LIFECYCLE, "establish_unit")]
)
def establish_unit(body: UnitIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Set up a unit: an office with its place in the region tree (administrators)."""
    info = UnitInfo(body.code, body.name, body.kind, body.region, tuple(body.facilities))
    return command_out(
        jejak, jejak.app.units.establish_unit(info, provenance=body.provenance_for(user))
    )


@reads.get("/units")
def list_units(user: UserDep, jejak: JejakDep, response: Response, after: After = None) -> Any:
    """Every unit in the system, by code (any signed-in account)."""
    caught_up(jejak, after, response)
    with jejak.engine.connect() as conn:
        directory = directory_of(conn)
    return {
        "items": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind.value,
                "region": u.region,
                "facilities": list(u.facilities),
            }
            for u in directory.all()
        ]
    }


@commands.post(
    "/assignments",
    status_code=CREATED,
    dependencies=[command_role(ASSIGNMENT_LIFECYCLE, "give_assignment")],
)
def give_assignment(body: AssignmentIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record an examiner's assignment on its surat tugas (administrators): it gives its units
    (or the whole programme) from `valid_from` to `valid_until`, and nothing outside them."""
    return command_out(
        jejak,
        jejak.app.assignments.give(
            body.auditor,
            units=body.units,
            whole_programme=body.whole_programme,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            provenance=body.provenance_for(user),
        ),
    )


@commands.post(
    "/assignments/withdrawals",
    status_code=CREATED,
    dependencies=[command_role(ASSIGNMENT_LIFECYCLE, "withdraw_assignment")],
)
def withdraw_assignment(body: WithdrawalIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Withdraw an assignment early (administrators): it gives nothing from `occurred_on`."""
    return command_out(
        jejak,
        jejak.app.assignments.withdraw(
            body.auditor, body.letter_number, provenance=body.provenance_for(user)
        ),
    )


@reads.get("/assignments")
def list_assignments(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    auditor: Annotated[Username | None, Query(description="only this examiner's")] = None,
    after: After = None,
) -> Any:
    """The examiners' assignments, by start date."""
    require_role(user, READERS, "read the grants")
    caught_up(jejak, after, response)
    with jejak.engine.connect() as conn:
        found = grants.assignments_of(conn, auditor)
    return {"items": [a.as_row() for a in found]}


@reads.get("/accounts/{username}/history")
def account_history(
    username: str, user: UserDep, jejak: JejakDep, response: Response, after: After = None
) -> Any:
    """An account's grants by business date (role, unit, whether it could act, who granted
    it on which letter) and its assignments."""
    require_role(user, READERS, "read the grants")
    caught_up(jejak, after, response)
    with jejak.engine.connect() as conn:
        held = grants.history(conn, username)
        assigned = grants.assignments_of(conn, username)
    return {
        "username": username,
        "grants": [g.as_row() for g in held],
        "assignments": [a.as_row() for a in assigned],
    }


@reads.get("/grants/who-could")
def who_could(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    command: Annotated[
        Line, Query(min_length=1, max_length=64, description="a command, e.g. approve_batch")
    ],
    unit: Annotated[UnitCode | None, Query(description="where: a unit's code")] = None,
    region: Annotated[
        Line | None,
        Query(
            pattern=r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$", description="or a region"
        ),
    ] = None,
    site: Annotated[Line | None, Query(max_length=16, description="or a site's code")] = None,
    on: Annotated[BusinessDate | None, Query(description="the day; default today (WITA)")] = None,
    after: After = None,
) -> Any:
    """The accounts that could issue `command` for the things of a place on a day: active
    then, in a role the command's declaration names, with the place in their scope then
    (through their unit, or an examiner's assignment in force that day)."""
    require_role(user, READERS, "read the grants")
    caught_up(jejak, after, response)
    day: date = on or today_wita()
    with jejak.engine.connect() as conn:
        place = grants.place_unit(
            conn, grants.directory_on(conn, day), unit=unit, region=region, site=site
        )
        holders = grants.who_could(conn, command, place, day)
    return {
        "command": command,
        "unit": place,
        "on": day.isoformat(),
        "items": [h.as_row() for h in holders],
    }
