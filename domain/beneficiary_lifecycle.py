"""The declared lifecycle of a beneficiary, from pendataan to case closure."""

from __future__ import annotations

from domain.corrections import CORRECTION_GUARDS, IN_ORDER_AFTER_CORRECTION
from domain.lifecycle import (
    SUPERVISOR_ONLY,
    Correction,
    Deadline,
    Lifecycle,
    StateSpec,
    Transition,
)

STATES = (
    StateSpec(
        "REGISTERED",
        "Counted at pendataan; identity not yet verified",
        next_action="verify_identity",
    ),
    StateSpec(
        "VERIFIED", "Identity verified; awaiting the social-work assessment", next_action="assess"
    ),
    StateSpec(
        "ASSESSED",
        "Assessed; awaiting departure for training (site must be closed)",
        next_action="send_to_training",
    ),
    StateSpec("IN_TRAINING", "At a training facility", next_action="complete_training"),
    StateSpec(
        "TRAINED",
        "Training completed; awaiting return home or a local stay",
        next_action="confirm_return_home",
    ),
    StateSpec(
        "DROPPED_OUT",
        "Left training early; awaiting return home or a local stay",
        next_action="confirm_return_home",
    ),
    StateSpec(
        "RETURNED",
        "Arrival confirmed by the home kelurahan; her aid is paid through the ledger",
        next_action="close_case",
    ),
    StateSpec(
        "STAYED_LOCAL",
        "Stays locally under a signed statement; her aid is paid through the ledger",
        next_action="close_case",
    ),
    StateSpec("CLOSED", "Case closed (terminasi)", terminal=True),
    StateSpec("EXCLUDED", "Excluded from the programme with a reason", terminal=True),
    StateSpec(
        "REFERRED_CHILD_PROTECTION",
        "Under 18 at pendataan; referred to child protection",
        terminal=True,
    ),
    StateSpec("WITHDRAWN", "Withdrew from the programme", terminal=True),
    StateSpec("DECEASED", "Died", terminal=True),
)

OPEN_STATES = tuple(s.name for s in STATES if not s.terminal)
RETURNED_OR_LOCAL = ("RETURNED", "STAYED_LOCAL")
# Where her case may await a hand-over: once sent to train, and once back home.
HANDED_OVER_STATES = ("IN_TRAINING", "TRAINED", "DROPPED_OUT", *RETURNED_OR_LOCAL)
WITH_VERIFIED_IDENTITY = (
    "VERIFIED",
    "ASSESSED",
    "IN_TRAINING",
    "TRAINED",
    "DROPPED_OUT",
    *RETURNED_OR_LOCAL,
)

