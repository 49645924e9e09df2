"""Every GET endpoint fetched as an account of another unit, and the answers scanned for the
records it does not answer for; its commands on them refused (ADR 0044).

On the Kaltara demo with its units: a Dinas Sosial Nunukan operator and supervisor must find
nothing of the sites and cases Tarakan (or the training centre) holds, counts included, and
may change none of them. Routes are enumerated from the app, as in `test_who_sees_what`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.units import Scope, Unit, UnitInfo, UnitKind
from projections.beneficiary_status import beneficiary_status
from projections.custody import case_units, site_units
from projections.entitlement_status import entitlement_status
from projections.site_status import site_status
from tests.e2e.test_who_sees_what import Demo, demo, get_routes, requests_for, texts

__all__ = ["demo"]

KALTARA_UNITS = (
    UnitInfo("KEMENSOS", "Kementerian Sosial", UnitKind.MINISTRY, ""),
    UnitInfo("DINSOS-KALTARA", "Dinsosnakertrans Kaltara", UnitKind.PROVINCE, "65"),
    UnitInfo("DINSOS-TARAKAN", "Dinas Sosial Kota Tarakan", UnitKind.REGENCY, "65.71"),
    UnitInfo(
        "DINSOS-NUNUKAN", "Dinas Sosial Kab. Nunukan", UnitKind.REGENCY, "65.03", ("NNK-LOCAL",)
    ),
    UnitInfo(
        "PSKW-SAMARINDA", "UPTD PSKW Samarinda", UnitKind.TRAINING_CENTRE, "64.72", ("KTM-PSKW-HM",)
    ),
)
NUNUKAN = "DINSOS-NUNUKAN"
PASSWORD = "nunukan-scope-check-1"


@dataclass(frozen=True)
class OtherUnit:
    """What Nunukan must not see: ids, case numbers and site names it does not answer for."""

    site_ids: frozenset[str]
    site_names: frozenset[str]
    case_ids: frozenset[str]
    case_numbers: frozenset[str]
    in_scope_cases: int

    def pattern(self) -> re.Pattern[str]:
        words = sorted(
            self.site_ids | self.site_names | self.case_ids | self.case_numbers,
            key=len,
            reverse=True,
        )
        return re.compile("|".join(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])" for w in words))


@pytest.fixture(scope="module")
def scoped(demo: Demo) -> tuple[Demo, dict[Role, dict[str, str]], OtherUnit]:
    jejak = demo.jejak
    admin = Provenance(Actor("scope.admin", Role.ADMIN, "DINSOS-KALTARA"), date(2016, 1, 4))
    for info in KALTARA_UNITS:
        if not jejak.app.exists(Unit.create_id(info.code)):
            jejak.app.commit(Unit.establish(info, provenance=admin))
    jejak.runner.catch_up()
    tokens: dict[Role, dict[str, str]] = {}
    for role in (Role.OPERATOR, Role.SUPERVISOR):
        username = f"nunukan.{role.value}"
        if jejak.accounts.get(username) is None:
            jejak.accounts.create(username, PASSWORD, role, NUNUKAN, f"Nunukan {role.value}")
        response = demo.client.post(
            "/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    with jejak.engine.connect() as conn:
        sites = conn.execute(
            select(site_status.c.site_id, site_status.c.name, site_units.c.unit).join(
                site_units, site_units.c.site_id == site_status.c.site_id
            )
        ).all()
        cases = conn.execute(
            select(
                beneficiary_status.c.beneficiary_id,
                beneficiary_status.c.case_number,
                case_units.c.unit,
                case_units.c.incoming_unit,
            ).join(case_units, case_units.c.beneficiary_id == beneficiary_status.c.beneficiary_id)
        ).all()
    theirs = [c for c in cases if NUNUKAN not in (c.unit, c.incoming_unit)]
    other = OtherUnit(
        site_ids=frozenset(s.site_id for s in sites if s.unit != NUNUKAN),
        site_names=frozenset(s.name for s in sites if s.unit != NUNUKAN),
        case_ids=frozenset(c.beneficiary_id for c in theirs),
        case_numbers=frozenset(c.case_number for c in theirs),
        in_scope_cases=len(cases) - len(theirs),
    )
    # The demo holds both: Nunukan's own cases, and many it must not see.
    assert other.in_scope_cases > 0 and len(other.case_ids) > 50 and other.site_ids
    return demo, tokens, other


def test_nothing_of_another_unit_comes_back_from_any_get(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, tokens, other = scoped
    pattern = other.pattern()
    # Fill the paths with the other unit's records: each must answer as if it did not exist.
    site, case = sorted(other.site_ids)[0], sorted(other.case_ids)[0]
    values = dict(demo.path_values) | {
        "site_id": [site],
        "beneficiary_id": [case],
        "aggregate_id": [site, case],
        "case_number": [sorted(other.case_numbers)[0]],
    }
    leaks: list[str] = []
    fetched = 0
    # The API's own documentation shows example case numbers, which are no one's record.
    routes = [r for r in get_routes(demo) if not r.path.startswith(("/openapi", "/docs"))]
    for route in routes:
        for url in requests_for(route, values):
            for role, headers in tokens.items():
                response = demo.client.get(url, headers=headers)
                fetched += 1
                assert response.status_code < 500, f"{role} {url}: {response.text[:200]}"
                found = {m for text in texts(response.content) for m in pattern.findall(text)}
                # A 404 may repeat the id the caller typed: that tells them nothing.
                found -= {m for m in found if m in url.lower()}
                if found:
                    leaks.append(f"{role.value} {url} {response.status_code}: {sorted(found)[:3]}")
    assert leaks == []
    assert fetched > 100


def test_lists_and_counts_hold_only_the_units_own(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, tokens, other = scoped
    operator = tokens[Role.OPERATOR]

    cases = demo.client.get("/api/beneficiaries?limit=500", headers=operator).json()
    sites = demo.client.get("/api/sites", headers=operator).json()
    board = demo.client.get("/api/dashboard", headers=operator).json()
    work = demo.client.get("/api/worklist?limit=500", headers=operator).json()

    assert cases["total"] == other.in_scope_cases
    assert [s["code"] for s in sites["items"]] == ["NNK-NT"]
    assert [s["site_code"] for s in board["sites"]] == ["NNK-NT"]
    assert board["totals"]["headcount_at_pendataan"] == 39
    assert all(item["subject_id"] not in other.case_ids for item in work["items"])
    assert all(item["site_id"] not in other.site_ids for item in work["items"])
    # Her entitlements follow her case: Nunukan sees its own women's, and no one else's.
    entitlements = demo.client.get("/api/entitlements?limit=500", headers=operator).json()
    assert entitlements["total"] > 0
    assert all(e["subject_id"] not in other.case_ids for e in entitlements["items"])
    for programme_wide in ("/api/ledger", "/api/budget", "/api/access-log", "/api/audit/register"):
        answer = demo.client.get(programme_wide, headers=operator)
        assert answer.status_code == 404, programme_wide


def test_commands_on_another_units_records_are_refused_and_write_nothing(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, tokens, other = scoped
    site = sorted(other.site_ids)[0]
    case = sorted(other.case_ids)[0]
    before = demo.jejak.app.position()
    body = {"occurred_on": "2019-06-01", "reason": "uji lingkup"}

    inspection = demo.client.post(
        f"/api/sites/{site}/inspections",
        json=body | {"outcome": "quiet"},
        headers=tokens[Role.OPERATOR],
    )
    withdrawal = demo.client.post(
        f"/api/beneficiaries/{case}/withdrawal", json=body, headers=tokens[Role.OPERATOR]
    )
    reveal = demo.client.post(
        f"/api/beneficiaries/{case}/reveal",
        json={"field": "name", "reason": "uji lingkup"},
        headers=tokens[Role.SUPERVISOR],
    )

    for refused in (inspection, withdrawal):
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "OUT_OF_SCOPE"
    assert reveal.status_code == 404
    assert demo.jejak.app.position() == before


def test_the_scope_of_a_unit_is_its_own_and_the_overseers_see_everything(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, _, _ = scoped
    scopes = demo.jejak.scopes

    assert scopes.of("x", Role.OPERATOR, NUNUKAN) == Scope(False, frozenset({NUNUKAN}))
    assert scopes.of("x", Role.SUPERVISOR, "DINSOS-KALTARA").everything
    assert scopes.of("x", Role.SUPERVISOR, "KEMENSOS").everything
    assert scopes.of("x", Role.OPERATOR, "NO-SUCH-UNIT").nothing


def test_every_command_on_another_units_site_case_or_entitlement_is_refused(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, tokens, other = scoped
    with demo.jejak.engine.connect() as conn:
        entitlement = (
            conn.execute(
                select(entitlement_status.c.entitlement_id).where(
                    entitlement_status.c.subject_id.in_(sorted(other.case_ids))
                )
            )
            .scalars()
            .first()
        )
    values = {
        "site_id": sorted(other.site_ids)[0],
        "beneficiary_id": sorted(other.case_ids)[0],
        "entitlement_id": entitlement,
    }
    before = demo.jejak.app.position()
    refused: list[str] = []
    for route in command_routes(demo):
        params = {p.name for p in route.dependant.path_params}
        # The reveal is a read: outside the scope her case is not found (tested above).
        if not params or not params <= values.keys() or route.path.endswith("/reveal"):
            continue
        url = route.path.format(**values)
        for headers in tokens.values():
            # Refused before its body is read: the scope is judged first.
            response = demo.client.post(url, json={}, headers=headers)
            assert response.status_code == 403, f"{url}: {response.text[:200]}"
            assert response.json()["error"]["code"] in ("OUT_OF_SCOPE", "ROLE_FORBIDDEN"), url
            refused.append(url)
    assert demo.jejak.app.position() == before
    # A site's, a case's and an entitlement's commands were all tried.
    for kind in ("/api/sites/", "/api/beneficiaries/", "/api/entitlements/"):
        assert any(url.startswith(kind) for url in refused), kind
    assert len(refused) > 30


def command_routes(demo: Demo) -> list[APIRoute]:
    """Every POST route of the app, as the app itself lists them."""
    app = demo.client.app
    return [
        context.original_route
        for context in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        if "POST" in (context.methods or ()) and isinstance(context.original_route, APIRoute)
    ]


def test_an_examiner_assigned_one_unit_has_its_cases_bundles_and_no_others(
    scoped: tuple[Demo, dict[Role, dict[str, str]], OtherUnit],
) -> None:
    demo, _, other = scoped
    jejak = demo.jejak
    if jejak.accounts.get("bpk.nunukan") is None:
        jejak.accounts.create("bpk.nunukan", PASSWORD, Role.AUDITOR, "BPK-KALTARA", "Pemeriksa")
        letter = DocumentRef("surat", "ST/12/BPK/2026", date(2026, 11, 30), "BPK Perwakilan")
        jejak.app.assignments.give(
            "bpk.nunukan",
            units=[NUNUKAN],
            valid_from=date(2026, 12, 1),
            valid_until=date(2027, 3, 31),
            provenance=Provenance(
                Actor("admin", Role.ADMIN, "DINSOS-KALTARA"), date(2026, 11, 30), letter
            ),
        )
        jejak.runner.catch_up()
    login = {"username": "bpk.nunukan", "password": PASSWORD}
    token = demo.client.post("/auth/token", data=login).json()["access_token"]
    examiner = {"Authorization": f"Bearer {token}"}
    with jejak.engine.connect() as conn:
        own = (
            conn.execute(select(case_units.c.beneficiary_id).where(case_units.c.unit == NUNUKAN))
            .scalars()
            .first()
        )
    theirs = sorted(other.case_ids)[0]

    def status(url: str) -> int:
        code: int = demo.client.get(url, headers=examiner).status_code
        return code

    assert status(f"/api/evidence?scope=beneficiary&subject_id={own}") == 200
    assert status(f"/api/beneficiaries/{own}/payments.pdf") == 200
    assert status(f"/api/time-travel/aggregates/{own}?as_at=2019-12-31") == 200
    assert status(f"/api/evidence?scope=beneficiary&subject_id={theirs}") == 404
    assert status(f"/api/beneficiaries/{theirs}/payments.pdf") == 404
    assert status("/api/evidence?scope=programme") == 404
    assert status("/api/ledger.csv") == 404
