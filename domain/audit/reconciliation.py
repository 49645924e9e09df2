"""Reconciliation checks (A13, A14): the ledger's credits against the bank's statements, by
bank reference, as `domain.reconciliation` does for a report, but kept current by the log."""

from __future__ import annotations

from datetime import timedelta

from domain.audit.facts import AuditContext, ReferenceFacts
from domain.audit.rules import Rule, Severity, SubjectKind, Verdict

FAMILY = "reconciliation"

A13 = Rule(
    "A13",
    FAMILY,
    "Bank reconciliation: a credit the statement covering its date does not show, a transfer "
    "the ledger does not know, or amounts that differ",
    Severity.BLOCKING,
    SubjectKind.BANK_REFERENCE,
    "Ask the bank for the transfer's proof and correct the ledger or the bank's record",
    "S42",
)
A14 = Rule(
    "A14",
    FAMILY,
    "Credited but no withdrawal seen after the withdrawal deadline (tidak bertransaksi)",
    Severity.FLAG,
    SubjectKind.ENTITLEMENT,
    "Visit her: confirm she holds the passbook and card; if unclaimed, mark it and return it",
    "S42, S51",
    thresholds=("withdrawal_days",),
)
RULES = (A13, A14)


def evaluate_reference(ref: ReferenceFacts, ctx: AuditContext, verdict: Verdict) -> None:
    """The findings under one bank reference."""
    transfers = [line for line in ref.lines if line.kind == "TRANSFER_OUT"]
    site = next((c.site_id for c in ref.credits if c.site_id), None)
    credited = sum(c.amount for c in ref.credits)
    sent = sum(t.amount for t in transfers)
    evidence = (*(c.credited_at for c in ref.credits), *(t.position for t in transfers))
    if transfers and not ref.credits:
        verdict.add(
            A13,
            ref.reference,
            site,
            f"statement shows a transfer of {sent} the ledger does not know",
            evidence,
        )
    elif ref.credits and not transfers:
        first = ref.first_value_date
        if first is not None and ctx.statement_covers(first):
            verdict.add(
                A13,
                ref.reference,
                site,
                f"credit of {credited} on {first} not on the statement covering it",
                evidence,
            )
    elif credited != sent:
        verdict.add(
            A13,
            ref.reference,
            site,
            f"ledger credited {credited}, statement shows {sent}",
            evidence,
        )
    withdrawn = any(line.kind == "WITHDRAWAL" for line in ref.lines)
    for credit in ref.credits:
        moved_on = credit.withdrawal_at or credit.unclaimed_at or credit.returned_at
        if withdrawn or moved_on is not None:
            continue
        due = credit.value_date + timedelta(days=ctx.threshold("withdrawal_days"))
        if ctx.clock > due:
            verdict.add(
                A14,
                credit.entitlement_id,
                credit.site_id,
                f"credited {credit.value_date}; no withdrawal seen by {due}",
                (credit.credited_at,),
            )
        else:
            verdict.wake(due + timedelta(days=1))
