"""statement_movements: every line of every imported bank statement, for reconciliation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Connection, Date, Integer, String, Table

from domain.bank_statement import BankStatement
from projections.base import PositionedEvent, Projection, Row
from projections.schema import metadata

statement_movements = Table(
    "statement_movements",
    metadata,
    # One row per line of an imported bank statement; what reconciliation reads (A13, A14).
    Column("statement_id", String(36), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("file_sha256", String(64), nullable=False),
    Column("account_label", String(200), nullable=False),
    Column("value_date", Date, nullable=False, index=True),
    Column("bank_reference", String(100), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""The programme account's statements, line by line (descriptions are never kept)."""


class StatementMovements(Projection):
    """Append-only: a statement never changes once imported."""

    name = "statement_movements"
    movements = statement_movements
    tables = (statement_movements,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        imported = [e for e in events if isinstance(e.event, BankStatement.StatementImported)]
        rows = [row for e in imported for row in movement_rows(e)]
        if rows:
            conn.execute(self.movements.insert(), rows)


def movement_rows(event: PositionedEvent) -> list[Row]:
    """The rows of one imported statement (pure)."""
    e = event.event
    assert isinstance(e, BankStatement.StatementImported)
    return [
        {
            "statement_id": str(e.originator_id),
            "line_no": n,
            "file_sha256": e.file_sha256,
            "account_label": e.account_label,
            "value_date": m.value_date,
            "bank_reference": m.bank_reference,
            "amount": m.amount,
            "kind": str(m.kind),
            "position": event.position,
        }
        for n, m in enumerate(e.movements, start=1)
    ]
