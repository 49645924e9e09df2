"""What each caller may see and act on: the one place scope is decided (ADR 0044).

A caller's scope comes from the unit they belong to (`domain.units.Directory.scope_of_unit`);
a store where no unit has been set up is one office, where everyone's scope is everything.
Reads filter with `sites_in` and `cases_in`, which every query of sites and cases applies;
writes pass `require_in_scope` in the one method every save passes (`CommandBase.commit`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from domain.recording import Role
from domain.units import EVERYTHING, Directory, Scope
from projections.custody import case_units, directory_of, site_units


class Scopes:
    """Works out callers' scopes from the units in the system."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def directory(self) -> Directory:
        """The units in the system now."""
        with self._engine.connect() as conn:
            return directory_of(conn)

    def of(self, user_id: str, role: Role, org_unit: str, on: date | None = None) -> Scope:
        """The scope of `user_id`, a member of `org_unit` in `role`, on `on` (today if None)."""
        directory = self.directory()
        if not directory.all():
            return EVERYTHING
        return directory.scope_of_unit(org_unit)


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
