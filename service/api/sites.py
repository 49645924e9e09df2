"""Sites over HTTP: the site lifecycle's commands (registration, sosialisasi, the closure decree
and closure, inspections) and the sites as the read models show them.

Each command route declares the lifecycle's roles for its command as a dependency (403 for any
other role, before the body is read: ADR 0031), calls one handler method, and returns the
position to wait for; every one honours `Idempotency-Key` through its router's route class
(ADR 0012). Each read accepts `after`, a position a command returned: the response waits
(briefly) until the read models have reached it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from domain.site import SITE_LIFECYCLE
from service.api.access import command_role
from service.api.answers import CREATED, ReadDep, caught_up, command_out, page_body
from service.api.deps import JejakDep, UserDep
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, Limit, Offset
from service.api.models import (
    ClosureDecreeIn,
    ClosureIn,
    CommandOut,
    InspectionIn,
    RegisterSiteIn,
    SosialisasiIn,
)

commands = APIRouter(prefix="/api", tags=["commands"], route_class=IdempotentCommandRoute)
reads = APIRouter(prefix="/api", tags=["queries"])


@commands.post(
    "/sites", status_code=CREATED, dependencies=[command_role(SITE_LIFECYCLE, "register_site")]
)
def register_site(body: RegisterSiteIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Register a site counted at pendataan."""
    return command_out(
        jejak,
        jejak.app.sites.register_site(
            code=body.code,
            name=body.name,
            aliases=body.aliases,
            kelurahan=body.kelurahan.to_domain(),
            headcount_at_pendataan=body.headcount_at_pendataan,
            provenance=body.provenance_for(user),
        ),
    )


@commands.post(
    "/sites/{site_id}/sosialisasi",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "hold_sosialisasi")],
)
def hold_sosialisasi(
    site_id: UUID, body: SosialisasiIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a sosialisasi (repeatable)."""
    return command_out(
        jejak,
        jejak.app.sites.hold_sosialisasi(
            site_id,
            venue=body.venue,
            attendance=body.attendance,
            facilitators=body.facilitators,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/sites/{site_id}/closure-decree",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "decree_closure")],
)
def decree_closure(
    site_id: UUID, body: ClosureDecreeIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record the closure decree (supervisors)."""
    return command_out(
        jejak,
        jejak.app.sites.decree_closure(
            site_id,
            decree_number=body.decree_number,
            signing_authority=body.signing_authority,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/sites/{site_id}/closure",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "close_site")],
)
def close_site(site_id: UUID, body: ClosureIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record the closure; needs the decree and a sosialisasi on or before that date."""
    return command_out(
        jejak,
        jejak.app.sites.close_site(
            site_id,
            declared_headcount=body.declared_headcount,
            funding_status=body.funding_status,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/sites/{site_id}/inspections",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "record_inspection")],
)
def record_inspection(
    site_id: UUID, body: InspectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a post-closure inspection."""
    return command_out(
        jejak,
        jejak.app.sites.record_inspection(
            site_id,
            outcome=body.outcome,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@reads.get("/sites")
def list_sites(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    state: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Sites and where each stands."""
    caught_up(jejak, after, response)
    return page_body(reads.sites.list(state=state, limit=limit, offset=offset))


@reads.get("/sites/{site_id}")
def get_site(
    site_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One site's status."""
    caught_up(jejak, after, response)
    return reads.sites.one(site_id)


@reads.get("/sites/{site_id}/history")
def site_history(site_id: UUID, user: UserDep, reads: ReadDep) -> list[dict[str, Any]]:
    """Every event of the site with who, when, on what document."""
    return reads.history.of(user, site_id)
