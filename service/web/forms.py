"""Forms built from a command's input model (ADR 0051): the same pydantic model the API
validates a JSON body with describes the form's fields and converts what the browser sends.

A form is a flat list of fields named by their path in the model (`document.kind`); nested
models become fieldsets. What the browser sends is strings: they are turned into the shape of
the model's JSON (lists from lines, whole numbers without their thousands dots, empty fields
left out) and then validated once, by the model, so that no rule is written twice. A
validation failure is told by field in the reader's language.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final, Union

from annotated_types import MaxLen
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from domain.recording import DocumentKind
from service.i18n import gettext, sentence, validation_message

# Fields every form carries that are not the command's: the version the page was built on is
# a field of the model (expected_version); these two are the form's own.
CSRF_FIELD: Final = "csrftoken"
IDEMPOTENCY_FIELD: Final = "idempotency_key"
FORM_OWN_FIELDS: Final = frozenset({CSRF_FIELD, IDEMPOTENCY_FIELD})
# Longer text than this is typed in a text area.
LONG_TEXT: Final = 200
# "5.000.000", "Rp 5.000.000" and "5 000 000" are how a whole number of rupiah is written.
NUMBER_DECORATION: Final = re.compile(r"^\s*(Rp\.?)?\s*|[.\s]")


@dataclass(frozen=True)
class Choice:
    """One option of a select: the value sent and the words shown."""

    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input of a form, named by its path in the model (`document.kind`)."""

    name: str
    label: str
    widget: str  # text, textarea, lines, date, number, select, checkbox, password, hidden
    required: bool
    group: str | None = None
    group_label: str | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    value: str = ""
    error: str | None = None

    @property
    def html_id(self) -> str:
        """The element id (also what the label and an error point at)."""
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Refusal:
    """Why a form was not accepted: messages by field, and those belonging to no field."""

    by_field: Mapping[str, str]
    general: tuple[str, ...] = ()


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `None`, and whether None was allowed."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        return (members[0] if len(members) == 1 else annotation), optional
    return annotation, False


def _max_length(info: FieldInfo) -> int | None:
    lengths = [m.max_length for m in info.metadata if isinstance(m, MaxLen)]
    return min(lengths) if lengths else None


def field_label(language: str, model: type[BaseModel], name: str, parent: str | None) -> str:
    """A field's words: `field.<name>` for a command's own field, `field.<Model>.<name>` for
    one of a nested model shared by several (a document's number, a region's code). A command's
    own field whose name means another thing elsewhere (a unit's code is no site's code) has
    its own `field.<Model>.<name>` entry, used where the catalogue has one."""
    own = f"field.{model.__name__}.{name}"
    if parent:
        return gettext(language, own)
    return sentence(language, own) or gettext(language, f"field.{name}")


