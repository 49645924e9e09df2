"""Every free-text field a command keeps in clear is checked for personal data (ADR 0041).

Given an aggregate, when a command carries a NIK-like, account or phone number in one of its
texts, then it is refused with PERSONAL_DATA_IN_TEXT naming that field, and nothing is
recorded. The words of staff and offices (facilitators, signing authorities, issuers) pass:
they are named in clear on purpose. Her name is checked by the command handlers, which alone
can open it (tests/e2e/test_free_text_http.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.bank_statement import BankStatement, Movement, MovementKind
from domain.decree import AidComponent, Decree, DecreeLine, Eligibility, PaymentType
from domain.free_text import PersonalDataInText
from domain.funding import FundingCommitment, FundingSource
from domain.recording import DocumentRef, Provenance
from domain.site import Site
from tests.domain.givens import (
    OPERATOR,
    PENDATAAN,
    SUPERVISOR,
    TARAKAN,
    TRAINED_ON,
    beneficiary_in,
    by,
    document,
    given_site,
    site_history,
    site_in,
    then_events,
)

NIK_LIKE = "KTP 6571045708900003"
ACCOUNT = "rek. 0021 0100 0123 304"
PHONE = "HP 0812-5346-7781"
NUMBERS = pytest.mark.parametrize(
    "text", [NIK_LIKE, ACCOUNT, PHONE], ids=["nik", "account", "phone"]
)

ON = date(2019, 3, 4)
CORRECTING = by(OPERATOR, ON, document("nota_dinas", "ND/2019/3", ON), "typed wrongly")
HER = Site.create_id("TRK-JP")  # any id: the decree's eligibility is given, not looked up


def refused(command: Callable[[], object], field: str) -> None:
    with pytest.raises(PersonalDataInText) as raised:
        command()
    assert (raised.value.code, raised.value.field) == ("PERSONAL_DATA_IN_TEXT", field)


# --- sites ---------------------------------------------------------------------------------------


def register(name: str = "Karang Agas", aliases: tuple[str, ...] = ()) -> Site:
    return Site.register(
        code="TRK-KA",
        name=name,
        aliases=aliases,
        kelurahan=TARAKAN.kelurahan,
        headcount_at_pendataan=18,
        provenance=by(OPERATOR, PENDATAAN),
    )


@NUMBERS
def test_given_pendataan_when_a_site_name_or_alias_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    refused(lambda: register(name=f"Wisma {text}"), "name")
    refused(lambda: register(aliases=("Lingkas Ujung", text)), "aliases")


def test_given_pendataan_when_a_site_is_known_by_a_persons_name_then_it_is_kept() -> None:
    assert register(name="Wisma Mami Rose", aliases=("Gang Haji Umar",)).name == "Wisma Mami Rose"


@NUMBERS
def test_given_a_site_when_its_corrected_name_holds_a_number_then_nothing_is_recorded(
    text: str,
) -> None:
    site = given_site(*site_history("CLOSED"))

    refused(lambda: site.correct_details(name=text, provenance=CORRECTING), "name")
    refused(lambda: site.correct_details(aliases=(text,), provenance=CORRECTING), "aliases")
    assert then_events(site) == []


def socialise(
    site: Site, venue: str = "Aula Kelurahan", facilitators: tuple[str, ...] = ()
) -> None:
    on = TARAKAN.sosialisasi_on
    site.hold_sosialisasi(
        venue=venue,
        attendance=40,
        facilitators=facilitators,
        provenance=by(OPERATOR, on, document("notulen", "NOT/1", on)),
    )


@NUMBERS
def test_given_a_site_when_a_sosialisasi_venue_or_facilitator_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    site = site_in("REGISTERED")

    refused(lambda: socialise(site, venue=f"Rumah {text}"), "venue")
    refused(lambda: socialise(site, facilitators=("Dinsos", f"Bu Rina {text}")), "facilitators")
    assert then_events(site) == []


def test_given_a_site_when_its_facilitators_are_named_then_they_are_kept() -> None:
    site = site_in("REGISTERED")

    socialise(site, facilitators=("Bu Rina Hartati (Dinsos)", "Ustaz Ahmad"))

    assert then_events(site) == ["SosialisasiHeld"]


@NUMBERS
def test_given_a_socialised_site_when_the_signing_authority_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    site = site_in("SOCIALISED")
    on = TARAKAN.decreed_on

    refused(
        lambda: site.decree_closure(
            decree_number="SK/TRK-JP/2018",
            signing_authority=f"Wali Kota, {text}",
            provenance=by(SUPERVISOR, on, document("decree", "SK/TRK-JP/2018", on)),
        ),
        "signing_authority",
    )
    assert then_events(site) == []


# --- her case ------------------------------------------------------------------------------------


@NUMBERS
def test_given_her_training_when_the_skill_holds_a_number_then_it_is_refused(text: str) -> None:
    b = beneficiary_in("IN_TRAINING")
    certificate = document("sertifikat", "SRT/2", TRAINED_ON)

    refused(
        lambda: b.complete_training(
            skill=f"menjahit, {text}", provenance=by(OPERATOR, TRAINED_ON, certificate)
        ),
        "skill",
    )
    assert then_events(b) == []


# --- money ---------------------------------------------------------------------------------------


@NUMBERS
def test_given_a_decree_when_its_authority_or_legal_basis_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    def issue(
        authority: str = "Bupati Nunukan",
        legal_basis: str = "Permensos 9/2018",
        court_decision: DocumentRef | None = None,
    ) -> Decree:
        return Decree.issue(
            authority=authority,
            number="188.45/117/2019",
            legal_basis=legal_basis,
            payment_type=PaymentType.BENEFICIARY_AID,
            lines=(DecreeLine(HER, AidComponent.UEP, 1, 5_500_000),),
            eligibility={HER: Eligibility(identity_verified=True, in_programme=True)},
            provenance=by(SUPERVISOR, ON, document("decree", "188.45/117/2019", ON)),
            court_decision=court_decision,
        )

    assert issue().authority == "Bupati Nunukan"
    refused(lambda: issue(authority=f"Bupati Nunukan {text}"), "authority")
    refused(lambda: issue(legal_basis=f"Permensos 9/2018, {text}"), "legal_basis")
    ruling = document("court_decision", "12/Pdt.G/2019", ON, f"PN Nunukan, {text}")
    refused(lambda: issue(court_decision=ruling), "court_decision.issuer")


@NUMBERS
def test_given_a_budget_when_its_funder_holds_a_number_then_it_is_refused(text: str) -> None:
    refused(
        lambda: FundingCommitment.commit(
            fiscal_year=2019,
            source=FundingSource.APBN,
            budget_line="DIPA-027.04.1.2019 akun 573111",
            funder=f"Kementerian Sosial {text}",
            amount=11_000_000,
            provenance=by(SUPERVISOR, ON, document("dipa", "DIPA-027/2019", ON)),
        ),
        "funder",
    )


@NUMBERS
def test_given_a_statement_when_its_account_label_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    refused(
        lambda: BankStatement.record(
            file_sha256="ab" * 32,
            account_label=f"Bank Kaltimtara {text}",
            movements=(Movement(ON, "TRX-1", 5_500_000, MovementKind.TRANSFER_OUT),),
            provenance=by(SUPERVISOR, ON, document("bank_statement", "RK/2019/3", ON)),
        ),
        "account_label",
    )


# --- every command's paper -----------------------------------------------------------------------


@NUMBERS
def test_given_any_command_when_its_documents_issuer_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    refused(
        lambda: Provenance(OPERATOR, ON, document("surat_pernyataan", "SP/1", ON, f"Ibu {text}")),
        "document.issuer",
    )


@NUMBERS
def test_given_a_site_when_a_corrected_documents_issuer_holds_a_number_then_it_is_refused(
    text: str,
) -> None:
    site = given_site(*site_history("CLOSED"))

    refused(
        lambda: site.correct_document(
            corrects_version=2,
            corrected_document=document("notulen", "NOT/2", ON, f"Lurah {text}"),
            provenance=CORRECTING,
        ),
        "corrected_document.issuer",
    )
    assert then_events(site) == []
