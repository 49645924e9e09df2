"""What an audit rule is, and what a check reports.

Each rule is declared once, as data (id, the check in words, severity, the subject it is about,
the suggested action, the precedent): the checks, the generated list in the docs, the API and
the CLI read the same declaration, as they read the lifecycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5


class Severity(StrEnum):
    """B blocks the transition it concerns; F flags it for review (domain research 7)."""

    BLOCKING = "B"
    FLAG = "F"


class SubjectKind(StrEnum):
    """What a finding is about."""

    BENEFICIARY = "beneficiary"
    ENTITLEMENT = "entitlement"
    SITE = "site"
    BANK_REFERENCE = "bank_reference"


@dataclass(frozen=True)
class Rule:
    """One automatic check.

    `escalates_to` and `escalation` describe a severity that rises with time (A15 becomes
    blocking once the fiscal year has closed). `thresholds` name the programme settings the
    check reads (`JEJAK_DEADLINE_DAYS`).
    """

    rule_id: str
    family: str
    check: str
    severity: Severity
    subject_kind: SubjectKind
    suggested_action: str
    precedent: str
    escalates_to: Severity | None = None
    escalation: str = ""
    thresholds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What a check found about one subject now; `evidence` are log positions of the events
    that show it. `summary` never holds personal data: ids, dates, amounts and codes only."""

    rule_id: str
    subject_kind: SubjectKind
    subject_id: str
    site_id: str | None
    severity: Severity
    summary: str
    evidence: tuple[int, ...]

    @property
    def finding_id(self) -> UUID:
        """Stable across re-derivations: the same rule about the same subject is one finding."""
        return finding_id(self.rule_id, self.subject_kind, self.subject_id)


def finding_id(rule_id: str, subject_kind: str, subject_id: str) -> UUID:
    """uuid5 of the rule and the subject."""
    return uuid5(NAMESPACE_URL, f"jejak:finding:{rule_id}:{subject_kind}:{subject_id}")


@dataclass
class Verdict:
    """What evaluating one subject's facts gives: its findings now, and the earliest business
    date on which the log's clock passing would change them (a deadline running)."""

    findings: list[Finding] = field(default_factory=list)
    wake_on: date | None = None

    def add(
        self,
        rule: Rule,
        subject_id: str,
        site_id: str | None,
        summary: str,
        evidence: tuple[int | None, ...],
        severity: Severity | None = None,
    ) -> None:
        """Record a finding of `rule`; unknown evidence positions (None) are left out."""
        self.findings.append(
            Finding(
                rule.rule_id,
                rule.subject_kind,
                subject_id,
                site_id,
                severity or rule.severity,
                summary,
                tuple(sorted({p for p in evidence if p is not None})),
            )
        )

    def wake(self, on: date) -> None:
        """Evaluate again once the log's clock reaches `on`, which is always after the clock
        the evaluation ran at: so every dossier whose deadline the clock has passed was woken,
        and a fold started from a past position looks for the dossiers to wake only between
        that position's clock and the new one (ADR 0028)."""
        self.wake_on = on if self.wake_on is None else min(self.wake_on, on)
