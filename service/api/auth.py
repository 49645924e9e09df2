"""Login: the OAuth2 password flow issuing short-lived bearer tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from service.api.deps import JejakDep, UserDep, loggable_username
from service.security.access_log import AccessAction
from service.security.accounts import Account
from service.system import Jejak

router = APIRouter(prefix="/auth", tags=["auth"])


def log_in(jejak: Jejak, username: str, password: str, request: Request) -> Account | None:
    """The account when the password is right, else None; raises `LoginThrottled` while the
    account or the client's address is held back after failed logins (ADR 0034). Every
    attempt, and every hold-back it starts, is written to the access log."""
    address = request.client.host if request.client else None
    jejak.login_throttle.check(username, address)
    account = jejak.accounts.authenticate(username, password)
    if account is None:
        who = loggable_username(username)
        jejak.access_log.record(who, None, AccessAction.LOGIN_FAILED)
        for lockout in jejak.login_throttle.failed(username, address):
            jejak.access_log.record(who, None, AccessAction.LOGIN_LOCKED, detail=lockout.describe())
        return None
    jejak.login_throttle.succeeded(username)
    jejak.access_log.record(account.username, account.role, AccessAction.LOGIN)
    return account


@router.post("/token")
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], jejak: JejakDep, request: Request
) -> dict[str, Any]:
    """Exchange a username and password for a bearer token. After repeated wrong passwords
    for an account or from an address, logins are held back for a growing while: 429 with
    `Retry-After`."""
    account = log_in(jejak, form.username, form.password, request)
    if account is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            {"code": "LOGIN_FAILED", "message": "wrong username or password"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    return {
        "access_token": jejak.tokens.issue(account),
        "token_type": "bearer",
        "expires_in": jejak.settings.token_minutes * 60,
    }


@router.get("/me")
def who_am_i(user: UserDep) -> dict[str, Any]:
    """The logged-in account."""
    return {
        "username": user.username,
        "role": user.role,
        "org_unit": user.org_unit,
        "display_name": user.display_name,
    }
