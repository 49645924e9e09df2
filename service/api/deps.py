"""Request dependencies: the wired system, the logged-in user, role checks."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from domain.recording import Role
from service.security.accounts import Account
from service.system import Jejak

# The browser's session cookie holds only a random session id (ADR 0049).
SESSION_COOKIE = "jejak_session"

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def get_jejak(request: Request) -> Jejak:
    """The system wired at start-up."""
    jejak: Jejak = request.app.state.jejak
    return jejak


JejakDep = Annotated[Jejak, Depends(get_jejak)]


class NotAuthenticated(HTTPException):
    """No valid token or session: 401 for the API, a redirect to /login for pages."""

    def __init__(self) -> None:
        super().__init__(
            status.HTTP_401_UNAUTHORIZED, "login required", headers={"WWW-Authenticate": "Bearer"}
        )


def bearer_token(request: Request) -> str | None:
    """The bearer token of the Authorization header, if any."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def request_username(request: Request, jejak: Jejak, token: str | None) -> str | None:
    """The username behind the bearer token when there is one (a bad token is not made good
    by a cookie), else behind the browser's open session; None when neither is valid."""
    if token:
        claims = jejak.tokens.verify(token)
        return claims.username if claims else None
    session_id = request.cookies.get(SESSION_COOKIE)
    return jejak.sessions.username(session_id) if session_id else None


def token_subject(request: Request, jejak: Jejak) -> str | None:
    """The username a valid token or session names, without reading the account: enough to
    tell whose request this is. Whether the account may act is still `current_user`'s to
    decide."""
    return request_username(request, jejak, bearer_token(request))


def current_user(
    request: Request, jejak: JejakDep, token: Annotated[str | None, Depends(bearer)]
) -> Account:
    """The account behind the bearer token or the browser's session cookie."""
    username = request_username(request, jejak, token)
    # The account is read again on each request so that deactivation and role changes take
    # effect at once rather than when the token or the session expires.
    account = jejak.accounts.get(username) if username else None
    if account is None or not account.active:
        raise NotAuthenticated()
    return account


UserDep = Annotated[Account, Depends(current_user)]


class Forbidden(HTTPException):
    """The account's role may not do this."""

    def __init__(self, what: str) -> None:
        super().__init__(
            status.HTTP_403_FORBIDDEN,
            {"code": "ROLE_FORBIDDEN", "message": f"your role may not {what}"},
        )


def require_role(user: Account, roles: tuple[Role, ...], what: str) -> None:
    """Refuse with 403 unless the user's role is among `roles`."""
    if user.role not in roles:
        raise Forbidden(what)


USERNAME_SHAPE = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")


def loggable_username(attempted: str) -> str:
    """The attempted username for the access log, or "-" when it does not look like one:
    people sometimes type their password into the username box."""
    return attempted if USERNAME_SHAPE.match(attempted) else "-"
