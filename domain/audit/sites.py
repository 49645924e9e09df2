"""Site checks (A20, A23): headcounts that do not add up, and closures the money did not follow.

Both compare facts recorded at closure with what the cases show, so they are evaluated once the
site has closed; before that the roster is still being counted.
"""

from __future__ import annotations

from datetime import timedelta

from domain.audit.facts import AuditContext, SiteFacts
from domain.audit.rules import Rule, Severity, SubjectKind, Verdict

FAMILY = "sites"

A20 = Rule(
    "A20",
    FAMILY,
    "Headcounts disagree: pendataan vs registered cases, the closure's declared headcount vs "
    "the cases in the programme then, more people paid than enrolled",
    Severity.FLAG,
    SubjectKind.SITE,
    "Reconcile the berita acara with the case list and record the missing exits or cases",
    "S1, S7",
)
A23 = Rule(
    "A23",
    FAMILY,
    "Closed before its funds were in place, or the first payment came later than the threshold "
    "after closure",
    Severity.FLAG,
    SubjectKind.SITE,
    "Explain the gap to the examiners (budget timing, diversion) and pay the women without "
    "further delay",
    "S6, S7",
    thresholds=("closure_payment_days",),
)
RULES = (A20, A23)


def evaluate_site(site: SiteFacts, ctx: AuditContext, verdict: Verdict) -> None:
    """The findings of one site."""
    if site.closed_on is None or site.closed_at is None:
        return
    subject = site.site_id
    gaps = []
    if site.registered != site.headcount_at_pendataan:
        gaps.append(
            f"{site.headcount_at_pendataan} counted at pendataan, {site.registered} "
            "cases registered"
        )
    if site.declared_headcount != site.in_programme_at_closure:
        gaps.append(
            f"{site.declared_headcount} declared at closure, "
            f"{site.in_programme_at_closure} cases in the programme then"
        )
    if site.paid > site.enrolled:
        gaps.append(f"{site.paid} people paid, {site.enrolled} enrolled by decree")
    if gaps:
        verdict.add(A20, subject, subject, "; ".join(gaps), (site.registered_at, site.closed_at))
    late = []
    if site.funding_status == "not_in_place":
        late.append(f"closed {site.closed_on} with no funds in place")
    days = ctx.threshold("closure_payment_days")
    due = site.closed_on + timedelta(days=days)
    if site.first_credit_on is not None:
        lag = (site.first_credit_on - site.closed_on).days
        if lag > days:
            late.append(f"first payment {site.first_credit_on}, {lag} days after closure")
    elif ctx.clock > due:
        late.append(f"nothing paid {days} days after closure")
    else:
        verdict.wake(due + timedelta(days=1))
    if late:
        verdict.add(A23, subject, subject, "; ".join(late), (site.closed_at, site.first_credit_at))
