"""An app that has been closed is freed with the system behind it, so that many apps in one
process (a test run, a reloading server) do not keep every earlier one's memory alive."""

from __future__ import annotations

import gc
import weakref

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.system import Jejak


def test_a_closed_app_and_its_system_are_freed(sqlite_jejak: Jejak) -> None:
    app = create_app(jejak=sqlite_jejak, run_projections=False)
    with TestClient(app) as client:
        # Every route's callable is looked at once when a request is served.
        assert client.get("/health").status_code == 200
        assert client.get("/openapi.json").status_code == 401
        assert client.get("/docs", follow_redirects=False).status_code == 303
    freed = weakref.ref(app)
    del app, client
    gc.collect()

    assert freed() is None, gc.get_referrers(freed())
