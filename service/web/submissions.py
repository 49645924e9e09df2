"""A form taken once: what every page's form does between the browser and the command.

A form carries an idempotency key (a double click or a reload writes once, and is answered
with where the first one led), is validated by its command's input model, and a refusal comes
back on the form, next to the field it names, in the reader's language; a version conflict
says who changed the record meanwhile (ADR 0051). The lifecycle steps (`service.web.commands`)
and the administration pages (`service.web.admin`) share it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from service.api.errors import refusal_status
from service.commands.base import VersionConflict
from service.commands.idempotency import (
    IdempotencyKeyRefused,
    StoredResponse,
    parse_idempotency_key,
    request_fingerprint,
)
from service.errors import NotFound
from service.i18n import gettext, refusal_for
from service.security.accounts import Account
from service.system import Jejak
from service.web.forms import CSRF_FIELD, IDEMPOTENCY_FIELD, FormField, Refusal
from service.web.i18n import language_of
from service.web.rendering import not_found_page


@dataclass(frozen=True)
class Outcome:
    """Where a form taken leads (what a form sent again is answered with), and the page the
    first answer shows instead of going there, when it must show something once (a password)."""

    location: str
    page: Response | None = None


# (refusal, HTTP status, whether it was a version conflict) -> the form again, refused.
Refuse = Callable[[Refusal, int, bool], Response]


async def sent_fields(request: Request) -> dict[str, str]:
    """What the browser sent in the form, text fields only."""
    submitted = await request.form()
    return {k: v for k, v in submitted.items() if isinstance(v, str)}


async def take_once(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    target: str,
    sent: Mapping[str, str],
    *,
    refused: Refuse,
    attempt: Callable[[], Outcome | Refusal],
    place: Callable[[DomainError], Refusal],
) -> Response:
    """Take the form sent to `target` once: `attempt` validates and performs it (in a worker
    thread) and says where it leads, or why the form is refused; a domain refusal is told by
    `place`."""
    language = language_of(request)
    try:
        key = parse_idempotency_key(sent.get(IDEMPOTENCY_FIELD, ""))
    except IdempotencyKeyRefused as bad:
        return refused(Refusal({}, (refusal_for(language, bad),)), 422, False)
    own = sorted((k, v) for k, v in sent.items() if k != CSRF_FIELD)
    fingerprint = request_fingerprint("POST", target, repr(own).encode())
    try:
        claim = await run_in_threadpool(jejak.idempotency.claim, viewer.username, key, fingerprint)
    except IdempotencyKeyRefused as bad:
        return refused(Refusal({}, (refusal_for(language, bad),)), refusal_status(bad), False)
    if isinstance(claim, StoredResponse):
        # The same form sent again (a double click, a reload): its first answer, nothing new.
        return RedirectResponse(claim.body, status_code=303)
    try:
        outcome = await run_in_threadpool(attempt)
    except DomainError as refusal:
        await run_in_threadpool(jejak.idempotency.release, claim)
        conflict = isinstance(refusal, VersionConflict)
        return refused(place(refusal), refusal_status(refusal), conflict)
    except NotFound:
        await run_in_threadpool(jejak.idempotency.release, claim)
        return not_found_page(request, viewer)
    if isinstance(outcome, Refusal):
        await run_in_threadpool(jejak.idempotency.release, claim)
        return refused(outcome, 422, False)
    stored = StoredResponse(303, outcome.location)
    await run_in_threadpool(jejak.idempotency.complete, claim, stored)
    return outcome.page or RedirectResponse(outcome.location, status_code=303)


def placed(
    refusal: DomainError, fields: Sequence[FormField], language: str, changed_by: Callable[[], str]
) -> Refusal:
    """A domain refusal on the form: next to the field it names, else above the form; a version
    conflict says who (`changed_by`) changed the record meanwhile."""
    if isinstance(refusal, VersionConflict):
        message = gettext(
            language, "Changed meanwhile by %(user)s: read the page again before deciding."
        ) % {"user": changed_by()}
        return Refusal({}, (message,))
    message = f"{refusal_for(language, refusal)} ({refusal.code})"
    names = {f.name for f in fields if f.widget != "hidden"}
    if refusal.field in names:
        return Refusal({refusal.field: message})
    nested = next((n for n in names if refusal.field and n.startswith(refusal.field + ".")), None)
    if nested:
        return Refusal({nested: message})
    return Refusal({}, (message,))


def sent_again(sent: Mapping[str, str], conflict: bool) -> dict[str, str]:
    """What the form shows again after a refusal: what was sent, except, after a conflict, the
    version it was built on (deciding again on what the page now shows is the user's to do)."""
    return {k: v for k, v in sent.items() if not (conflict and k == "expected_version")}
