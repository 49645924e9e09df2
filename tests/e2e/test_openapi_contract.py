"""The API keeps its published contract: schemathesis generates requests for every operation
from the OpenAPI document and sends them, in-process, to the app on an SQLite demo store as a
supervisor. No answer may be a server error, carry a status the document does not list for
the operation, or break the schema it documents for that status (ADR 0035)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, reject, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from service.api.app import create_app
from service.demo.kaltara import ensure_demo_users, load_demo
from service.settings import Settings
from service.system import Jejak
from tests.conftest import fast_accounts, settings_for

pytestmark = pytest.mark.api_contract

# Enough to reach each operation's refusals and answers; bounded so that the whole run stays
# within a few minutes on two cores.
EXAMPLES_PER_OPERATION = 5

CONTRACT_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # An undocumented method is a 405 whose Allow lists the documented ones.
    unsupported_method,
    allow_header_conformance,
    # An operation that answered the supervisor is asked again without a token and with a
    # wrong one, and must refuse both.
    ignored_auth,
]

WHOLE = ("programme", "period")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """The app on the Kaltara demo store, and a supervisor's bearer headers."""
    folder = tmp_path_factory.mktemp("contract")
    # No projections run while the requests are sent, and a read asked to wait for a later
    # position (`after=`) answers at once: waiting would only spend the time bound.
    jejak = Jejak.start(
        settings_for(f"sqlite:///{folder}/demo.db", folder, read_your_writes_timeout_seconds=0)
    )
    ensure_demo_users(fast_accounts(jejak), jejak.app)
    load_demo(jejak.app)
    jejak.runner.catch_up()
    app = create_app(jejak=jejak, run_projections=False)
    with TestClient(app) as client:
        answer = client.post(
            "/auth/token", data={"username": "supervisor", "password": "supervisor-kaltara-2016"}
        )
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    yield app, headers
    jejak.close()


# The document is the same for any store; building it needs no database.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    # A failure is reported as found: shrinking it would cost more time than it saves.
    phases=[Phase.explicit, Phase.generate],
)
def test_every_operation_keeps_its_documented_contract(
    case: Case[Any], demo_app: tuple[FastAPI, dict[str, str]]
) -> None:
    app, headers = demo_app
    if case.operation.path == "/api/evidence" and (case.query or {}).get("scope") in WHOLE:
        # A bundle of the whole programme or a whole period takes many seconds to build on the
        # demo store; tests/contract/test_evidence.py covers them.
        reject()
    # Refusals of schema-valid requests (a rule, an unknown id) are the domain's to make, so
    # the checks are those of the contract: no 5xx, documented statuses, headers and bodies.
    case.call_and_validate(app=app, headers=headers, checks=CONTRACT_CHECKS)
