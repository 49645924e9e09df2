"""Every GET endpoint, export and bundle, fetched as each role on the Kaltara demo, and the
bytes scanned for the demo's names, NIKs, phones and account numbers (ADR 0030), and, for the
roles that see them masked, for more of them than a mask shows (ADR 0041): two words of a name
side by side, or a value's first characters or last ones beside a mask's bullets.

The routes are enumerated from the app itself, so a new GET endpoint is fetched here too; one
whose path parameters or required query parameters this file cannot fill fails the test until
a value is added below. Zips (bundles, XLSX) are opened and PDFs read as text before scanning.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from domain.privacy.destruction import Destruction
from domain.privacy.legal_hold import HoldKind
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.sealed import Sealed, sealed_from_json
from projections.audit_findings import audit_findings
from projections.beneficiary_status import beneficiary_status
from projections.entitlement_status import entitlement_status
from projections.site_status import site_status
from service.api.app import create_app
from service.commands import restatements
from service.demo.kaltara import DemoUser
from service.provenance import today_wita
from service.security.accounts import Account
from service.store.event_log import log_events
from service.system import Jejak
from service.web.audit import check_key
from service.web.names import report_page
from tests.conftest import DemoTemplate, demo_store
from tests.e2e.test_audit_register_http import finding_body
from tests.e2e.test_breaches_http import breach_body
from tests.e2e.test_subject_requests_http import request_body

ROLES = tuple(Role)
# The roles that see no personal data in clear without a reason (ADR 0030, ADR 0042).
MASKED_ROLES = (Role.AUDITOR, Role.ADMIN, Role.DPO)
# The sealed fields a scan can recognise in any text: long and distinctive enough not to occur
# by chance (a birth date or a sex would).
SCANNED_FIELDS = frozenset({"name", "nik", "kk", "bank_account", "phone", "payee_name"})
CLEAR_REASON = "Pemeriksaan LKPD 2019"
DEMO_NAME_MARKER = "contoh"
SUBJECT_REQUEST = "PDP-2020-001"


@dataclass(frozen=True)
class Demo:
    """The demo store served, its personal data in clear, and ids to fill paths with."""

    client: TestClient
    jejak: Jejak
    secrets: frozenset[str]
    # More of a secret than its mask shows; never in what a role that sees it masked gets.
    partials: frozenset[str]
    tokens: dict[Role, dict[str, str]]
    path_values: dict[str, list[str]]


# A breach of the demo's cases, so that the breach register's reads are scanned with a record.
BREACH = breach_body(
    number="KDP-2020-001",
    occurred_on="2020-06-29",
    discovered_on="2020-06-29",
    happened_from="2020-06-27",
    case_numbers=[],
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate) -> Iterator[Demo]:
    jejak = demo_store(demo_template, tmp_path_factory.mktemp("demo"))
    try:
        accounts: dict[Role, DemoUser] = {}
        # As `jejak serve --demo` sets it up: its units, accounts and the examiner's assignment.
        for user in demo_template.users:
            accounts.setdefault(user.role, user)
        supervisor = jejak.accounts.get(accounts[Role.SUPERVISOR].username)
        assert isinstance(supervisor, Account)
        restatements.switch(
            restatements.prepare(jejak, ["site_status"]), supervisor, "Scan of who sees what"
        )
        with TestClient(create_app(jejak=jejak)) as client:
            tokens = {
                role: _login(client, user.username, user.password)
                for role, user in accounts.items()
            }
            registered = client.post(
                "/api/audit/register", json=finding_body(), headers=tokens[Role.SUPERVISOR]
            )
            assert registered.status_code == 201, registered.text
            erasure = _erased_case(client, jejak, tokens)
            # A subject request about a case, so that its pages and its clock are scanned.
            requested = client.post(
                "/api/privacy/requests",
                json=request_body(number=SUBJECT_REQUEST, beneficiary_id=str(_a_case(jejak))),
                headers=tokens[Role.DPO],
            )
            assert requested.status_code == 201, requested.text
            retention = _retention_records(jejak)
            jejak.runner.catch_up()
            values = _path_values(client, jejak, tokens[Role.SUPERVISOR], registered.json()["id"])
            # The breach concerns the case the scan reads, so her notice is fetched too.
            concerning = BREACH | {"case_numbers": values["case_number"]}
            breach = client.post("/api/privacy/breaches", json=concerning, headers=tokens[Role.DPO])
            assert breach.status_code == 201, breach.text
            jejak.runner.catch_up()
            secrets = frozenset(_personal_data(jejak))
            yield Demo(
                client,
                jejak,
                secrets,
                frozenset(_partials(secrets)),
                tokens,
                values | retention | {"erasure_id": [erasure]},
            )
    finally:
        jejak.close()


def _erased_case(client: TestClient, jejak: Jejak, tokens: dict[Role, dict[str, str]]) -> str:
    """An erasure carried out on a registered case (ADR 0055): her data is then restricted,
    and the erasure pages and her notice are scanned too."""
    with jejak.engine.connect() as conn:
        case_number = (
            conn.execute(
                select(beneficiary_status.c.case_number)
                # A case with no money: the scan's paid case stays as it is.
                .where(
                    beneficiary_status.c.beneficiary_id.not_in(
                        select(entitlement_status.c.subject_id)
                    )
                )
                .order_by(beneficiary_status.c.case_number.desc())
            )
            .scalars()
            .first()
        )
    letter = {
        "kind": "surat",
        "number": "01/PDP/2020",
        "issued_on": "2020-06-22",
        "issuer": "Pemohon",
    }
    memo = {
        "kind": "nota_dinas",
        "number": "05/ND/PDP/2020",
        "issued_on": "2020-06-24",
        "issuer": "Dinas Sosial",
    }
    request = {
        "occurred_on": "2020-06-23",
        "case_number": case_number,
        "received_at": "2020-06-22T09:30:00+08:00",
        "document": letter,
        "reason": "Permohonan penghapusan data pribadi",
    }
    recorded = client.post("/api/privacy/erasures", json=request, headers=tokens[Role.DPO])
    assert recorded.status_code == 201, recorded.text
    erasure: str = recorded.json()["id"]
    approved = client.post(
        f"/api/privacy/erasures/{erasure}/approval",
        json={"occurred_on": "2020-06-24", "document": memo},
        headers=tokens[Role.SUPERVISOR],
    )
    assert approved.status_code == 201, approved.text
    return erasure


def _a_case(jejak: Jejak) -> str:
    with jejak.engine.connect() as conn:
        return str(conn.execute(select(beneficiary_status.c.beneficiary_id)).scalars().first())


def _retention_records(jejak: Jejak) -> dict[str, list[str]]:
    """A legal hold and a destruction carried out with its berita acara, so that their pages
    are read too (ADR 0056)."""
    proposer = Actor("dpo", Role.DPO, "DINSOS-KALTARA")
    today = today_wita()
    memo = DocumentRef("nota_dinas", "ND/1/XII/2026", today, "DINSOS-KALTARA")
    proposed = jejak.app.retention.propose_destruction(
        provenance=Provenance(proposer, today, memo, "jadwal retensi")
    )
    approver = Actor("supervisor.kemensos", Role.SUPERVISOR, "KEMENSOS")
    jejak.app.retention.approve_destruction(
        proposed.aggregate_id, provenance=Provenance(approver, today, memo, None)
    )
    letter = DocumentRef("surat", "B/1/XII/2026", today, "Polda Kalimantan Utara")
    held = jejak.app.retention.place_legal_hold(
        kind=HoldKind.INVESTIGATION,
        beneficiary_ids=[proposed_people(jejak, proposed.aggregate_id)],
        provenance=Provenance(proposer, today, letter, "penyidikan"),
    )
    number = jejak.app.load(Destruction, proposed.aggregate_id).number
    return {
        "hold_id": [str(held.aggregate_id)],
        "destruction_number": [number],
        "kind": ["periods", "holds", "destructions"],
    }


def proposed_people(jejak: Jejak, destruction_id: UUID) -> UUID:
    """The first person a proposed destruction names."""
    return jejak.app.load(Destruction, destruction_id).items[0].beneficiary_id


def _login(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _personal_data(jejak: Jejak) -> Iterator[str]:
    """Every scanned sealed value of the log, opened, in lower case."""

    def opened(value: Any) -> Iterator[str]:
        if isinstance(value, Sealed):
            plaintext = jejak.vault.open(value) if value.field in SCANNED_FIELDS else None
            if plaintext:
                yield plaintext.lower()
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                yield from opened(getattr(value, field.name))
        elif isinstance(value, list | tuple):
            for item in value:
                yield from opened(item)

    for event in log_events(jejak.app, None):
        for value in vars(event).values():
            yield from opened(value)


def _partials(secrets: frozenset[str]) -> Iterator[str]:
    """What shows more of a secret than its mask (initials; the last four digits): its first
    characters, or more than a number's last four digits or a name's last letters, beside a
    mask's bullets (`*` in a PDF), and two words of a name side by side. A number's leading
    digits alone are not looked for: random ids and hashes in hex hold such runs by chance."""
    for secret in secrets:
        digits = "".join(c for c in secret if c.isdecimal())
        is_number = not any(c.isalpha() for c in secret)
        for bullet in ("\u2022", "*"):
            yield from (secret[:k] + bullet for k in (2, 3, 4))
            # A number shows its last four digits; a name no letter after a bullet.
            yield bullet + (digits[-5:] if is_number else secret[-4:])
        # Every demo name starts with "Contoh" (example), which tells nothing about her.
        words = [w for w in secret.split() if w != DEMO_NAME_MARKER]
        yield from (" ".join(pair) for pair in itertools.pairwise(words))


def _path_values(
    client: TestClient, jejak: Jejak, headers: dict[str, str], register_finding: str
) -> dict[str, list[str]]:
    with jejak.engine.connect() as conn:
        paid = conn.execute(
            select(entitlement_status.c.entitlement_id, entitlement_status.c.subject_id).where(
                entitlement_status.c.state == "ACKNOWLEDGED"
            )
        ).first()
        assert paid is not None
        site, case_number, name_sealed = conn.execute(
            select(
                beneficiary_status.c.site_id,
                beneficiary_status.c.case_number,
                beneficiary_status.c.name_sealed,
            ).where(beneficiary_status.c.beneficiary_id == paid.subject_id)
        ).one()
        site_code = conn.execute(
            select(site_status.c.code).where(site_status.c.site_id == site)
        ).scalar_one()
        finding, rule = conn.execute(
            select(audit_findings.c.finding_id, audit_findings.c.rule_id)
        ).first() or (None, None)
    documents = client.get("/api/documents?limit=500", headers=headers).json()["items"]
    reports = client.get("/api/reports", headers=headers).json()["items"]
    restated = client.get("/api/restatements", headers=headers).json()["items"]
    assert documents and reports and restated and finding
    return {
        "site_id": [site],
        "beneficiary_id": [paid.subject_id],
        "entitlement_id": [paid.entitlement_id],
        "aggregate_id": [paid.subject_id, paid.entitlement_id, site],
        "finding_id": [finding],
        "register_finding_id": [register_finding],
        "report_id": [reports[0]["report_id"]],
        "restatement_id": [restated[0]["restatement_id"]],
        "sha256": [d["sha256"] for d in documents],
        "fmt": ["csv", "xlsx", "pdf"],
        "name": [p.name for p in jejak.runner.projections if p.name != "event_chain"],
        "case_number": [case_number],
        # The pages name a site by its code (`/sites/{code}`).
        "code": [site_code],
        # The steps' forms on those pages (ADR 0051), and on the audit pages' records.
        "command": [
            "verify_identity",
            "acknowledge_receipt",
            "approve_batch",
            "close_fiscal_year",
            "amend_decree",
            "acknowledge_finding",
            "submit_response",
            "republish_report",
            "approve_destruction",
            "lift_legal_hold",
            "confirm_breach",
        ],
        # A funding commitment by its fiscal year and budget line, a decree by its SK number.
        "slug": ["2019-apbn-dipa-027-04-1-2019-akun-573111", "DEMO-SK-REHSOS-2018-117"],
        # The audit pages name a check's finding by its rule and a digest, a register finding
        # by its number, a restatement by its order, a report by its kind and period.
        "check": [check_key({"finding_id": finding, "rule_id": rule})],
        "finding_number": [finding_body()["finding_number"]],
        "restatement_number": ["1"],
        "report": [
            report_page(
                reports[0]["report_kind"], reports[0]["period_start"], reports[0]["period_end"]
            ).rpartition("/")[2]
        ],
        # Her entitlement on her page, by component and tranche.
        "key": ["jadup-1"],
        # A payment batch by its own number (`/batches/{number}`).
        "number": ["DEMO-2019-01", BREACH["number"], SUBJECT_REQUEST],
        "her_name": [jejak.vault.open(sealed_from_json(name_sealed)) or ""],
        "username": ["operator"],
        "language": ["id", "en"],
    }


# Required query parameters, and extra variants of the routes whose answer depends on them.
QUERIES: dict[str, list[str]] = {
    # A site's and a case's bundles: the whole programme's holds the same cases, masked by the
    # same code, and takes most of this scan's time to build and read (tests/contract/
    # test_evidence.py builds it).
    "/api/evidence": [
        "scope=site&subject_id={site_id}",
        "scope=beneficiary&subject_id={beneficiary_id}",
    ],
    "/api/reports/figures": ["period_start=2019-07-01&period_end=2019-09-30"],
    "/api/grants/who-could": ["command=approve_batch&unit=DINSOS-TARAKAN&on=2019-08-01"],
    "/api/reconciliation": ["start=2019-01-01&end=2019-12-31"],
    "/reconciliation": ["batch=DEMO-2019-02", "start=2019-01-01&end=2019-12-31"],
    "/api/time-travel/read-models/{name}": ["as_at=2019-12-31"],
    "/api/time-travel/dashboard": ["as_at=2019-12-31"],
    "/api/time-travel/aggregates/{aggregate_id}": ["as_at=2019-12-31"],
    "/api/beneficiaries": ["limit=500"],
    "/api/ledger": ["limit=500"],
    "/api/entitlements": ["limit=500"],
    # A search by case number, by a site's prefix, and by her name (operators and supervisors).
    "/api/search": ["case_number={case_number}", "case_number=TRK&limit=500", "name={her_name}"],
}


def get_routes(demo: Demo) -> list[APIRoute]:
    """Every GET route of the app, as the app itself lists them."""
    app = demo.client.app
    routes = [
        context.original_route
        for context in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        if "GET" in (context.methods or ())
    ]
    assert all(isinstance(r, APIRoute) for r in routes)
    return [r for r in routes if isinstance(r, APIRoute)]


def requests_for(route: APIRoute, values: dict[str, list[str]]) -> list[str]:
    """The URLs a route is fetched at: every value of its path parameters, each query."""
    params = {p.name for p in route.dependant.path_params}
    required = [
        q.alias
        for dependency in _flat(route.dependant)
        for q in dependency.query_params
        if q.field_info.is_required()
    ]
    queries = QUERIES.get(route.path, [""])
    missing = [q for q in required if not all(f"{q}=" in query for query in queries)]
    assert not missing, f"{route.path}: add values of {missing} to QUERIES"
    urls = [route.path]
    for param in sorted(params):
        key = "register_finding_id" if "/register/" in route.path else param
        if param == "number" and "/retention/destructions/" in route.path:
            key = "destruction_number"
        assert key in values, f"{route.path}: add values of {{{param}}} to _path_values"
        # A parameter may name its converter (`{finding_number:path}`).
        placeholder = re.compile(rf"\{{{param}(:[a-z]+)?\}}")
        urls = [placeholder.sub(v, url) for url in urls for v in values[key]]
    single = {k: v[0] for k, v in values.items()}
    return [
        f"{url}?{query.format(**single)}" if query else url for url in urls for query in queries
    ]


def _flat(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _flat(sub)


def texts(content: bytes, *, binary: bool = True) -> Iterator[str]:
    """The text of a response, of every member of a zip (bundles, XLSX), of a PDF's pages.

    With `binary` False, bytes that are not UTF-8 text (compressed streams, scanned documents)
    are left out: short patterns turn up in random bytes by chance.
    """
    try:
        yield content.decode("utf-8").lower()
    except UnicodeDecodeError:
        if binary:
            yield content.decode("utf-8", "replace").lower()
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                yield from texts(archive.read(name), binary=binary)
    elif content.startswith(b"%PDF"):
        for page in PdfReader(io.BytesIO(content)).pages:
            yield page.extract_text().lower()


def personal_data_in(content: bytes, secrets: frozenset[str], *, binary: bool = True) -> set[str]:
    """Which of the demo's personal data the bytes hold, in clear."""
    pattern = _pattern(secrets)
    return {found for text in texts(content, binary=binary) for found in pattern.findall(text)}