BENEFICIARY_LIFECYCLE = Lifecycle(
    aggregate="Beneficiary",
    states=STATES,
    transitions=(
        Transition(
            "register_beneficiary",
            "BeneficiaryRegistered",
            None,
            "REGISTERED",
            guards=(
                "case number contains no personal data",
                "CASE_NUMBER_OF_ANOTHER_SITE: the case number begins with her site's code",
            ),
        ),
        Transition(
            "verify_identity",
            "IdentityVerified",
            ("REGISTERED",),
            "VERIFIED",
            guards=(
                "NIK_INVALID: valid NIK structure",
                "BENEFICIARY_IS_MINOR: 18 or over on the pendataan date",
                "NIK_ALREADY_IN_PROGRAMME: NIK not already in the programme",
            ),
        ),
        Transition(
            "exclude",
            "BeneficiaryExcluded",
            ("REGISTERED", "VERIFIED", "ASSESSED"),
            "EXCLUDED",
            guards=("REASON_REQUIRED: a reason is recorded",),
        ),
        Transition(
            "refer_to_child_protection",
            "ReferredToChildProtection",
            ("REGISTERED",),
            "REFERRED_CHILD_PROTECTION",
            guards=("NOT_A_MINOR: under 18 on the pendataan date",),
        ),
        Transition(
            "assess",
            "Assessed",
            ("VERIFIED",),
            "ASSESSED",
            guards=("DOCUMENT_REQUIRED: the evidence of her home region",),
        ),
        Transition(
            "send_to_training",
            "SentToTraining",
            ("ASSESSED",),
            "IN_TRAINING",
            guards=(
                "SITE_NOT_CLOSED: the site was closed by the departure date",
                "TRAINING_FACILITY_UNKNOWN: a registered facility",
            ),
        ),
        Transition("complete_training", "TrainingCompleted", ("IN_TRAINING",), "TRAINED"),
        Transition(
            "drop_out",
            "TrainingDroppedOut",
            ("IN_TRAINING",),
            "DROPPED_OUT",
            guards=("REASON_REQUIRED: a reason is recorded",),
        ),
        Transition(
            "confirm_return_home",
            "ReturnedHome",
            ("TRAINED", "DROPPED_OUT"),
            "RETURNED",
            guards=("DOCUMENT_REQUIRED: the home kelurahan's confirmation",),
        ),
        Transition(
            "stay_locally",
            "StayedLocally",
            ("TRAINED", "DROPPED_OUT"),
            "STAYED_LOCAL",
            guards=("DOCUMENT_REQUIRED: her signed statement",),
        ),
        # A hand-over between two units in the system waits for the receiving unit (ADR 0044).
        Transition(
            "accept_hand_over",
            "HandOverAccepted",
            HANDED_OVER_STATES,
            None,
            guards=("HANDOVER_NOT_AWAITED: a hand-over to the accepting unit awaits it",),
            follows=("SentToTraining", "ReturnedHome", "StayedLocally"),
        ),
        Transition(
            "close_case",
            "CaseClosed",
            RETURNED_OR_LOCAL,
            "CLOSED",
            roles=SUPERVISOR_ONLY,
            guards=("AID_STILL_DUE: every decreed entitlement is settled first",),
        ),
        Transition(
            "record_bank_account",
            "BankAccountRecorded",
            WITH_VERIFIED_IDENTITY,
            None,
            guards=(
                "DOCUMENT_REQUIRED: her passbook or the bank's letter",
                "BANK_ACCOUNT_SHARED: not the account of another case",
                "ACCOUNT_CHANGE_WHILE_ORDERED: not while a transfer to her is at the bank",
            ),
            # Her passbook may be dated while she was still in training.
            follows=("IdentityVerified",),
        ),
        Transition(
            "include_in_decree",
            "AidDecreed",
            WITH_VERIFIED_IDENTITY,
            None,
            roles=SUPERVISOR_ONLY,
            guards=("IDENTITY_NOT_VERIFIED: a decree names only verified people",),
            # Dated by the decree, another record, which may be issued at any point after her
            # identity is verified (an order across records is an audit question).
            follows=("IdentityVerified",),
        ),
        Transition(
            "withdraw",
            "BeneficiaryWithdrew",
            OPEN_STATES,
            "WITHDRAWN",
            guards=("REASON_REQUIRED: a reason is recorded",),
        ),
        Transition(
            "record_death",
            "BeneficiaryDied",
            OPEN_STATES,
            "DECEASED",
            guards=("DOCUMENT_REQUIRED: the evidence of death",),
        ),
    ),
    deadlines=(
        Deadline(
            "identity_verification_days",
            ("REGISTERED",),
            ("BeneficiaryRegistered",),
            30,
            "Verify identity within this many days of pendataan",
        ),
        Deadline(
            "assessment_days",
            ("VERIFIED",),
            ("IdentityVerified",),
            30,
            "Assess within this many days of verification",
        ),
        Deadline(
            "departure_days",
            ("ASSESSED",),
            ("Assessed",),
            90,
            "Send to training within this many days of assessment",
        ),
        Deadline(
            "training_days",
            ("IN_TRAINING",),
            ("SentToTraining",),
            180,
            "Training ends within this many days of departure (Kaltim ran 4.5 months)",
        ),
        Deadline(
            "return_days",
            ("TRAINED", "DROPPED_OUT"),
            ("TrainingCompleted", "TrainingDroppedOut"),
            30,
            "Return home or settle locally within this many days of leaving training",
        ),
        Deadline(
            "case_closure_days",
            RETURNED_OR_LOCAL,
            ("ReturnedHome", "StayedLocally"),
            365,
            "Pay her aid and close the case within this many days of return (aftercare)",
        ),
    ),
    corrections=(
        Correction(
            "correct_beneficiary_details",
            "BeneficiaryDetailsCorrected",
            guards=(
                *CORRECTION_GUARDS,
                "her name and phone, sealed with her keys",
                "a verified name moves in the duplicate index (check A06)",
            ),
        ),
        Correction(
            "correct_beneficiary_date",
            "BeneficiaryDateCorrected",
            guards=(
                *CORRECTION_GUARDS,
                IN_ORDER_AFTER_CORRECTION,
                "SITE_NOT_CLOSED: a departure still follows the closure",
                "BENEFICIARY_IS_MINOR: a verified woman still 18 or over on the pendataan date",
                "NOT_A_MINOR: a referred girl still under 18 on the pendataan date",
                "BIRTH_DATE_ERASED: her birth date is still readable to check it against",
            ),
        ),
        Correction(
            "correct_beneficiary_document",
            "BeneficiaryDocumentCorrected",
            guards=CORRECTION_GUARDS,
        ),
    ),
)

LEFT_THE_PROGRAMME = (
    "BeneficiaryExcluded",
    "ReferredToChildProtection",
    "BeneficiaryWithdrew",
    "BeneficiaryDied",
)
OUT_OF_PROGRAMME_STATES = frozenset(
    t.target for t in BENEFICIARY_LIFECYCLE.transitions if t.event in LEFT_THE_PROGRAMME
)
"""Where a person stands once she is excluded, referred, withdrew or died: no longer counted
as in the programme (a closed case or a drop-out still is)."""
