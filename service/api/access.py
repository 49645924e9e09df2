"""Access at the HTTP edge: the roles each write route declares, and requests for personal
data in clear. The decisions themselves are `domain.access` and the lifecycle declarations."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, params

from domain.access import WRITE_ROLES, Write, clear_reason_of, may_ask_in_clear
from domain.lifecycle import Lifecycle
from domain.recording import Role
from service.api.deps import Forbidden, UserDep
from service.security.accounts import Account


class Writers:
    """A route's declared writers, checked before the body is read (403 for any other role).

    Routes take it as a dependency, so the roles of every write route can be read from the
    app itself: a test enumerates the routes and tries each as every role (ADR 0031).
    """

    def __init__(self, roles: tuple[Role, ...], what: str) -> None:
        self.roles = roles
        self.what = what

    def __call__(self, user: UserDep) -> Account:
        if user.role not in self.roles:
            raise Forbidden(self.what)
        return user


class CommandWriters(Writers):
    """The writers of a lifecycle's command: the route names which command it carries, so the
    web workspace finds the route (and its input model) for each declared step (ADR 0051)."""

    def __init__(self, lifecycle: Lifecycle, command: str) -> None:
        roles = lifecycle.roles_for(command)
        if not roles:
            raise ValueError(f"{lifecycle.aggregate} declares no command {command}")
        super().__init__(roles, command.replace("_", " "))
        self.lifecycle = lifecycle
        self.command = command


def command_writers(lifecycle: Lifecycle, command: str) -> Writers:
    """The roles the lifecycle declares for `command`."""
    return CommandWriters(lifecycle, command)


def command_role(lifecycle: Lifecycle, command: str) -> params.Depends:
    """The dependency a command route declares: `dependencies=[command_role(...)]`."""
    depends: params.Depends = Depends(command_writers(lifecycle, command))
    return depends


def write_role(write: Write) -> params.Depends:
    """The dependency of a route making a write that belongs to no lifecycle."""
    depends: params.Depends = Depends(Writers(WRITE_ROLES[write], write.value.replace("_", " ")))
    return depends


def clear_reason(
    user: UserDep,
    in_clear: Annotated[
        bool,
        Query(
            description="personal data in clear; an auditor must also give `reason`, which "
            "the access log keeps"
        ),
    ] = False,
    reason: Annotated[
        str | None,
        Query(description="why personal data is needed in clear (auditors; no identifiers)"),
    ] = None,
) -> str | None:
    """The reason a request for personal data in clear states, checked: 422 REASON_REQUIRED
    without one, 403 for a role that may not see personal data in clear."""
    if in_clear and not may_ask_in_clear(user.role):
        raise Forbidden("see personal data in clear")
    return clear_reason_of(user.role, in_clear=in_clear, reason=reason)


ClearReason = Annotated[str | None, Depends(clear_reason)]
