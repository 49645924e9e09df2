"""Staff accounts kept by an administrator: the one path the command line (`jejak users`) and
the administration pages (`/admin/accounts`) both take, so every change is recorded the same
way: as a grant event with its provenance (who, from which day, on which letter, why; ADR
0045), then in the access log under the administrator's name.

Passwords are never part of either record: the access log says a password was set, not what
it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from domain.recording import Actor, Provenance, Role
from service.commands.base import check_version
from service.commands.grants import StaffCommands
from service.security.access_log import AccessLog
from service.security.accounts import Account, Accounts, UnknownAccount

# No letters or digits that are easily mistaken for one another when read aloud or copied
# from a screen (l/1, O/0).
READABLE_CHARACTERS: Final = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS: Final = 3
PASSWORD_GROUP_LENGTH: Final = 4


class AccountChange(StrEnum):
    """A change of an existing account's grants, named by what its access-log entry says."""

    ROLE = "role_changed"
    UNIT = "account_moved"
    DEACTIVATE = "account_deactivated"
    REACTIVATE = "account_reactivated"


def generated_password() -> str:
    """A temporary password (`abcd-efgh-jkmn`): random, readable, long enough for the rule."""
    return "-".join(
        "".join(secrets.choice(READABLE_CHARACTERS) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )


@dataclass(frozen=True)
class AccountAdministration:
    """An administrator's changes to staff accounts, each recorded with its provenance and
    in the access log. `manager` is the administrator (the provenance's actor)."""

    accounts: Accounts
    access_log: AccessLog
    staff: StaffCommands

    def add(
        self,
        username: str,
        password: str,
        role: Role,
        unit: str,
        display_name: str,
        *,
        provenance: Provenance,
    ) -> Account:
        """Open an account; raises `AccountExists`, `InvalidAccount` or `UnitUnknown`."""
        account = self.accounts.create(
            username, password, role, unit, display_name, provenance=provenance
        )
        self._logged(provenance.actor, "account_created", f"{username} as {Role(role).value}")
        return account

    def set_password(self, username: str, password: str, *, manager: Actor) -> None:
        """Give the account a new password (a temporary one the person is told); raises
        `InvalidAccount` (too short) or `UnknownAccount`."""
        self.accounts.set_password(username, password)
        self._logged(manager, "password_set", username)

    def change(
        self,
        username: str,
        change: AccountChange,
        *,
        provenance: Provenance,
        to: str = "",
        expected_version: int | None = None,
    ) -> None:
        """Change the account's role (`to` a role), unit (`to` a unit's code) or whether it
        may act, from the provenance's date. `expected_version` is the version of its grants
        the administrator decided on (VERSION_CONFLICT when they changed meanwhile)."""
        if expected_version is not None:
            recorded = self.staff.account(username)
            if recorded is None:
                raise UnknownAccount("no account has that username")
            check_version(recorded, expected_version)
        detail = username
        if change is AccountChange.ROLE:
            role = Role(to)
            self.accounts.set_role(username, role, provenance=provenance)
            detail = f"{username} as {role.value}"
        elif change is AccountChange.UNIT:
            self.accounts.set_unit(username, to, provenance=provenance)
            detail = f"{username} to {to.strip()}"
        elif change is AccountChange.DEACTIVATE:
            self.accounts.deactivate(username, provenance=provenance)
        else:
            self.accounts.reactivate(username, provenance=provenance)
        self._logged(provenance.actor, change.value, detail)

    def _logged(self, manager: Actor, action: str, detail: str) -> None:
        self.access_log.record(manager.user_id, Role.ADMIN, action, "account", None, detail)
