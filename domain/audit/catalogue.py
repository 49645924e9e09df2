"""Every audit rule, and the evaluation of each kind of dossier: what the projection, the docs,
the API and the CLI read."""

from __future__ import annotations

from domain.audit import identity, money, reconciliation, sites
from domain.audit.facts import AuditContext, CaseFacts, Dossier, ReferenceFacts, SiteFacts
from domain.audit.rules import Rule, Verdict

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (*identity.RULES, *money.RULES, *reconciliation.RULES, *sites.RULES),
        key=lambda r: r.rule_id,
    )
)
RULES_BY_ID = {r.rule_id: r for r in RULES}
assert len(RULES_BY_ID) == len(RULES), "two rules share an id"

# Checks of domain research section 7 not run here, and why (also in ADR 0016).
NOT_RUN = {
    "A04": "no Dukcapil access: the match status is always 'not_checked'",
    "A08": "refused when recorded: a minor is referred to child protection, never verified",
    "A11": "one funding source per programme so far; no APBN/APBD purpose is recorded",
    "A21": "refused when recorded: compensation needs a court decision and never mixes with "
    "worker aid",
    "A25": "BPK recommendations are not recorded yet",
}


def evaluate(dossier: Dossier, ctx: AuditContext) -> Verdict:
    """Every finding one dossier's facts give on the log's clock."""
    verdict = Verdict()
    if isinstance(dossier, CaseFacts):
        identity.evaluate_identity(dossier, ctx, verdict)
        money.evaluate_money(dossier, ctx, verdict)
    elif isinstance(dossier, SiteFacts):
        sites.evaluate_site(dossier, ctx, verdict)
    elif isinstance(dossier, ReferenceFacts):
        reconciliation.evaluate_reference(dossier, ctx, verdict)
    return verdict
