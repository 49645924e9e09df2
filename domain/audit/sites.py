"""Site checks (A20, A23, A26): headcounts that do not add up, closures the money did not
follow, and cases dated out of order with their site.

A20 and A23 compare facts recorded at closure with what the cases show, so they are evaluated
once the site has closed; before that the roster is still being counted. A26 is evaluated as soon
as a case's date falls outside her site's.
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
A26 = Rule(
    "A26",
    FAMILY,
    "Dates out of order across records: a case registered before her site's pendataan, or "
    "after its closure (a late pendataan)",
    Severity.FLAG,
    SubjectKind.SITE,
    "Check the case against the pendataan list and the berita acara: keep a late pendataan "
    "with its paper, correct a date entered wrongly",
    "ADR 0032",
)
RULES = (A20, A23, A26)


def evaluate_site(site: SiteFacts, ctx: AuditContext, verdict: Verdict) -> None:
    """The findings of one site."""
    _check_case_dates(site, verdict)
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


def _check_case_dates(site: SiteFacts, verdict: Verdict) -> None:
    """A26: the order of dates between a site and its cases, which no single record can hold
    (each is accepted when recorded, since either can be entered first)."""
    subject = site.site_id
    out_of_order = []
    evidence: list[int | None] = [site.registered_at]
    if site.pendataan_on and site.first_case_on and site.first_case_on < site.pendataan_on:
        out_of_order.append(
            f"a case registered {site.first_case_on}, before the pendataan of {site.pendataan_on}"
        )
        evidence.append(site.first_case_at)
    if site.closed_on and site.last_case_on and site.last_case_on > site.closed_on:
        out_of_order.append(
            f"a case registered {site.last_case_on}, after the closure of {site.closed_on}"
        )
        evidence += [site.closed_at, site.last_case_at]
    if out_of_order:
        verdict.add(A26, subject, subject, "; ".join(out_of_order), tuple(evidence))
