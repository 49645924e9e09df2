"""The catalogues are complete: every page word, lifecycle state and action, role and refusal
code has its Indonesian entry (and every name its English one). A missing entry fails here,
listing what is missing, instead of showing a code or an English word on an Indonesian page."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import domain
import service
from domain.access import CASE_FIELDS
from domain.decree import AidComponent
from domain.lifecycle_docs import LIFECYCLES
from domain.recording import DocumentKind, Role
from service.api.contract import ERRORS
from service.i18n import LANGUAGES, catalogue_path, translations

SERVICE = Path(service.__file__).parent


def catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language)


def translated(language: str) -> set[str]:
    return {str(m.id) for m in catalogue(language) if m.id and m.string and not m.fuzzy}


def modules() -> Iterator[object]:
    for package in (domain, service):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def refusal_codes() -> set[str]:
    """Every `code` of an error class the domain and the service define, and every code the API
    answers with by name."""
    codes = {
        str(getattr(value, "code", ""))
        for module in modules()
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == getattr(module, "__name__", None)
        and isinstance(getattr(value, "code", None), str)
    }
    codes |= {code for _, code, *_ in ERRORS.values()}
    literal = re.compile(r'(?:error_body\(\s*|"code":\s*)"([A-Z][A-Z_]+)"')
    # A code named by a constant: `error_body(CSRF_FAILED, ...)`.
    constant = re.compile(r"error_body\(\s*([A-Z][A-Z_]+),")
    for folder in ("api", "web"):
        for source in (SERVICE / folder).glob("*.py"):
            text = source.read_text()
            codes |= set(literal.findall(text))
            module = importlib.import_module(f"service.{folder}.{source.stem}")
            codes |= {str(getattr(module, name)) for name in constant.findall(text)}
    return codes


def names() -> set[str]:
    keys = {f"role.{role.value}" for role in Role}
    for lifecycle in LIFECYCLES:
        keys |= {f"state.{lifecycle.aggregate}.{s.name}" for s in lifecycle.states}
        keys |= {f"action.{t.command}" for t in lifecycle.transitions}
        keys |= {f"action.{c.command}" for c in lifecycle.corrections}
    return keys


def timeline_names() -> set[str]:
    """What a timeline names by code: every event a lifecycle declares, and a reveal of her
    data (an item of a case's history that is no event), every document kind, every aid
    component and every field of a case the reveal act shows."""
    keys = {"event.PersonalDataRevealed"}
    for lifecycle in LIFECYCLES:
        keys |= {f"event.{lifecycle.aggregate}.{name}" for name in lifecycle.event_names}
    keys |= {f"document.{kind.value}" for kind in DocumentKind}
    keys |= {f"component.{component.value}" for component in AidComponent}
    keys |= {f"field.{field}" for field in CASE_FIELDS}
    return keys


def page_words() -> set[str]:
    """The msgids the pages' templates and the web module's `gettext` calls use."""
    words: set[str] = set()
    for template in (SERVICE / "web" / "templates").glob("*.html"):
        words |= {
            str(message)
            for _, message, _, _ in extract_from_file(
                "jinja2.ext:babel_extract", template, options={"extensions": "jinja2.ext.i18n"}
            )
        }
    for module in (SERVICE / "web").glob("*.py"):
        # `gettext(language, "...")`: the message is the second argument.
        words |= {
            str(message)
            for _, message, _, _ in extract_from_file("python", module, keywords={"gettext": (2,)})
            if isinstance(message, str)
        }
    return words


def missing(language: str, wanted: set[str]) -> list[str]:
    return sorted(wanted - translated(language))


def test_every_refusal_code_has_an_indonesian_sentence() -> None:
    codes = refusal_codes()
    assert len(codes) > 80  # the enumeration found the error classes
    assert missing("id", {f"error.{code}" for code in codes}) == []


def test_every_state_action_and_role_is_named_in_both_languages() -> None:
    assert len(names()) > 120
    assert missing("id", names()) == []
    assert missing("en", names()) == []


def test_every_event_document_kind_component_and_case_field_is_named_in_both_languages() -> None:
    names = timeline_names()
    assert {"event.Beneficiary.IdentityVerified", "event.Site.SiteClosed"} <= names
    assert missing("id", names) == []
    assert missing("en", names) == []


def test_every_page_word_has_an_indonesian_entry() -> None:
    words = page_words()
    assert {"Log in", "Programme dashboard", "Next action"} <= words
    assert missing("id", words) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_keeps_the_named_parameters_of_its_messages(language: str) -> None:
    # A translation that drops or renames %(day)s would fail while the page is rendered.
    parameter = re.compile(r"%\((\w+)\)s")
    for message in catalogue(language):
        if message.id and message.string and "%(" in str(message.id):
            assert set(parameter.findall(str(message.string))) == set(
                parameter.findall(str(message.id))
            ), message.id


def test_the_catalogue_compiles_and_a_name_is_found_by_code() -> None:
    assert translations("id").gettext("state.Beneficiary.IN_TRAINING") == "Dalam pelatihan"
    assert translations("id").gettext("state.Site.CLOSED") == "Ditutup"
    assert translations("id").gettext("state.Beneficiary.CLOSED") == "Kasus selesai (terminasi)"
    assert translations("en").gettext("action.complete_training") == "Record training completed"


def test_no_stigmatising_word_is_in_any_catalogue() -> None:
    # ui-vocabulary.md, "Respect first": the women are penerima manfaat.
    banned = re.compile(r"\b(PSK|WTS|WPS|tuna susila|penghuni|lokalisasi)\b", re.IGNORECASE)
    for language in LANGUAGES:
        for message in catalogue(language):
            assert not banned.search(str(message.string)), message.id
