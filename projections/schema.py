"""What every read-model table is built from: one `MetaData`, the columns that keep the log
position and business date of the event that last changed a row, and the version histories.

Every row keeps the log position and business date of the event that last changed it, so a past
cut can be taken in SQL and a rebuild can be compared row by row. Each table is defined in the
module of the projection that writes it; `projections.tables` lists them all.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

metadata = MetaData()


def provenance_columns() -> list[Column[object]]:
    """The event that last changed the row: its name, log position and business date."""
    return [
        Column("last_event", String(64), nullable=False),
        Column("last_position", BigInteger, nullable=False),
        Column("last_occurred_on", Date, nullable=False),
    ]


# --- row-version histories (ADR 0023) --------------------------------------------------------

VERSION_POSITION = "version_position"
VERSION_OCCURRED_ON = "version_occurred_on"
REMOVED = "removed"
VERSION_COLUMNS = (VERSION_POSITION, VERSION_OCCURRED_ON, REMOVED)
"""The columns a history adds after the row's own, in table order."""


def history_table(table: Table, key_column: str) -> Table:
    """`<table>_history`: one row per event that changed a row of `table`, append-only.

    Each version is the row as the event left it, with the event's log position and business
    date; `removed` marks an event that deleted the row. Sealed columns are left out: a past
    cut never shows them, and the ciphertext is not copied once per change.
    """
    kept = [
        Column(c.name, c.type, nullable=c.name != key_column)
        for c in table.columns
        if not c.name.endswith("_sealed")
    ]
    # A list of one site's rows reads only the versions of that site's keys.
    by_site = "site_id" in table.c and key_column != "site_id"
    indexes = [Index(f"ix_{table.name}_history_site_id", "site_id")] if by_site else []
    return Table(
        f"{table.name}_history",
        metadata,
        *kept,
        Column(VERSION_POSITION, BigInteger, nullable=False),
        Column(VERSION_OCCURRED_ON, Date, nullable=False),
        Column(REMOVED, Boolean, nullable=False),
        PrimaryKeyConstraint(key_column, VERSION_POSITION),
        *indexes,
    )
