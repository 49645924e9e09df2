"""The pages the accessibility tier checks, in one place: add a page here when it is built."""

from __future__ import annotations

# The supervisors' money pages (the approvals queue and preparing a batch are theirs alone; the
# others are read by auditors too), by the roles that check them.
MONEY_PAGES_FOR: dict[str, tuple[str, ...]] = {
    "/approvals": ("supervisor",),
    "/batches/new": ("supervisor",),
    "/batches": ("supervisor", "auditor"),
    "/batches/DEMO-2019-02R": ("supervisor", "auditor"),
    "/reconciliation?batch=DEMO-2019-02R": ("supervisor", "auditor"),
}
MONEY_PAGES: tuple[str, ...] = tuple(MONEY_PAGES_FOR)

# Pages for the roles that read the audit (a supervisor here); the others get 403.
SUPERVISORS_PAGES: tuple[str, ...] = (
    "/audit/checks",
    "/audit/checks/A20-0aa895641336/steps/acknowledge_finding",
    "/audit/findings",
    "/audit/findings/new",
    "/restatements",
    "/rebuild",
    "/reports/new",
)

# The data-protection workspace (issue 17), kept by the data-protection officer.
PRIVACY_PAGES: tuple[str, ...] = (
    "/privacy",
    "/privacy/erasures",
    "/privacy/erasures/new",
    "/privacy/retention",
    "/privacy/processing",
    "/privacy/breaches",
    "/privacy/breaches/new",
    "/privacy/requests",
    "/privacy/requests/new",
    # The demo's own records (service/demo/privacy.py).
    "/privacy/requests/PDP-DEMO-002",
    "/privacy/breaches/KDP-DEMO-001",
)

# Every page of the web workspace (the page URL contract of issue 15), by a URL that shows
# demo data; "/login" is checked logged out, the others logged in.
PAGES: tuple[str, ...] = (
    "/login",
    "/",
    "/docs",
    "/worklist",
    "/search",
    "/sites/TRK-JP",
    "/cases/TRK-JP-0004",
    "/sites/TRK-JP/roster",
    "/documents/new",
    "/sites/new",
    "/cases/TRK-JP-0004/steps/correct_beneficiary_date",
    "/integrity",
    "/access-log",
    "/admin/accounts",
    "/admin/accounts/new",
    "/admin/accounts/auditor",
    "/admin/units",
    "/admin/assignments",
    "/lifecycles",
    "/?as_at=2018-12-31&site=TRK-JP",
    "/sites/TRK-JP?as_at=2018-06-30",
    "/cases/TRK-JP-0004?as_at=2019-05-01",
    *MONEY_PAGES,
    "/cases/TRK-JP-0004/payments",
    "/cases/TRK-JP-0004/entitlements/uep-1/steps/request_money_correction",
    "/ledger",
    "/funding",
    "/funding/2019-apbn-dipa-027-04-1-2019-akun-573111",
    "/decrees/DEMO-SK-REHSOS-2018-117",
    "/decrees/new",
    *SUPERVISORS_PAGES,
    "/reports",
    "/reports/programme_figures-2019-07-01-2019-09-30",
    *PRIVACY_PAGES,
)

# Pages that answer 404 until they are built. A page listed here that answers is a failure
# too, so that this list is emptied as the pages arrive.
NOT_YET_BUILT: frozenset[str] = frozenset()

# Pages only some roles may open (the others are answered 403), by the roles that check them.
ONLY_FOR: dict[str, tuple[str, ...]] = {
    "/integrity": ("supervisor", "auditor"),
    "/access-log": ("auditor",),
    **{
        path: ("admin",)
        for path in (
            "/admin/accounts",
            "/admin/accounts/new",
            "/admin/accounts/auditor",
            "/admin/units",
            "/admin/assignments",
        )
    },
    **MONEY_PAGES_FOR,
    **{path: ("supervisor",) for path in SUPERVISORS_PAGES},
    **{path: ("dpo",) for path in PRIVACY_PAGES},
    # The programme's money and a supervisor's step, refused to a unit's operator:
    # tests/e2e/test_who_sees_what.py checks the refusals.
    **{
        path: ("supervisor",)
        for path in (
            "/cases/TRK-JP-0004/entitlements/uep-1/steps/request_money_correction",
            "/ledger",
            "/funding",
            "/funding/2019-apbn-dipa-027-04-1-2019-akun-573111",
            "/decrees/DEMO-SK-REHSOS-2018-117",
            "/decrees/new",
        )
    },
}

# Pages a visitor sees before logging in.
PUBLIC_PAGES: frozenset[str] = frozenset({"/login"})


# Pages that look the same to every role (the API's documentation): checked once, as the
# supervisor, as they are slow to check.
SAME_FOR_EVERY_ROLE: frozenset[str] = frozenset({"/docs"})

# The widths checked: a desktop screen and a small phone held upright.
WIDTHS: tuple[int, ...] = (1280, 390)