@functools.cache
def _pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    # One pass over a large bundle instead of one per value; the longest value first.
    return re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))


def test_no_role_but_operators_and_supervisors_gets_personal_data_from_any_get(
    demo: Demo,
) -> None:
    answered: dict[str, set[int]] = {}
    seen: dict[Role, set[str]] = {role: set() for role in ROLES}
    leaks: list[str] = []
    for route in get_routes(demo):
        for url in requests_for(route, demo.path_values):
            for role in ROLES:
                response = demo.client.get(url, headers=demo.tokens[role])
                assert response.status_code < 500, f"{role} {url}: {response.text[:200]}"
                answered.setdefault(route.path, set()).add(response.status_code)
                found = personal_data_in(response.content, demo.secrets)
                seen[role] |= found
                if found and role in MASKED_ROLES:
                    leaks.append(f"{role.value} {url}: {len(found)} values in clear")
                elif role in (Role.AUDITOR, Role.ADMIN):
                    shown = personal_data_in(response.content, demo.partials, binary=False)
                    if shown:
                        leaks.append(f"{role.value} {url}: {len(shown)} values part-masked")

    assert leaks == []
    # Each route answered someone, so its answer was really scanned.
    assert [path for path, codes in answered.items() if 200 not in codes] == []
    # The scan sees what the roles that work the cases are shown: the province's supervisor
    # names and accounts across the programme; Tarakan's operator the names of the cases its
    # unit holds (ADR 0044), which the scan must find too.
    assert len(seen[Role.SUPERVISOR]) > len(demo.secrets) / 2
    assert len(seen[Role.OPERATOR]) > 20


