"""`Idempotency-Key` on command routes: a retried command gets its first answer and writes nothing.

A router opts in with `route_class=IdempotentCommandRoute`; every POST route on it then honours
the header and documents it in OpenAPI. It is a route class rather than a middleware so that
only commands pay for it, and because it sees the endpoint's refusals (domain errors) before the
app's exception handlers do, so it can store them as the command's answer. See ADR 0012.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from service.api.deps import get_jejak, token_subject
from service.api.errors import language_of, refusal_response
from service.commands.idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    MAX_KEY_LENGTH,
    StoredResponse,
    parse_idempotency_key,
    request_fingerprint,
)
from service.errors import NotFound

REPLAYED_HEADER = "Idempotent-Replayed"

KEY_PARAMETER: dict[str, Any] = {
    "name": IDEMPOTENCY_KEY_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "A unique value (for example a UUID) chosen by the client for this command. A retry "
        "with the same key and the same request returns the first answer, refusals included, "
        f"with `{REPLAYED_HEADER}: true`, and writes nothing. The same key with a different "
        "request is refused (422 `IDEMPOTENCY_KEY_REUSED`); a retry while the first request "
        "still runs gets 409 `IDEMPOTENCY_REQUEST_IN_PROGRESS`. Keys are remembered per user "
        "for JEJAK_IDEMPOTENCY_TTL_HOURS."
    ),
}

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class IdempotentCommandRoute(APIRoute):
    """A route whose POST honours `Idempotency-Key`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.is_command:
            extra = dict(self.openapi_extra or {})
            extra["parameters"] = [*extra.get("parameters", []), KEY_PARAMETER]
            self.openapi_extra = extra

    @property
    def is_command(self) -> bool:
        """Only POST carries commands; anything else on the router passes through."""
        return "POST" in (self.methods or set())

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()
        if not self.is_command:
            return handle

        async def answer_once(request: Request) -> Response:
            return await answer_at_most_once(request, handle)

        return answer_once


async def answer_at_most_once(request: Request, handle: Handler) -> Response:
    """Run `handle` for the first request with its key; answer retries from the store."""
    raw_key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if raw_key is None:
        return await handle(request)
    key = parse_idempotency_key(raw_key)
    jejak = get_jejak(request)
    principal = token_subject(request, jejak)
    if principal is None:
        return await handle(request)  # which refuses with 401; nothing to remember
    fingerprint = request_fingerprint(request.method, request.url.path, await request.body())
    store = jejak.idempotency
    outcome = await run_in_threadpool(store.claim, principal, key, fingerprint)
    if isinstance(outcome, StoredResponse):
        return Response(
            outcome.body,
            outcome.status_code,
            headers={REPLAYED_HEADER: "true"},
            media_type="application/json",
        )
    try:
        response = await handle(request)
    except (DomainError, NotFound) as refusal:
        response = refusal_response(refusal, language_of(request))
    except Exception:
        # An invalid body (422), a role refusal (403) or a crash: no verdict to keep, so the
        # key is given up and a retry runs afresh (ADR 0012 on errors after a save). A
        # cancelled request keeps its claim on purpose: its worker thread may still be saving,
        # so the claim must go stale first.
        await run_in_threadpool(store.release, outcome)
        raise
    body = getattr(response, "body", None)
    if response.status_code < 500 and isinstance(body, bytes):
        answer = StoredResponse(response.status_code, body.decode())
        await run_in_threadpool(store.complete, outcome, answer)
    else:
        await run_in_threadpool(store.release, outcome)
    return response
