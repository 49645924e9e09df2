"""A small payment history report, as the exports would receive it from a read model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.money import Rupiah
from service.files.exports.model import Column, Kind, Report, Table

GENERATED_AT = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)  # 14.05 WITA

PAYMENT_COLUMNS = (
    Column("case", "Kasus"),
    Column("paid_on", "Tanggal bayar", Kind.DATE),
    Column("recorded_at", "Dicatat", Kind.DATETIME),
    Column("instalment", "Tahap", Kind.INTEGER),
    Column("amount", "Jumlah", Kind.RUPIAH),
)


def payment(
    case: str, paid_on: date, amount: int | Rupiah, instalment: int = 1
) -> dict[str, object]:
    return {
        "case": case,
        "paid_on": paid_on,
        "recorded_at": datetime(paid_on.year, paid_on.month, paid_on.day, 6, 5, tzinfo=UTC),
        "instalment": instalment,
        "amount": amount,
    }


def payments_table(rows: list[dict[str, object]], title: str = "Pembayaran hibah") -> Table:
    total = sum(Rupiah.of(row["amount"]).amount for row in rows)
    return Table(title, PAYMENT_COLUMNS, rows, totals={"amount": total})


def report_of(*tables: Table) -> Report:
    return Report(
        title="Riwayat pembayaran hibah usaha",
        subtitle="Penutupan lokalisasi Kalimantan Utara",
        metadata=[("Program", "Kaltara 2016"), ("Diminta oleh", "BPK RI")],
        sections=list(tables),
        footer_note="Data pribadi disamarkan sesuai peran pembaca.",
        generated_at=GENERATED_AT,
    )


@pytest.fixture
def payments() -> Table:
    """Two grants and the reversal of one of them."""
    return payments_table(
        [
            payment("JP-001", date(2019, 1, 10), 5_500_000),
            payment("JP-002", date(2019, 1, 1), Rupiah(5_500_000)),
            payment("JP-002", date(2019, 12, 31), -5_500_000, instalment=2),
        ]
    )


@pytest.fixture
def report(payments: Table) -> Report:
    return report_of(payments)
