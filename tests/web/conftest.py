"""The demo served to a test client, loaded once per module: pages are read, never written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.demo.kaltara import DEMO_LAST_BUSINESS_DAY, ensure_demo_users, load_demo
from service.system import Jejak
from tests.conftest import fast_accounts, settings_for


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jejak]:
    """The Kaltara demo, shown as at its last business day as `jejak serve --demo` shows it."""
    folder = tmp_path_factory.mktemp("demo")
    jejak = Jejak.start(
        settings_for(f"sqlite:///{folder}/demo.db", folder, view_as_of=DEMO_LAST_BUSINESS_DAY)
    )
    ensure_demo_users(fast_accounts(jejak), jejak.app)
    load_demo(jejak.app)
    jejak.runner.catch_up()
    yield jejak
    jejak.close()


@pytest.fixture
def demo_client(demo_app: Jejak) -> Iterator[TestClient]:
    """A browser-like client of the demo, with no one logged in yet."""
    with TestClient(create_app(jejak=demo_app)) as client:
        yield client
