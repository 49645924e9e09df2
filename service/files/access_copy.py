"""Her own data as a letter in Indonesian (UU 27/2022 Pasal 7 and 32): the answer to an access
request, produced by the data-protection officer.

It is her copy, so her name, NIK and the other data the programme holds of her are printed in
clear; producing it is therefore a read of her personal data, written to the access log first,
with the request's number as the reason (ADR 0057). The letter lists her case's steps, her
payments, the documents her steps cite, and who read her data, from the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID

from domain.beneficiary import Beneficiary
from domain.errors import RuleViolation
from domain.privacy.request_errors import RequesterNotVerified
from domain.privacy.request_lifecycle import (
    SUBJECT_REQUEST_LIFECYCLE,
    RequestKind,
    VerificationResult,
)
from domain.privacy.subject_request import SubjectRequest
from domain.sealed import Sealed
from service.errors import NotFound
from service.files.exports.model import Column, Kind, Table
from service.files.letters import Letter, Signatory, letter_pdf
from service.i18n import component_name, document_kind_name, event_name, gettext, state_name
from service.i18n.formats import date_id
from service.queries.access_log import AccessLogFilter, access_log_page
from service.queries.read_models import ReadModels
from service.security.access_log import AccessAction
from service.security.accounts import Account
from service.security.scope import of_account
from service.security.vault import SealBroken
from service.system import Jejak

LANGUAGE: Final = "id"
COPY_ROLES: Final = SUBJECT_REQUEST_LIFECYCLE.roles_for("grant_subject_request")
# The access log's entries printed at most; the letter says so when there are more.
MOST_READS: Final = 500
ERASED: Final = "(dihapus)"
NOT_RECORDED: Final = "-"


class NotAnAccessRequest(RuleViolation):
    """Raised when her copy is asked for on a request that is not an identified access
    request: only an access request naming her case produces her data."""

    code = "NOT_AN_ACCESS_REQUEST"


class CopyNotAllowed(RuleViolation):
    """Raised when a role other than the data-protection officer asks for her copy."""

    code = "COPY_NOT_ALLOWED"


@dataclass(frozen=True)
class AccessCopy:
    """The produced copy: its file name (her case number, never her name) and its bytes."""

    filename: str
    content: bytes


def _clear(jejak: Jejak, sealed: Sealed | None) -> str:
    if sealed is None:
        return NOT_RECORDED
    try:
        opened = jejak.vault.open(sealed)
    except SealBroken:
        return NOT_RECORDED
    return ERASED if opened is None else opened


def produce_access_copy(
    jejak: Jejak, viewer: Account, number: str, written_at: datetime
) -> AccessCopy:
    """Her copy for the access request `number`, the read logged first."""
    if viewer.role not in COPY_ROLES:
        raise CopyNotAllowed("only the data-protection officer produces her copy")
    request = jejak.app.load(SubjectRequest, SubjectRequest.create_id(number))
    if request.kind != RequestKind.ACCESS_COPY or request.beneficiary_id is None:
        raise NotAnAccessRequest(
            "her copy answers an access request that names her case", field="number"
        )
    if request.verification_result != VerificationResult.VERIFIED:
        # Her data goes only to the person whose identity was checked to be hers.
        raise RequesterNotVerified(
            "her copy is produced once the requester's identity is verified",
            field="verification_result",
        )
    case_id: UUID = request.beneficiary_id
    case = jejak.app.beneficiary(case_id)
    jejak.access_log.record(
        viewer.username,
        viewer.role,
        AccessAction.READ_PERSONAL_DATA,
        "beneficiary",
        case_id,
        f"access copy; reason: subject request {request.number}",
    )
    entitlements = _entitlements(jejak, viewer, case_id)
    letter = Letter(
        title="Salinan Data Pribadi",
        number=f"{request.number}/SALINAN",
        subject=f"Jawaban atas permintaan akses dan salinan data pribadi Nomor {request.number}",
        recipient=[_clear(jejak, case.name), f"Nomor kasus {case.case_number}"],
        paragraphs=[
            "Dengan hormat,",
            "Menjawab permintaan Saudari atas akses dan salinan data pribadi (Undang-Undang"
            " Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 7 dan Pasal 32),"
            " bersama ini kami sampaikan salinan seluruh data pribadi Saudari yang diproses"
            f" dalam {_programme()}, keadaan per tanggal surat ini.",
        ],
        written_at=written_at,
        signatory=Signatory("Pejabat Pelindungan Data Pribadi", viewer.username),
        facts=_identity(jejak, case),
        tables=[
            _steps(jejak, case_id),
            _payments(entitlements),
            _documents(jejak, [case_id, *(UUID(str(e["entitlement_id"])) for e in entitlements)]),
            _reads(jejak, case_id),
        ],
        closing=[
            "Apabila terdapat data yang tidak akurat, Saudari dapat mengajukan permintaan"
            " perbaikan (Pasal 6). Saudari juga dapat mengajukan permintaan pembatasan,"
            " keberatan atau penghapusan sesuai ketentuan peraturan perundang-undangan.",
            "Demikian salinan ini kami sampaikan untuk dipergunakan sebagaimana mestinya.",
        ],
        footer_note=f"Salinan data pribadi - {case.case_number} - {request.number}",
    )
    return AccessCopy(f"salinan-data-{case.case_number}.pdf", letter_pdf(letter))


def _as_date(text: str) -> str:
    """A sealed ISO date as Indonesian letters write it; anything else as it is."""
    try:
        return date_id(date.fromisoformat(text))
    except ValueError:
        return text


# What the access log's actions mean, in her language; others are shown by their code.
READ_ACTIONS: Final[dict[str, str]] = {
    AccessAction.READ_PERSONAL_DATA: "membaca data pribadi",
    AccessAction.REVEAL_PERSONAL_DATA: "menampilkan data pribadi dengan alasan",
    AccessAction.READ_DOCUMENT: "membuka dokumen",
    AccessAction.EXPORT_TRANSFER_FILE: "mengekspor berkas transfer bank",
    AccessAction.EXPORT_PAYMENT_HISTORY: "mengekspor riwayat pembayaran",
    AccessAction.ERASE_CASEFILE: "menghapus berkas kasus",
}


def _programme() -> str:
    return "Program Rehabilitasi Sosial dan Pemulangan Dinas Sosial Provinsi Kalimantan Utara"


def _identity(jejak: Jejak, case: Beneficiary) -> list[tuple[str, str]]:
    return [
        ("Nama", _clear(jejak, case.name)),
        ("NIK", _clear(jejak, case.nik)),
        ("Nomor KK", _clear(jejak, case.kk)),
        ("Tanggal lahir", _as_date(_clear(jejak, case.birth_date))),
        ("Nomor telepon", _clear(jejak, case.phone)),
        ("Nomor rekening", _clear(jejak, case.bank_account)),
        ("Nama pemilik rekening", _clear(jejak, case.bank_account_holder)),
        ("Nomor kasus", case.case_number),
        ("Keadaan kasus", state_name(LANGUAGE, "Beneficiary", case.state)),
    ]


def _steps(jejak: Jejak, case_id: UUID) -> Table:
    rows = [
        {
            "on": event.occurred_on,
            "step": event_name(LANGUAGE, "Beneficiary", type(event).__name__),
            "by": _role(str(event.actor.role)),
        }
        for event in jejak.app.history(case_id)
        if hasattr(event, "occurred_on")
    ]
    return Table(
        "Riwayat kasus",
        [
            Column("on", "Tanggal", Kind.DATE),
            Column("step", "Langkah"),
            Column("by", "Dicatat oleh (peran)"),
        ],
        rows,
    )


def _role(role: str) -> str:
    return gettext(LANGUAGE, f"role.{role}")


def _entitlements(jejak: Jejak, viewer: Account, case_id: UUID) -> list[dict[str, Any]]:
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    return reads.money.entitlements(beneficiary_id=case_id, limit=1000, offset=0).items


def _payments(entitlements: list[dict[str, Any]]) -> Table:
    rows = [
        {
            "component": f"{component_name(LANGUAGE, r['component'])} {r['tranche']}",
            "amount": r["amount"],
            "state": state_name(LANGUAGE, "Entitlement", r["state"]),
            "credited_on": r["credited_on"],
            "decree": r["decree_number"],
        }
        for r in entitlements
    ]
    return Table(
        "Bantuan dan pembayaran",
        [
            Column("component", "Komponen"),
            Column("amount", "Jumlah", Kind.RUPIAH),
            Column("state", "Keadaan"),
            Column("credited_on", "Masuk rekening", Kind.DATE),
            Column("decree", "SK"),
        ],
        rows,
    )


def _documents(jejak: Jejak, records: list[UUID]) -> Table:
    """The papers her case's steps and her payments' steps cite, each once."""
    seen: dict[tuple[str, str], dict[str, object]] = {}
    for event in (e for record in records for e in jejak.app.history(record)):
        document = getattr(event, "document", None)
        if document is not None:
            seen.setdefault(
                (document.kind, document.number),
                {
                    "kind": document_kind_name(LANGUAGE, document.kind),
                    "number": document.number,
                    "issued_on": document.issued_on,
                    "issuer": document.issuer,
                },
            )
    return Table(
        "Dokumen yang menjadi dasar langkah-langkah",
        [
            Column("kind", "Jenis"),
            Column("number", "Nomor"),
            Column("issued_on", "Tanggal", Kind.DATE),
            Column("issuer", "Diterbitkan oleh"),
        ],
        list(seen.values()),
    )


def _reads(jejak: Jejak, case_id: UUID) -> Table:
    page = access_log_page(jejak.engine, AccessLogFilter(subject_id=case_id), MOST_READS, 0)
    rows = [
        {
            "at": entry.at,
            "who": entry.user_id,
            "role": _role(entry.role) if entry.role else NOT_RECORDED,
            "action": READ_ACTIONS.get(entry.action, entry.action.replace("_", " ")),
        }
        for entry in page.items
    ]
    title = "Yang membaca data Saudari (log akses)"
    if page.total > len(rows):
        title += f", {len(rows)} terbaru dari {page.total}"
    return Table(
        title,
        [
            Column("at", "Waktu", Kind.DATETIME),
            Column("who", "Akun"),
            Column("role", "Peran"),
            Column("action", "Tindakan"),
        ],
        rows,
    )


def copy_or_not_found(jejak: Jejak, viewer: Account, number: str, at: datetime) -> AccessCopy:
    """`produce_access_copy`, with an unknown number told as not found."""
    try:
        return produce_access_copy(jejak, viewer, number, at)
    except NotFound:
        raise NotFound("SubjectRequest", number) from None
