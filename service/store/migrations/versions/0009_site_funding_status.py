"""a site's funding at closure as a status (in_place, not_in_place, unknown), not a boolean

Follows `Site.SiteClosed` v2 (ADR 0019). The read models keep their rows: the old boolean is
mapped as the event upcaster maps it, so no projection has to be rebuilt.

Revision ID: 0009_site_funding_status
Revises: 0008_audit_findings
Create Date: 2026-11-28 02:00:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_site_funding_status"
down_revision = "0008_audit_findings"
branch_labels = None
depends_on = None

# table, old boolean column, new status column
COLUMNS = (
    ("site_status", "funds_in_place", "funding_status"),
    ("programme_dashboard", "funds_in_place_at_closure", "funding_status_at_closure"),
)


def upgrade() -> None:
    for table, old, new in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(new, sa.String(length=16), nullable=True))
        t = sa.table(table, sa.column(old, sa.Boolean()), sa.column(new, sa.String()))
        op.execute(
            t.update().values({new: sa.case((t.c[old], "in_place"), (~t.c[old], "not_in_place"))})
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(old)
    _convert_site_fact("funds_in_place", "funding_status", _status)


def downgrade() -> None:
    for table, old, new in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(old, sa.Boolean(), nullable=True))
        # `unknown` has no boolean: it goes back as NULL.
        t = sa.table(table, sa.column(old, sa.Boolean()), sa.column(new, sa.String()))
        op.execute(
            t.update().values(
                {old: sa.case({"in_place": sa.true(), "not_in_place": sa.false()}, value=t.c[new])}
            )
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(new)
    _convert_site_fact("funding_status", "funds_in_place", _funded)


def _status(funded: bool | None) -> str | None:
    return None if funded is None else ("in_place" if funded else "not_in_place")


def _funded(status: str | None) -> bool | None:
    return {"in_place": True, "not_in_place": False}.get(status or "")


def _convert_site_fact(old: str, new: str, convert: Callable[[Any], Any]) -> None:
    """The audit checks' working facts of each site (JSON) with `old` replaced by `new`."""
    conn = op.get_bind()
    dossiers = sa.table(
        "audit_dossiers", sa.column("dossier_id"), sa.column("kind"), sa.column("facts")
    )
    for dossier_id, facts in conn.execute(
        sa.select(dossiers.c.dossier_id, dossiers.c.facts).where(dossiers.c.kind == "site")
    ):
        # The key keeps its place, so the JSON reads as the projection would write it.
        data = {
            (new if k == old else k): (convert(v) if k == old else v)
            for k, v in json.loads(facts).items()
        }
        conn.execute(
            dossiers.update()
            .where(dossiers.c.dossier_id == dossier_id)
            .values(facts=json.dumps(data))
        )
