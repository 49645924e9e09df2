"""A form's refused inputs told in the reader's language: the field's name and the rule it
broke, from the input model's own validation errors (pydantic's error types), never the
value typed in, which may be personal data."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from service.i18n import gettext

# The rule a value breaks when it is absent or empty.
REQUIRED_RULES = frozenset({"missing", "string_too_short", "too_short"})
DATE_RULES = frozenset({"date_format", "date_invalid", "date_type", "date_parsing"})


def field_label(language: str, field: str) -> str:
    """What a form field is called on the page."""
    labels = {
        "case_number": gettext(language, "case number"),
        "name": gettext(language, "name"),
        "phone": gettext(language, "phone"),
        "occurred_on": gettext(language, "date of the pendataan"),
        "reason": gettext(language, "note"),
        "document.kind": gettext(language, "document kind"),
        "document.number": gettext(language, "document number"),
        "document.issued_on": gettext(language, "document date"),
        "document.issuer": gettext(language, "issued by"),
        "document.sha256": gettext(language, "SHA-256 of the stored document"),
        "file": gettext(language, "file"),
        "kind": gettext(language, "document kind"),
    }
    return labels.get(field, field)


def problem_text(language: str, field: str | None, rule: str, limit: int | None = None) -> str:
    """The sentence for `field` breaking `rule` (a pydantic error type, or `no_column`)."""
    label = field_label(language, field) if field else ""
    if rule == "no_column":
        return gettext(language, "a value stands in a column without a header")
    if rule in REQUIRED_RULES:
        return gettext(language, "%(field)s is required") % {"field": label}
    if rule == "string_pattern_mismatch" and field == "case_number":
        return gettext(language, "the case number is the site code and four digits, as TRK-JP-0001")
    if rule == "string_pattern_mismatch" and field == "phone":
        return gettext(
            language, "the phone is 6 to 20 digits, spaces or dashes, with an optional leading +"
        )
    if rule == "string_pattern_mismatch" and field == "document.sha256":
        return gettext(language, "%(field)s is 64 hexadecimal characters") % {"field": label}
    if rule in ("string_too_long", "too_long") and limit is not None:
        return gettext(language, "%(field)s is longer than %(limit)s characters") % {
            "field": label,
            "limit": limit,
        }
    if rule == "control_character":
        return gettext(language, "%(field)s holds a control character") % {"field": label}
    if rule in DATE_RULES:
        return gettext(language, "%(field)s is not a date") % {"field": label}
    if rule == "date_out_of_range":
        return gettext(language, "%(field)s lies outside the programme's dates") % {"field": label}
    if rule == "date_in_future":
        return gettext(language, "%(field)s must not be in the future (WITA)") % {"field": label}
    if rule == "enum":
        return gettext(language, "%(field)s: choose one from the list") % {"field": label}
    return gettext(language, "%(field)s is not valid") % {"field": label}


def field_problems(
    language: str, error: ValidationError, skip: frozenset[str] = frozenset()
) -> Mapping[str, str]:
    """Each refused field of a form (dotted path, `document.kind`) and its sentence; the first
    problem of a field is enough to fix it. Fields in `skip` are left to the caller."""
    problems: dict[str, str] = {}
    for e in error.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in e["loc"])
        if not path or path.split(".")[0] in skip or path in problems:
            continue
        limit = (e.get("ctx") or {}).get("max_length")
        problems[path] = problem_text(language, path, e["type"], limit)
    return problems
