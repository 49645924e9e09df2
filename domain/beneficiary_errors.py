"""The rules a beneficiary's case can break, each an error with a stable code."""

from __future__ import annotations

from domain.errors import InvalidValue, RuleViolation


class CaseNumberOfAnotherSite(InvalidValue):
    """Raised when a woman is registered at a site under a case number that begins with
    another site's code: her number names the site she was found at."""

    code = "CASE_NUMBER_OF_ANOTHER_SITE"

    def __init__(self, site_code: str) -> None:
        super().__init__(
            f"case number must start with the site code {site_code}", field="case_number"
        )
        self.site_code = site_code


class NikAlreadyInProgramme(RuleViolation):
    """Raised when the NIK being verified already belongs to another case in the programme."""

    code = "NIK_ALREADY_IN_PROGRAMME"


class BeneficiaryIsMinor(RuleViolation):
    """Raised when someone under 18 on the pendataan date would be verified as a beneficiary."""

    code = "BENEFICIARY_IS_MINOR"


class BirthDateErased(RuleViolation):
    """Raised when her pendataan date is corrected and the birth date it must be checked
    against has been erased, so the age rule at pendataan can no longer be checked."""

    code = "BIRTH_DATE_ERASED"


class NotAMinor(RuleViolation):
    """Raised when a referral to child protection names someone 18 or over at pendataan."""

    code = "NOT_A_MINOR"


class ReasonRequired(RuleViolation):
    """Raised when an exception to the normal path is recorded without a reason."""

    code = "REASON_REQUIRED"


class DocumentRequired(RuleViolation):
    """Raised when a step that rests on a document is recorded without one."""

    code = "DOCUMENT_REQUIRED"


class SiteNotClosed(RuleViolation):
    """Raised when someone is sent to training before her site has been closed."""

    code = "SITE_NOT_CLOSED"


class TrainingFacilityUnknown(InvalidValue):
    """Raised when training is recorded at a facility that is not registered."""

    code = "TRAINING_FACILITY_UNKNOWN"


class GrantNeedsCompletedTraining(RuleViolation):
    """Raised when a drop-out requests a grant and the programme does not let drop-outs keep it."""

    code = "GRANT_NEEDS_COMPLETED_TRAINING"


class HandOverNotAwaited(RuleViolation):
    """Raised when a unit accepts a case no hand-over to it awaits (ADR 0044)."""

    code = "HANDOVER_NOT_AWAITED"
