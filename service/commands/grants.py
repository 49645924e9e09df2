"""Grants as commands: staff accounts' roles and units, and auditors' assignments (ADR 0045).

The `accounts` table (`service.security.accounts`) keeps the password hashes and is the login
cache; these handlers record what the table caches, and `Accounts` calls them before it
changes a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.assignments import AssigneeNotAuditor, AuditAssignment, checked_coverage
from domain.recording import Provenance, Role
from domain.staff import StaffAccount
from domain.units import Unit, UnitUnknown
from service.commands.base import CommandBase, CommandResult


def recorded_account(app: CommandBase, username: str) -> StaffAccount | None:
    """The account's grants as recorded, or None when the log holds none for it (an account
    from before grants were events)."""
    account_id = StaffAccount.create_id(username)
    return app.load(StaffAccount, account_id) if app.exists(account_id) else None


class StaffCommands:
    """The commands of a staff account's lifecycle."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def account(self, username: str) -> StaffAccount | None:
        """The account's grants as recorded, or None when the log holds none for it."""
        return recorded_account(self.app, username)

    def open_account(
        self, username: str, *, display_name: str, role: Role, unit: str, provenance: Provenance
    ) -> CommandResult:
        """Open an account; a username is opened once (ALREADY_REGISTERED)."""
        account = StaffAccount.open(
            username=username,
            display_name=display_name,
            role=role,
            unit=unit,
            provenance=provenance,
        )
        return self.app.saved(account, what=f"account {username}")

    def change_role(self, username: str, role: Role, *, provenance: Provenance) -> CommandResult:
        """Give the account another role from the business date."""
        return self.app.update(
            StaffAccount,
            StaffAccount.create_id(username),
            None,
            lambda a: a.change_role(role, provenance=provenance),
        )

    def move(self, username: str, unit: str, *, provenance: Provenance) -> CommandResult:
        """Move the account to another unit from the business date."""
        return self.app.update(
            StaffAccount,
            StaffAccount.create_id(username),
            None,
            lambda a: a.move(unit, provenance=provenance),
        )

    def deactivate(self, username: str, *, provenance: Provenance) -> CommandResult:
        """Stop the account from acting from the business date."""
        return self.app.update(
            StaffAccount,
            StaffAccount.create_id(username),
            None,
            lambda a: a.deactivate(provenance=provenance),
        )

    def reactivate(self, username: str, *, provenance: Provenance) -> CommandResult:
        """Let the account act again from the business date."""
        return self.app.update(
            StaffAccount,
            StaffAccount.create_id(username),
            None,
            lambda a: a.reactivate(provenance=provenance),
        )


class AssignmentCommands:
    """The commands of an auditor's assignment."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def give(
        self,
        auditor: str,
        *,
        units: Iterable[str] = (),
        whole_programme: bool = False,
        valid_from: date,
        valid_until: date,
        provenance: Provenance,
    ) -> CommandResult:
        """Record an assignment on its letter (the provenance's document, a surat tugas)."""
        coverage = checked_coverage(units, whole_programme)
        unknown = [c for c in coverage.units if not self.app.exists(Unit.create_id(c))]
        if unknown:
            raise UnitUnknown(
                "every unit an assignment covers must be in the system", field="units"
            )
        account = recorded_account(self.app, auditor)
        if account is None or not account.active or account.role is not Role.AUDITOR:
            raise AssigneeNotAuditor(
                "an assignment is given to an active auditor's account", field="auditor"
            )
        assignment = AuditAssignment.give(
            auditor=auditor,
            coverage=coverage,
            valid_from=valid_from,
            valid_until=valid_until,
            provenance=provenance,
        )
        return self.app.saved(assignment, what="an assignment on that letter")

    def withdraw(
        self, auditor: str, letter_number: str, *, provenance: Provenance
    ) -> CommandResult:
        """Withdraw the assignment `letter_number` gave `auditor`, from the business date."""
        return self.app.update(
            AuditAssignment,
            AuditAssignment.create_id(auditor, letter_number),
            None,
            lambda a: a.withdraw(provenance=provenance),
        )
