"""The demo served to a test client: a copy per module of the demo loaded once per test
process (`demo_template`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.demo.kaltara import DEMO_LAST_BUSINESS_DAY
from service.system import Jejak
from tests.conftest import DemoTemplate, demo_store


@pytest.fixture(scope="module")
def demo_app(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate
) -> Iterator[Jejak]:
    """The Kaltara demo, shown as at its last business day as `jejak serve --demo` shows it."""
    jejak = demo_store(
        demo_template, tmp_path_factory.mktemp("demo"), view_as_of=DEMO_LAST_BUSINESS_DAY
    )
    yield jejak
    jejak.close()


@pytest.fixture
def demo_client(demo_app: Jejak) -> Iterator[TestClient]:
    """A browser-like client of the demo, with no one logged in yet."""
    with TestClient(create_app(jejak=demo_app)) as client:
        yield client
