"""The lifecycle reference (docs/lifecycles.md), generated from the declarations.

Regenerate with ``python -m domain.lifecycle_docs > docs/lifecycles.md``; a test fails while
the committed file differs from what the declarations produce.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.assignments import ASSIGNMENT_LIFECYCLE
from domain.audit.acknowledgement import ACKNOWLEDGEMENT_LIFECYCLE
from domain.audit.catalogue import NOT_RUN, RULES
from domain.audit.rules import Rule
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE, EXPORT_LIFECYCLE
from domain.bank_statement import STATEMENT_LIFECYCLE
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.lifecycle import Correction, Deadline, Lifecycle, StateSpec, Transition
from domain.money_lifecycles import (
    BATCH_LIFECYCLE,
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
)
from domain.privacy.assessment_review import ASSESSMENT_REVIEW_LIFECYCLE
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from domain.privacy.destruction import DESTRUCTION_LIFECYCLE
from domain.privacy.erasure import ERASURE_LIFECYCLE
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE
from domain.privacy.request_lifecycle import SUBJECT_REQUEST_LIFECYCLE
from domain.privacy.retention import RETENTION_POLICY_LIFECYCLE
from domain.report_lifecycles import REPORT_LIFECYCLE
from domain.restatement import RESTATEMENT_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from domain.staff import STAFF_LIFECYCLE
from domain.units import UNIT_LIFECYCLE

REGENERATE = "python -m domain.lifecycle_docs > docs/lifecycles.md"
LIFECYCLES: tuple[Lifecycle, ...] = (
    SITE_LIFECYCLE,
    BENEFICIARY_LIFECYCLE,
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
    BATCH_LIFECYCLE,
    STATEMENT_LIFECYCLE,
    AUDIT_FINDING_LIFECYCLE,
    EXPORT_LIFECYCLE,
    ACKNOWLEDGEMENT_LIFECYCLE,
    RESTATEMENT_LIFECYCLE,
    REPORT_LIFECYCLE,
    UNIT_LIFECYCLE,
    STAFF_LIFECYCLE,
    ASSIGNMENT_LIFECYCLE,
    ERASURE_LIFECYCLE,
    SUBJECT_REQUEST_LIFECYCLE,
    RETENTION_POLICY_LIFECYCLE,
    LEGAL_HOLD_LIFECYCLE,
    DESTRUCTION_LIFECYCLE,
    ASSESSMENT_REVIEW_LIFECYCLE,
    BREACH_LIFECYCLE,
)


def render_lifecycle_docs(lifecycles: Iterable[Lifecycle] = LIFECYCLES) -> str:
    """The whole Markdown document: per aggregate a diagram, its states, transitions, deadlines."""
    parts = [
        "# Lifecycles\n",
        f"<!-- Generated from the declarations in domain/ by `{REGENERATE}`."
        " Do not edit by hand. -->\n",
        "Each aggregate's states, transitions (command, event, roles, guards) and deadlines are"
        " declared once, as data, in `domain/`. The aggregates enforce those declarations; the"
        " worklist, the API's role checks and this page read them. Guards prefixed with an"
        " UPPER_SNAKE code raise the domain error with that code. A step may not be dated"
        " before the steps named under *Not dated before*, as last recorded on the same"
        " record (`DATED_BEFORE_PREVIOUS_STEP`, checked on new commands and date corrections,"
        " never on stored events); orders across records are raised by audit check A26 or"
        " refused by a guard. Deadline durations are programme settings; the default applies"
        " when a programme does not set one.\n",
    ]
    for lifecycle in lifecycles:
        parts.append(_render_one(lifecycle))
    parts.append(_render_rules(RULES))
    return "\n".join(parts)


def _render_rules(rules: Iterable[Rule]) -> str:
    """The automatic audit checks (domain research section 7), as `domain/audit/` declares them."""
    return "\n".join(
        [
            "## Audit checks\n",
            "Run continuously by the `audit_findings` projection on the log's clock"
            " (ADR 0016). Severity B blocks, F flags; thresholds are programme settings.\n",
            _table(
                ("Rule", "Check", "Severity", "Subject", "Suggested action", "Thresholds"),
                [_rule_row(r) for r in rules],
            ),
            "### Checks not run\n",
            _table(("Rule", "Why"), [(_code(k), why) for k, why in sorted(NOT_RUN.items())]),
        ]
    )


def _rule_row(rule: Rule) -> tuple[str, ...]:
    severity = rule.severity.value
    if rule.escalates_to is not None:
        severity += f" → {rule.escalates_to.value} {rule.escalation}"
    return (
        _code(rule.rule_id),
        rule.check,
        severity,
        rule.subject_kind.value,
        rule.suggested_action,
        ", ".join(_code(t) for t in rule.thresholds),
    )


def _render_one(lifecycle: Lifecycle) -> str:
    sections = [
        f"## {lifecycle.aggregate}\n",
        f"Initial state: `{lifecycle.initial}`.\n",
        f"```mermaid\n{lifecycle.mermaid()}```\n",
        f"### {lifecycle.aggregate} states\n",
        _table(
            ("State", "Description", "Next action", "Terminal"),
            [_state_row(s) for s in lifecycle.states],
        ),
        f"### {lifecycle.aggregate} transitions\n",
        _table(
            ("Command", "Event", "From", "To", "Not dated before", "Roles", "Guards"),
            [_transition_row(lifecycle, t) for t in lifecycle.transitions],
        ),
        f"### {lifecycle.aggregate} deadlines\n",
        _table(
            ("Setting", "States", "Clock starts", "Default days", "Description"),
            [_deadline_row(d) for d in lifecycle.deadlines],
        )
        if lifecycle.deadlines
        else "None declared.\n",
    ]
    if lifecycle.corrections:
        sections += [
            f"### {lifecycle.aggregate} corrections\n",
            "Allowed in every state; the state does not move. A correction names the event it"
            " corrects and carries the old and the new value (ADR 0022).\n",
            _table(
                ("Command", "Event", "Roles", "Guards"),
                [_correction_row(c) for c in lifecycle.corrections],
            ),
        ]
    return "\n".join(sections)


def _state_row(spec: StateSpec) -> tuple[str, ...]:
    return (
        _code(spec.name),
        spec.description,
        _code(spec.next_action) if spec.next_action else "",
        "yes" if spec.terminal else "",
    )


def _transition_row(lifecycle: Lifecycle, t: Transition) -> tuple[str, ...]:
    sources = "(creation)" if t.sources is None else ", ".join(_code(s) for s in t.sources)
    target = _code(t.target) if t.target else "(unchanged)"
    followed = ", ".join(_code(e) for e in lifecycle.steps_followed(t))
    return (
        _code(t.command),
        _code(t.event),
        sources,
        target,
        followed if t.sources is None or followed else "(any date)",
        ", ".join(r.value for r in t.roles),
        "<br>".join(t.guards),
    )


def _correction_row(c: Correction) -> tuple[str, ...]:
    return (
        _code(c.command),
        _code(c.event),
        ", ".join(r.value for r in c.roles),
        "<br>".join(c.guards),
    )


def _deadline_row(d: Deadline) -> tuple[str, ...]:
    return (
        _code(d.setting),
        ", ".join(_code(s) for s in d.states),
        ", ".join(_code(e) for e in d.clock_starts),
        str(d.default_days),
        d.description,
    )


def _code(text: str) -> str:
    return f"`{text}`"


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = [_row(header), _row(tuple("---" for _ in header))]
    lines.extend(_row(r) for r in rows)
    return "\n".join(lines) + "\n"


def _row(cells: tuple[str, ...]) -> str:
    escaped = (c.replace("|", "\\|").replace("\n", " ") for c in cells)
    return "| " + " | ".join(escaped) + " |"


if __name__ == "__main__":
    print(render_lifecycle_docs(), end="")
