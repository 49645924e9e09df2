"""Free text kept in clear holds no personal data (ADR 0041), as `domain/free_text.py` checks."""

from __future__ import annotations

from datetime import date

import pytest

from domain.free_text import PersonalDataInText, require_no_personal_data
from domain.recording import Provenance
from tests.domain.givens import OPERATOR

HER = ("Contoh Sari Wulandari",)


def refused(text: str, names: tuple[str, ...] = ()) -> PersonalDataInText:
    with pytest.raises(PersonalDataInText) as raised:
        require_no_personal_data(text, field="reason", names=names)
    assert (raised.value.code, raised.value.field) == ("PERSONAL_DATA_IN_TEXT", "reason")
    assert text not in str(raised.value)
    return raised.value


@pytest.mark.parametrize(
    "text",
    [
        "NIK 6571045708900003",
        "NIK 6571 0457 0890 0003",
        "NIK 65.71.04.570890.0003",
        "KK 6571-0401-0101-0001",
        "rekening 0123456789 di BRI",
        "rekening 0123 4567 8901",
    ],
)
def test_a_text_holding_a_nik_family_card_or_account_number_is_refused(text: str) -> None:
    refused(text)


@pytest.mark.parametrize(
    "text", ["hubungi 0812-3456-789", "telp +62 812 3456 7890", "WA 6281234567890", "08123456789"]
)
def test_a_text_holding_a_phone_number_is_refused(text: str) -> None:
    refused(text)


def test_record_ids_and_document_hashes_pass() -> None:
    text = "lihat 12345678-1234-4234-8234-123456789012 dan " + "1234567890" * 6 + "abcd"
    assert require_no_personal_data(text, field="reason") == text


def test_a_text_holding_an_email_address_is_refused() -> None:
    refused("kirim ke sari.w@example.org")


def test_a_text_holding_a_word_of_her_name_is_refused_whatever_its_case_or_accents() -> None:
    refused("salah ketik nama sari", HER)
    refused("Nama WULANDARI keliru", HER)
    refused("Wulandári pindah", HER)


def test_only_whole_words_of_three_letters_or_more_of_her_name_match() -> None:
    assert require_no_personal_data("sarinya salah", field="reason", names=HER)
    assert require_no_personal_data("Al pindah", field="reason", names=("Al Sari",)) == (
        "Al pindah"
    )
    assert require_no_personal_data("binti", field="reason", names=("Ani binti Umar",))


def test_amounts_dates_and_case_numbers_pass() -> None:
    text = "Kurang bayar Rp 3.000.000.000 per 2019-07-05, kasus TRK-JP-0001, SK 12/2019"
    assert require_no_personal_data(text, field="reason", names=HER) == text


def test_given_a_command_when_its_reason_holds_a_phone_number_then_it_is_refused() -> None:
    with pytest.raises(PersonalDataInText) as raised:
        Provenance(OPERATOR, date(2019, 7, 5), reason="nomor baru 0812 3456 7890")
    assert raised.value.field == "reason"


def test_given_a_command_when_its_reason_is_plain_then_it_is_kept() -> None:
    provenance = Provenance(OPERATOR, date(2019, 7, 5), reason="Salah ketik pada pendataan")
    assert provenance.reason == "Salah ketik pada pendataan"