def label_keys(model: type[BaseModel], parent: str | None = None) -> Iterable[str]:
    """Every catalogue key the form of `model` needs (the catalogue test asks for each)."""
    for name, info in model.model_fields.items():
        if name == "expected_version":
            continue  # a hidden field: never labelled
        yield f"field.{model.__name__}.{name}" if parent else f"field.{name}"
        inner, _ = _without_none(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from label_keys(inner, name)
        elif isinstance(inner, type) and issubclass(inner, enum.Enum):
            yield from (choice_key(inner, member) for member in inner)


def choice_key(kind: type[enum.Enum], member: enum.Enum) -> str:
    """The catalogue key of an option: a document's kind has its own entries, shared with the
    pages that name documents; any other option is `choice.<Enum>.<value>`."""
    if kind is DocumentKind:
        return f"document_kind.{member.value}"
    return f"choice.{kind.__name__}.{member.value}"


def fields_of(
    model: type[BaseModel],
    language: str,
    *,
    choices: Mapping[str, Sequence[Choice]] | None = None,
    hidden: Mapping[str, str] | None = None,
    required_groups: frozenset[str] = frozenset(),
    prefix: str = "",
    group: str | None = None,
    group_label: str | None = None,
    group_required: bool = True,
) -> list[FormField]:
    """The fields of `model`'s form. `choices` narrows or supplies a field's options (the
    document kinds a step accepts, the events a correction may name); `hidden` fields carry a
    value the page knows (the version it was built on); `required_groups` names optional groups the
    step's rule requires all the same (the document a step rests on)."""
    choices = choices or {}
    hidden = hidden or {}
    fields: list[FormField] = []
    for name, info in _own_fields_first(model):
        path = prefix + name
        inner, optional = _without_none(info.annotation)
        required = info.is_required() and group_required and not optional
        label = field_label(language, model, name, group)
        if path in hidden:
            fields.append(FormField(path, label, "hidden", False, value=hidden[path]))
            continue
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            fields.extend(
                fields_of(
                    inner,
                    language,
                    choices=choices,
                    hidden=hidden,
                    prefix=path + ".",
                    group=name,
                    group_label=label,
                    group_required=(info.is_required() and not optional) or path in required_groups,
                )
            )
            continue
        widget, options = _widget(inner, info, language)
        if path in choices:
            widget, options = "select", tuple(choices[path])
        if path.endswith("expected_version"):
            continue  # offered only through `hidden`: a person does not type a version
        fields.append(
            FormField(
                path,
                label,
                widget,
                required,
                group=group,
                group_label=group_label,
                choices=options,
                max_length=_max_length(info),
                value=_default_text(info, widget),
            )
        )
    return fields


def _own_fields_first(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """The command's own fields before those it shares with every command (the date, the
    document, the reason), which its base model declares: what the step is about comes first."""
    base = next((b for b in model.__mro__[1:] if issubclass(b, BaseModel)), BaseModel)
    shared = set(base.model_fields) if base is not BaseModel else set()
    items = list(model.model_fields.items())
    return [i for i in items if i[0] not in shared] + [i for i in items if i[0] in shared]


def _default_text(info: FieldInfo, widget: str) -> str:
    if info.default is None or info.default is PydanticUndefined or widget == "lines":
        return ""
    return str(info.default)


def _widget(annotation: Any, info: FieldInfo, language: str) -> tuple[str, tuple[Choice, ...]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "select", tuple(
            Choice(str(m.value), gettext(language, choice_key(annotation, m))) for m in annotation
        )
    origin = typing.get_origin(annotation)
    if origin is list:
        return "lines", ()
    base = typing.get_origin(annotation) or annotation
    if base is typing.Annotated:
        base = typing.get_args(annotation)[0]
    if base is bool:
        return "checkbox", ()
    if base is SecretStr:
        return "password", ()
    if base is datetime:
        return "datetime", ()
    if base is date:
        return "date", ()
    if base is int:
        return "number", ()
    length = _max_length(info)
    return ("textarea" if length is not None and length > LONG_TEXT else "text"), ()


def with_values(
    fields: Sequence[FormField], sent: Mapping[str, str], refusal: Refusal | None = None
) -> list[FormField]:
    """The fields again, holding what was sent and, where refused, why."""
    by_field = refusal.by_field if refusal else {}
    return [replace(f, value=sent.get(f.name, f.value), error=by_field.get(f.name)) for f in fields]


def body_of(fields: Sequence[FormField], sent: Mapping[str, str]) -> dict[str, Any]:
    """What the browser sent, in the shape of the model's JSON: empty fields left out (the
    model's default applies), a group left out when all its fields are empty, lines as a list,
    whole numbers without their thousands dots."""
    body: dict[str, Any] = {}
    for f in fields:
        raw = sent.get(f.name, "")
        if f.widget == "checkbox":
            value: Any = raw not in ("", "0", "false")
        elif not raw.strip():
            continue
        elif f.widget == "lines":
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        elif f.widget in ("number", "hidden") or f.name.endswith("version"):
            digits = NUMBER_DECORATION.sub("", raw)
            value = int(digits) if digits.isdigit() else raw.strip()
        else:
            value = raw.strip()
        target = body
        *parents, leaf = f.name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return body


def validate(
    model: type[BaseModel], fields: Sequence[FormField], sent: Mapping[str, str], language: str
) -> BaseModel | Refusal:
    """The command's input, validated by its model, or why not, by field."""
    try:
        return model.model_validate(body_of(fields, sent), strict=False)
    except ValidationError as invalid:
        return refusal_of(invalid, {f.name for f in fields}, language)


def refusal_of(invalid: ValidationError, names: AbstractSet[str], language: str) -> Refusal:
    """A validation failure told by field: each error on the field its location names (a
    list's item on the list), the rest in general."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in invalid.errors():
        path = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
        named = [str(part) for part in error["loc"] if isinstance(part, str)]
        message = validation_message(
            language, error["type"], error["msg"], error.get("ctx"), named[-1] if named else None
        )
        if path in names:
            by_field.setdefault(path, message)
        elif any(n.startswith(path + ".") for n in names) and path:
            first = next(n for n in names if n.startswith(path + "."))
            by_field.setdefault(first, message)
        else:
            general.append(message)
    return Refusal(by_field, tuple(general))
