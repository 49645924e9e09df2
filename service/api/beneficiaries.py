"""Beneficiaries over HTTP: registering the women counted at a site (one or a roster), their
case lifecycle's commands, their cases and histories as the read models show them, and the
reveal of one field in clear (her payments are money: `service.api.money`).

Command routes declare the lifecycle's roles (ADR 0031) and honour `Idempotency-Key` (ADR
0012); reads accept `after` (read-your-writes), as in `service.api.sites`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from domain.beneficiary import IdentityEvidence
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from service.api.access import command_role
from service.api.answers import (
    CREATED,
    ReadDep,
    caught_up,
    command_out,
    page_body,
)
from service.api.deps import JejakDep, UserDep
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, Limit, Offset
from service.api.models import (
    AssessmentIn,
    ChildProtectionIn,
    CommandIn,
    CommandOut,
    ExclusionIn,
    RegisterBeneficiaryIn,
    ReturnHomeIn,
    RevealIn,
    RevealOut,
    RosterIn,
    TrainingCompletionIn,
    TrainingDepartureIn,
    VerifyIdentityIn,
)
from service.commands.beneficiaries import NewBeneficiary

commands = APIRouter(prefix="/api", tags=["commands"], route_class=IdempotentCommandRoute)
reads = APIRouter(prefix="/api", tags=["queries"])


@commands.post(
    "/sites/{site_id}/beneficiaries",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "register_beneficiary")],
)
def register_beneficiary(
    site_id: UUID, body: RegisterBeneficiaryIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Register one person at the site (pendataan)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.register_beneficiary(
            site_id,
            case_number=body.case_number,
            name=body.name,
            phone=body.phone,
            provenance=body.provenance_for(user),
        ),
    )


@commands.post(
    "/sites/{site_id}/roster",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "register_beneficiary")],
)
def register_roster(
    site_id: UUID, body: RosterIn, user: UserDep, jejak: JejakDep
) -> list[CommandOut]:
    """Register a whole roster in one transaction: all rows or none."""
    results = jejak.app.beneficiaries.register_roster(
        site_id,
        [NewBeneficiary(r.case_number, r.name, r.phone) for r in body.people],
        provenance=body.provenance_for(user),
    )
    jejak.runner.notify()
    return [
        CommandOut(id=r.aggregate_id, version=r.version, state=r.state, position=r.position)
        for r in results
    ]


@commands.post(
    "/beneficiaries/{beneficiary_id}/identity-verification",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "verify_identity")],
)
def verify_identity(
    beneficiary_id: UUID, body: VerifyIdentityIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Verify identity (NIK structure, age 18+ at pendataan, not already in the programme)."""
    evidence = IdentityEvidence(nik=body.nik, birth_date=body.birth_date, sex=body.sex, kk=body.kk)
    return command_out(
        jejak,
        jejak.app.beneficiaries.verify_identity(
            beneficiary_id,
            evidence=evidence,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/exclusion",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "exclude")],
)
def exclude(beneficiary_id: UUID, body: ExclusionIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Exclude from the programme, with a reason."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.exclude(
            beneficiary_id,
            exclusion=body.exclusion,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/child-protection-referral",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "refer_to_child_protection")],
)
def refer_to_child_protection(
    beneficiary_id: UUID, body: ChildProtectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Refer someone under 18 at pendataan to child protection."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.refer_to_child_protection(
            beneficiary_id,
            birth_date=body.birth_date,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/assessment",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "assess")],
)
def assess(beneficiary_id: UUID, body: AssessmentIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record the assessment (home region with evidence, chosen path)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.assess(
            beneficiary_id,
            home_region=body.home_region.to_domain(),
            path=body.path,
            notes=body.notes,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/training-departure",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "send_to_training")],
)
def send_to_training(
    beneficiary_id: UUID, body: TrainingDepartureIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record departure for training; the site must be closed."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.send_to_training(
            beneficiary_id,
            facility_id=body.facility_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/training-completion",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "complete_training")],
)
def complete_training(
    beneficiary_id: UUID, body: TrainingCompletionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record completed training."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.complete_training(
            beneficiary_id,
            skill=body.skill,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/training-dropout",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "drop_out")],
)
def drop_out(beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record leaving training early, with a reason."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.drop_out(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/return-home",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "confirm_return_home")],
)
def confirm_return_home(
    beneficiary_id: UUID, body: ReturnHomeIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record arrival confirmed by the home kelurahan."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.confirm_return_home(
            beneficiary_id,
            confirming_kelurahan=body.confirming_kelurahan.to_domain(),
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/local-stay",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "stay_locally")],
)
def stay_locally(
    beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a local stay under a signed statement (the document)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.stay_locally(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/case-closure",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "close_case")],
)
def close_case(beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Close the case (terminasi)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.close_case(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/withdrawal",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "withdraw")],
)
def withdraw(beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record a withdrawal, with a reason."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.withdraw(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/hand-over-acceptance",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "accept_hand_over")],
)
def accept_hand_over(
    beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record that your unit accepted her case, handed over to it (to train, or on her return
    home); until then the unit that sent her stays responsible (ADR 0044)."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.accept_hand_over(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@commands.post(
    "/beneficiaries/{beneficiary_id}/death",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "record_death")],
)
def record_death(
    beneficiary_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a death, with the evidence as the document."""
    return command_out(
        jejak,
        jejak.app.beneficiaries.record_death(
            beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@reads.get("/beneficiaries")
def list_beneficiaries(
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    site_id: UUID | None = None,
    state: str | None = None,
    case_number: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Cases, filtered by site, state or case-number prefix. Names are masked for auditors."""
    caught_up(jejak, after, response)
    return page_body(
        reads.beneficiaries.list(
            user, site_id=site_id, state=state, case_number=case_number, limit=limit, offset=offset
        )
    )


@reads.get("/beneficiaries/{beneficiary_id}")
def get_beneficiary(
    beneficiary_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One case, with its identity (masked for auditors)."""
    caught_up(jejak, after, response)
    return reads.beneficiaries.one(user, beneficiary_id)


@reads.get("/beneficiaries/{beneficiary_id}/history")
def beneficiary_history(
    beneficiary_id: UUID, user: UserDep, reads: ReadDep
) -> list[dict[str, Any]]:
    """Every event of the case with its metadata; personal fields by role."""
    return reads.history.of(user, beneficiary_id)


# Not a command route: no Idempotency-Key, whose stored answer would keep the value in clear,
# and no lifecycle's writers; the act's roles are decided in `domain.access` (ADR 0046). A POST,
# so that the reason travels in the body rather than in a URL that proxies and logs keep.
@reads.post("/beneficiaries/{beneficiary_id}/reveal")
def reveal_field(
    beneficiary_id: UUID, body: RevealIn, user: UserDep, reads: ReadDep, response: Response
) -> RevealOut:
    """One field of her case in clear, for the reason given (ADR 0046): operators, supervisors
    and auditors, always with a reason (422 REASON_REQUIRED without, PERSONAL_DATA_IN_TEXT for
    an identifier in it); never administrators or the data-protection officer (403
    REVEAL_NOT_ALLOWED). 422 FIELD_NOT_REVEALABLE for another field. The act is written to the
    access log and shows on her case's history; the answer is not to be cached."""
    response.headers["Cache-Control"] = "no-store"
    revealed = reads.reveals.reveal(user, beneficiary_id, body.field, body.reason)
    return RevealOut(field=revealed.field, value=revealed.value)
