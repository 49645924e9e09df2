"""Retention over HTTP: the periods in force and their setting, what is due for destruction
on a day, legal holds, and the four-eyes destruction with its berita acara pemusnahan.

Commands take an Idempotency-Key; who may issue each comes from its lifecycle. The registers
are read by the roles that read the privacy registers (the DPO and the supervisors). Nothing
here carries personal data: people are named by case number and id.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StrictInt

from domain.access import READ_ROLES, Read
from domain.privacy.categories import CountedFrom, RetentionCategory
from domain.privacy.destruction import DESTRUCTION_LIFECYCLE
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE, MAX_PEOPLE, HoldKind
from domain.privacy.retention import LONGEST_YEARS, RETENTION_POLICY_LIFECYCLE
from service.api.access import command_role
from service.api.answers import CREATED, ReadDep, caught_up, command_out
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, FromJson
from service.api.models import CommandIn, CommandOut, Strict
from service.api.money_models import Id
from service.errors import NotFound
from service.files.documents import DocumentNotFound
from service.provenance import today_wita
from service.queries import retention as queries
from service.security.accounts import Account

router = APIRouter(
    prefix="/api/privacy/retention", tags=["privacy"], route_class=IdempotentCommandRoute
)
READERS = READ_ROLES[Read.PRIVACY_REGISTERS]
AsOf = Annotated[
    BusinessDate | None,
    Query(description="the day judged (default: today in WITA); may be later than today"),
]


OnlyCategory = Annotated[RetentionCategory | None, Query(description="only this category")]
Number = Annotated[
    str,
    Path(
        description="the destruction's number (or id)",
        examples=["PMS-2026-1A2B3C4D"],
        max_length=36,
    ),
]
HoldId = Annotated[UUID, Path(description="the id of a legal hold")]


def _may_read(user: Account) -> None:
    require_role(user, READERS, "read the retention register")


class SetPeriodIn(CommandIn):
    """A category's period; `document` is the JRA or decree (kind decree), `reason` why."""

    category: Annotated[RetentionCategory, FromJson]
    years: StrictInt = Field(ge=1, le=LONGEST_YEARS)
    counted_from: Annotated[CountedFrom | None, FromJson] = None


class PlaceHoldIn(CommandIn):
    """A legal hold; `document` is the court's decision or the letter opening the matter."""

    kind: Annotated[HoldKind, FromJson]
    beneficiary_ids: list[Id] = Field(min_length=1, max_length=MAX_PEOPLE)


class ItemIn(Strict):
    """One category of one person."""

    beneficiary_id: Id
    category: Annotated[RetentionCategory, FromJson]


class ProposeIn(CommandIn):
    """A destruction of what is due on `occurred_on` and not held, or of `items` only;
    `document` is the proposal memo (kind `nota_dinas`)."""

    items: list[ItemIn] | None = Field(default=None, max_length=5000)


def _period(period: queries.Period) -> dict[str, Any]:
    return {
        "category": period.category.value,
        "years": period.years,
        "counted_from": period.counted_from.value,
        "floor_years": period.floor_years,
        "basis": period.grounds,
        "is_default": period.is_default,
        "set_on": period.set_on,
        "set_by": period.set_by,
        "document_number": period.document_number,
        "reason": period.reason,
        "policy_id": period.policy_id,
    }


def _due(row: queries.DueRow) -> dict[str, Any]:
    return {
        "beneficiary_id": row.beneficiary_id,
        "case_number": row.case_number,
        "category": row.category.value,
        "case_ended_on": row.case_ended_on,
        "last_payment_on": row.last_payment_on,
        "ends_on": row.ends_on,
        "held": row.held,
        "held_by": [
            {"kind": r.kind, "source_id": r.source_id, "reference": r.reference}
            for r in row.held_by
        ],
    }


@router.get("/periods")
def list_periods(
    user: UserDep, jejak: JejakDep, reads: ReadDep, response: Response, after: After = None
) -> dict[str, Any]:
    """The period in force per category (the default until one is set), each with the events
    that set and changed it."""
    _may_read(user)
    caught_up(jejak, after, response)
    items = []
    for period in queries.periods(jejak.engine).values():
        body = _period(period)
        body["history"] = reads.history.of(user, UUID(period.policy_id)) if period.policy_id else []
        items.append(body)
    return {"items": items}


