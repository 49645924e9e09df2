"""Finding a case by its case number, or by her exact name through the vault's keyed name
index (ADR 0043): the query's hash is looked up, no name is opened to search. The cases found
show her name as the viewer's role sees names, and every search is written to the access log.

Every search builds its query in `CaseSearch._found`, the one place a filter over what the
viewer may find applies to them all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, select

from domain.access import may_search_by_name
from domain.case_search import check_case_number_query, check_name_query
from domain.units import Scope
from projections.beneficiary_status import beneficiary_status
from projections.site_status import site_status
from service.queries.paging import Page, Row, page_of
from service.queries.reveal import Reveal
from service.security.access_log import AccessLog
from service.security.accounts import Account
from service.security.scope import scoped_to_cases
from service.security.vault import Vault

SEARCH_BY_NAME = "search_by_name"
SEARCH_BY_CASE_NUMBER = "search_by_case_number"


class NameSearchNotAllowed(Exception):
    """Raised when a role that may not see names in clear searches by a name (ADR 0043)."""

    code = "NAME_SEARCH_NOT_ALLOWED"


class CaseSearch:
    """Cases found by case number or by name, from beneficiary_status and the name index."""

    def __init__(self, engine: Engine, vault: Vault, access_log: AccessLog, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope
        self.vault = vault
        self.access_log = access_log

    def by_case_number(
        self, viewer: Account, case_number: str, *, limit: int, offset: int = 0
    ) -> Page[Row]:
        """The cases whose number is `case_number` or begins with it (`TRK-JP-00`)."""
        wanted = check_case_number_query(case_number)
        matches = beneficiary_status.c.case_number.startswith(wanted, autoescape=True)
        return self._found(viewer, matches, SEARCH_BY_CASE_NUMBER, limit, offset)

    def by_name(self, viewer: Account, name: str, *, limit: int, offset: int = 0) -> Page[Row]:
        """The cases of the women registered under this exact name, as normalised
        (`domain.case_search`); refused to a role that may not see names in clear."""
        if not may_search_by_name(viewer.role):
            raise NameSearchNotAllowed(f"the role {viewer.role.value} may not search by name")
        matches = beneficiary_status.c.beneficiary_id.in_(self.vault.named(check_name_query(name)))
        return self._found(viewer, matches, SEARCH_BY_NAME, limit, offset)

    def _found(
        self,
        viewer: Account,
        matches: ColumnElement[bool],
        action: str,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """The matching cases, their names revealed or masked for the viewer, the search
        logged with its count (never what was searched for)."""
        b, s = beneficiary_status.c, site_status.c
        query: Select[Any] = (
            select(
                b.beneficiary_id,
                b.case_number,
                b.site_id,
                s.code.label("site_code"),
                b.state,
                b.name_sealed,
            )
            .join_from(beneficiary_status, site_status, b.site_id == s.site_id, isouter=True)
            .where(matches)
            .order_by(b.case_number)
        )
        query = scoped_to_cases(query, self.scope, b.beneficiary_id)
        page = page_of(self.engine, query, limit, offset)
        reveal = Reveal(self.vault, viewer)
        for item in page.items:
            item["name"] = reveal.column(item.pop("name_sealed"))
        self.access_log.record(
            viewer.username,
            viewer.role,
            action,
            "beneficiary_search",
            None,
            f"{page.total} cases found, {len(page.items)} names shown, {reveal.mode}",
        )
        return page
