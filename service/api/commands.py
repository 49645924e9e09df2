"""Command endpoints: one per lifecycle transition. Each declares the lifecycle's roles for its
command as a dependency (403 for any other role, before the body is read: ADR 0031), calls one
application method, and returns the position to wait for. Every one honours
`Idempotency-Key` through the router's route class (ADR 0012)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from domain.beneficiary import IdentityEvidence
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from service.api.access import command_role
from service.api.deps import JejakDep, UserDep
from service.api.idempotent import IdempotentCommandRoute
from service.api.models import (
    AssessmentIn,
    ChildProtectionIn,
    ClosureDecreeIn,
    ClosureIn,
    CommandIn,
    CommandOut,
    ExclusionIn,
    InspectionIn,
    RegisterBeneficiaryIn,
    RegisterSiteIn,
    ReturnHomeIn,
    RosterIn,
    SosialisasiIn,
    TrainingCompletionIn,
    TrainingDepartureIn,
    VerifyIdentityIn,
)
from service.commands.base import CommandResult
from service.commands.beneficiaries import NewBeneficiary
from service.system import Jejak

router = APIRouter(prefix="/api", tags=["commands"], route_class=IdempotentCommandRoute)
CREATED = status.HTTP_201_CREATED


def command_out(jejak: Jejak, result: CommandResult) -> CommandOut:
    """The command's answer; the projection runner is woken to read its events."""
    jejak.runner.notify()
    return CommandOut(
        id=result.aggregate_id, version=result.version, state=result.state, position=result.position
    )


# --- sites ---------------------------------------------------------------------------------


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


# --- beneficiaries -------------------------------------------------------------------------


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post(
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
