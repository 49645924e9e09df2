"""Every time-travel view answers for whatever the log holds, at any cut.

Random command sequences with random business dates go through the application. Half of the
examples play an older store, written before steps had to be dated in order (the guard is
switched off, as that code had none): its log holds steps dated before the steps they follow,
and every fold must still answer. Each example then asks every time-travel view at random cuts
through HTTP, expecting an answer, never a 500.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.beneficiary import IdentityEvidence, ReintegrationPath
from domain.decree import entitlement_id
from domain.errors import DomainError
from domain.identity import Sex, make_nik
from domain.site import FundingStatus, InspectionOutcome
from projections.base import RowProjection
from service.commands.application import ProgrammeApplication
from service.system import Jejak
from tests.contract.journey import (
    CAPITAL,
    FARE,
    HOME,
    KELURAHAN,
    OPERATOR,
    SECOND_SUPERVISOR,
    SUPERVISOR,
    TRANSPORT,
    UEP,
    by,
    commit_2019,
    decree,
)
from tests.domain.givens import older_release
from tests.e2e.conftest import login, system_of

FIRST_DAY = date(2015, 1, 1)
DAYS = 365 * 6
BIRTH = date(1990, 4, 5)
# Unique site codes and NIK serials across the examples sharing one store.
_SERIALS = itertools.count()

days = st.integers(min_value=0, max_value=DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
woman = st.tuples(st.integers(min_value=0, max_value=6), st.lists(days, min_size=7, max_size=7))
site_story = st.tuples(
    st.lists(days, min_size=6, max_size=6),
    st.integers(min_value=0, max_value=5),
    st.lists(woman, max_size=3),
)


def attempt(step: Callable[[], Any]) -> bool:
    """Run one command; a refusal ends that record's story, as it would for a user."""
    try:
        step()
    except DomainError:
        return False
    return True


def play_site(app: ProgrammeApplication, story: tuple[list[date], int, list[Any]]) -> None:
    dates, steps, women = story
    serial = next(_SERIALS)
    code = "PR-" + "".join(string.ascii_uppercase[int(d)] for d in f"{serial:03d}")
    site_id = app.sites.register_site(
        code=code,
        name=f"Lokasi {code}",
        aliases=[],
        kelurahan=KELURAHAN,
        headcount_at_pendataan=len(women),
        provenance=by(OPERATOR, dates[0]),
    ).aggregate_id
    site_steps: list[Callable[[], Any]] = [
        lambda: app.sites.hold_sosialisasi(
            site_id,
            venue="Balai",
            attendance=10,
            facilitators=["Dinsos"],
            provenance=by(OPERATOR, dates[1], "notulen"),
        ),
        lambda: app.sites.decree_closure(
            site_id,
            decree_number=f"SK/{code}",
            signing_authority="Wali Kota",
            provenance=by(SUPERVISOR, dates[2], "decree"),
        ),
        lambda: app.sites.close_site(
            site_id,
            declared_headcount=len(women),
            funding_status=FundingStatus.UNKNOWN,
            provenance=by(OPERATOR, dates[3], "berita_acara"),
        ),
        lambda: app.sites.record_inspection(
            site_id, outcome=InspectionOutcome.QUIET, provenance=by(OPERATOR, dates[4])
        ),
        lambda: app.sites.record_inspection(
            site_id, outcome=InspectionOutcome.QUIET, provenance=by(OPERATOR, dates[5])
        ),
    ]
    for step in site_steps[:steps]:
        if not attempt(step):
            break
    for n, (steps_taken, her_dates) in enumerate(women):
        play_woman(app, site_id, f"{code}-{n:04d}", steps_taken, her_dates)


