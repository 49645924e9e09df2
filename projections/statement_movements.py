"""statement_movements: every line of every imported bank statement, for reconciliation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from projections.base import PositionedEvent, Projection, Row
from projections.tables import statement_movements


class StatementMovements(Projection):
    """Append-only: a statement never changes once imported."""

    name = "statement_movements"
    movements = statement_movements
    tables = (statement_movements,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        rows = [row for e in events if e.name == "StatementImported" for row in movement_rows(e)]
        if rows:
            conn.execute(self.movements.insert(), rows)


def movement_rows(event: PositionedEvent) -> list[Row]:
    """The rows of one imported statement (pure)."""
    e = event.event
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
