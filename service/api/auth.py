"""Login: the OAuth2 password flow issuing short-lived bearer tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from service.api.deps import JejakDep, UserDep, loggable_username

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token")
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], jejak: JejakDep
) -> dict[str, Any]:
    """Exchange a username and password for a bearer token."""
    account = jejak.accounts.authenticate(form.username, form.password)
    if account is None:
        jejak.access_log.record(loggable_username(form.username), None, "login_failed")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            {"code": "LOGIN_FAILED", "message": "wrong username or password"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    jejak.access_log.record(account.username, account.role, "login")
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
