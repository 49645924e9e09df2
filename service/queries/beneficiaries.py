"""Cases: where each person's case stands (the beneficiary_status read model), her name and
NIK revealed or masked by the viewer's role, every read of them logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from domain.units import Scope
from projections.beneficiary_status import beneficiary_status
from projections.custody import case_units
from service.errors import NotFound
from service.queries.paging import Page, Row, page_of
from service.queries.reveal import Reveal
from service.security.access_log import AccessLog
from service.security.accounts import Account
from service.security.scope import scoped_to_cases
from service.security.vault import Vault


class BeneficiaryQueries:
    """The cases, from beneficiary_status."""

    def __init__(self, engine: Engine, vault: Vault, access_log: AccessLog, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope
        self.vault = vault
        self.access_log = access_log

    def list(
        self,
        viewer: Account,
        *,
        site_id: UUID | None,
        state: str | None,
        case_number: str | None,
        limit: int,
        offset: int,
    ) -> Page[Row]:
        """Cases, filtered; names revealed or masked by the viewer's role."""
        c = beneficiary_status.c
        query = scoped_to_cases(
            select(beneficiary_status).order_by(c.case_number), self.scope, c.beneficiary_id
        )
        if site_id:
            query = query.where(c.site_id == str(site_id))
        if state:
            query = query.where(c.state == state)
        if case_number:
            query = query.where(c.case_number.startswith(case_number))
        page = page_of(self.engine, query, limit, offset)
        reveal = Reveal(self.vault, viewer)
        for item in page.items:
            _present(item, reveal)
        if page.items:
            self.access_log.record(
                viewer.username,
                viewer.role,
                "read_personal_data",
                "beneficiary_list",
                None,
                f"{len(page.items)} names, {reveal.mode}",
            )
        return page

    def id_of_case(self, case_number: str) -> UUID:
        """The id of the case numbered `case_number` (`TRK-JP-0004`); NotFound when no case
        has it or the scope does not hold it, alike. Reads no personal data."""
        c = beneficiary_status.c
        query = scoped_to_cases(
            select(c.beneficiary_id).where(c.case_number == case_number),
            self.scope,
            c.beneficiary_id,
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        if found is None:
            raise NotFound("Beneficiary", case_number)
        return UUID(found)

    def one(self, viewer: Account, beneficiary_id: UUID) -> dict[str, Any]:
        """One case with its identity revealed or masked by the viewer's role."""
        c = beneficiary_status.c
        u = case_units.c
        query = scoped_to_cases(
            select(
                beneficiary_status,
                # Which unit holds her case, and which one a hand-over awaits (ADR 0044).
                u.unit.label("held_by"),
                u.incoming_unit.label("awaiting_acceptance_by"),
            )
            .join_from(
                beneficiary_status, case_units, u.beneficiary_id == c.beneficiary_id, isouter=True
            )
            .where(c.beneficiary_id == str(beneficiary_id)),
            self.scope,
            c.beneficiary_id,
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        if not rows:
            raise NotFound("Beneficiary", beneficiary_id)
        reveal = Reveal(self.vault, viewer)
        item = _present(rows[0], reveal, with_nik=True)
        self.access_log.record(
            viewer.username,
            viewer.role,
            "read_personal_data",
            "beneficiary",
            beneficiary_id,
            reveal.mode,
        )
        return item


def _present(item: dict[str, Any], reveal: Reveal, *, with_nik: bool = False) -> dict[str, Any]:
    item["name"] = reveal.column(item.pop("name_sealed"))
    nik = item.pop("nik_sealed")
    if with_nik:
        item["nik"] = reveal.column(nik)
    return item
