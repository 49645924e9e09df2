"""Given / when / then for Jejak's aggregates, with builders on the real Kaltara timeline.

A domain test reads: given the events of some history, when one command runs, then these new
(pending) events were recorded, or this error was raised. Histories are built by running the
real commands and collecting their events, so a history can never hold an event the aggregate
would have refused; `given` replays them the way the repository does.

Dates follow the Kalimantan Utara case (domain research section 1): Dinsos counted the women
by 1 Dec 2016, Tarakan closed Sungai Bengawan on 28 Dec 2018 and Nunukan its complex on
10 Jan 2019, both before the Kemensos money arrived. Decree and document numbers are made up.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from typing import Any, TypeVar
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import (
    Beneficiary,
    ExclusionReason,
    IdentityEvidence,
    ReintegrationPath,
)
from domain.identity import Sex, make_nik
from domain.lifecycle import Lifecycle
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from domain.rules import ProgrammeRules
from domain.sealed import KeyPurpose, Sealed
from domain.site import FundingStatus, InspectionOutcome, Site
from service.store.transcoding import OrjsonTranscoder, register_domain_transcodings

E = TypeVar("E")

# --- who ------------------------------------------------------------------------------------------

OPERATOR = Actor("op.tarakan", Role.OPERATOR, "Dinsos Kota Tarakan")
OTHER_OPERATOR = Actor("op.nunukan", Role.OPERATOR, "Dinsos Kabupaten Nunukan")
SUPERVISOR = Actor("spv.kaltara", Role.SUPERVISOR, "Dinsos Provinsi Kalimantan Utara")
OTHER_SUPERVISOR = Actor("spv.tarakan", Role.SUPERVISOR, "Dinsos Kota Tarakan")

# --- when: the Kaltara timeline -------------------------------------------------------------------

PENDATAAN = date(2016, 12, 1)  # the Dinsosnakertrans figures quoted on 1 Dec 2016
TARAKAN_CLOSURE = date(2018, 12, 28)
NUNUKAN_CLOSURE = date(2019, 1, 10)

VERIFIED_ON = date(2018, 11, 5)
ASSESSED_ON = date(2018, 11, 26)
DEPARTED_ON = date(2019, 1, 14)
DROPPED_OUT_ON = date(2019, 3, 1)
TRAINED_ON = date(2019, 5, 31)  # about 4.5 months, as Kaltim ran it
RETURNED_ON = date(2019, 6, 14)
REQUESTED_ON = date(2019, 7, 1)
APPROVED_ON = date(2019, 7, 8)
PAID_ON = date(2019, 7, 22)
REVERSED_ON = date(2019, 7, 29)
CASE_CLOSED_ON = date(2020, 7, 22)

GRANT = 5_500_000  # Rp 5,5 juta per person, the 2018-19 figure

# --- where ----------------------------------------------------------------------------------------

JUATA_PERMAI = RegionRef("kemendagri", "65.71.04.1002")
GUNUNG_LINGKAS = RegionRef("kemendagri", "65.71.03.1002")
NUNUKAN_TENGAH = RegionRef("kemendagri", "65.03.02.1005")
HOME_KELURAHAN = RegionRef("kemendagri", "65.03.02.1005")

RULES = ProgrammeRules()
DROPOUTS_KEEP_GRANT = ProgrammeRules(dropout_keeps_grant=True)
SAMARINDA_FACILITY = "KTM-PSKW-HM"


@dataclass(frozen=True)
class SitePlan:
    """One of the Kaltara sites and the dates of its real (or plausible) milestones."""

    code: str
    name: str
    aliases: tuple[str, ...]
    kelurahan: RegionRef
    headcount: int
    sosialisasi_on: date
    decreed_on: date
    closed_on: date
    headcount_at_closure: int
    signing_authority: str


TARAKAN = SitePlan(
    code="TRK-JP",
    name="Sungai Bengawan",
    aliases=("Juwata Permai",),
    kelurahan=JUATA_PERMAI,
    headcount=70,
    sosialisasi_on=date(2018, 12, 3),
    decreed_on=date(2018, 12, 14),
    closed_on=TARAKAN_CLOSURE,
    headcount_at_closure=58,
    signing_authority="Wali Kota Tarakan",
)
NUNUKAN = SitePlan(
    code="NNK-PSM",
    name="Lokalisasi Jl. Persemaian",
    aliases=("Nunukan Tengah",),
    kelurahan=NUNUKAN_TENGAH,
    headcount=39,
    sosialisasi_on=date(2018, 12, 17),
    decreed_on=date(2018, 12, 27),
    closed_on=NUNUKAN_CLOSURE,
    headcount_at_closure=27,
    signing_authority="Bupati Nunukan",
)

# --- who she is (synthetic: NIK serials 9000-9999 are reserved for demo data) ---------------------

NAME = "Siti Rahmawati"
PHONE = "081253467781"
BORN = date(1990, 8, 17)
NIK = make_nik("65.71.04", BORN, Sex.FEMALE, 9001)
KK = "6571041203150004"
ACCOUNT = "002101000123304"
# Her name as the passbook prints it: banks match a transfer on this spelling.
HOLDER = "SITI RAHMAWATI BINTI AHMAD"
NOTES = "trauma counselling advised"
MINOR_BORN = date(1999, 6, 2)  # 17 on the pendataan date
MINOR_NIK = make_nik("65.71.04", MINOR_BORN, Sex.FEMALE, 9002)

ADULT = IdentityEvidence(nik=NIK, birth_date=BORN, sex=Sex.FEMALE, kk=KK)
MINOR = IdentityEvidence(nik=MINOR_NIK, birth_date=MINOR_BORN, sex=Sex.FEMALE)


def document(
    kind: str, number: str, issued_on: date, issuer: str = "Dinsos Kota Tarakan"
) -> DocumentRef:
    """A supporting document, as an event references it."""
    return DocumentRef(kind=kind, number=number, issued_on=issued_on, issuer=issuer)


def by(
    actor: Actor, on: date, document: DocumentRef | None = None, reason: str | None = None
) -> Provenance:
    """The provenance of one command: who, on which business date, on what paper, why."""
    return Provenance(actor=actor, occurred_on=on, document=document, reason=reason)


# --- the sealer -----------------------------------------------------------------------------------


class FakeSealer:
    """A deterministic `Sealer`: the "ciphertext" is a SHA-256 digest, never the plaintext.

    The digest binds the subject, purpose and field as the real AES-GCM associated data does,
    so a value sealed for one person or field does not match another; `seals` checks a sealed
    value against a candidate plaintext.
    """

    def __init__(self, subject_id: UUID) -> None:
        self.subject_id = subject_id

    def seal(self, purpose: KeyPurpose, field: str, plaintext: str) -> Sealed:
        """Seal `plaintext` as `field` of this subject."""
        ciphertext = _digest(self.subject_id, purpose, field, plaintext)
        nonce = base64.b64encode(hashlib.sha256(ciphertext.encode()).digest()[:12])
        return Sealed(
            subject_id=self.subject_id,
            purpose=purpose,
            field=field,
            nonce=nonce.decode("ascii"),
            ciphertext=ciphertext,
        )


def seals(sealed: Sealed | None, plaintext: str) -> bool:
    """True when `sealed` is the FakeSealer's sealing of `plaintext` (for its subject and field)."""
    if sealed is None:
        return False
    return sealed.ciphertext == _digest(sealed.subject_id, sealed.purpose, sealed.field, plaintext)


