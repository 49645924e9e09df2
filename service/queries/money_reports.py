"""The auditors' money reports, built from the read models as `service.files.exports` reports.

Two reports: one woman's payment history (printed as PDF) and the programme ledger with its
budget lines and per-site totals (XLSX, and its first table as CSV). Every figure comes from
`payment_ledger`, `ledger_totals` and `budget_position`; a total the report prints is checked
against the read model's own running total, and a disagreement raises `LedgerMismatch`, because
an export that does not add up is worse than no export.

The read models hold ids, case numbers, amounts and references, never personal data; her name is
the only personal field, revealed or masked by the viewer's role (`Reveal`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Connection, Engine, Select, select

from projections.beneficiary_status import beneficiary_status
from projections.budget_position import budget_position
from projections.entitlement_status import entitlement_status
from projections.payment_ledger import ledger_totals
from projections.site_status import site_status
from service.errors import NotFound
from service.files.exports.model import Column, Kind, Report, Table
from service.i18n.formats import date_id, rupiah
from service.queries.money import LedgerFilter
from service.queries.reveal import Reveal, worded
from service.security.accounts import Account
from service.security.vault import Vault
from service.store.db import as_utc

Row = dict[str, Any]
T = TypeVar("T")

# What each Entitlement event means, as a reader of the report says it.
EVENT_LABELS = {
    "EntitlementPlanned": "Ditetapkan dalam SK",
    "EntitlementAmended": "Diubah dengan SK perubahan",
    "FundsAllocated": "Dana dialokasikan",
    "AllocationLapsed": "Alokasi hangus (tutup tahun anggaran)",
    "PaymentOrdered": "Perintah bayar",
    "PaymentFailed": "Transfer gagal",
    "CreditedToAccount": "Masuk ke rekening",
    "ReceiptSigned": "Tanda terima ditandatangani",
    "WithdrawalObserved": "Penarikan terlihat di rekening koran",
    "NotClaimedByDeadline": "Tidak diambil sampai batas waktu",
    "FundsReturned": "Dikembalikan ke kas negara",
    "EntitlementCancelled": "Dibatalkan",
    "MoneyCorrectionApproved": "Dikoreksi (disetujui pemeriksa kedua)",
}

MASKED_NOTE = "Data pribadi disamarkan sesuai peran pembaca."
CLEAR_NOTE = "Dokumen ini memuat data pribadi: simpan dan bagikan hanya sesuai ketentuan."
LEDGER_NOTE = (
    "Buku besar tidak memuat data pribadi. Efek bayar: + masuk rekening, - kembali ke kas."
)
NO_SITE = "Tanpa lokasi (penerima kompensasi)"

HISTORY_COLUMNS = (
    Column("occurred_on", "Tanggal", Kind.DATE),
    Column("entitlement", "Komponen"),
    Column("event_label", "Peristiwa"),
    Column("amount", "Jumlah", Kind.RUPIAH),
    Column("paid_effect", "Efek bayar", Kind.RUPIAH),
    Column("paid_total_beneficiary", "Total berjalan", Kind.RUPIAH),
    Column("bank_reference", "Ref. bank"),
    # One column for who and on what paper keeps the table within A4 portrait.
    Column("recorded_by", "Oleh; dokumen"),
)

LEDGER_COLUMNS = (
    Column("position", "Posisi log", Kind.INTEGER),
    Column("occurred_on", "Tanggal", Kind.DATE),
    Column("case_number", "Nomor kasus"),
    Column("site_code", "Lokasi"),
    Column("component", "Komponen"),
    Column("tranche", "Tahap", Kind.INTEGER),
    Column("fiscal_year", "Tahun anggaran", Kind.INTEGER),
    Column("source", "Sumber dana"),
    Column("budget_line", "Mata anggaran"),
    Column("event", "Kode peristiwa"),
    Column("event_label", "Peristiwa"),
    Column("amount", "Jumlah", Kind.RUPIAH),
    Column("paid_effect", "Efek bayar", Kind.RUPIAH),
    Column("bank_reference", "Ref. bank"),
    Column("actor_id", "Pelaku"),
    Column("actor_role", "Peran"),
    Column("actor_org_unit", "Unit"),
    Column("document_kind", "Jenis dokumen"),
    Column("document_number", "Nomor dokumen"),
    Column("document_sha256", "SHA-256 dokumen"),
    Column("reason", "Alasan"),
    Column("entitlement_id", "ID hak"),
    Column("recorded_at", "Dicatat", Kind.DATETIME),
)

BUDGET_MONEY = ("committed", "allocated", "ordered", "credited", "returned", "lapsed")
BUDGET_COLUMNS = (
    Column("fiscal_year", "Tahun anggaran", Kind.INTEGER),
    Column("source", "Sumber dana"),
    Column("budget_line", "Mata anggaran"),
    Column("funder", "Pemberi dana"),
    Column("committed", "Pagu", Kind.RUPIAH),
    Column("allocated", "Dialokasikan", Kind.RUPIAH),
    Column("ordered", "Diperintahkan", Kind.RUPIAH),
    Column("credited", "Masuk rekening", Kind.RUPIAH),
    Column("returned", "Dikembalikan", Kind.RUPIAH),
    Column("lapsed", "Hangus", Kind.RUPIAH),
    Column("state", "Status"),
)

SITE_COLUMNS = (
    Column("code", "Kode lokasi"),
    Column("name", "Nama lokasi"),
    Column("paid", "Dibayar bersih", Kind.RUPIAH),
)


class LedgerMismatch(RuntimeError):
    """A report's total disagrees with the read model's running total: a bug, never data."""


@dataclass(frozen=True)
class HistorySubject:
    """Whose payment history a report is: what the export needs besides the report."""

    beneficiary_id: UUID
    case_number: str
    name_revealed: bool


class LedgerReports:
    """Builds the money reports from the read models for one viewer's role."""

    def __init__(self, engine: Engine, vault: Vault) -> None:
        self.engine = engine
        self.vault = vault

    def payment_history(
        self, viewer: Account, beneficiary_id: UUID, generated_at: datetime
    ) -> tuple[Report, HistorySubject]:
        """Every money event of her entitlements in log order, with her running total."""
        with _Snapshot.of(self.engine) as read:
            person = read.one(
                select(beneficiary_status).where(
                    beneficiary_status.c.beneficiary_id == str(beneficiary_id)
                ),
                "Beneficiary",
                beneficiary_id,
            )
            rows = read.all(LedgerFilter(beneficiary_id=beneficiary_id).query())
            recorded = read.totals("beneficiary").get(str(beneficiary_id), 0)
            site = read.site_label(person["site_id"])
            decrees = read.decree_numbers(beneficiary_id)
        total = _paid(rows)
        last_running = rows[-1]["paid_total_beneficiary"] if rows else 0
        if not total == last_running == recorded:
            raise LedgerMismatch(
                f"payment history of {person['case_number']}: rows add up to {total}, the last "
                f"running total is {last_running}, ledger_totals holds {recorded}"
            )
        reveal = Reveal(self.vault, viewer)
        table = Table(
            "Peristiwa uang",
            HISTORY_COLUMNS,
            [_history_row(row) for row in rows],
            totals={"paid_effect": total},
        )
        report = Report(
            title="Riwayat pembayaran bantuan",
            subtitle=f"Kasus {person['case_number']}",
            metadata=[
                ("Nomor kasus", person["case_number"]),
                ("Lokasi", site),
                ("Nama", worded("id", reveal.column(person["name_sealed"])) or "-"),
                ("Nomor SK", ", ".join(decrees) or "-"),
                ("Total diterima bersih", rupiah(total)),
                ("Dicetak untuk", f"{viewer.username} ({viewer.role.value})"),
            ],
            sections=[table],
            footer_note=CLEAR_NOTE if reveal.full else MASKED_NOTE,
            generated_at=generated_at,
        )
        return report, HistorySubject(beneficiary_id, person["case_number"], reveal.full)

    def programme_ledger(self, filters: LedgerFilter, generated_at: datetime) -> Report:
        """The ledger rows `filters` selects, the budget lines, and net paid per site."""
        with _Snapshot.of(self.engine) as read:
            sites = read.sites()
            rows = read.all(filters.query())
            recorded = _recorded_total_for(filters, read)
            metadata = _filter_lines(filters, read)
            budget = _budget_table(filters, read)
            per_site = _site_totals_table(sites, read)
        total = _paid(rows)
        if recorded is not None and recorded != total:
            raise LedgerMismatch(f"ledger rows add up to {total}, ledger_totals holds {recorded}")
        ledger = Table(
            "Buku besar",
            LEDGER_COLUMNS,
            [_ledger_row(row, sites) for row in rows],
            totals={"paid_effect": total},
        )
        return Report(
            title="Buku besar pembayaran bantuan",
            subtitle="Setiap peristiwa uang setiap hak bantuan, menurut urutan log",
            metadata=[
                *metadata,
                ("Jumlah baris", str(len(rows))),
                ("Efek bayar bersih", rupiah(total)),
            ],
            sections=[ledger, budget, per_site],
            footer_note=LEDGER_NOTE,
            generated_at=generated_at,
        )


