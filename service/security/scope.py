"""What each caller may see and act on: the one place scope is decided (ADR 0044).

A caller's scope comes from the unit they belong to on the day asked about
(`domain.units.Directory.scope_of_unit`, and the grants' history, ADR 0045) and, for an examiner,
the assignments in force that day; a store where no unit has been set up is one office, where
everyone's scope is everything.
Reads filter with `sites_in` and `cases_in`, which every query of sites and cases applies, and
`require_programme_wide` for the programme's own records; writes pass `ScopeGuard.check` in the
one method every save passes (`CommandBase.commit`), and the edges refuse a command on a record
`known_outside` the scope before its rules are judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Engine, Select, select, true

from domain.aggregate import LifecycleAggregate
from domain.assignments import AuditAssignment
from domain.beneficiary import Beneficiary
from domain.entitlement import Entitlement
from domain.errors import OutOfScope
from domain.export_record import ExportRecord
from domain.recording import Actor, Role
from domain.site import Site
from domain.staff import StaffAccount
from domain.units import EVERYTHING, Custody, Directory, Scope, Unit
from projections.custody import case_after, case_units, directory_of, new_case, site_units
from projections.entitlement_status import entitlement_status
from service.errors import NotFound
from service.provenance import today_wita
from service.security.accounts import Account
from service.security.grants import assignments_of, grant_on, history, scope_on


class Scopes:
    """Works out callers' scopes from the units in the system."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def directory(self) -> Directory:
        """The units in the system now."""
        with self._engine.connect() as conn:
            return directory_of(conn)

    def of(self, user_id: str, role: Role, org_unit: str, on: date | None = None) -> Scope:
        """The scope of `user_id`, a member of `org_unit` in `role`, on `on` (today if None).

        For an account whose grants are recorded (ADR 0045), its unit on that day decides,
        not `org_unit`; the assignments in force that day add theirs (an examiner's audit body
        gives nothing by itself, and an assignment gives nothing outside its days).
        """
        day = on or today_wita()
        with self._engine.connect() as conn:
            directory = directory_of(conn)
            if not directory.all():
                return EVERYTHING
            grant = grant_on(history(conn, user_id), day)
            assignments = assignments_of(conn, user_id)
        unit = org_unit if grant is None else grant.unit
        return scope_on(directory, unit, assignments, day)


def of_account(scopes: Scopes, account: Account) -> Scope:
    """The account's scope today."""
    return scopes.of(account.username, account.role, account.org_unit)


def require_programme_wide(scope: Scope, what: str) -> None:
    """Money, decrees, the audit register, reports, the integrity proof and the time-travel
    views are the programme's, not a unit's: to a unit that does not oversee the programme
    they do not exist (404), as a site or case outside its scope does not."""
    if not scope.everything:
        raise NotFound(what, "for this account")


def scoped_to_sites(query: Select[Any], scope: Scope, site_id: Any) -> Select[Any]:
    """`query` left with the rows whose site (column `site_id`) is in `scope`."""
    return query if scope.everything else query.where(sites_in(scope, site_id))


def scoped_to_cases(query: Select[Any], scope: Scope, beneficiary_id: Any) -> Select[Any]:
    """`query` left with the rows whose case (column `beneficiary_id`) is in `scope`."""
    return query if scope.everything else query.where(cases_in(scope, beneficiary_id))


def holds(engine: Engine, scope: Scope, aggregate_id: UUID) -> bool:
    """Whether `scope` holds the site, the case or one of her entitlements with this id."""
    return scope.everything or _held(engine, scope, aggregate_id, scoped=True)


def known_outside(engine: Engine, scope: Scope, aggregate_id: UUID) -> bool:
    """Whether the read models know this site, case or entitlement and `scope` does not hold
    it. A command is refused on it before its rules are judged, so that a refusal tells
    nothing of a record outside the caller's scope; one the read models do not know yet is
    left to the check every save passes (`ScopeGuard`)."""
    if scope.everything:
        return False
    known = _held(engine, EVERYTHING, aggregate_id, scoped=False)
    return known and not _held(engine, scope, aggregate_id, scoped=True)


def _held(engine: Engine, scope: Scope, aggregate_id: UUID, *, scoped: bool) -> bool:
    ident = str(aggregate_id)
    e = entitlement_status.c
    s, c = site_units.c, case_units.c
    wanted = (
        select(s.site_id).where(
            s.site_id == ident, sites_in(scope, s.site_id) if scoped else true()
        ),
        select(c.beneficiary_id).where(
            c.beneficiary_id == ident, cases_in(scope, c.beneficiary_id) if scoped else true()
        ),
        select(e.entitlement_id).where(
            e.entitlement_id == ident, cases_in(scope, e.subject_id) if scoped else true()
        ),
    )
    with engine.connect() as conn:
        return any(conn.execute(query.limit(1)).first() is not None for query in wanted)