def _digest(subject_id: UUID, purpose: KeyPurpose, field: str, plaintext: str) -> str:
    return hashlib.sha256(f"{subject_id}|{purpose.value}|{field}|{plaintext}".encode()).hexdigest()


def sealer_for(aggregate: Beneficiary) -> FakeSealer:
    """A sealer for this beneficiary's keys."""
    return FakeSealer(aggregate.id)


# --- given / then ---------------------------------------------------------------------------------


@contextmanager
def older_release() -> Iterator[None]:
    """Commands as a release without the order of dates ran them (ADR 0032): what they store
    is a history an older store may hold, steps dated before the steps they follow included."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Lifecycle, "check_dated_in_order", lambda *_, **__: None)
        yield


def given(*events: Any) -> LifecycleAggregate:
    """The aggregate these stored events rebuild, with nothing pending (as a repository returns)."""
    aggregate = reduce(lambda agg, e: e.mutate(agg), events, None)
    assert isinstance(aggregate, LifecycleAggregate), "given() needs a creation event first"
    return aggregate


def given_site(*events: Any) -> Site:
    """`given`, for a site."""
    site = given(*events)
    assert isinstance(site, Site)
    return site


def given_beneficiary(*events: Any) -> Beneficiary:
    """`given`, for a beneficiary."""
    beneficiary = given(*events)
    assert isinstance(beneficiary, Beneficiary)
    return beneficiary


def then_events(aggregate: LifecycleAggregate) -> list[str]:
    """Names of the new events the last commands recorded (pending, not yet saved)."""
    return [type(e).__name__ for e in aggregate.pending_events]


def then_event(aggregate: LifecycleAggregate, event_class: type[E]) -> E:
    """The latest new event, which must be an `event_class`, to look at its fields."""
    pending = aggregate.pending_events
    assert pending, "no new events"
    latest = pending[-1]
    assert isinstance(latest, event_class), then_events(aggregate)
    return latest


def history_of(aggregate: LifecycleAggregate) -> list[Any]:
    """Collect the aggregate's pending events, as saving it would."""
    return list(aggregate.collect_events())


def event_transcoder(kind: type[JSONTranscoder] = OrjsonTranscoder) -> JSONTranscoder:
    """A transcoder of `kind` with the library's default transcodings and the service's."""
    transcoder = kind()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    transcoder.register(DecimalAsStr())
    register_domain_transcodings(transcoder)
    return transcoder


def event_mapper() -> Mapper[UUID]:
    """The mapper the application stores events with, without compression or encryption."""
    return Mapper(transcoder=event_transcoder())


def stored_state(events: Sequence[Any]) -> list[bytes]:
    """The bytes each event is written to the event store as."""
    mapper = event_mapper()
    return [mapper.to_stored_event(e).state for e in events]


def through_the_store(events: Sequence[Any]) -> list[Any]:
    """The events as a repository reads them back after they were stored."""
    mapper = event_mapper()
    return [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]


# --- sites ----------------------------------------------------------------------------------------

SITE_STATES = ("REGISTERED", "SOCIALISED", "CLOSURE_DECREED", "CLOSED", "MONITORED")


def register_site(plan: SitePlan = TARAKAN) -> Site:
    """A freshly registered site, its creation event pending."""
    return Site.register(
        code=plan.code,
        name=plan.name,
        aliases=plan.aliases,
        kelurahan=plan.kelurahan,
        headcount_at_pendataan=plan.headcount,
        provenance=by(OPERATOR, PENDATAAN, document("daftar_pendataan", "PD/2016/07", PENDATAAN)),
    )


def live_site(state: str = "CLOSED", plan: SitePlan = TARAKAN) -> Site:
    """A site driven to `state` by the real commands, every event still pending."""
    if state not in SITE_STATES:
        raise ValueError(f"no site builder for {state}")
    site = register_site(plan)
    steps = SITE_STATES[1 : SITE_STATES.index(state) + 1]
    for step in steps:
        _SITE_STEPS[step](site, plan)
    return site


def site_history(state: str = "CLOSED", plan: SitePlan = TARAKAN) -> list[Any]:
    """The stored events of a site in `state`."""
    return history_of(live_site(state, plan))


def site_in(state: str = "CLOSED", plan: SitePlan = TARAKAN) -> Site:
    """A site in `state`, as loaded from its stored events."""
    return given_site(*site_history(state, plan))


def minutes(on: date) -> DocumentRef:
    """The notulen of a sosialisasi."""
    return document("notulen", f"NOT/{on:%Y%m%d}", on)


def decree(plan: SitePlan = TARAKAN) -> DocumentRef:
    """The closure decree of a site."""
    return document("decree", f"SK/{plan.code}/2018", plan.decreed_on, plan.signing_authority)


def berita_acara(on: date) -> DocumentRef:
    """The berita acara of a closure."""
    return document("berita_acara", f"BA/{on:%Y%m%d}", on)


def _socialise(site: Site, plan: SitePlan) -> None:
    site.hold_sosialisasi(
        venue="Aula Kelurahan",
        attendance=52,
        facilitators=("Dinsos", "Satpol PP"),
        provenance=by(OPERATOR, plan.sosialisasi_on, minutes(plan.sosialisasi_on)),
    )


def _decree(site: Site, plan: SitePlan) -> None:
    site.decree_closure(
        decree_number=f"SK/{plan.code}/2018",
        signing_authority=plan.signing_authority,
        provenance=by(SUPERVISOR, plan.decreed_on, decree(plan)),
    )


