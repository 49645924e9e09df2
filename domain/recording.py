"""Facts every event carries: who acted, in which role and unit, on what document, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.errors import DocumentKindUnknown, InvalidValue
from domain.free_text import require_no_personal_data

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

# The business dates a record may carry: no document of the Republic's programmes predates its
# proclamation, and a date past the century is a typing mistake.
EARLIEST_BUSINESS_DATE = date(1945, 8, 17)
LATEST_BUSINESS_DATE = date(2099, 12, 31)


class Role(StrEnum):
    """What an account may do; the lifecycle declaration says which role issues each command."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # Pejabat Pelindungan Data Pribadi (UU 27/2022 Pasal 53): reads the access log, changes no
    # programme record (ADR 0042).
    DPO = "dpo"


@dataclass(frozen=True)
class Actor:
    """The authenticated person behind a command, as the event records them."""

    user_id: str
    role: Role
    org_unit: str


class DocumentKind(StrEnum):
    """The kinds of paper the programme's events cite and its document store keeps: the one
    list. New commands are checked against it (the lifecycles name the kind a step needs);
    stored events keep the strings they were recorded with (ADR 0033)."""

    DECREE = "decree"  # a surat keputusan (SK): closure, aid recipients, an amendment
    BERITA_ACARA = "berita_acara"  # the official minutes of an act, such as a closure
    BAST = "bast"  # berita acara serah terima: a handover
    NOTULEN = "notulen"  # the minutes of a meeting, such as a sosialisasi
    SURAT = "surat"  # a letter
    SURAT_PENGANTAR = "surat_pengantar"  # a covering letter
    SURAT_PERNYATAAN = "surat_pernyataan"  # a signed statement
    SURAT_TIBA = "surat_tiba"  # the home kelurahan's confirmation of arrival
    SURAT_KETERANGAN = "surat_keterangan"  # a certificate of domicile or origin
    SURAT_KEMATIAN = "surat_kematian"  # evidence of a death
    SURAT_TANGGAPAN = "surat_tanggapan"  # an answer to an audit finding
    NOTA_DINAS = "nota_dinas"  # an internal memorandum, such as a correction's
    SERTIFIKAT = "sertifikat"  # a training certificate
    KTP = "ktp"  # a copy of the identity card
    ASESMEN = "asesmen"  # an assessment report
    DAFTAR_PENDATAAN = "daftar_pendataan"  # a pendataan roster
    LAPORAN = "laporan"  # a report, such as a monitoring result
    LHP = "lhp"  # laporan hasil pemeriksaan: an audit report
    DIPA = "dipa"  # a national (APBN) budget document
    DPA = "dpa"  # a regional (APBD) budget document
    BUKU_TABUNGAN = "buku_tabungan"  # a passbook
    BANK_STATEMENT = "bank_statement"  # rekening koran
    BUKTI_SETOR = "bukti_setor"  # a deposit slip
    RECEIPT = "receipt"  # kwitansi: a signed receipt
    TRANSFER_FILE = "transfer_file"  # a bank transfer file sent
    BANK_RESULT_FILE = "bank_result_file"  # the bank's result file
    COURT_DECISION = "court_decision"  # putusan pengadilan
    OTHER = "other"


DOCUMENT_KINDS = frozenset(kind.value for kind in DocumentKind)


def check_document(document: DocumentRef, field: str = "document") -> None:
    """Refuse a new command's document whose kind is not on the list, or whose issuer holds
    a number that could be a person's. The issuer is an office or an official, named in clear
    on purpose; the document's number is a reference and is not judged (ADR 0041)."""
    if document.kind not in DOCUMENT_KINDS:
        raise DocumentKindUnknown(
            "the document's kind is not one of the programme's document kinds",
            field=f"{field}.kind",
        )
    require_no_personal_data(document.issuer, field=f"{field}.issuer")


@dataclass(frozen=True)
class DocumentRef:
    """A structured reference to the paper or file that supports an event.

    `sha256` is the hex digest of the scanned file when one exists, so an auditor can check that
    the file they are shown is the one that was referenced.
    """

    kind: str
    number: str
    issued_on: date
    issuer: str
    sha256: str | None = None

    def __post_init__(self) -> None:
        if not self.kind.strip():
            raise InvalidValue("a document needs its kind", field="document.kind")
        if not self.number.strip():
            raise InvalidValue("a document needs its number", field="document.number")
        if not self.issuer.strip():
            raise InvalidValue("a document needs its issuer", field="document.issuer")
        if self.sha256 is not None and not SHA256_HEX.match(self.sha256):
            raise InvalidValue(
                "sha256 must be 64 lowercase hexadecimal characters", field="document.sha256"
            )


@dataclass(frozen=True)
class Provenance:
    """The context of one command: the actor, the business date and the supporting document.

    `occurred_on` is the business date in Asia/Makassar (WITA). The time the event was recorded
    is stamped by the event store, not taken from here.
    """

    actor: Actor
    occurred_on: date
    document: DocumentRef | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        # A provenance is made for a new command only; replayed events never build one, so
        # what is checked here is never checked again on a stored event.
        if self.document is not None:
            check_document(self.document)
        if self.reason:
            # Every command's reason is kept in clear on its event (ADR 0041).
            require_no_personal_data(self.reason, field="reason")

    def event_fields(self) -> dict[str, Any]:
        """The provenance as keyword arguments for an event."""
        return {
            "actor": self.actor,
            "occurred_on": self.occurred_on,
            "document": self.document,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Recorded:
    """Fields shared by every Jejak event (mixed into each event class)."""

    actor: Actor
    occurred_on: date
    document: DocumentRef | None
    reason: str | None


@dataclass(frozen=True)
class RegionRef:
    """A region code qualified by its scheme, since Kemendagri and BPS codes collide."""

    scheme: str
    code: str