def sites_in(scope: Scope, site_id: Any) -> Any:
    """A SQL condition: the site in column `site_id` is in `scope`."""
    return site_id.in_(select(site_units.c.site_id).where(site_units.c.unit.in_(scope.units)))


def cases_in(scope: Scope, beneficiary_id: Any) -> Any:
    """A SQL condition: the case in column `beneficiary_id` is in `scope` (held by one of its
    units, or awaiting one's acceptance)."""
    c = case_units.c
    return beneficiary_id.in_(
        select(c.beneficiary_id).where(c.unit.in_(scope.units) | c.incoming_unit.in_(scope.units))
    )


class ScopeGuard:
    """Refuses a save that touches a site or a case outside the actor's scope.

    Called by `CommandBase.commit`, which every command's save passes, whatever interface
    issued it. It judges the state before the command: a unit accepting a hand-over sees the
    case because the hand-over awaits it. A case's custody is folded from her events here
    rather than read from the read model, which may not have caught up with the last command.
    """

    def __init__(self, scopes: Scopes, app: EventSource) -> None:
        self._scopes = scopes
        self._app = app

    def check(self, aggregates: Sequence[LifecycleAggregate]) -> None:
        """Raise OutOfScope when an aggregate with pending events lies outside its actor's."""
        directory = self._scopes.directory()
        if not directory.all():
            return
        sites: dict[UUID, str | None] = {}
        for aggregate in aggregates:
            events = aggregate.pending_events
            if not events:
                continue
            first = events[0]
            assert isinstance(first, LifecycleAggregate.Event)
            actor: Actor = first.actor
            scope = self._scopes.of(actor.user_id, actor.role, actor.org_unit)
            if scope.everything:
                continue
            units = self._units_of(aggregate, directory, sites)
            if units is not UNSCOPED and not (units & scope.units):
                raise OutOfScope(
                    f"this {type(aggregate).__name__.lower()} is outside the units "
                    "your account answers for"
                )

    def _units_of(
        self, aggregate: LifecycleAggregate, directory: Directory, sites: dict[UUID, str | None]
    ) -> frozenset[str]:
        first = aggregate.pending_events[0]
        match aggregate:
            case Site():
                kelurahan = (
                    first.kelurahan.code
                    if isinstance(first, Site.SiteRegistered)
                    else aggregate.kelurahan.code
                )
                return _units(directory.unit_for_region(kelurahan))
            case Beneficiary():
                return self._case_units(aggregate.id, aggregate.site_id, directory, sites)
            case Entitlement():
                beneficiary = self._app.beneficiary(aggregate.subject_id)
                return self._case_units(beneficiary.id, beneficiary.site_id, directory, sites)
            case ExportRecord() | Unit() | StaffAccount() | AuditAssignment():
                # Who may keep these is the role's question, which their lifecycles answer.
                return UNSCOPED
        # Money, decrees, the audit register and reports are the programme's: only a unit
        # that oversees it acts on them.
        return frozenset()

    def custody_of(self, beneficiary: Beneficiary) -> Custody:
        """Which unit holds her case, and which one a hand-over awaits, by her stored events
        and the units in the log (their read model may lag)."""
        directory = self._app.unit_directory()
        return self._custody(beneficiary.id, beneficiary.site_id, directory, {})

    def _case_units(
        self,
        beneficiary_id: UUID,
        site_id: UUID,
        directory: Directory,
        sites: dict[UUID, str | None],
    ) -> frozenset[str]:
        return self._custody(beneficiary_id, site_id, directory, sites).units()

    def _custody(
        self,
        beneficiary_id: UUID,
        site_id: UUID,
        directory: Directory,
        sites: dict[UUID, str | None],
    ) -> Custody:
        if site_id not in sites:
            kelurahan = self._app.site(site_id).kelurahan.code
            sites[site_id] = directory.unit_for_region(kelurahan)
        site = {"site_id": str(site_id), "unit": sites[site_id]}
        stored = self._app.history(beneficiary_id) if self._app.exists(beneficiary_id) else []
        if not stored:
            return Custody(sites[site_id])
        site["kelurahan"] = self._app.site(site_id).kelurahan.code
        case = new_case(stored[0], site)
        for event in stored[1:]:
            case_after(case, event, directory, site)
        return Custody(case["unit"], case["incoming_unit"])


# Records that belong to no unit (an export handed out, a unit itself): anyone may write them.
UNSCOPED: frozenset[str] = frozenset({"*"})


def _units(unit: str | None) -> frozenset[str]:
    return frozenset() if unit is None else frozenset({unit})


class EventSource(Protocol):
    """What the guard reads of the programme's store."""

    def exists(self, aggregate_id: UUID) -> bool: ...
    def history(self, aggregate_id: UUID) -> list[Any]: ...
    def site(self, site_id: UUID) -> Site: ...
    def beneficiary(self, beneficiary_id: UUID) -> Beneficiary: ...
    def unit_directory(self) -> Directory: ...