class _Snapshot:
    """Reads of the read models that all see one moment.

    The projection runner commits while an export is built; rows read before one of its
    commits and totals read after it would not add up, and the export would be refused for
    no fault in the ledger. So every read of a report goes through one transaction that sees
    a single state: REPEATABLE READ on PostgreSQL, and on SQLite a read transaction opened
    explicitly (the driver opens none for SELECTs), which WAL mode keeps on one snapshot.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @classmethod
    @contextmanager
    def of(cls, engine: Engine) -> Iterator[_Snapshot]:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            else:
                conn.exec_driver_sql("BEGIN")
            # Closing the connection rolls the read transaction back.
            yield cls(conn)

    def all(self, query: Select[Any]) -> list[Row]:
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def one(self, query: Select[Any], kind: str, ident: object) -> Row:
        rows = self.all(query)
        if not rows:
            raise NotFound(kind, ident)
        return rows[0]

    def totals(self, dimension: str) -> dict[str, int]:
        """Net paid per key of one `ledger_totals` dimension."""
        c = ledger_totals.c
        rows = self.all(select(c.key, c.paid).where(c.dimension == dimension))
        return {row["key"]: row["paid"] for row in rows}

    def sites(self) -> dict[str, Row]:
        c = site_status.c
        rows = self.all(select(c.site_id, c.code, c.name).order_by(c.code))
        return {row["site_id"]: row for row in rows}

    def site_label(self, site_id: str | None) -> str:
        site = self.sites().get(site_id or "")
        return f"{site['code']} {site['name']}" if site else "-"

    def decree_numbers(self, beneficiary_id: UUID) -> list[str]:
        c = entitlement_status.c
        query = (
            select(c.decree_number)
            .where(c.subject_id == str(beneficiary_id))
            .distinct()
            .order_by(c.decree_number)
        )
        return [row["decree_number"] for row in self.all(query)]


def _filter_lines(filters: LedgerFilter, read: _Snapshot) -> list[tuple[str, str]]:
    """The filters as metadata lines, so a reader knows what the file leaves out."""
    chosen: list[tuple[str, str | None]] = [
        ("Kasus (ID)", _text(filters.beneficiary_id)),
        ("Lokasi", read.site_label(str(filters.site_id)) if filters.site_id else None),
        ("Komponen", _text(filters.component, str.upper)),
        ("Tahun anggaran", _text(filters.fiscal_year)),
        ("Sumber dana", _text(filters.source, str.upper)),
        ("Dari tanggal", _text(filters.occurred_from, date_id)),
        ("Sampai tanggal", _text(filters.occurred_to, date_id)),
    ]
    lines = [(label, text) for label, text in chosen if text is not None]
    return lines or [("Saringan", "semua baris")]


def _budget_table(filters: LedgerFilter, read: _Snapshot) -> Table:
    # Commitments are filtered by the dimensions they have; sites and components are not
    # among them (one commitment funds many of each).
    c = budget_position.c
    query = select(budget_position).order_by(c.fiscal_year, c.source, c.budget_line)
    if filters.fiscal_year is not None:
        query = query.where(c.fiscal_year == filters.fiscal_year)
    if filters.source is not None:
        query = query.where(c.source == filters.source)
    rows = read.all(query)
    totals = {key: sum(row[key] for row in rows) for key in BUDGET_MONEY}
    return Table("Posisi anggaran", BUDGET_COLUMNS, rows, totals=totals)


def _site_totals_table(sites: Mapping[str, Row], read: _Snapshot) -> Table:
    """Net paid per site from `ledger_totals`, whatever the ledger's filters: the programme's
    own figures. Compensation payees belong to no site, so they get a row of their own."""
    by_site = read.totals("site")
    rows: list[Row] = [
        {"code": site["code"], "name": site["name"], "paid": by_site.get(site_id, 0)}
        for site_id, site in sites.items()
    ]
    programme = sum(read.totals("component").values())
    without_site = programme - sum(by_site.values())
    if without_site:
        rows.append({"code": "-", "name": NO_SITE, "paid": without_site})
    return Table("Per lokasi (seluruh program)", SITE_COLUMNS, rows, totals={"paid": programme})


def _recorded_total_for(filters: LedgerFilter, read: _Snapshot) -> int | None:
    """`ledger_totals`' figure for the rows `filters` selects, where it keeps one: the whole
    ledger, or a single dimension's key over all dates. None where no read model sums
    exactly that selection (two dimensions at once, or a date range)."""
    if filters.occurred_from is not None or filters.occurred_to is not None:
        return None
    chosen = [
        (dimension, str(value))
        for dimension, value in (
            ("beneficiary", filters.beneficiary_id),
            ("site", filters.site_id),
            ("component", filters.component),
            ("source", filters.source),
            ("fiscal_year", filters.fiscal_year),
        )
        if value is not None
    ]
    if not chosen:
        return sum(read.totals("component").values())
    if len(chosen) == 1:
        dimension, key = chosen[0]
        return read.totals(dimension).get(key, 0)
    return None


def _paid(rows: Sequence[Row]) -> int:
    return sum(int(row["paid_effect"]) for row in rows)


def _history_row(row: Row) -> Row:
    document = " ".join(filter(None, (row["document_kind"], row["document_number"])))
    actor = f"{row['actor_id']} ({row['actor_role']})"
    return {
        **row,
        "event_label": EVENT_LABELS.get(row["event"], row["event"]),
        "entitlement": f"{row['component'].upper()}-{row['tranche']}",
        "recorded_by": f"{actor}; {document}" if document else actor,
    }


def _ledger_row(row: Row, sites: Mapping[str, Row]) -> Row:
    site = sites.get(row["site_id"] or "")
    return {
        **row,
        "site_code": site["code"] if site else None,
        "event_label": EVENT_LABELS.get(row["event"], row["event"]),
        "recorded_at": as_utc(row["recorded_at"]),
    }


def _text(value: T | None, show: Callable[[T], str] = str) -> str | None:
    return None if value is None else show(value)