def test_an_auditor_gets_personal_data_in_clear_only_with_a_reason_which_is_logged(
    demo: Demo,
) -> None:
    auditor = demo.tokens[Role.AUDITOR]
    site = demo.path_values["site_id"][0]
    asked = f"/api/evidence?scope=site&subject_id={site}&in_clear=true"

    without = demo.client.get(asked, headers=auditor)
    blank = demo.client.get(f"{asked}&reason=%20%20", headers=auditor)
    identifier = demo.client.get(f"{asked}&reason=NIK 6503025301939000", headers=auditor)
    given = demo.client.get(f"{asked}&reason={CLEAR_REASON}", headers=auditor)

    for refused in (without, blank):
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "REASON_REQUIRED"
        assert refused.json()["error"]["field"] == "reason"
    assert identifier.status_code == 422
    assert identifier.json()["error"]["code"] == "PERSONAL_DATA_IN_TEXT"
    assert given.status_code == 200, given.text
    assert personal_data_in(given.content, demo.secrets) == personal_data_in(
        demo.client.get(asked, headers=demo.tokens[Role.SUPERVISOR]).content, demo.secrets
    )
    (logged,) = [
        e
        for e in demo.jejak.access_log.recent(1000)
        if e.action == "export_evidence_bundle" and "reason" in (e.detail or "")
    ]
    assert logged.user_id == "auditor" and logged.detail is not None
    assert logged.detail.endswith(f"reason: {CLEAR_REASON}")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DPO])
def test_administrators_and_the_dpo_may_not_ask_for_personal_data_in_clear(
    demo: Demo, role: Role
) -> None:
    response = demo.client.get(
        f"/api/evidence?scope=beneficiary&subject_id={demo.path_values['beneficiary_id'][0]}"
        f"&in_clear=true&reason={CLEAR_REASON}",
        headers=demo.tokens[role],
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"