def _close(site: Site, plan: SitePlan) -> None:
    site.close(
        declared_headcount=plan.headcount_at_closure,
        funding_status=FundingStatus.NOT_IN_PLACE,
        provenance=by(OPERATOR, plan.closed_on, berita_acara(plan.closed_on)),
    )


def _inspect(site: Site, plan: SitePlan) -> None:
    on = plan.closed_on + timedelta(days=30)
    site.record_inspection(outcome=InspectionOutcome.QUIET, provenance=by(OPERATOR, on))


_SITE_STEPS: dict[str, Callable[[Site, SitePlan], None]] = {
    "SOCIALISED": _socialise,
    "CLOSURE_DECREED": _decree,
    "CLOSED": _close,
    "MONITORED": _inspect,
}

# --- beneficiaries --------------------------------------------------------------------------------

CASE_NUMBER = "TRK-JP-0001"

# The state each builder passes through last; DROPPED_OUT replaces TRAINED with `via_drop_out`.
_PREVIOUS: dict[str, str | None] = {
    "REGISTERED": None,
    "VERIFIED": "REGISTERED",
    "ASSESSED": "VERIFIED",
    "IN_TRAINING": "ASSESSED",
    "TRAINED": "IN_TRAINING",
    "DROPPED_OUT": "IN_TRAINING",
    "RETURNED": "TRAINED",
    "STAYED_LOCAL": "TRAINED",
    "CLOSED": "RETURNED",
    "EXCLUDED": "REGISTERED",
    "REFERRED_CHILD_PROTECTION": "REGISTERED",
    "WITHDRAWN": "REGISTERED",
    "DECEASED": "REGISTERED",
}
BENEFICIARY_STATES = tuple(_PREVIOUS)


@dataclass
class _Case:
    beneficiary: Beneficiary
    site: Site
    rules: ProgrammeRules
    sealer: FakeSealer


def register_beneficiary(
    site: Site | None = None, case_number: str = CASE_NUMBER, phone: str | None = PHONE
) -> Beneficiary:
    """A beneficiary freshly registered at `site` (Tarakan by default), her event pending."""
    site = site or site_in("REGISTERED")
    return Beneficiary.register(
        site=site,
        case_number=case_number,
        name=NAME,
        phone=phone,
        sealer=FakeSealer(Beneficiary.create_id(case_number)),
        provenance=by(OPERATOR, PENDATAAN),
    )


def live_beneficiary(
    state: str,
    *,
    site: Site | None = None,
    rules: ProgrammeRules = RULES,
    via_drop_out: bool = False,
    case_number: str = CASE_NUMBER,
) -> Beneficiary:
    """A beneficiary driven to `state` by the real commands, every event still pending.

    `site` must be closed for any state past ASSESSED; by default she belongs to the closed
    Tarakan site. `via_drop_out` takes her through DROPPED_OUT instead of TRAINED.
    """
    path = _path_to(state, via_drop_out)
    site = site or site_in("CLOSED")
    case = _Case(
        beneficiary=register_beneficiary(site, case_number),
        site=site,
        rules=rules,
        sealer=FakeSealer(Beneficiary.create_id(case_number)),
    )
    for step in path[1:]:
        _BENEFICIARY_STEPS[step](case)
    return case.beneficiary


def beneficiary_history(state: str, **options: Any) -> list[Any]:
    """The stored events of a beneficiary in `state` (options as for `live_beneficiary`)."""
    return history_of(live_beneficiary(state, **options))


def beneficiary_in(
    state: str,
    *,
    site: Site | None = None,
    rules: ProgrammeRules = RULES,
    via_drop_out: bool = False,
    case_number: str = CASE_NUMBER,
) -> Beneficiary:
    """A beneficiary in `state`, as loaded from her stored events."""
    return given_beneficiary(
        *beneficiary_history(
            state, site=site, rules=rules, via_drop_out=via_drop_out, case_number=case_number
        )
    )


def _path_to(state: str, via_drop_out: bool) -> list[str]:
    if state not in _PREVIOUS:
        raise ValueError(f"no beneficiary builder for {state}")
    path: list[str] = []
    current: str | None = state
    while current is not None:
        path.append(current)
        current = _PREVIOUS[current]
        if via_drop_out and current == "TRAINED":
            current = "DROPPED_OUT"
    return path[::-1]


def kelurahan_confirmation(on: date = RETURNED_ON) -> DocumentRef:
    """The home kelurahan's stamped confirmation of arrival."""
    return document("surat_tiba", f"SKK/{on:%Y%m%d}", on, "Kelurahan Nunukan Tengah")


