"""Correction endpoints: a wrong fact is corrected by a new event naming the event it
corrects, with a reason and a document (ADR 0022). Roles come from the lifecycles'
declared corrections; every endpoint honours `Idempotency-Key` (ADR 0012)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from service.api.access import command_role
from service.api.answers import CREATED, command_out
from service.api.correction_models import (
    BeneficiaryDetailsCorrectionIn,
    DateCorrectionIn,
    DocumentCorrectionIn,
    MoneyCorrectionIn,
    RejectionIn,
    SiteDetailsCorrectionIn,
)
from service.api.deps import JejakDep, UserDep
from service.api.idempotent import IdempotentCommandRoute
from service.api.models import CommandIn, CommandOut

router = APIRouter(prefix="/api", tags=["corrections"], route_class=IdempotentCommandRoute)


# --- sites ---------------------------------------------------------------------------------


@router.post(
    "/sites/{site_id}/corrections/details",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "correct_site_details")],
)
def correct_site_details(
    site_id: UUID, body: SiteDetailsCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct a site's name, aliases, kelurahan or headcount at pendataan."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_site_details(
            site_id,
            name=body.name,
            aliases=body.aliases,
            kelurahan=body.kelurahan.to_domain() if body.kelurahan else None,
            headcount_at_pendataan=body.headcount_at_pendataan,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/sites/{site_id}/corrections/date",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "correct_site_date")],
)
def correct_site_date(
    site_id: UUID, body: DateCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct the date of a site's event (pendataan, sosialisasi, decree, closure,
    inspection); the closure's guards still hold (409 with their codes)."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_site_date(
            site_id,
            corrects_version=body.corrects_version,
            corrected_date=body.corrected_date,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/sites/{site_id}/corrections/document",
    status_code=CREATED,
    dependencies=[command_role(SITE_LIFECYCLE, "correct_site_document")],
)
def correct_site_document(
    site_id: UUID, body: DocumentCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct the document of a site's event (a decree's number, a berita acara's)."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_site_document(
            site_id,
            corrects_version=body.corrects_version,
            corrected_document=body.corrected_document.to_domain(),
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


# --- beneficiaries -------------------------------------------------------------------------


@router.post(
    "/beneficiaries/{beneficiary_id}/corrections/details",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "correct_beneficiary_details")],
)
def correct_beneficiary_details(
    beneficiary_id: UUID, body: BeneficiaryDetailsCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct her name or phone; the new values are sealed with her keys."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_beneficiary_details(
            beneficiary_id,
            name=body.name,
            phone=body.phone,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/beneficiaries/{beneficiary_id}/corrections/date",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "correct_beneficiary_date")],
)
def correct_beneficiary_date(
    beneficiary_id: UUID, body: DateCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct the date of an event of her case (pendataan, departure, return, ...)."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_beneficiary_date(
            beneficiary_id,
            corrects_version=body.corrects_version,
            corrected_date=body.corrected_date,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/beneficiaries/{beneficiary_id}/corrections/document",
    status_code=CREATED,
    dependencies=[command_role(BENEFICIARY_LIFECYCLE, "correct_beneficiary_document")],
)
def correct_beneficiary_document(
    beneficiary_id: UUID, body: DocumentCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Correct the document of an event of her case (a certificate, a confirmation)."""
    return command_out(
        jejak,
        jejak.app.corrections.correct_beneficiary_document(
            beneficiary_id,
            corrects_version=body.corrects_version,
            corrected_document=body.corrected_document.to_domain(),
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


# --- money ---------------------------------------------------------------------------------


@router.post(
    "/entitlements/{entitlement_id}/money-corrections",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "request_money_correction")],
)
def request_money_correction(
    entitlement_id: UUID, body: MoneyCorrectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Request a correction of a credit's or a return's amount or reference (supervisors);
    nothing changes until a second supervisor approves it."""
    return command_out(
        jejak,
        jejak.app.corrections.request_money_correction(
            entitlement_id,
            corrects_version=body.corrects_version,
            amount=body.amount,
            reference=body.reference,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/entitlements/{entitlement_id}/money-corrections/approval",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "approve_money_correction")],
)
def approve_money_correction(
    entitlement_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Approve the pending money correction (a second supervisor: 409 FOUR_EYES_REQUIRED
    otherwise); the ledger and the budget take the corrected amount."""
    return command_out(
        jejak,
        jejak.app.corrections.approve_money_correction(
            entitlement_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/entitlements/{entitlement_id}/money-corrections/rejection",
    status_code=CREATED,
    dependencies=[command_role(ENTITLEMENT_LIFECYCLE, "reject_money_correction")],
)
def reject_money_correction(
    entitlement_id: UUID, body: RejectionIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Reject the pending money correction, with a reason; nothing changes."""
    return command_out(
        jejak,
        jejak.app.corrections.reject_money_correction(
            entitlement_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )
