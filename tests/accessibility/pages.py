"""The pages the accessibility tier checks, in one place: add a page here when it is built."""

from __future__ import annotations

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
    "/cases/TRK-JP-0004/payments",
    "/cases/TRK-JP-0004/entitlements/uep-1/steps/request_money_correction",
    "/ledger",
    "/funding",
    "/funding/2019-apbn-dipa-027-04-1-2019-akun-573111",
    "/decrees/DEMO-SK-REHSOS-2018-117",
    "/decrees/new",
)

# Pages that answer 404 until they are built. A page listed here that answers is a failure
# too, so that this list is emptied as the pages arrive.
NOT_YET_BUILT: frozenset[str] = frozenset()

# Pages a visitor sees before logging in.
PUBLIC_PAGES: frozenset[str] = frozenset({"/login"})

# Pages that look the same to every role (the API's documentation): checked once, as the
# supervisor, as they are slow to check.
SAME_FOR_EVERY_ROLE: frozenset[str] = frozenset({"/docs"})

# Pages a unit's operator is refused (the programme's money, a supervisor's step): checked as
# the supervisor, who opens them; tests/e2e/test_who_sees_what.py checks the refusals.
PROGRAMME_PAGES: frozenset[str] = frozenset(
    {
        "/cases/TRK-JP-0004/entitlements/uep-1/steps/request_money_correction",
        "/ledger",
        "/funding",
        "/funding/2019-apbn-dipa-027-04-1-2019-akun-573111",
        "/decrees/DEMO-SK-REHSOS-2018-117",
        "/decrees/new",
    }
)

# The widths checked: a desktop screen and a small phone held upright.
WIDTHS: tuple[int, ...] = (1280, 390)
