"""Sites: where each site is in its lifecycle (the site_status read model)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, Select, select

from domain.units import Scope
from projections.site_status import site_status
from service.errors import NotFound
from service.queries.paging import Page, Row, page_of
from service.security.scope import scoped_to_sites


class SiteQueries:
    """The sites, from site_status."""

    def __init__(self, engine: Engine, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope

    def list(self, *, state: str | None, limit: int, offset: int) -> Page[Row]:
        """Sites, optionally in one state."""
        query = self._scoped(select(site_status).order_by(site_status.c.code))
        if state:
            query = query.where(site_status.c.state == state)
        page = page_of(self.engine, query, limit, offset)
        for item in page.items:
            _present_site(item)
        return page

    def one(self, site_id: UUID) -> dict[str, Any]:
        """One site's status."""
        return self._single(site_status.c.site_id == str(site_id), site_id)

    def by_code(self, code: str) -> dict[str, Any]:
        """One site's status by the code people know it by (`TRK-JP`); NotFound when no site
        has it or the scope does not hold it, alike."""
        return self._single(site_status.c.code == code, code)

    def _single(self, where: ColumnElement[bool], named: object) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(self._scoped(select(site_status).where(where))).mappings()
            found = [dict(r) for r in rows]
        if not found:
            raise NotFound("Site", named)
        return _present_site(found[0])

    def _scoped(self, query: Select[Any]) -> Select[Any]:
        return scoped_to_sites(query, self.scope, site_status.c.site_id)


def _present_site(item: dict[str, Any]) -> dict[str, Any]:
    item["aliases"] = json.loads(item["aliases"])
    # The dates the site_status fold keeps for corrections; its own columns show them.
    item.pop("dated_events")
    return item
