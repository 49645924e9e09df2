"""The FastAPI application: API under /api, login under /auth, pages at /, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service.api import auth, commands, queries
from service.api.errors import install_error_handlers
from service.settings import Settings
from service.system import Jejak
from service.web import pages


def create_app(
    settings: Settings | None = None, jejak: Jejak | None = None, run_projections: bool = True
) -> FastAPI:
    """Build the app. Given `jejak`, the caller owns its lifetime; otherwise it is started and
    closed with the app."""

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
    )
    install_error_handlers(app)
    app.include_router(auth.router)
    app.include_router(commands.router)
    app.include_router(queries.router)
    app.include_router(pages.router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, Any]:
        """Liveness, without login: no data is exposed."""
        return {"status": "ok"}

    return app
