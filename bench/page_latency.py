"""Page latency: every workspace page through the real ASGI app, beside the raw SQL it runs.

The pages are the app's own: every GET route of the web routers (`include_in_schema=False`,
defined under `service.web`), so a page added later is measured without a change here. Path
parameters are filled from demo values where this module knows them, otherwise from the links
the pages already fetched show (a batch's number from the batches page, say); a route neither
fills is listed as skipped, with the parameters it lacked.

Each page is fetched as the role that sees most of it: the province supervisor, or, for a page
the supervisor may not open, the first of the auditor, the administrator, the operator and the
data-protection officer that may. Answers that are not HTML (downloads) are not timed.

The requests go through Starlette's `TestClient`, in process, rather than uvicorn on a local
port: every middleware, the session and CSRF checks, the scope, the queries and the templates
run as served, while the time measured leaves out HTTP parsing and the loopback socket (well
under a millisecond, and the same for every page). In process, the SQL a page runs can also be
captured and a slow page profiled.

The baseline is the raw SQL for the same rows: one request's statements through SQLAlchemy are
captured (cursor-level, parameters as bound) and their reads replayed on a plain driver
connection to the same store, fetching every row. Page and replay are interleaved request by
request, so both see the same drift. Reads of the event log through the `eventsourcing`
library's own connection (a timeline's events) are not in the replay, nor are writes (the
access log's entries, counted in the report).
"""

from __future__ import annotations

import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.scenarios import (
    ACTOR,
    BASELINES,
    PAGE_LATENCY,
    SITE_PAGE_LATENCY,
    Progress,
    ScenarioResult,
    Sizes,
    _roster,
    register_site,
)
from bench.stores import FreshStore, Target, connect_postgres, connect_sqlite, fresh_store
from bench.time_travel_scenario import analyze
from domain.recording import Provenance, Role
from service.api.app import create_app
from service.demo.kaltara import (
    DEMO_LAST_BUSINESS_DAY,
    DEMO_USERS,
    DemoUser,
    ensure_demo_users,
    load_demo,
)
from service.security.accounts import Accounts
from service.system import Jejak, freeze_startup_heap

# The goal of issue 16: every page under this at the 95th percentile.
BUDGET_MS = 300.0
# Who fetches a page: the first of these that may open it.
ROLE_PREFERENCE = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.OPERATOR, Role.DPO)
# Demo values for path parameters, preferred over values found in links: a large site, a case
# with payments, her first entitlement. Step forms are found in the links an operator sees.
DEMO_VALUES: dict[str, str] = {
    "code": "TRK-JP",
    "case_number": "TRK-JP-0004",
    "key": "jadup-1",
}
# Routes whose pages no other page links to (the case page holds these forms inline), with a
# demo URL: the withdrawal seen of her first allowance, open on the demo's last day.
DEMO_URLS: dict[str, str] = {
    "/cases/{case_number}/entitlements/{key}/steps/{command}": (
        "/cases/TRK-JP-0004/entitlements/jadup-1/steps/observe_withdrawal"
    ),
}
# Pages measured besides the routes' own paths: the dashboard as at a past cut.
EXTRA_URLS = ("/?as_at=2018-12-31",)
# Not timed whatever they answer: downloads and a full verification of the log (issue 16).
EXCLUDED = re.compile(r"(download|export|\.(pdf|xlsx|csv|zip|json)$|/verify(/|$))", re.IGNORECASE)
HREF = re.compile(r'href="(/[^"#?]*)')
CSRF = re.compile(r'name="csrftoken" value="([^"]+)"')
# A page whose first request takes longer than this is timed fewer times.
SLOW_FIRST_SECONDS = 2.0
CHEAP_HASHES = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PROFILE_LINES = 12
PROFILE_REPEAT = 5
SAMPLE_SECONDS = 0.001
OURS = re.compile(r"/((?:service|projections|domain)/[\w/]+)\.py$")
# Untimed pages read per round for their links, when a route's parameters are still unfilled.
CRAWL_PAGES = 10
CRAWL_LIMIT = 20


@dataclass
class PageRun:
    """One page: its URL, who fetched it, and the timings of both sides."""

    url: str
    role: str
    statements: int = 0
    reads: list[tuple[str, Any]] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    profile: str = ""


@dataclass
class PageSurvey:
    """What was measured and what was skipped, with the reason."""

    pages: list[PageRun] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def page_latency(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """The demo's pages on SQLite; a site of `sizes.site_cases` cases on every store."""
    results: list[ScenarioResult] = []
    if target.kind == "sqlite":
        results.extend(demo_pages(target, sizes, workdir, progress))
    results.append(big_site_page(target, sizes, workdir, progress))
    return results


def demo_pages(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """Every workspace page of the Kaltara demo, as `jejak serve --demo` shows it."""
    with _served_store(target, workdir) as store:
        progress(f"{target.label}: {PAGE_LATENCY}: loading the demo")
        load_demo(store.jejak.app)
        store.jejak.runner.catch_up()
        freeze_startup_heap()  # as `jejak serve` does before serving
        with _clients(store.jejak) as clients:
            survey = survey_pages(clients, store.jejak.engine, progress)
            progress(f"{target.label}: {PAGE_LATENCY}: {len(survey.pages)} pages")
            raw = _RawReplay(store)
            try:
                for run in survey.pages:
                    measure(clients, run, raw, sizes.page_requests)
            finally:
                raw.close()
    results = [_result(target, PAGE_LATENCY, run) for run in survey.pages]
    for url, reason in survey.skipped.items():
        results.append(_skipped(target, url, reason))
    return results


def big_site_page(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> ScenarioResult:
    """One site's page when the site holds `sizes.site_cases` cases."""
    with _served_store(target, workdir) as store:
        app = store.jejak.app
        progress(f"{target.label}: {SITE_PAGE_LATENCY}: registering {sizes.site_cases:,} cases")
        site = register_site(app, "PG", 0)
        code = app.site(site).code
        roster = _roster(code, sizes.site_cases, 0)
        for start in range(0, len(roster), 2000):
            app.beneficiaries.register_roster(
                site,
                roster[start : start + 2000],
                provenance=Provenance(actor=ACTOR, occurred_on=DEMO_LAST_BUSINESS_DAY),
            )
        store.jejak.runner.catch_up()
        if target.kind == "postgresql":
            # Autovacuum would have gathered statistics after such a load; SQLite gathers none
            # by itself, and the demo is served without them too.
            analyze(store)
        with _clients(store.jejak) as clients:
            run = PageRun(url=f"/sites/{code}", role=Role.SUPERVISOR.value)
            status, _ = _fetch(clients[Role.SUPERVISOR], run.url)
            if status != 200:
                raise RuntimeError(f"{run.url} answered {status} to the supervisor")
            raw = _RawReplay(store)
            try:
                measure(clients, run, raw, sizes.page_requests, engine=store.jejak.engine)
            finally:
                raw.close()
    result = _result(target, SITE_PAGE_LATENCY, run)
    result.details["cases"] = sizes.site_cases
    return result


# --- which pages -----------------------------------------------------------------------------


def page_routes(app: FastAPI) -> list[APIRoute]:
    """The web routers' GET routes, as the app lists them."""
    return [
        route
        for context in iter_route_contexts(app.routes)
        if "GET" in (context.methods or ())
        and isinstance(route := context.original_route, APIRoute)
        and not route.include_in_schema
        and route.endpoint.__module__.startswith("service.web")
    ]


def survey_pages(
    clients: dict[Role, TestClient], engine: Engine, progress: Progress = lambda _m: None
) -> PageSurvey:
    """Every page URL to time, with its role and the SQL one request runs; the routes that
    could not be filled or answer no HTML, with the reason."""
    survey = PageSurvey()
    routes = page_routes(next(iter(clients.values())).app)  # type: ignore[arg-type]
    literal = {r.path for r in routes if not r.dependant.path_params}
    links: list[str] = []
    pending = list(routes)
    seen: set[str] = set()
    crawled: set[str] = set()
    extra = list(EXTRA_URLS)
    while pending or extra:
        progressed = False
        for route in list(pending):
            url = _fill(route, links, literal)
            if url is None:
                continue
            pending.remove(route)
            progressed = True
            _visit(clients, engine, url, survey, links, seen)
        for url in extra:
            _visit(clients, engine, url, survey, links, seen)
        extra = []
        if not progressed and pending and not _crawl(clients, routes, pending, links, crawled):
            break
    for route in pending:
        missing = ", ".join(p.name for p in route.dependant.path_params)
        survey.skipped[route.path] = f"no demo value or link for {{{missing}}}"
    progress(f"pages found: {len(survey.pages)}, skipped: {len(survey.skipped)}")
    return survey


def _fill(route: APIRoute, links: Sequence[str], literal: set[str]) -> str | None:
    params = [p.name for p in route.dependant.path_params]
    if not params:
        return route.path
    if route.path in DEMO_URLS:
        return DEMO_URLS[route.path]
    if all(p in DEMO_VALUES for p in params):
        url = route.path
        for p in params:
            url = url.replace(f"{{{p}}}", DEMO_VALUES[p])
        return url
    return next(
        (link for link in links if link not in literal and route.path_regex.match(link)), None
    )


def _visit(
    clients: dict[Role, TestClient],
    engine: Engine,
    url: str,
    survey: PageSurvey,
    links: list[str],
    seen: set[str],
) -> None:
    if url in seen:
        return
    seen.add(url)
    if EXCLUDED.search(url):
        survey.skipped[url] = "a download or a full verification of the log: not timed"
        return
    answers: list[str] = []
    for role in ROLE_PREFERENCE:
        with capture_sql(engine) as statements:
            status, response = _fetch(clients[role], url)
        answers.append(f"{role.value} {status}")
        if status != 200:
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            survey.skipped[url] = f"answers {response.headers.get('content-type')}: not a page"
            return
        _harvest(links, response.text)
        if role is not Role.OPERATOR:
            # The step forms' links are shown to those who take the steps.
            _harvest(links, _fetch(clients[Role.OPERATOR], url)[1].text)
        run = PageRun(url=url, role=role.value, statements=len(statements))
        run.reads = [(sql, params) for sql, params in statements if _is_read(sql)]
        survey.pages.append(run)
        return
    survey.skipped[url] = "no role got a page (" + ", ".join(answers) + ")"


def _crawl(
    clients: dict[Role, TestClient],
    routes: Sequence[APIRoute],
    pending: Sequence[APIRoute],
    links: list[str],
    done: set[str],
) -> bool:
    """Read a few more linked pages for their links, untimed: pages of the routes an unfilled
    route extends (case pages, for a case's step forms). False when none is left to read."""
    parents = [
        route
        for route in routes
        if route.dependant.path_params and any(p.path.startswith(route.path + "/") for p in pending)
    ]
    unread = [
        link
        for link in links
        if link not in done and any(route.path_regex.match(link) for route in parents)
    ][:CRAWL_PAGES]
    if len(done) >= CRAWL_LIMIT:
        return False
    for link in unread:
        done.add(link)
        # The step forms' links are shown to those who take the steps: an operator, or the
        # supervisor outside the operator's unit.
        for role in (Role.OPERATOR, Role.SUPERVISOR):
            status, response = _fetch(clients[role], link)
            if status == 200:
                _harvest(links, response.text)
                break
    return bool(unread)


def _harvest(links: list[str], html: str) -> None:
    links.extend(link for link in HREF.findall(html) if link not in links)


# --- timing ----------------------------------------------------------------------------------


def measure(
    clients: dict[Role, TestClient],
    run: PageRun,
    raw: _RawReplay,
    requests: int,
    engine: Engine | None = None,
) -> None:
    """Time `requests` fetches of the page interleaved with as many replays of its reads; a
    page over the budget is profiled once."""
    client = clients[Role(run.role)]
    if engine is not None:
        with capture_sql(engine) as statements:
            _fetch(client, run.url)
        run.statements = len(statements)
        run.reads = [(sql, params) for sql, params in statements if _is_read(sql)]
    started = time.perf_counter()
    _fetch(client, run.url)  # warm: templates compiled, caches filled
    raw.replay(run.reads)
    if time.perf_counter() - started > SLOW_FIRST_SECONDS:
        requests = min(requests, 3)
    for _ in range(requests):
        cpu = time.process_time()
        run.page_ms.append(_timed(lambda: _fetch(client, run.url)))
        run.cpu_ms.append(1000 * (time.process_time() - cpu))
        run.raw_ms.append(_timed(lambda: raw.replay(run.reads)))
    if percentile(run.page_ms, 95) > BUDGET_MS:
        run.profile = profile(lambda: _fetch(client, run.url))


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (inclusive method; the value itself for one sample)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def profile(call: Callable[[], object], repeat: int = PROFILE_REPEAT) -> str:
    """Where `repeat` calls spend their time: a sampling profile of every thread (the test
    client runs the endpoint in a worker thread, out of a tracing profiler's sight), each of
    the project's functions with the share of samples it was on the stack in."""
    samples: Counter[str] = Counter()
    total = 0
    done = threading.Event()
    me = threading.get_ident()

    def sample() -> None:
        nonlocal total
        while not done.is_set():
            for ident, frame in sys._current_frames().items():
                if ident == me or ident == threading.get_ident():
                    continue
                ours = _our_functions(frame)
                if ours:
                    total += 1
                    samples.update(ours)
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        for _ in range(repeat):
            call()
    finally:
        done.set()
        sampler.join()
    return "\n".join(
        f"  {100 * n / total:5.1f}%  {name}" for name, n in samples.most_common(PROFILE_LINES)
    )


def _our_functions(frame: FrameType | None) -> set[str]:
    names: set[str] = set()
    while frame is not None:
        code = frame.f_code
        found = OURS.search(code.co_filename)
        if found:
            names.add(f"{found.group(1)}:{code.co_name}")
        frame = frame.f_back
    return names


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - started)


def _fetch(client: TestClient, url: str) -> tuple[int, Any]:
    response = client.get(url, follow_redirects=False)
    return response.status_code, response


def _is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


@contextmanager
def capture_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement `engine` sends to the driver inside the block, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def heard(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        if not many:
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", heard)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", heard)


class _RawReplay:
    """A plain driver connection to the same store, replaying captured reads."""

    def __init__(self, store: FreshStore) -> None:
        self.connection: Any = (
            connect_sqlite(store.config)
            if store.target.kind == "sqlite"
            else connect_postgres(store.config)
        )
        self.rows = 0

    def replay(self, reads: Sequence[tuple[str, Any]]) -> None:
        rows = 0
        for sql, params in reads:
            rows += len(self.connection.execute(sql, params).fetchall())
        self.rows = rows
        # A read-only transaction either way; ended so that it holds no snapshot open.
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()


# --- stores and clients ----------------------------------------------------------------------


@contextmanager
def _served_store(target: Target, workdir: Path) -> Iterator[FreshStore]:
    # Shown as at the demo's last business day, as `jejak serve --demo` shows it (ADR 0050);
    # the test client speaks plain HTTP, so cookies are not marked Secure.
    with fresh_store(
        target, workdir, view_as_of=DEMO_LAST_BUSINESS_DAY, cookie_secure="never"
    ) as store:
        # Throw-away accounts, hashed cheaply: logging in is not what is timed, and at the
        # production cost the benchmark's logins would take longer than its pages.
        jejak = store.jejak
        jejak.accounts = Accounts(jejak.engine, CHEAP_HASHES, ledger=jejak.app)
        ensure_demo_users(jejak.accounts, jejak.app)
        yield store


@contextmanager
def _clients(jejak: Jejak) -> Iterator[dict[Role, TestClient]]:
    """A logged-in client per role, through the login form; projections are caught up by
    hand, not in the background, so that no fold competes with the timed requests."""
    app = create_app(jejak=jejak, run_projections=False)
    users: dict[Role, DemoUser] = {}
    for user in DEMO_USERS:
        users.setdefault(user.role, user)
    clients: dict[Role, TestClient] = {}
    try:
        for role in ROLE_PREFERENCE:
            client = TestClient(app).__enter__()
            clients[role] = client
            token = CSRF.search(client.get("/login").text)
            assert token is not None, "the login form carries a CSRF token"
            form = {
                "csrftoken": token.group(1),
                "username": users[role].username,
                "password": users[role].password,
                "next": "/",
            }
            answer = client.post("/login", data=form, follow_redirects=False)
            if answer.status_code != 303:
                raise RuntimeError(f"{users[role].username} could not log in: {answer.status_code}")
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


# --- results ---------------------------------------------------------------------------------


def _result(target: Target, scenario: str, run: PageRun) -> ScenarioResult:
    p95 = percentile(run.page_ms, 95)
    ratios = [r / p for p, r in zip(run.page_ms, run.raw_ms, strict=True) if p > 0]
    details: dict[str, float | int | str] = {
        "url": run.url,
        "role": run.role,
        "p50_ms": round(percentile(run.page_ms, 50), 1),
        "p95_ms": round(p95, 1),
        # The process's CPU time per request: less swayed than the wall clock by other
        # programs on a shared machine.
        "cpu_p50_ms": round(percentile(run.cpu_ms, 50), 1),
        "raw_p50_ms": round(percentile(run.raw_ms, 50), 2),
        "raw_p95_ms": round(percentile(run.raw_ms, 95), 2),
        "statements": run.statements,
        "reads": len(run.reads),
        "over_budget": "yes" if p95 > BUDGET_MS else "no",
    }
    if run.profile:
        details["profile"] = run.profile
    return ScenarioResult(
        store=target.label,
        scenario=scenario,
        events=len(run.page_ms),
        seconds=sum(run.page_ms) / 1000,
        baseline=BASELINES[scenario],
        baseline_rows=len(run.raw_ms),
        baseline_seconds=sum(run.raw_ms) / 1000,
        goal=None,
        payload_bytes=0,
        slice_ratio_median=statistics.median(ratios) if ratios else 0.0,
        details=details,
    )


def _skipped(target: Target, url: str, reason: str) -> ScenarioResult:
    return ScenarioResult(
        store=target.label,
        scenario=PAGE_LATENCY,
        events=0,
        seconds=0.0,
        baseline="",
        baseline_rows=0,
        baseline_seconds=0.0,
        goal=None,
        payload_bytes=0,
        slice_ratio_median=0.0,
        details={"url": url, "skipped": reason},
    )
