"""What keeps the browser's session safe: CSRF checks, cookie flags and security headers.

CSRF is the `asgi-csrf` middleware's double-submit check: a signed random token in a cookie
that every form repeats in its `csrftoken` field, and every cookie-authenticated call that
changes something repeats in its `X-CSRFToken` header. A request that changes something and
carries cookies but no matching token is refused with 403 `CSRF_FAILED`, before any route
sees it. Requests with a bearer token (or no cookie at all) are not cookie-authenticated and
pass; the login and logout forms are checked even without cookies, as logging a browser in to
someone else's account is an attack too. See ADR 0049.
"""

from __future__ import annotations

import json
from typing import Any, Final

import asgi_csrf as csrf_library
from asgi_csrf import asgi_csrf
from fastapi import FastAPI, Request
from python_multipart.exceptions import ParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_body
from service.i18n import gettext, negotiate, refusal_message
from service.security.crypto import derive_subkey
from service.settings import Settings
from service.web.i18n import language_of

CSRF_INFO = b"jejak csrf"
CSRF_FORM_FIELD = "csrftoken"
CSRF_HEADER = "x-csrftoken"
CSRF_FAILED = "CSRF_FAILED"
# Checked even when the request carries no cookie (login CSRF).
ALWAYS_PROTECTED = ["/login", "/logout"]
# The token endpoint answers with the token in its body, which another site's form cannot
# read; scripts call it without a CSRF token.
UNPROTECTED = frozenset({"/auth/token"})
ASSET_PATHS = ("/static/", "/docs-assets/")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Swagger UI's stylesheet draws its icons as data: URIs.
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


# A CSRF token is 100 or so characters; a longer `csrftoken` field is not one.
MAX_TOKEN_FIELD: Final = 1024


async def multipart_csrf_token(boundary: bytes, receive: Receive) -> tuple[str | None, Receive]:
    """The `csrftoken` field of a multipart form, read before any file part, and a `receive`
    that replays what was read, for `asgi-csrf`'s check of upload forms.

    asgi-csrf 0.11 builds python-multipart's `FormParser` with a `FileClass` argument that
    python-multipart removed in 0.0.26, which fixes CVE-2026-40347, so every upload form with
    a session cookie failed with a 500 (simonw/asgi-csrf#38). This reads the parts with the
    streaming `MultipartParser` instead: a file part before the token is refused as the
    library means to (`FileBeforeToken`), without reading or keeping its content.
    """
    messages: list[Message] = []
    part: dict[str, Any] = {"header": b"", "disposition": b"", "name": None, "value": b""}

    def header_field(data: bytes, start: int, end: int) -> None:
        part["header"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        if part["header"].lower() == b"content-disposition":
            part["disposition"] += data[start:end]

    def header_end() -> None:
        part["header"] = b""

    def headers_finished() -> None:
        _, options = parse_options_header(part["disposition"])
        if b"filename" in options:
            raise csrf_library.FileBeforeToken
        part["name"] = options.get(b"name")

    def part_data(data: bytes, start: int, end: int) -> None:
        if part["name"] == CSRF_FORM_FIELD.encode():
            part["value"] += data[start:end]
            if len(part["value"]) > MAX_TOKEN_FIELD:
                raise csrf_library.TokenFound("")

    def part_end() -> None:
        if part["name"] == CSRF_FORM_FIELD.encode():
            raise csrf_library.TokenFound(part["value"].decode("utf-8", "replace"))
        part.update(disposition=b"", name=None, value=b"")

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": header_field,
            "on_header_value": header_value,
            "on_header_end": header_end,
            "on_headers_finished": headers_finished,
            "on_part_data": part_data,
            "on_part_end": part_end,
        },
    )

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    try:
        more_body = True
        while more_body:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            parser.write(message.get("body", b""))
            more_body = message.get("more_body", False)
    except csrf_library.TokenFound as found:
        return str(found.args[0]), replay
    except ParseError:
        pass  # not a multipart body: no token, so the check refuses it
    return None, replay


# The library's own reader, replaced until a release of asgi-csrf works with python-multipart
# 0.0.26 and later (see `multipart_csrf_token`).
csrf_library._parse_multipart_form_data = multipart_csrf_token


def csrf_token(request: Request) -> str:
    """The CSRF token a form of this page must send back (the `csrftoken` field)."""
    token: str = request.scope["csrftoken"]()
    return token


def cookies_secure(scope: Scope, setting: str) -> bool:
    """Whether the response's cookies are marked Secure: always, never, or (`auto`) unless the
    page was asked for over plain HTTP from localhost, as in local development."""
    if setting != "auto":
        return setting == "always"
    if scope.get("scheme") == "https":
        return True
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return hostname not in LOCAL_HOSTS


async def _refuse(scope: Scope, send: Send, _reason: Any) -> None:
    api = str(scope["path"]).startswith(("/api/", "/auth/"))
    request = Request(scope)
    if api:
        # The message in the language Accept-Language asks for, English otherwise (ADR 0048).
        message = refusal_message(
            negotiate(request.headers.get("accept-language")),
            CSRF_FAILED,
            "a request authenticated by the session cookie that changes something must "
            f"send the CSRF token in the {CSRF_HEADER} header (or use a bearer token)",
        )
        body = json.dumps(error_body(CSRF_FAILED, message)).encode()
        content_type = b"application/json"
    else:
        # The page's words, in the reader's language (ADR 0048).
        body = gettext(
            language_of(request),
            "The form has expired or did not come from this site. Reload the page and try again.",
        ).encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the security headers to every response and marks its cookies Secure when
    `cookies_secure` says so."""

    def __init__(self, app: ASGIApp, cookie_secure: str) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = cookies_secure(scope, self.cookie_secure)
        assets = str(scope["path"]).startswith(ASSET_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for key, value in message.get("headers") or []:
                    if key.lower() == b"set-cookie" and secure and b"; secure" not in value.lower():
                        value = value + b"; Secure"
                    headers.append((key, value))
                present = {key.lower() for key, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if not assets and b"cache-control" not in present:
                    # Pages and answers hold personal data: not kept by the browser, so that
                    # after logout the back button cannot show them again.
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def install_browser_security(app: FastAPI, settings: Settings) -> None:
    """The CSRF check and the security headers; add before the proxy-headers middleware, so
    that they see the scheme a trusted proxy reports."""
    app.add_middleware(
        asgi_csrf,
        cookie_name="csrftoken",
        http_header=CSRF_HEADER,
        # The same secret in every process serving the store, from the master key.
        signing_secret=derive_subkey(settings.master_key_bytes, CSRF_INFO).hex(),
        always_protect=ALWAYS_PROTECTED,
        skip_if_scope=lambda scope: scope["path"] in UNPROTECTED,
        cookie_samesite="Strict",
        send_csrf_failed=_refuse,
    )
    app.add_middleware(SecurityHeaders, cookie_secure=settings.cookie_secure)
