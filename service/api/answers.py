"""How routes answer, shared by every feature's routes: a command's outcome (201 and the log
position to wait for), read-your-writes (`after`), the time-travel cut a report is asked at, and
a page as its JSON body."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request, Response, status

from domain.errors import InvalidValue, OutOfScope
from domain.units import Scope
from service.api.deps import JejakDep, UserDep
from service.api.inputs import BusinessDate
from service.api.models import CommandOut
from service.commands.base import CommandResult
from service.errors import NotFound
from service.queries.paging import Page
from service.queries.read_models import ReadModels
from service.queries.time_travel import Cut, known_position
from service.security.scope import holds, known_outside, of_account, require_programme_wide
from service.system import Jejak

CREATED = status.HTTP_201_CREATED


def command_out(jejak: Jejak, result: CommandResult) -> CommandOut:
    """The command's answer; the projection runner is woken to read its events."""
    jejak.runner.notify()
    return CommandOut(
        id=result.aggregate_id, version=result.version, state=result.state, position=result.position
    )


def caller_scope(user: UserDep, jejak: JejakDep) -> Scope:
    """What the caller sees and acts on today (`service.security.scope`)."""
    return of_account(jejak.scopes, user)


ScopeDep = Annotated[Scope, Depends(caller_scope)]


def read_models(jejak: JejakDep, scope: ScopeDep) -> ReadModels:
    """The read-model queries over the wired system, held to the caller's scope."""
    return ReadModels.of(jejak, scope)


def programme_wide(request: Request, scope: ScopeDep) -> None:
    """Routes whose records are the programme's, not a unit's: outside the overseers a read
    answers as if they did not exist (404) and a command is refused (403)."""
    if request.method in ("GET", "HEAD"):
        require_programme_wide(scope, "Programme record")
    elif not scope.everything:
        raise OutOfScope("these records are the programme's; your unit does not oversee it")


ProgrammeWide = [Depends(programme_wide)]

# The path parameters that name a site, a case or one of her entitlements.
SCOPED_PATH_PARAMS = ("site_id", "beneficiary_id", "entitlement_id")


def in_scope(request: Request, jejak: JejakDep, scope: ScopeDep) -> None:
    """Commands on a site, a case or an entitlement outside the caller's scope are refused
    (403) before the record's own rules are judged, which would tell its state."""
    for name in SCOPED_PATH_PARAMS:
        text = request.path_params.get(name)
        if text is None:
            continue
        try:
            ident = UUID(str(text))
        except ValueError:
            continue
        if known_outside(jejak.engine, scope, ident):
            # The custody read model may not know a hand-over just made: judge again once it
            # has caught up with the log.
            jejak.runner.wait_for(
                jejak.app.position(), jejak.settings.read_your_writes_timeout_seconds
            )
            if known_outside(jejak.engine, scope, ident):
                raise OutOfScope("this record is outside the units your account answers for")


InScope = [Depends(in_scope)]


def require_held(jejak: Jejak, scope: Scope, ident: UUID | None, what: str) -> None:
    """A read about one site, case or entitlement (a case's bundle, her payment history, a past
    state): outside the caller's scope, or with no subject named, it does not exist for a unit
    that does not oversee the programme (404)."""
    if not scope.everything and (ident is None or not holds(jejak.engine, scope, ident)):
        raise NotFound(what, ident or "for this account")


ReadDep = Annotated[ReadModels, Depends(read_models)]


def caught_up(jejak: Jejak, after: int | None, response: Response) -> None:
    """Read-your-writes: wait for the projections, and say in a header how far they are."""
    if after is not None:
        reached = jejak.runner.wait_for(after, jejak.settings.read_your_writes_timeout_seconds)
        if not reached:
            response.headers["X-Jejak-Stale"] = "true"
    response.headers["X-Jejak-Position"] = str(jejak.runner.position())


KnownAt = Annotated[
    str | None,
    Query(
        description="as known at this log position, or recording time (ISO 8601 with its "
        "zone): what the system said then"
    ),
]


AsAt = Annotated[
    BusinessDate | None,
    Query(description="as at this business date: what had happened by then, late entries too"),
]


def report_cut(jejak: JejakDep, known_at: KnownAt = None, as_at: AsAt = None) -> Cut | None:
    """The time-travel cut a report is asked at, or None for today's report (ADR 0023)."""
    if known_at is None and as_at is None:
        return None
    try:
        position = None if known_at is None else known_position(jejak, known_at)
    except ValueError as error:
        raise InvalidValue(str(error), field="known_at") from None
    return Cut(known_at=position, as_at=as_at)


CutDep = Annotated[Cut | None, Depends(report_cut)]


def cut_body(cut: Cut | None) -> dict[str, Any]:
    """The cut a report was taken at, as its response states it (nothing for today's)."""
    return {} if cut is None else {"known_at": cut.known_at, "as_at": cut.as_at}


def page_body(page: Page[Any]) -> dict[str, Any]:
    """A page as its JSON body."""
    return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}
