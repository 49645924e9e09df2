"""Rebuilding the name index a case is found by (ADR 0043), for a store whose women were
registered before the index existed, or to repair it after a crash between a name's
correction and its new entry. Each current name is opened once, in the service, and never
shown; the run is written to the access log with its count."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from domain.sealed import sealed_from_json
from projections.beneficiary_status import beneficiary_status
from service.security.accounts import Account
from service.security.vault import KEY_INSERT_CHUNK, SealBroken
from service.system import Jejak

REINDEX_NAMES = "reindex_names"


def reindex_names(jejak: Jejak, account: Account) -> int:
    """Index every registered woman by the name her case holds now (none once her identity is
    erased), chunk by chunk; the number of names indexed. The read models are read as they
    stand: the caller catches them up first."""
    with jejak.engine.connect() as conn:
        rows = conn.execute(
            select(beneficiary_status.c.beneficiary_id, beneficiary_status.c.name_sealed)
        ).all()
    indexed = 0
    for start in range(0, len(rows), KEY_INSERT_CHUNK):
        names = [
            (UUID(subject), _opened(jejak, sealed))
            for subject, sealed in rows[start : start + KEY_INSERT_CHUNK]
        ]
        jejak.vault.reindex_names(names)
        indexed += sum(name is not None for _, name in names)
    jejak.access_log.record(
        account.username,
        account.role,
        REINDEX_NAMES,
        "beneficiary_search",
        None,
        f"{indexed} of {len(rows)} names indexed, none shown",
    )
    return indexed


def _opened(jejak: Jejak, sealed: str) -> str | None:
    try:
        return jejak.vault.open(sealed_from_json(sealed))
    except SealBroken:
        return None