@router.post(
    "/periods",
    status_code=CREATED,
    dependencies=[command_role(RETENTION_POLICY_LIFECYCLE, "set_retention_period")],
)
def set_period(body: SetPeriodIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Set or change a category's period on its JRA (409 RETENTION_BELOW_FLOOR under the
    legal floor)."""
    return command_out(
        jejak,
        jejak.app.retention.set_retention_period(
            category=body.category,
            years=body.years,
            counted_from=body.counted_from,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.get("/due")
def list_due(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    as_of: AsOf = None,
    category: OnlyCategory = None,
    after: After = None,
) -> dict[str, Any]:
    """What is due for destruction on `as_of`: case number, category, when the period ended,
    and what holds it (a legal hold, an open audit finding)."""
    _may_read(user)
    caught_up(jejak, after, response)
    day = as_of or today_wita()
    rows = queries.due(jejak.engine, day, category)
    return {"as_of": day, "items": [_due(r) for r in rows], "total": len(rows)}


@router.get("/holds")
def list_holds(
    user: UserDep, jejak: JejakDep, response: Response, after: After = None
) -> dict[str, Any]:
    """Every legal hold, newest first, with the case numbers it holds."""
    _may_read(user)
    caught_up(jejak, after, response)
    return {"items": queries.holds(jejak.engine)}


@router.post(
    "/holds",
    status_code=CREATED,
    dependencies=[command_role(LEGAL_HOLD_LIFECYCLE, "place_legal_hold")],
)
def place_hold(body: PlaceHoldIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Place a legal hold (investigation, litigation) on the people named."""
    return command_out(
        jejak,
        jejak.app.retention.place_legal_hold(
            kind=body.kind,
            beneficiary_ids=body.beneficiary_ids,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/holds/{hold_id}/lifting",
    status_code=CREATED,
    dependencies=[command_role(LEGAL_HOLD_LIFECYCLE, "lift_legal_hold")],
)
def lift_hold(hold_id: HoldId, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Lift a legal hold on the paper that ends the matter."""
    return command_out(
        jejak,
        jejak.app.retention.lift_legal_hold(
            hold_id, provenance=body.provenance_for(user), expected_version=body.expected_version
        ),
    )


@router.get("/destructions")
def list_destructions(
    user: UserDep, jejak: JejakDep, response: Response, after: After = None
) -> dict[str, Any]:
    """Every destruction, newest first."""
    _may_read(user)
    caught_up(jejak, after, response)
    return {"items": queries.destruction_list(jejak.engine)}


@router.post(
    "/destructions",
    status_code=CREATED,
    dependencies=[command_role(DESTRUCTION_LIFECYCLE, "propose_destruction")],
)
def propose(body: ProposeIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Propose the destruction of what is due on `occurred_on` (409 NOTHING_DUE, NOT_DUE,
    LEGAL_HOLD)."""
    chosen = (
        None if not body.items else [(item.beneficiary_id, item.category) for item in body.items]
    )
    return command_out(
        jejak,
        jejak.app.retention.propose_destruction(
            provenance=body.provenance_for(user), chosen=chosen
        ),
    )


def _id_of(jejak: JejakDep, number: str) -> UUID:
    jejak.runner.catch_up()
    return UUID(queries.destruction(jejak.engine, str(number))["destruction_id"])


@router.get("/destructions/{number}")
def get_destruction(
    number: Number, user: UserDep, jejak: JejakDep, reads: ReadDep, response: Response,
    after: After = None,
) -> dict[str, Any]:  # fmt: skip
    """One destruction by its number: what was proposed, withheld and why, destroyed, and
    every event of its history."""
    _may_read(user)
    caught_up(jejak, after, response)
    row = queries.destruction(jejak.engine, number)
    return row | {"history": reads.history.of(user, UUID(row["destruction_id"]))}


@router.post(
    "/destructions/{number}/approval",
    status_code=CREATED,
    dependencies=[command_role(DESTRUCTION_LIFECYCLE, "approve_destruction")],
)
def approve(number: Number, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Approve as another supervisor (409 SAME_PERSON_APPROVES), on the approval memo
    (`document`, kind `nota_dinas`); the keys of what is still due and not held are destroyed
    at once (409 LEGAL_HOLD when nothing is)."""
    return command_out(
        jejak,
        jejak.app.retention.approve_destruction(
            _id_of(jejak, number),
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/destructions/{number}/rejection",
    status_code=CREATED,
    dependencies=[command_role(DESTRUCTION_LIFECYCLE, "reject_destruction")],
)
def reject(number: Number, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Refuse a proposed destruction, with a reason, on the decision memo (`document`, kind
    `nota_dinas`); nothing is destroyed."""
    return command_out(
        jejak,
        jejak.app.retention.reject_destruction(
            _id_of(jejak, number),
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/destructions/{number}/carrying-out",
    status_code=CREATED,
    dependencies=[command_role(DESTRUCTION_LIFECYCLE, "carry_out_destruction")],
)
def carry_out(number: Number, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Complete an approved destruction whose command stopped before it was recorded: the
    approved keys are destroyed (again, harmlessly) and the berita acara recorded."""
    return command_out(
        jejak,
        jejak.app.retention.carry_out_destruction(
            _id_of(jejak, number), provenance=body.provenance_for(user)
        ),
    )


@router.get(
    "/destructions/{number}/berita-acara",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def berita_acara(number: Number, user: UserDep, jejak: JejakDep) -> Response:
    """The berita acara pemusnahan (PDF) of a carried-out destruction, as kept when the keys
    were destroyed."""
    _may_read(user)
    row = queries.destruction(jejak.engine, number)
    sha256 = row["berita_acara_sha256"]
    if not sha256:
        raise NotFound("BeritaAcara", number)
    try:
        content = jejak.documents.get(sha256)
    except DocumentNotFound:
        raise NotFound("BeritaAcara", number) from None
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="berita-acara-{row["number"]}.pdf"'},
    )
