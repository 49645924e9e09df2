"""The FastAPI application: API under /api, login under /auth, pages at /, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service.api import (
    access_log,
    audit_checks,
    audit_register,
    auth,
    beneficiaries,
    breaches,
    corrections,
    dashboard,
    documents,
    erasures,
    exports,
    grants,
    integrity,
    lifecycles,
    money,
    processing,
    reports,
    restatements,
    retention,
    search,
    sites,
    subject_requests,
    time_travel,
    worklist,
)
from service.api.answers import InScope, ProgrammeWide
from service.api.contract import install_contract
from service.api.deps import bearer_token, current_user, get_jejak
from service.api.errors import error_body, install_error_handlers
from service.api.inputs import json_bodies_only
from service.security.access_log import Interface, current_interface
from service.security.accounts import Account
from service.settings import Settings
from service.system import Jejak
from service.web import cases as case_pages
from service.web import pages, rendering
from service.web import sites as site_pages
from service.web.security import install_browser_security

DOCS_ASSETS = "/docs-assets"

# The app's own routes. They are module-level functions reading the app from the request, not
# closures inside `create_app`: FastAPI caches facts about every endpoint callable in module-level
# caches, so a closure per app would keep each app, and the system behind it, alive long after
# it is closed (thousands of them in a test run).
meta = APIRouter()


@meta.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> Response:
    if _viewer(request) is None:
        return JSONResponse(error_body("LOGIN_REQUIRED", "login required"), 401)
    return JSONResponse(request.app.openapi())


@meta.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    if _viewer(request) is None:
        return RedirectResponse("/login?next=/docs", status_code=303)
    # Swagger UI started by a script file of this repository: the Content-Security-Policy
    # allows no inline script (ADR 0049).
    return rendering.templates.TemplateResponse(request, "docs.html", {"assets": DOCS_ASSETS})


@meta.get("/health", tags=["health"])
def health() -> dict[str, Any]:
    """Liveness, without login: no data is exposed."""
    return {"status": "ok"}


def _viewer(request: Request) -> Account | None:
    try:
        return current_user(request, get_jejak(request), bearer_token(request))
    except HTTPException:
        return None


class AccessInterface:
    """Marks the access log entries a request writes as the API's (`/api`, `/auth`) or the
    pages' (everything else), so that the log says from which interface data was read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope["path"]).startswith(("/api/", "/auth/"))
        token = current_interface.set(Interface.API if api else Interface.WEB)
        try:
            await self.app(scope, receive, send)
        finally:
            current_interface.reset(token)


def create_app(
    settings: Settings | None = None, jejak: Jejak | None = None, run_projections: bool = True
) -> FastAPI:
    """Build the app. Given `jejak`, the caller owns its lifetime; otherwise it is started and
    closed with the app."""

    settings = jejak.settings if jejak else settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = jejak is None
        system = jejak or Jejak.start(settings)
        app.state.jejak = system
        if run_projections:
            system.run_projections_in_background()
        try:
            yield
        finally:
            if owned:
                system.close()

    app = FastAPI(
        title="Jejak",
        summary="Event-sourced workflow and audit ledger for social-rehabilitation programmes",
        version="0.1.0",
        lifespan=lifespan,
        # Served below behind login: every page except /login and /health needs an account.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(json_bodies_only)],
    )
    install_error_handlers(app)
    # The client's address (login throttling, ADR 0034) comes from X-Forwarded-For only when
    # the peer is a configured proxy; from anyone else the header could be forged.
    # CSRF checks, cookie flags and security headers (ADR 0049); inside the proxy headers, so
    # that they see the scheme a trusted proxy reports.
    install_browser_security(app, settings)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(AccessInterface)
    app.include_router(auth.router)
    # Commands on one site, case or entitlement: refused outside the caller's scope (ADR 0044).
    app.include_router(sites.commands, dependencies=InScope)
    app.include_router(beneficiaries.commands, dependencies=InScope)
    app.include_router(corrections.router, dependencies=InScope)
    app.include_router(money.router, dependencies=InScope)
    # The programme's own records (money, integrity, audit, reports, time travel, the access
    # log): only the units that oversee the programme see them (ADR 0044).
    app.include_router(money.files, dependencies=ProgrammeWide)
    app.include_router(integrity.router)
    app.include_router(audit_checks.router, dependencies=ProgrammeWide)
    app.include_router(dashboard.reads)
    app.include_router(sites.reads)
    app.include_router(beneficiaries.reads)
    app.include_router(search.reads)
    app.include_router(worklist.reads)
    # Her entitlements and payments follow her case; the ledger and budget are the
    # programme's (the queries decide both).
    app.include_router(money.reads)
    app.include_router(lifecycles.reads)
    app.include_router(exports.router)
    app.include_router(documents.router)
    app.include_router(audit_register.router, dependencies=ProgrammeWide)
    app.include_router(erasures.router, dependencies=ProgrammeWide)
    app.include_router(breaches.router, dependencies=ProgrammeWide)
    app.include_router(restatements.router, dependencies=ProgrammeWide)
    app.include_router(reports.router, dependencies=ProgrammeWide)
    app.include_router(time_travel.router)
    app.include_router(access_log.router, dependencies=ProgrammeWide)
    app.include_router(subject_requests.router, dependencies=ProgrammeWide)
    app.include_router(retention.router, dependencies=ProgrammeWide)
    app.include_router(processing.router, dependencies=ProgrammeWide)
    app.include_router(grants.commands)
    app.include_router(grants.reads)
    app.include_router(pages.router)
    app.include_router(site_pages.router)
    app.include_router(case_pages.router)
    install_contract(app)

    # Swagger UI's own files, from an installed package rather than a CDN, so that /docs works
    # without internet (ADR 0035). They hold no data, so they are served without login.
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="docs-assets",
    )

    # The pages' own style and scripts, from the repository.
    app.mount("/static", StaticFiles(packages=[("service.web", "static")]), name="static")

    app.include_router(meta)
    return app
