"""The declared lifecycle of a personal-data breach (kegagalan pelindungan data pribadi).

UU 27/2022 Pasal 46: when the protection of personal data fails, the controller gives written
notice within 3x24 hours to the subjects and to the agency (lembaga PDP; while it is not set up,
the ministry, domain notes section 8.1), stating what was exposed, when and how, and what is
being done; the public too in some cases. The clock runs from the moment the breach was
discovered, suspected or not: waiting for certainty is no reason to notify late.
"""

from __future__ import annotations

from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.privacy.clocks import RESPONSE_WINDOW
from domain.recording import DocumentKind, Role

# 3x24 hours from the discovery to the notices (Pasal 46(1)).
NOTIFICATION_WINDOW = RESPONSE_WINDOW

# The data-protection officer keeps the register (UU PDP Pasal 53-54): records, judges and
# notifies. Supervisors and auditors read it; nobody else writes to it.
DPO_ONLY: tuple[Role, ...] = (Role.DPO,)

NO_PERSONAL_DATA = (
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the texts or reason"
)

BREACH_LIFECYCLE = Lifecycle(
    aggregate="Breach",
    states=(
        StateSpec(
            "SUSPECTED",
            "Recorded as suspected; the 3x24-hour clock runs from its discovery",
            next_action="confirm_breach",
        ),
        StateSpec(
            "CONFIRMED",
            "A breach: the notices to the subjects and to the agency are due",
            next_action="record_notice_sent",
        ),
        StateSpec(
            "NOTIFIED",
            "The subjects and the agency were notified; awaiting closure",
            next_action="close_breach",
        ),
        StateSpec("DISMISSED", "Judged not to be a breach, with the reason", terminal=True),
        StateSpec("CLOSED", "Handled and closed; the record stays", terminal=True),
    ),
    transitions=(
        Transition(
            "record_suspected_breach",
            "SuspectedBreachRecorded",
            None,
            "SUSPECTED",
            roles=DPO_ONLY,
            guards=(
                "DATES_OUT_OF_ORDER: it happened, then was discovered, then was recorded",
                "INVALID_VALUE: the discovery time carries its time zone",
                "AFFECTED_NOT_STATED: the affected cases or an estimated count",
                NO_PERSONAL_DATA,
            ),
        ),
        Transition(
            "confirm_breach",
            "BreachConfirmed",
            ("SUSPECTED",),
            "CONFIRMED",
            roles=DPO_ONLY,
            guards=(
                "AFFECTED_NOT_STATED: the affected cases or an estimated count, when restated",
                NO_PERSONAL_DATA,
            ),
        ),
        Transition(
            "dismiss_breach",
            "BreachDismissed",
            ("SUSPECTED",),
            "DISMISSED",
            roles=DPO_ONLY,
            guards=("REASON_REQUIRED: why it was not a breach", NO_PERSONAL_DATA),
        ),
        # What was done to contain and recover (Pasal 46(2)(c)); as often as needed.
        Transition(
            "record_remediation",
            "RemediationRecorded",
            ("SUSPECTED", "CONFIRMED", "NOTIFIED"),
            None,
            roles=DPO_ONLY,
            # Dated by the act itself: containment often comes before the confirmation.
            follows=("SuspectedBreachRecorded",),
            guards=(NO_PERSONAL_DATA,),
        ),
        Transition(
            "record_notice_sent",
            "NoticeSent",
            ("CONFIRMED", "NOTIFIED"),
            None,
            roles=DPO_ONLY,
            # Dated by its own sending (checked against the discovery to the minute), which
            # may precede the confirmation's or the completion's recording.
            follows=("SuspectedBreachRecorded",),
            guards=(
                "DOCUMENT_REQUIRED: the notice letter sent",
                "REMEDIATION_REQUIRED: a notice says what is being done, so some remediation"
                " is recorded first",
                "SUBJECTS_NOT_LISTED: a notice per subject needs the affected cases listed",
                "NOT_AN_AFFECTED_CASE: each subject notified is one of the affected cases",
                "DATES_OUT_OF_ORDER: sent after the breach was discovered",
                NO_PERSONAL_DATA,
            ),
            documents=(DocumentKind.SURAT,),
        ),
        # Recorded with the notice that completes both the subjects' and the agency's: the
        # 3x24-hour clock stops here.
        Transition(
            "complete_notification",
            "NotificationCompleted",
            ("CONFIRMED",),
            "NOTIFIED",
            roles=DPO_ONLY,
            guards=(
                "NOTICES_OUTSTANDING: every affected subject (or all in one notice) and the"
                " agency were notified",
            ),
        ),
        Transition(
            "close_breach",
            "BreachClosed",
            ("NOTIFIED",),
            "CLOSED",
            roles=DPO_ONLY,
            guards=("DOCUMENT_REQUIRED: the report closing the handling", NO_PERSONAL_DATA),
            documents=(DocumentKind.LAPORAN,),
        ),
    ),
)
