"""The declared lifecycle of a published report: figures sent out of the programme, frozen.

A report such as the quarter's figures for the Ministry of Social Affairs is published once per
kind and period; a correction is a new version that names the one it replaces and says why.
Nothing published is ever edited (ADR 0021).
"""

from __future__ import annotations

from domain.lifecycle import SUPERVISOR_ONLY, Lifecycle, StateSpec, Transition
from domain.recording import Role

# Auditors read what was published and change nothing; publishing is an official's act, never
# an IT administrator's (ADR 0031).
PUBLISHERS: tuple[Role, ...] = SUPERVISOR_ONLY
NO_PERSONAL_DATA = (
    "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the addressee, the"
    " figures' texts or the reason"
)
FIGURES = (
    "FIGURES_INVALID: the figures of the report's kind and period, computed from the log as"
    " known at a position: whole numbers and short texts, never personal data"
)

REPORT_LIFECYCLE = Lifecycle(
    aggregate="PublishedReport",
    states=(
        StateSpec(
            "PUBLISHED",
            "Sent out with its figures, their SHA-256 and the log position they were computed"
            " at; a correction is a new version, never an edit",
            standing=True,
        ),
    ),
    transitions=(
        Transition(
            "publish_report",
            "ReportPublished",
            None,
            "PUBLISHED",
            roles=PUBLISHERS,
            guards=(
                "PERIOD_INVALID: the period ends on or after its start, and by the publication"
                " date",
                "DOCUMENT_REQUIRED: the covering letter, whose number is the report's reference",
                "REPORT_ALREADY_PUBLISHED: once per kind and period; a correction is a"
                " republication",
                FIGURES,
                NO_PERSONAL_DATA,
            ),
        ),
        Transition(
            "republish_report",
            "ReportRepublished",
            ("PUBLISHED",),
            None,
            roles=PUBLISHERS,
            guards=(
                "REASON_REQUIRED: why the published figures are corrected",
                "DOCUMENT_REQUIRED: the covering letter of the corrected version",
                "REPORT_UNCHANGED: the figures differ from those of the version replaced",
                "names the version it replaces, which must be the latest (VERSION_CONFLICT"
                " otherwise)",
                FIGURES,
                NO_PERSONAL_DATA,
            ),
        ),
    ),
)
