"""The pages the accessibility tier checks, in one place: add a page here when it is built."""

from __future__ import annotations

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
    *SUPERVISORS_PAGES,
    "/reports",
    "/reports/programme_figures-2019-07-01-2019-09-30",
)

# Pages that answer 404 until they are built. A page listed here that answers is a failure
# too, so that this list is emptied as the pages arrive.
NOT_YET_BUILT: frozenset[str] = frozenset()

# Pages a visitor sees before logging in.
PUBLIC_PAGES: frozenset[str] = frozenset({"/login"})

# Pages that look the same to every role (the API's documentation): checked once, as the
# supervisor, as they are slow to check.
SAME_FOR_EVERY_ROLE: frozenset[str] = frozenset({"/docs"})

# The widths checked: a desktop screen and a small phone held upright.
WIDTHS: tuple[int, ...] = (1280, 390)

# Pages only some roles may open (the others get 403): checked as those roles only.
ONLY_FOR: dict[str, tuple[str, ...]] = {path: ("supervisor",) for path in SUPERVISORS_PAGES}