def play_woman(
    app: ProgrammeApplication, site_id: UUID, case: str, steps: int, dates: list[date]
) -> None:
    try:
        b = app.beneficiaries.register_beneficiary(
            site_id,
            case_number=case,
            name=f"Contoh {case}",
            phone=None,
            provenance=by(OPERATOR, dates[0]),
        ).aggregate_id
    except DomainError:
        return
    nik = make_nik("657104", BIRTH, Sex.FEMALE, 9000 + next(_SERIALS) % 1000)
    her_steps: list[Callable[[], Any]] = [
        lambda: app.beneficiaries.verify_identity(
            b,
            evidence=IdentityEvidence(nik, BIRTH, Sex.FEMALE),
            provenance=by(OPERATOR, dates[1], "ktp"),
        ),
        lambda: app.beneficiaries.assess(
            b,
            home_region=HOME,
            path=ReintegrationPath.RETURN_HOME,
            notes="",
            provenance=by(OPERATOR, dates[2], "surat_keterangan"),
        ),
        lambda: app.beneficiaries.send_to_training(
            b, facility_id="KTM-PSKW-HM", provenance=by(OPERATOR, dates[3])
        ),
        lambda: app.beneficiaries.complete_training(
            b, skill="menjahit", provenance=by(OPERATOR, dates[4], "sertifikat")
        ),
        lambda: app.beneficiaries.confirm_return_home(
            b, confirming_kelurahan=HOME, provenance=by(OPERATOR, dates[5], "surat_tiba")
        ),
        lambda: pay_her(app, b, case, dates[6]),
    ]
    for step in her_steps[:steps]:
        if not attempt(step):
            break


def pay_her(app: ProgrammeApplication, b: UUID, case: str, on: date) -> None:
    """Her aid decreed, funded and put in an approved batch, each step on `on` or after."""
    decree(app, f"SK/{case}", [b], on)
    aid = [entitlement_id(b, *CAPITAL), entitlement_id(b, *FARE)]
    commitment = commit_2019(app, amount=UEP + TRANSPORT, budget_line=f"DIPA {case}")
    allocated = max(on, date(2019, 1, 2))
    app.money.allocate_funds(commitment, entitlement_ids=aid, provenance=by(SUPERVISOR, allocated))
    batch = app.money.create_batch(
        batch_number=f"B-{case}", entitlement_ids=aid, provenance=by(SUPERVISOR, allocated)
    ).aggregate_id
    # A day before the batch: refused in order, recorded by an older store.
    app.money.approve_batch(batch, provenance=by(SECOND_SUPERVISOR, allocated - timedelta(days=1)))


def row_read_models(jejak: Jejak) -> list[str]:
    return [p.name for p in jejak.runner.projections if isinstance(p, RowProjection)]


def ask_every_view(client: TestClient, cuts: list[tuple[date, int]]) -> None:
    """Every time-travel view at each cut (a business date and a log position) answers."""
    jejak = system_of(client)
    auditor = login(client, "aud")
    supervisor = login(client, "sup")
    stored = jejak.raw_log().read_positions(list(range(1, 400)))
    ids = list(dict.fromkeys(str(r.originator_id) for r in stored))[:12]
    for as_at, known_at in cuts:
        queries = [f"as_at={as_at}", f"known_at={known_at}", f"as_at={as_at}&known_at={known_at}"]
        for query in queries:
            paths = [
                f"/api/time-travel/dashboard?{query}",
                *(f"/api/time-travel/read-models/{n}?{query}" for n in row_read_models(jejak)),
                f"/api/ledger?{query}",
                f"/api/budget?{query}",
                f"/api/audit/findings?{query}",
                f"/api/reconciliation?{query}",
            ]
            for path in paths:
                answer = client.get(path, headers=auditor)
                assert answer.status_code < 500, (path, answer.text)
        for aggregate in ids:
            for path in (
                f"/api/time-travel/aggregates/{aggregate}?as_at={as_at}",
                f"/api/beneficiaries/{aggregate}/payments?as_at={as_at}&known_at={known_at}",
            ):
                answer = client.get(path, headers=supervisor)
                assert answer.status_code < 500, (path, answer.text)
        figures = client.get(f"/api/reports/figures?known_at={known_at}", headers=supervisor)
        assert figures.status_code < 500, figures.text


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stories=st.lists(site_story, min_size=1, max_size=2),
    older=st.booleans(),
    cuts=st.lists(st.tuples(days, st.integers(min_value=0, max_value=400)), min_size=1, max_size=3),
)
def test_every_time_travel_view_answers_at_any_cut_of_any_log(
    store_client: TestClient,
    stories: list[tuple[list[date], int, list[Any]]],
    older: bool,
    cuts: list[tuple[date, int]],
) -> None:
    jejak = system_of(store_client)
    with older_release() if older else nullcontext():
        for story in stories:
            play_site(jejak.app, story)
    jejak.runner.catch_up()

    ask_every_view(store_client, cuts)
