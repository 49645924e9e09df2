"""The declared lifecycles of the audit register: external audit findings and export records.

Domain notes section 6.4: under UU 15/2004 Pasal 20 the official must answer each
recommendation of a BPK report (LHP) within 60 days of receiving it; Pasal 26(2) makes failing
to do so an offence. The audit body then judges the follow-up (sesuai / belum sesuai) until the
finding is closed.
"""

from __future__ import annotations

from domain.lifecycle import (
    SUPERVISOR_ONLY,
    Deadline,
    Lifecycle,
    StateSpec,
    Transition,
)
from domain.recording import DocumentKind, Role

# Auditors of this system read and export but change nothing, so findings are recorded by a
# supervisor from the audit body's papers; administrators manage accounts, not programme facts.
NO_PERSONAL_DATA = (
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the texts or reason"
)
RESPONSE_GUARDS = (
    "DOCUMENT_REQUIRED: the answer letter",
    "DATES_OUT_OF_ORDER: not before the LHP was received",
    NO_PERSONAL_DATA,
)
AUDIT_LETTER = "DOCUMENT_REQUIRED: the audit body's letter"

AUDIT_FINDING_LIFECYCLE = Lifecycle(
    aggregate="AuditFinding",
    states=(
        StateSpec(
            "OPEN",
            "Recorded from the LHP; awaiting the official's answer",
            next_action="submit_response",
        ),
        StateSpec(
            "RESPONDED",
            "Answered; awaiting the audit body's assessment of the follow-up",
            next_action="accept_follow_up",
        ),
        StateSpec(
            "FOLLOW_UP_REJECTED",
            "The audit body found the follow-up insufficient (belum sesuai); awaiting more",
            next_action="submit_response",
        ),
        StateSpec(
            "FOLLOW_UP_ACCEPTED",
            "The audit body accepted the follow-up (sesuai); awaiting closure",
            next_action="close_finding",
        ),
        StateSpec("CLOSED", "Closed on the audit body's word; the record stays", terminal=True),
    ),
    transitions=(
        Transition(
            "record_finding",
            "FindingRecorded",
            None,
            "OPEN",
            roles=SUPERVISOR_ONLY,
            guards=(
                "DOCUMENT_REQUIRED: the LHP as the document",
                "DATES_OUT_OF_ORDER: issued, then received, then recorded",
                NO_PERSONAL_DATA,
            ),
            documents=(DocumentKind.LHP,),
        ),
        Transition(
            "submit_response",
            "ResponseSubmitted",
            ("OPEN", "FOLLOW_UP_REJECTED"),
            "RESPONDED",
            # The answer to an examiner is the answerable official's letter (ADR 0031).
            roles=SUPERVISOR_ONLY,
            guards=RESPONSE_GUARDS,
        ),
        # More papers (a recovery deposit, a second letter) may follow an answer.
        Transition(
            "submit_response",
            "ResponseSubmitted",
            ("RESPONDED", "FOLLOW_UP_ACCEPTED"),
            None,
            roles=SUPERVISOR_ONLY,
            guards=RESPONSE_GUARDS,
        ),
        Transition(
            "accept_follow_up",
            "FollowUpAccepted",
            ("RESPONDED",),
            "FOLLOW_UP_ACCEPTED",
            roles=SUPERVISOR_ONLY,
            guards=(AUDIT_LETTER, NO_PERSONAL_DATA),
        ),
        Transition(
            "reject_follow_up",
            "FollowUpRejected",
            ("RESPONDED",),
            "FOLLOW_UP_REJECTED",
            roles=SUPERVISOR_ONLY,
            guards=(
                AUDIT_LETTER,
                "REASON_REQUIRED: what the audit body found lacking",
                NO_PERSONAL_DATA,
            ),
        ),
        Transition(
            "close_finding",
            "FindingClosed",
            ("FOLLOW_UP_ACCEPTED",),
            "CLOSED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "DOCUMENT_REQUIRED: the audit body's monitoring result or closing letter",
                "RECOVERY_INCOMPLETE: any amount to recover was recovered in full",
                NO_PERSONAL_DATA,
            ),
        ),
    ),
    deadlines=(
        Deadline(
            "bpk_response_days",
            ("OPEN",),
            ("FindingRecorded",),
            60,
            "Answer a recommendation within this many days of receiving the LHP"
            " (UU 15/2004 Pasal 20)",
        ),
        Deadline(
            "follow_up_days",
            ("FOLLOW_UP_REJECTED",),
            ("FollowUpRejected",),
            60,
            "Answer again within this many days of a rejected follow-up (a programme setting,"
            " not the statute)",
        ),
    ),
)

EVERY_ROLE: tuple[Role, ...] = tuple(Role)

EXPORT_LIFECYCLE = Lifecycle(
    aggregate="ExportRecord",
    states=(
        StateSpec("RECORDED", "An export was handed out; the record never changes", terminal=True),
    ),
    transitions=(
        # Whoever exports is recorded, auditors included: recording what they took is not a
        # change to the programme's record.
        Transition(
            "record_export",
            "ExportMade",
            None,
            "RECORDED",
            roles=EVERY_ROLE,
            guards=(
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the filters",
            ),
        ),
    ),
)
