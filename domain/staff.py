"""Staff accounts as a history of grants: who held which role, in which unit, from which day.

An account's role, unit and whether it may act are recorded as events (ADR 0045), each dated
by the business date the grant takes effect (`occurred_on`, which may lie in the past for a
history filled in from the appointment letters) and resting, when there is one, on the letter
(SK) that made it. So "who could approve payments in Tarakan on 2019-08-01" is answered from
the log, not from a row that changes in place. The password hash is never part of it: it stays
in the `accounts` table (`service.security.accounts`), which is the login cache of this history.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import RuleViolation
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentRef, Provenance, Role

ADMIN_ONLY: tuple[Role, ...] = (Role.ADMIN,)
# Every grant takes effect on its own date, and an account's grants form one line of dates:
# none may be dated before another already recorded, whichever it was.
GRANT_STEPS = (
    "AccountOpened",
    "RoleChanged",
    "UnitChanged",
    "AccountDeactivated",
    "AccountReactivated",
)


class GrantUnchanged(RuleViolation):
    """Raised when a change would leave the account's role or unit as it already is."""

    code = "GRANT_UNCHANGED"


STAFF_LIFECYCLE = Lifecycle(
    aggregate="StaffAccount",
    states=(
        StateSpec("ACTIVE", "May sign in and act in its role, for its unit", standing=True),
        StateSpec("INACTIVE", "May not sign in; its history stays", standing=True),
    ),
    transitions=(
        # Accounts are the administrators' to keep (domain.access.WRITE_ROLES).
        Transition(
            "open_account",
            "AccountOpened",
            None,
            "ACTIVE",
            roles=ADMIN_ONLY,
            guards=("UNIT_UNKNOWN: once units are in the system, the unit is one of them",),
        ),
        Transition(
            "change_role",
            "RoleChanged",
            ("ACTIVE",),
            None,
            roles=ADMIN_ONLY,
            guards=("GRANT_UNCHANGED: another role than the account's",),
            follows=GRANT_STEPS,
        ),
        Transition(
            "move_account",
            "UnitChanged",
            ("ACTIVE",),
            None,
            roles=ADMIN_ONLY,
            guards=(
                "GRANT_UNCHANGED: another unit than the account's",
                "UNIT_UNKNOWN: once units are in the system, the unit is one of them",
            ),
            follows=GRANT_STEPS,
        ),
        Transition(
            "deactivate_account",
            "AccountDeactivated",
            ("ACTIVE",),
            "INACTIVE",
            roles=ADMIN_ONLY,
            follows=GRANT_STEPS,
        ),
        Transition(
            "reactivate_account",
            "AccountReactivated",
            ("INACTIVE",),
            "ACTIVE",
            roles=ADMIN_ONLY,
            follows=GRANT_STEPS,
        ),
    ),
)


class StaffAccount(LifecycleAggregate):
    """One account's grants; its id derives from the username, so a username is opened once."""

    lifecycle = STAFF_LIFECYCLE

    class AccountOpened(LifecycleAggregate.Created):
        """The account was opened, in `role` at `unit`, from `occurred_on`."""

        username: str
        display_name: str
        role: str
        unit: str

    class RoleChanged(LifecycleAggregate.Event):
        """From `occurred_on` the account holds `role`."""

        role: str

    class UnitChanged(LifecycleAggregate.Event):
        """From `occurred_on` the account belongs to `unit` (moved to another office)."""

        unit: str

    class AccountDeactivated(LifecycleAggregate.Event):
        """From `occurred_on` the account may not sign in or act."""

    class AccountReactivated(LifecycleAggregate.Event):
        """From `occurred_on` the account may sign in and act again, as it could before."""

    @staticmethod
    def create_id(username: str) -> UUID:
        """Deterministic id, so a username is opened once."""
        return uuid5(NAMESPACE_URL, "jejak:account:" + username)

    @classmethod
    def open(
        cls,
        *,
        username: str,
        display_name: str,
        role: Role,
        unit: str,
        provenance: Provenance,
    ) -> StaffAccount:
        """Open an account. The service checks the username's format and that the unit is in
        the system (it knows the units); the role is one of the roles by its type."""
        return cls._start(
            cls.AccountOpened,
            cls.create_id(username),
            username=username,
            display_name=display_name,
            role=Role(role).value,
            unit=unit,
            **provenance.event_fields(),
        )

    @event(AccountOpened)
    def __init__(
        self,
        username: str,
        display_name: str,
        role: str,
        unit: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = Role(role)
        self.unit = unit

    @property
    def active(self) -> bool:
        """Whether the account may sign in and act now."""
        return self.state == "ACTIVE"

    def change_role(self, role: Role, *, provenance: Provenance) -> None:
        """Give the account another role from the provenance's date."""
        self._allowed("change_role")
        if Role(role) is self.role:
            raise GrantUnchanged("the account already holds that role", field="role")
        self._role_changed(role=Role(role).value, **provenance.event_fields())

    @event(RoleChanged)
    def _role_changed(
        self,
        role: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.role = Role(role)

    def move(self, unit: str, *, provenance: Provenance) -> None:
        """Move the account to another unit from the provenance's date."""
        self._allowed("move_account")
        if unit == self.unit:
            raise GrantUnchanged("the account already belongs to that unit", field="unit")
        self._unit_changed(unit=unit, **provenance.event_fields())

    @event(UnitChanged)
    def _unit_changed(
        self,
        unit: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.unit = unit

    def deactivate(self, *, provenance: Provenance) -> None:
        """Stop the account from acting from the provenance's date."""
        self._allowed("deactivate_account")
        self._deactivated(**provenance.event_fields())

    @event(AccountDeactivated)
    def _deactivated(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def reactivate(self, *, provenance: Provenance) -> None:
        """Let the account act again from the provenance's date, in its role and unit."""
        self._allowed("reactivate_account")
        self._reactivated(**provenance.event_fields())

    @event(AccountReactivated)
    def _reactivated(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass
