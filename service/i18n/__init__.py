"""Translation catalogues (ADR 0048): Indonesian first, English as a choice.

The catalogues are gettext ``.po`` files under ``locale/<language>/LC_MESSAGES/messages.po``,
read with Babel and compiled in memory once per process: no build step, no compiled ``.mo``
file to fall out of step with its source, nothing fetched at install or run time.

Three kinds of entry:

- page words, whose msgid is the English text (``_("Log out")``);
- lifecycle names by code: ``state.<Aggregate>.<STATE>`` (a state's name depends on its
  lifecycle: a CLOSED site is *Ditutup*, a CLOSED case *Kasus selesai*) and
  ``action.<command>`` (command names are unique across lifecycles), ``event.<Aggregate>.<Event>``
  (what happened, on a timeline), ``document.<kind>``, ``component.<component>`` and
  ``field.<field>`` (a case's fields that can be revealed);
- refusals by code: ``error.<CODE>``, a sentence with the error's named parameters
  (``%(retry_after_seconds)s``) where it carries them.

The domain stays pure: it raises errors with stable codes, in English; the service translates
them here by code. English refusals keep the domain's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from service.i18n.formats import date_id

LOCALE_DIR: Final = Path(__file__).parent / "locale"
LANGUAGES: Final = ("id", "en")
DEFAULT_LANGUAGE: Final = "id"

# The worklist and the read models name a record's kind; the catalogue names its lifecycle.
AGGREGATE_OF_KIND: Final[Mapping[str, str]] = {
    "site": "Site",
    "beneficiary": "Beneficiary",
    "entitlement": "Entitlement",
    "batch": "PaymentBatch",
    "audit_finding": "AuditFinding",
}


def catalogue_path(language: str) -> Path:
    """Where the catalogue of `language` lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of `language` (one of `LANGUAGES`); fuzzy entries are left out."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for language {language!r}")
    with catalogue_path(language).open("rb") as source:
        catalogue = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def supported(language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """`language` if a catalogue exists for it, else `default`."""
    return language if language in LANGUAGES else default


def gettext(language: str, message: str) -> str:
    """`message` (English) in `language`; the English itself where no entry exists."""
    return str(translations(language).gettext(message))


def _by_code(language: str, key: str) -> str | None:
    text = str(translations(language).gettext(key))
    return None if text == key else text


def sentence(language: str, key: str, params: Mapping[str, object] | None = None) -> str | None:
    """The catalogue's sentence under `key` with its named parameters filled in, or None where
    the catalogue has none (or the sentence names a parameter not given)."""
    template = _by_code(language, key)
    if template is None:
        return None
    try:
        return template % dict(params or {})
    except (KeyError, ValueError, TypeError):
        return None


def validation_message(
    language: str,
    kind: str,
    default: str,
    context: Mapping[str, object] | None,
    field: str | None = None,
) -> str:
    """An input model's validation failure of `kind` (pydantic's error type) in `language`:
    the catalogue's `validation.<kind>.<field>` sentence where a field has its own (a case
    number's shape), else `validation.<kind>`, with the error's context; else a general
    sentence (the error's own words in English)."""
    params = {k: v for k, v in (context or {}).items() if isinstance(v, str | int | float)}
    if kind in ("string_too_short", "too_short") and params.get("min_length") == 1:
        # An empty value against a minimum of one is a value left out, and said so.
        kind = "missing"
    keys = ([f"validation.{kind}.{field}"] if field else []) + [f"validation.{kind}"]
    for key in keys:
        told = sentence(language, key, params)
        if told is not None:
            return told
    return default if language == "en" else gettext(language, "This value is not valid here.")


def state_name(language: str, aggregate: str, state: str) -> str:
    """The name of `state` of the `aggregate` lifecycle (``"Site"``, ``"Beneficiary"``...), or
    the code itself where the catalogue lacks it (a test keeps that from happening)."""
    return _by_code(language, f"state.{aggregate}.{state}") or state


def action_name(language: str, command: str) -> str:
    """The name of a lifecycle command, or the command itself where the catalogue lacks it."""
    return _by_code(language, f"action.{command}") or command


def document_kind_name(language: str, kind: str) -> str:
    """The name of a kind of document (`domain.recording.DocumentKind`), or the kind itself
    where the catalogue lacks it (a test keeps that from happening)."""
    return _by_code(language, f"document_kind.{kind}") or kind


def component_name(language: str, component: str) -> str:
    """The name of an aid component (`jadup`, `uep`), or the code where the catalogue lacks it."""
    return _by_code(language, f"component.{component}") or component


def event_name(language: str, aggregate: str, event: str) -> str:
    """What an event of the `aggregate` lifecycle says happened (`event.<Aggregate>.<Event>`),
    or, for an item of a history that is no lifecycle's event, `event.<Event>`; the event's
    own name where the catalogue lacks both (a test keeps that from happening)."""
    return (
        _by_code(language, f"event.{aggregate}.{event}")
        or _by_code(language, f"event.{event}")
        or event
    )


def refusal_message(
    language: str, code: str, default: str, params: Mapping[str, object] | None = None
) -> str:
    """The refusal `code` told in `language`. English, or a code the catalogue lacks, keeps
    `default` (the error's own message); a sentence naming a parameter the error does not
    carry falls back to `default` too rather than fail while reporting a failure."""
    if language == "en":
        return default
    told = sentence(language, f"error.{code}", params)
    return default if told is None else told


def error_params(error: BaseException, language: str = DEFAULT_LANGUAGE) -> dict[str, object]:
    """The named parameters an error carries for its translated sentence: its public
    attributes of plain types (codes, counts, dates in the language's format), never the
    message; with `command_name` and `state_name` where it names a lifecycle's command and
    state."""
    params: dict[str, object] = {}
    for name in dir(error):
        if name.startswith("_") or name in {"message", "args", "code"}:
            continue
        value = getattr(error, name, None)
        if isinstance(value, date) and not isinstance(value, datetime):
            params[name] = date_id(value) if language == "id" else value.isoformat()
        elif isinstance(value, str | int) and not isinstance(value, bool):
            params[name] = value
    command, state, aggregate = (params.get(k) for k in ("command", "state", "aggregate"))
    if isinstance(command, str):
        params["command_name"] = action_name(language, command)
    if isinstance(state, str) and isinstance(aggregate, str):
        params["state_name"] = state_name(language, aggregate, state)
    return params


def refusal_for(language: str, error: BaseException, default: str | None = None) -> str:
    """The message of a refusal carrying a `code` (a domain or service error) in `language`:
    the error's own message in English, the catalogue's sentence by code otherwise."""
    code = str(getattr(error, "code", type(error).__name__))
    message = default if default is not None else str(getattr(error, "message", error))
    params = error_params(error, language)
    # One code may cover several fields' rules (ACCOUNT_INVALID: a username's shape, a
    # password's length): the field's own sentence, `error.<code>.<field>`, where there is one.
    field = getattr(error, "field", None)
    if field and language != "en":
        told = sentence(language, f"error.{code}.{field}", params)
        if told is not None:
            return told
    return refusal_message(language, code, message, params)


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The language of `LANGUAGES` an ``Accept-Language`` header prefers most, or `default`
    when it asks for none of them (or is absent). ``id-ID``, ``in`` (the old code) and
    ``en-GB`` count as their language."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        primary = "id" if primary == "in" else primary
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default
