"""Every POST route, tried as every role (ADR 0031).

The routes are enumerated from the app. Each write route declares its roles as a dependency
(`service.api.access.Writers`), derived from the lifecycle declarations or from the one table
of the writes outside them (`domain.access.WRITE_ROLES`); a new POST route without one fails
here. The declared roles are checked against the issue's table, and each route is then called
as every role with an empty body: a role not declared gets 403 before the body is read, a
declared one gets past the check (to a 422 for the empty body, or a 404 for the unknown id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from domain.access import WRITE_ROLES, Write
from domain.recording import Role
from service.api.access import Writers
from tests.e2e.conftest import login

# Logging in and out is no write to the programme's records, nor is the reveal act: a read
# whose reason travels in the body (ADR 0046), its roles decided in `domain.access`; on a case
# page too (`service/web/cases.py`).
NOT_A_WRITE = frozenset(
    {
        "/auth/token",
        "/login",
        "/logout",
        "/api/beneficiaries/{beneficiary_id}/reveal",
        "/cases/{case_number}/reveal",
        # Her copy is a read of her data for her, logged as a read (ADR 0057), like a reveal.
        "/api/privacy/requests/{number}/copy",
    }
)
USERS = {
    Role.OPERATOR: "opi",
    Role.SUPERVISOR: "sup",
    Role.AUDITOR: "aud",
    Role.ADMIN: "adm",
    Role.DPO: "dpo",
}
OPERATOR = (Role.OPERATOR, Role.SUPERVISOR)
SUPERVISOR = (Role.SUPERVISOR,)
DPO = (Role.DPO,)
ADMIN = (Role.ADMIN,)
PRIVACY = (Role.DPO, Role.SUPERVISOR)

# The table, route by route: operators do the field work (supervisors may too, as the
# lifecycle declarations say); supervisors decree, close cases, fund, batch and pay, approve,
# acknowledge, keep the findings register, publish and restate; administrators sign
# checkpoints, set up units and record examiners' assignments (ADR 0045); auditors and the
# data-protection officer write nothing.
INTENDED: dict[str, tuple[Role, ...]] = {
    "/api/sites": OPERATOR,
    "/api/sites/{site_id}/sosialisasi": OPERATOR,
    "/api/sites/{site_id}/closure-decree": SUPERVISOR,
    "/api/sites/{site_id}/closure": OPERATOR,
    "/api/sites/{site_id}/inspections": OPERATOR,
    "/api/sites/{site_id}/beneficiaries": OPERATOR,
    "/api/sites/{site_id}/roster": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/identity-verification": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/exclusion": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/child-protection-referral": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/assessment": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/training-departure": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/training-completion": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/training-dropout": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/return-home": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/local-stay": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/case-closure": SUPERVISOR,
    "/api/beneficiaries/{beneficiary_id}/withdrawal": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/death": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/hand-over-acceptance": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/bank-account": OPERATOR,
    "/api/sites/{site_id}/corrections/details": OPERATOR,
    "/api/sites/{site_id}/corrections/date": OPERATOR,
    "/api/sites/{site_id}/corrections/document": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/corrections/details": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/corrections/date": OPERATOR,
    "/api/beneficiaries/{beneficiary_id}/corrections/document": OPERATOR,
    "/api/entitlements/{entitlement_id}/money-corrections": SUPERVISOR,
    "/api/entitlements/{entitlement_id}/money-corrections/approval": SUPERVISOR,
    "/api/entitlements/{entitlement_id}/money-corrections/rejection": SUPERVISOR,
    "/api/funding-commitments": SUPERVISOR,
    "/api/funding-commitments/{commitment_id}/allocations": SUPERVISOR,
    "/api/funding-commitments/{commitment_id}/fiscal-year-closure": SUPERVISOR,
    "/api/decrees": SUPERVISOR,
    "/api/decrees/{decree_id}/amendments": SUPERVISOR,
    "/api/payment-batches": SUPERVISOR,
    "/api/payment-batches/{batch_id}/approval": SUPERVISOR,
    "/api/payment-batches/{batch_id}/cancellation": SUPERVISOR,
    "/api/payment-batches/{batch_id}/transfer-file": SUPERVISOR,
    "/api/payment-batches/{batch_id}/bank-result": SUPERVISOR,
    "/api/bank-statements": SUPERVISOR,
    "/api/entitlements/{entitlement_id}/receipt": OPERATOR,
    "/api/entitlements/{entitlement_id}/withdrawal": OPERATOR,
    "/api/entitlements/{entitlement_id}/unclaimed": SUPERVISOR,
    "/api/entitlements/{entitlement_id}/treasury-return": SUPERVISOR,
    "/api/audit/findings/{finding_id}/acknowledgement": SUPERVISOR,
    "/api/audit/register": SUPERVISOR,
    # The breach register is the data-protection officer's (ADR 0058).
    **{
        f"/api/privacy/breaches{step}": DPO
        for step in (
            "",
            "/{breach_id}/confirmation",
            "/{breach_id}/dismissal",
            "/{breach_id}/remediations",
            "/{breach_id}/notices",
            "/{breach_id}/closure",
        )
    },
    # Her erasure request is the officer's to record, a second person's to decide (ADR 0055).
    "/api/privacy/erasures": DPO,
    "/api/privacy/erasures/{erasure_id}/approval": SUPERVISOR,
    "/api/privacy/erasures/{erasure_id}/refusal": SUPERVISOR,
    # Subject requests are recorded and answered by the data-protection officer (ADR 0057).
    **{
        f"/api/privacy/requests{step}": DPO
        for step in (
            "",
            "/{request_id}/verification",
            "/{request_id}/grant",
            "/{request_id}/refusal",
        )
    },
    "/api/audit/register/{finding_id}/responses": SUPERVISOR,
    "/api/audit/register/{finding_id}/follow-up-acceptance": SUPERVISOR,
    "/api/audit/register/{finding_id}/follow-up-rejection": SUPERVISOR,
    "/api/audit/register/{finding_id}/closure": SUPERVISOR,
    "/api/reports": SUPERVISOR,
    "/api/reports/{report_id}/republications": SUPERVISOR,
    "/api/documents": OPERATOR,
    "/api/checkpoints": ADMIN,
    "/api/access-log/checkpoints": ADMIN,
    "/api/units": ADMIN,
    "/api/assignments": ADMIN,
    "/api/assignments/withdrawals": ADMIN,
    # Retention (ADR 0056): the DPO or a supervisor sets periods, places and lifts legal
    # holds and proposes destructions; only another supervisor approves one.
    "/api/privacy/retention/periods": PRIVACY,
    "/api/privacy/retention/holds": PRIVACY,
    "/api/privacy/retention/holds/{hold_id}/lifting": PRIVACY,
    "/api/privacy/retention/destructions": PRIVACY,
    "/api/privacy/retention/destructions/{number}/approval": SUPERVISOR,
    "/api/privacy/retention/destructions/{number}/rejection": SUPERVISOR,
    "/api/privacy/retention/destructions/{number}/carrying-out": SUPERVISOR,
    # The data-protection officer's own records about the processing (issue 17, ADR 0060).
    "/api/privacy/impact-assessment/reviews": (Role.DPO,),
}


def post_routes(client: TestClient) -> list[APIRoute]:
    """Every POST route of the app, as the app itself lists them."""
    routes = [
        c.original_route
        for c in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if "POST" in (c.methods or ())
    ]
    # The pages' forms (`/sites/{code}/steps/{command}`...) run these routes' own functions
    # under the roles the routes declare: tests/e2e/test_step_forms.py tries them by role.
    return [
        r
        for r in routes
        if isinstance(r, APIRoute)
        and r.path not in NOT_A_WRITE
        and r.path.startswith(("/api/", "/auth/"))
    ]


def declared_writers(route: APIRoute) -> list[Writers]:
    """The `Writers` dependencies a route declares."""

    def calls(dependant: Any) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    return [call for call in calls(route.dependant) if isinstance(call, Writers)]


def test_every_write_route_declares_its_roles_and_they_are_the_intended_ones(
    client: TestClient,
) -> None:
    declared = {}
    for route in post_routes(client):
        writers = declared_writers(route)
        assert len(writers) == 1, f"POST {route.path} declares no roles (ADR 0031)"
        declared[route.path] = set(writers[0].roles)

    assert declared == {path: set(roles) for path, roles in INTENDED.items()}


def test_auditors_write_nothing_the_dpo_only_her_registers_and_admins_keep_access(
    client: TestClient,
) -> None:
    writes_of = {role: sorted(p for p, roles in INTENDED.items() if role in roles) for role in Role}
    assert writes_of[Role.AUDITOR] == []
    # The data-protection officer records only the registers of her own office (issue 17).
    assert all(p.startswith("/api/privacy/") for p in writes_of[Role.DPO])
    assert all(Role.DPO not in roles for roles in WRITE_ROLES.values())
    # Administrators sign checkpoints, set up units and record examiners' assignments.
    assert writes_of[Role.ADMIN] == [
        "/api/access-log/checkpoints",
        "/api/assignments",
        "/api/assignments/withdrawals",
        "/api/checkpoints",
        "/api/units",
    ]
    assert set(WRITE_ROLES[Write.MANAGE_ACCOUNTS]) == {Role.ADMIN}


@pytest.mark.parametrize("role", list(USERS))
def test_every_post_refuses_exactly_the_roles_it_does_not_declare(
    client: TestClient, role: Role
) -> None:
    wrong: list[str] = []
    for route in post_routes(client):
        path = route.path
        for param in route.dependant.path_params:
            path = path.replace(f"{{{param.name}}}", str(uuid.uuid4()))
        response = client.post(path, json={}, headers=login(client, USERS[role]))
        allowed = role in declared_writers(route)[0].roles
        refused = response.status_code == 403
        if allowed == refused:
            wrong.append(f"{route.path}: {response.status_code}")
        assert response.status_code < 500, f"{route.path}: {response.text[:200]}"
        if refused:
            assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"
    assert wrong == []
