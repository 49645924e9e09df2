"""Money checks (A09, A10, A12, A15, A16, A17, A18, A19, A22, A24) over one case's entitlements.

Most of these are also guards that refuse the command (a payment after death, living allowance
before arrival): the guards prevent, the checks detect, so an event that reached the log by
another path (an import, a backdated death, a rule switched off) is still reported.
Deadlines are measured on the log's clock (`AuditContext.clock`).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.audit.facts import AuditContext, CaseFacts, EntitlementFacts
from domain.audit.rules import Rule, Severity, SubjectKind, Verdict

FAMILY = "money"

A09 = Rule(
    "A09",
    FAMILY,
    "Paid but not in a decree naming her; paid before the decree's date; decreed amount "
    "differs from the paid amount",
    Severity.BLOCKING,
    SubjectKind.ENTITLEMENT,
    "Stop further payments on it; obtain the decree or recover the difference",
    "S48",
)
A10 = Rule(
    "A10",
    FAMILY,
    "Component paid more than once; total paid to her exceeds the total decreed for her",
    Severity.BLOCKING,
    SubjectKind.BENEFICIARY,
    "Recover the excess and report it to the inspectorate",
    "S45",
)
A12 = Rule(
    "A12",
    FAMILY,
    "Value date outside the allocation's fiscal year; ordered but not credited by 31 December",
    Severity.FLAG,
    SubjectKind.ENTITLEMENT,
    "Obtain the bank's result; if the year closed, re-budget it from the next year's funds",
    "S55",
)
A15 = Rule(
    "A15",
    FAMILY,
    "Unclaimed past the collection deadline and not returned to the treasury",
    Severity.FLAG,
    SubjectKind.ENTITLEMENT,
    "Deposit the money in the kas negara or daerah and record the deposit reference",
    "S17, S43",
    escalates_to=Severity.BLOCKING,
    escalation="once the fiscal year of its funds has closed",
)
A16 = Rule(
    "A16",
    FAMILY,
    "Missing evidence: no signed receipt (BAST) for a credit after the receipt deadline, or no "
    "KTP copy at the verification of someone paid",
    Severity.BLOCKING,
    SubjectKind.ENTITLEMENT,
    "Collect the missing document before the payment is closed",
    "S53, S26",
    thresholds=("receipt_days",),
)
A17 = Rule(
    "A17",
    FAMILY,
    "Payment ordered or credited after the recorded date of death",
    Severity.BLOCKING,
    SubjectKind.ENTITLEMENT,
    "Block the account, recover the money from the bank and cancel what remains",
    "S45",
)
A18 = Rule(
    "A18",
    FAMILY,
    "Living allowance released before her arrival home or local stay was recorded",
    Severity.BLOCKING,
    SubjectKind.ENTITLEMENT,
    "Record the arrival confirmation, or recover the allowance",
    "S30",
)
A19 = Rule(
    "A19",
    FAMILY,
    "Transport paid without a record of her return home, or a return home without transport",
    Severity.FLAG,
    SubjectKind.BENEFICIARY,
    "Record the kelurahan's arrival confirmation, or cancel or recover the transport",
    "S27, S28",
)
A22 = Rule(
    "A22",
    FAMILY,
    "Net credited less than the decreed amount (fees, skimming)",
    Severity.FLAG,
    SubjectKind.ENTITLEMENT,
    "Ask the bank for the deduction and pay her the difference",
    "S49, S50",
)
A24 = Rule(
    "A24",
    FAMILY,
    "Bank account changed after a payment was ordered, with no second person approving a "
    "payment to the new account",
    Severity.BLOCKING,
    SubjectKind.BENEFICIARY,
    "Have a second supervisor check the change against her passbook before paying again",
    "S54",
)
RULES = (A09, A10, A12, A15, A16, A17, A18, A19, A22, A24)


def evaluate_money(case: CaseFacts, ctx: AuditContext, verdict: Verdict) -> None:
    """The money findings of one case and of each of her entitlements."""
    for e in case.entitlements.values():
        _entitlement(case, e, ctx, verdict)
    _totals(case, verdict)
    _transport(case, verdict)
    if case.account_changed_after_order_at is not None and case.second_approval_at is None:
        verdict.add(
            A24,
            case.subject_id,
            case.site_id,
            "bank account changed after a payment was ordered; no second approval since",
            (case.account_changed_after_order_at,),
        )


def _entitlement(case: CaseFacts, e: EntitlementFacts, ctx: AuditContext, v: Verdict) -> None:
    subject, site = e.entitlement_id, case.site_id
    credited = e.credited_on is not None
    if credited:
        assert e.credited_on is not None
        wrong = []
        if not case.in_decree(e.entitlement_id):
            wrong.append("not in a decree naming her")
        if e.credited_on < e.decreed_on:
            wrong.append(f"credited {e.credited_on} before decree date {e.decreed_on}")
        if e.credited_amount > e.amount:
            wrong.append(f"credited {e.credited_amount} but decreed {e.amount}")
        if wrong:
            v.add(A09, subject, site, "; ".join(wrong), (e.planned_at, e.credited_at))
        if e.credited_amount < e.amount:
            v.add(
                A22,
                subject,
                site,
                f"credited {e.credited_amount} of {e.amount} decreed",
                (e.planned_at, e.credited_at),
            )
    _fiscal_year(e, site, ctx, v)
    _unclaimed(e, site, ctx, v)
    _evidence(case, e, ctx, v)
    if case.died_on is not None:
        after = [
            f"{what} {day}"
            for what, day in (("ordered", e.ordered_on), ("credited", e.credited_on))
            if day is not None and day > case.died_on
        ]
        if after:
            v.add(
                A17,
                subject,
                site,
                f"{' and '.join(after)}, after death on {case.died_on}",
                (case.died_at, e.ordered_at, e.credited_at),
            )
    if e.released_before_arrival_at is not None:
        v.add(
            A18,
            subject,
            site,
            f"{e.component} tranche {e.tranche} ordered before arrival or local stay",
            (e.released_before_arrival_at, case.arrival_at),
        )


def _fiscal_year(e: EntitlementFacts, site: str | None, ctx: AuditContext, v: Verdict) -> None:
    if e.fiscal_year is None:
        return
    if e.credited_on is not None and e.credited_on.year != e.fiscal_year:
        v.add(
            A12,
            e.entitlement_id,
            site,
            f"value date {e.credited_on} outside fiscal year {e.fiscal_year}",
            (e.credited_at,),
        )
    elif e.awaiting_bank:
        year_end = date(e.fiscal_year, 12, 31)
        if ctx.clock > year_end:
            v.add(
                A12,
                e.entitlement_id,
                site,
                f"ordered {e.ordered_on}, not credited by {year_end}",
                (e.ordered_at,),
            )
        else:
            v.wake(year_end + timedelta(days=1))


def _unclaimed(e: EntitlementFacts, site: str | None, ctx: AuditContext, v: Verdict) -> None:
    if e.unclaimed_on is None or e.returned_at is not None:
        return
    year_end = date(e.fiscal_year or e.unclaimed_on.year, 12, 31)
    closed = ctx.clock > year_end
    v.add(
        A15,
        e.entitlement_id,
        site,
        f"{e.credited_amount or e.amount} unclaimed since {e.unclaimed_on}, not returned"
        + (f"; fiscal year closed {year_end}" if closed else ""),
        (e.credited_at, e.unclaimed_at),
        Severity.BLOCKING if closed else Severity.FLAG,
    )
    if not closed:
        v.wake(year_end + timedelta(days=1))


def _evidence(case: CaseFacts, e: EntitlementFacts, ctx: AuditContext, v: Verdict) -> None:
    if e.credited_on is None or e.unclaimed_at is not None or e.returned_at is not None:
        return
    missing = []
    if e.receipt_at is None:
        due = e.credited_on + timedelta(days=ctx.threshold("receipt_days"))
        if ctx.clock > due:
            missing.append(f"no signed receipt by {due}")
        else:
            v.wake(due + timedelta(days=1))
    if case.registered_at is not None and not case.identity_document:
        missing.append("no KTP copy cited at her verification")
    if missing:
        v.add(
            A16,
            e.entitlement_id,
            case.site_id,
            "; ".join(missing),
            (e.credited_at, case.verified_at),
        )


def _totals(case: CaseFacts, v: Verdict) -> None:
    entitlements = case.entitlements.values()
    twice = sorted(f"{e.component} {e.tranche}" for e in entitlements if e.credit_count > 1)
    paid = sum(e.credited_amount * e.credit_count for e in entitlements)
    decreed = sum(e.amount for e in entitlements if e.cancelled_at is None)
    problems = [f"credited more than once: {', '.join(twice)}"] if twice else []
    if paid > decreed:
        problems.append(f"paid {paid} in total, decreed {decreed}")
    if problems:
        v.add(
            A10,
            case.subject_id,
            case.site_id,
            "; ".join(problems),
            tuple(e.credited_at for e in entitlements if e.credit_count),
        )


def _transport(case: CaseFacts, v: Verdict) -> None:
    transport = [e for e in case.entitlements.values() if e.component == "transport"]
    paid = [e for e in transport if e.credited_at is not None and e.returned_at is None]
    if paid and case.returned_home_at is None:
        v.add(
            A19,
            case.subject_id,
            case.site_id,
            "transport paid; no return home recorded",
            tuple(e.credited_at for e in paid),
        )
    elif (
        case.returned_home_at is not None
        and case.decreed
        and not any(e.cancelled_at is None for e in transport)
    ):
        v.add(
            A19,
            case.subject_id,
            case.site_id,
            "returned home; no transport decreed",
            (case.returned_home_at,),
        )
