"""The names people know records by, from the ids other records hold: a site's code, a case's
number, an entitlement's `TRK-JP-0003 UEP-1`, a payment batch's number; and back from a
batch's number to its id.

Audit findings, restatement rows and the register name records by id; the pages show these
names instead (no UUID on a page). None of them is personal data, so they are read without a
scope: the page they link to applies the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from sqlalchemy import Engine, select

from projections.beneficiary_status import beneficiary_status
from projections.entitlement_status import entitlement_label, entitlement_status
from projections.site_status import site_status
from projections.worklist import worklist
from service.errors import NotFound

# The kinds of record named here, as audit findings and worklist rows call them.
SITE: Final = "site"
BENEFICIARY: Final = "beneficiary"
ENTITLEMENT: Final = "entitlement"
BATCH: Final = "batch"


def names_of(engine: Engine, wanted: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str]]:
    """Id -> (kind, name) for the ids wanted of each kind; an id not found is left out."""
    names: dict[str, tuple[str, str]] = {}
    with engine.connect() as conn:
        if ids := set(wanted.get(SITE, ())):
            c = site_status.c
            for site in conn.execute(select(c.site_id, c.code).where(c.site_id.in_(ids))):
                names[site.site_id] = (SITE, site.code)
        if ids := set(wanted.get(BENEFICIARY, ())):
            b = beneficiary_status.c
            query = select(b.beneficiary_id, b.case_number).where(b.beneficiary_id.in_(ids))
            for case in conn.execute(query):
                names[case.beneficiary_id] = (BENEFICIARY, case.case_number)
        if ids := set(wanted.get(ENTITLEMENT, ())):
            e = entitlement_status.c
            query = select(
                e.entitlement_id, e.case_number, e.decree_number, e.component, e.tranche
            ).where(e.entitlement_id.in_(ids))
            for grant in conn.execute(query):
                label = entitlement_label(
                    grant.case_number, grant.decree_number, grant.component, grant.tranche
                )
                names[grant.entitlement_id] = (ENTITLEMENT, label)
        if ids := set(wanted.get(BATCH, ())):
            w = worklist.c
            query = select(w.subject_id, w.label).where(
                w.subject_kind == BATCH, w.subject_id.in_(ids)
            )
            for batch in conn.execute(query):
                names[batch.subject_id] = (BATCH, batch.label)
    return names


def case_numbers_of_entitlements(engine: Engine, ids: Iterable[str]) -> dict[str, str]:
    """Entitlement id -> her case number (a compensation payee's has none)."""
    e = entitlement_status.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(e.entitlement_id, e.case_number).where(e.entitlement_id.in_(set(ids)))
        )
        return {r.entitlement_id: r.case_number for r in rows if r.case_number}


def every_site_and_case(engine: Engine) -> dict[str, str]:
    """Every site's code and every case's number, by id: what a diff's rows are read with."""
    with engine.connect() as conn:
        sites = conn.execute(select(site_status.c.site_id, site_status.c.code))
        cases = conn.execute(
            select(beneficiary_status.c.beneficiary_id, beneficiary_status.c.case_number)
        )
        return {str(i): str(n) for i, n in [*sites, *cases]}


def batch_id(engine: Engine, number: str) -> str:
    """The id of the payment batch numbered `number`; NotFound when none is."""
    w = worklist.c
    with engine.connect() as conn:
        found = conn.execute(
            select(w.subject_id).where(w.subject_kind == BATCH, w.label == number)
        ).scalar()
    if found is None:
        raise NotFound("batch", number)
    return str(found)
