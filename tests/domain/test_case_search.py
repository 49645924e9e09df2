"""The normal form a name is indexed and searched in, and the rules of a search's input."""

from __future__ import annotations

import pytest

from domain.access import may_search_by_name
from domain.case_search import check_case_number_query, check_name_query, normalise_name
from domain.errors import InvalidValue
from domain.recording import Role


@pytest.mark.parametrize(
    "typed",
    [
        "Siti Aminah",
        "SITI AMINAH",
        "  siti   aminah ",
        "Siti\tAminah\n",
        # Full-width letters, as some keyboards type them.
        "\uff33\uff49\uff54\uff49 \uff21\uff4d\uff49\uff4e\uff41\uff48",
        "Siti Aminah.",
        "Ibu Siti Aminah",
        "Hj. Siti Aminah",
        "Ibu Hj. Siti Aminah",
        "Sdri. SITI aminah",
    ],
)
def test_the_same_name_typed_differently_has_one_normal_form(typed: str) -> None:
    assert normalise_name(typed) == "siti aminah"


def test_punctuation_inside_a_name_is_removed_not_read_as_a_space() -> None:
    assert normalise_name("Nur'aini") == normalise_name("Nuraini") == "nuraini"
    assert normalise_name("Nur-Aini") == "nuraini"
    assert normalise_name("Nur Aini") != normalise_name("Nur-Aini")


def test_a_name_that_is_only_an_honorific_keeps_it() -> None:
    assert normalise_name("Ibu") == "ibu"
    assert normalise_name("Ibu Nona") == "nona"


def test_an_honorific_is_dropped_only_at_the_start() -> None:
    assert normalise_name("Siti Ibu") == "siti ibu"


def test_case_folding_goes_beyond_lower_case() -> None:
    assert normalise_name("STRASSE") == normalise_name("Straße")


def test_a_name_query_of_only_spaces_or_punctuation_is_refused_naming_the_field() -> None:
    for empty in ("", "   ", "...", "-'"):
        with pytest.raises(InvalidValue) as refused:
            check_name_query(empty)
        assert refused.value.field == "name"


def test_a_name_query_longer_than_any_name_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_name_query("a" * 201)
    assert refused.value.field == "name"


def test_a_case_number_query_is_upper_cased_and_may_be_a_beginning() -> None:
    assert check_case_number_query(" trk-jp-00 ") == "TRK-JP-00"
    assert check_case_number_query("TRK-JP-0001") == "TRK-JP-0001"


@pytest.mark.parametrize("bad", ["", "T", "TRK-JP-00001-0001", "TRK JP", "TRK%", "TRK_JP"])
def test_a_case_number_query_outside_its_rule_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_case_number_query(bad)
    assert refused.value.field == "case_number"


def test_only_the_roles_that_see_names_in_clear_may_search_by_name() -> None:
    assert [r for r in Role if may_search_by_name(r)] == [Role.OPERATOR, Role.SUPERVISOR]
