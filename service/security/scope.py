"""What each caller may see and act on: the one place scope is decided (ADR 0044).

A caller's scope comes from the unit they belong to on the day asked about
(`domain.units.Directory.scope_of_unit`, and the grants' history, ADR 0045) and, for an examiner,
the assignments in force that day; a store where no unit has been set up is one office, where
everyone's scope is everything.
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
from service.provenance import today_wita
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