def _verify(case: _Case) -> None:
    case.beneficiary.verify_identity(
        evidence=ADULT,
        duplicate_in_programme=False,
        sealer=case.sealer,
        provenance=by(OPERATOR, VERIFIED_ON, document("ktp", "KTP/0001", VERIFIED_ON)),
    )


def _assess(case: _Case) -> None:
    case.beneficiary.assess(
        home_region=HOME_KELURAHAN,
        path=ReintegrationPath.RETURN_HOME,
        notes=NOTES,
        sealer=case.sealer,
        provenance=by(OPERATOR, ASSESSED_ON, document("asesmen", "AS/0001", ASSESSED_ON)),
    )


def _send(case: _Case) -> None:
    case.beneficiary.send_to_training(
        site=case.site,
        facility_id=SAMARINDA_FACILITY,
        rules=case.rules,
        provenance=by(OPERATOR, DEPARTED_ON),
    )


def _complete(case: _Case) -> None:
    case.beneficiary.complete_training(
        skill="menjahit",
        provenance=by(OPERATOR, TRAINED_ON, document("sertifikat", "SRT/0001", TRAINED_ON)),
    )


def _drop_out(case: _Case) -> None:
    case.beneficiary.drop_out(provenance=by(OPERATOR, DROPPED_OUT_ON, reason="went home early"))


def _return_home(case: _Case) -> None:
    case.beneficiary.confirm_return_home(
        confirming_kelurahan=HOME_KELURAHAN,
        provenance=by(OPERATOR, RETURNED_ON, kelurahan_confirmation()),
    )


def _stay(case: _Case) -> None:
    case.beneficiary.stay_locally(
        provenance=by(OPERATOR, RETURNED_ON, document("surat_pernyataan", "SP/0001", RETURNED_ON))
    )


def passbook(on: date = RETURNED_ON) -> DocumentRef:
    """Her savings book, as the evidence of her account."""
    return document("buku_tabungan", f"BUKU/{on:%Y%m%d}", on, "Bank Kaltimtara")


def record_account(
    beneficiary: Beneficiary, *, holder_name_matches: bool = True, account: str = ACCOUNT
) -> None:
    """Record her bank account (the service compares the holder's name with hers)."""
    beneficiary.record_bank_account(
        bank_code="124",
        account_number=account,
        holder_name=HOLDER,
        holder_name_matches=holder_name_matches,
        sealer=sealer_for(beneficiary),
        provenance=by(OPERATOR, RETURNED_ON, passbook()),
    )


def _close_case(case: _Case) -> None:
    case.beneficiary.close_case(aid_settled=True, provenance=by(SUPERVISOR, CASE_CLOSED_ON))


def _exclude(case: _Case) -> None:
    case.beneficiary.exclude(
        exclusion=ExclusionReason.LEFT_SITE,
        provenance=by(OPERATOR, VERIFIED_ON, reason="left Tarakan before verification"),
    )


def _refer(case: _Case) -> None:
    case.beneficiary.refer_to_child_protection(
        birth_date=MINOR_BORN, sealer=case.sealer, provenance=by(OPERATOR, VERIFIED_ON)
    )


def _withdraw(case: _Case) -> None:
    case.beneficiary.withdraw(provenance=by(OPERATOR, VERIFIED_ON, reason="refused the aid"))


def death_certificate(on: date) -> DocumentRef:
    """The evidence of a death."""
    return document("surat_kematian", f"AK/{on:%Y%m%d}", on, "Disdukcapil Kota Tarakan")


def _die(case: _Case) -> None:
    case.beneficiary.record_death(
        provenance=by(OPERATOR, VERIFIED_ON, death_certificate(VERIFIED_ON))
    )


_BENEFICIARY_STEPS: dict[str, Callable[[_Case], None]] = {
    "VERIFIED": _verify,
    "ASSESSED": _assess,
    "IN_TRAINING": _send,
    "TRAINED": _complete,
    "DROPPED_OUT": _drop_out,
    "RETURNED": _return_home,
    "STAYED_LOCAL": _stay,
    "CLOSED": _close_case,
    "EXCLUDED": _exclude,
    "REFERRED_CHILD_PROTECTION": _refer,
    "WITHDRAWN": _withdraw,
    "DECEASED": _die,
}
