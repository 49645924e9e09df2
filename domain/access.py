"""Who sees which personal data, and who makes the writes no lifecycle declares: decided once.

Personal data falls in three categories (ADR 0030):

- identity: her name, NIK, family card, birth date and sex, a compensation payee's name;
- case file: her phone and the social worker's assessment notes;
- financial: bank account numbers, and the bank files that list them beside names.

Each role sees each category in clear, masked, or masked unless it types in a reason (the
auditors: BPK examiners may by law see everything, UU 15/2004 Pasal 10, but as a deliberate act
the access log keeps). That act is the reveal (ADR 0046): one field of one case at a time, or an
evidence bundle asked for in clear, always with a reason and logged per case; a role that sees
personal data masked never can. A stored file cannot be masked, so a role sees a document
only if it sees every category the document's kind holds in clear; an evidence bundle withholds
the others, keeping their hashes.

Who issues each command is declared in the lifecycles (ADR 0007); the few writes that belong
to no aggregate are declared in `WRITE_ROLES` below (ADR 0031).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.lifecycle import FIELD_ROLES
from domain.recording import DocumentKind, Role
from domain.sealed import KeyPurpose

# The access log's detail holds the reason with a few words around it, in 200 characters.
MAX_REASON_LENGTH = 120


class DataCategory(StrEnum):
    """A category of personal data; each role's sight of it is decided in `SIGHT`."""

    IDENTITY = "identity"
    CASE_FILE = "case_file"
    FINANCIAL = "financial"


class Sight(StrEnum):
    """How a role sees one category of personal data."""

    CLEAR = "clear"
    # Masked, unless the request states why it needs the data in clear (logged with it).
    ON_REASON = "on_reason"
    MASKED = "masked"


def _every_category(sight: Sight) -> Mapping[DataCategory, Sight]:
    return MappingProxyType(dict.fromkeys(DataCategory, sight))


SIGHT: Mapping[Role, Mapping[DataCategory, Sight]] = MappingProxyType(
    {
        # The programme team works the cases: it registers her, verifies her identity, keeps
        # her phone and notes, records her account from her passbook and collects receipts.
        Role.OPERATOR: _every_category(Sight.CLEAR),
        # Supervisors decree, approve and pay: they check names against decrees and send the
        # bank the transfer file with her account and name.
        Role.SUPERVISOR: _every_category(Sight.CLEAR),
        # Examiners may see everything, but only for a reason they state (ADR 0030).
        Role.AUDITOR: _every_category(Sight.ON_REASON),
        # IT administrators manage accounts and sign checkpoints; they need no one's data.
        Role.ADMIN: _every_category(Sight.MASKED),
        # The data-protection officer checks who read whose data, which the access log says by
        # account, subject id and case number: no one's data is needed for that (ADR 0042).
        Role.DPO: _every_category(Sight.MASKED),
    }
)

# The sealed fields the domain writes, by the name each is sealed under.
SEALED_FIELD_CATEGORY: Mapping[str, DataCategory] = MappingProxyType(
    {
        "name": DataCategory.IDENTITY,
        "nik": DataCategory.IDENTITY,
        "kk": DataCategory.IDENTITY,
        "birth_date": DataCategory.IDENTITY,
        "sex": DataCategory.IDENTITY,
        "payee_name": DataCategory.IDENTITY,
        "phone": DataCategory.CASE_FILE,
        "assessment_notes": DataCategory.CASE_FILE,
        # Sealed under the identity key (kept for payment evidence after an erasure, ADR 0005),
        # but it is the account, not who she is.
        "bank_account": DataCategory.FINANCIAL,
        # The holder's name as her passbook prints it: a name, whoever's account it is.
        "bank_account_holder": DataCategory.IDENTITY,
    }
)

# The fields of a case the reveal act shows in clear, one at a time and for a reason typed in
# (ADR 0046): the identifiers a case is checked by against her papers. Her sex and the
# assessment notes are not among them: no check of the programme's money or identities needs
# them, so no one is shown them in clear who does not work the case.
CASE_FIELDS: tuple[str, ...] = (
    "name",
    "nik",
    "kk",
    "birth_date",
    "phone",
    "bank_account",
    "bank_account_holder",
)
# What an evidence bundle asked for in clear reveals, by the same act (ADR 0046): her fields,
# and the name of a compensation payee (an heir, a subject of her own rather than a case).
REVEALABLE_FIELDS: frozenset[str] = frozenset({*CASE_FIELDS, "payee_name"})

_BY_PURPOSE: Mapping[KeyPurpose, DataCategory] = MappingProxyType(
    {KeyPurpose.IDENTITY: DataCategory.IDENTITY, KeyPurpose.CASEFILE: DataCategory.CASE_FILE}
)

ALL_CATEGORIES: frozenset[DataCategory] = frozenset(DataCategory)

# What each kind of paper holds, for every kind on the one list (`domain.recording.DocumentKind`).
# A file cannot be masked, so a kind that may hold a category counts as holding it.
_IDENTITY = frozenset({DataCategory.IDENTITY})
_PERSONAL = frozenset({DataCategory.IDENTITY, DataCategory.CASE_FILE})
_MONEY = frozenset({DataCategory.IDENTITY, DataCategory.FINANCIAL})
DOCUMENT_CATEGORIES: Mapping[str, frozenset[DataCategory]] = MappingProxyType(
    {
        # An aid decree's annex lists the people it grants aid to.
        DocumentKind.DECREE: _IDENTITY,
        # Minutes and handovers list who was there or who received what.
        DocumentKind.BERITA_ACARA: _IDENTITY,
        DocumentKind.BAST: _MONEY,
        DocumentKind.NOTULEN: _IDENTITY,
        DocumentKind.SURAT_PENGANTAR: _IDENTITY,
        # Papers about her own case: statements, arrival, domicile, death, training, origin.
        DocumentKind.SURAT_PERNYATAAN: _PERSONAL,
        DocumentKind.SURAT_TIBA: _PERSONAL,
        DocumentKind.SURAT_KETERANGAN: _PERSONAL,
        DocumentKind.SURAT_KEMATIAN: _PERSONAL,
        DocumentKind.SERTIFIKAT: _PERSONAL,
        DocumentKind.ASESMEN: _PERSONAL,
        DocumentKind.DAFTAR_PENDATAAN: _PERSONAL,
        DocumentKind.COURT_DECISION: _PERSONAL,
        DocumentKind.KTP: _IDENTITY,
        # Her signed receipt (BAST) names her and often her account; a passbook and a deposit
        # slip are her account.
        DocumentKind.RECEIPT: _MONEY,
        DocumentKind.BUKU_TABUNGAN: _MONEY,
        DocumentKind.BUKTI_SETOR: _MONEY,
        # A statement's descriptions carry the counterparties' names beside the transfers.
        DocumentKind.BANK_STATEMENT: _MONEY,
        DocumentKind.TRANSFER_FILE: _MONEY,
        # Bank references and failure reasons of transfers to her account.
        DocumentKind.BANK_RESULT_FILE: frozenset({DataCategory.FINANCIAL}),
        # Budget documents hold budget lines, never a person.
        DocumentKind.DIPA: frozenset(),
        DocumentKind.DPA: frozenset(),
        # Letters, memoranda, reports and audit reports may be about anything.
        DocumentKind.SURAT: ALL_CATEGORIES,
        DocumentKind.SURAT_TANGGAPAN: ALL_CATEGORIES,
        DocumentKind.NOTA_DINAS: ALL_CATEGORIES,
        DocumentKind.LAPORAN: ALL_CATEGORIES,
        DocumentKind.LHP: ALL_CATEGORIES,
        DocumentKind.OTHER: ALL_CATEGORIES,
    }
)


class ClearReasonRequired(InvalidValue):
    """Raised when a role that sees personal data in clear only for a reason asks without one."""

    code = "REASON_REQUIRED"


class FieldNotRevealable(InvalidValue):
    """Raised when the reveal act names a field that is not one of a case's `CASE_FIELDS`."""

    code = "FIELD_NOT_REVEALABLE"


def category_of_sealed(field: str, purpose: KeyPurpose) -> DataCategory:
    """The category of a sealed field; a field not listed counts as its key's purpose."""
    return SEALED_FIELD_CATEGORY.get(field) or _BY_PURPOSE[purpose]


def categories_of_document(kind: str) -> frozenset[DataCategory]:
    """What a document of `kind` holds; an unknown kind is taken to hold everything."""
    return DOCUMENT_CATEGORIES.get(kind, ALL_CATEGORIES)


def sees_in_clear(role: Role, category: DataCategory, *, reason_given: bool) -> bool:
    """Whether `role` sees `category` in clear, with or without a reason stated."""
    sight = SIGHT[role][category]
    return sight is Sight.CLEAR or (sight is Sight.ON_REASON and reason_given)


def sees_all_in_clear(
    role: Role, categories: frozenset[DataCategory], *, reason_given: bool
) -> bool:
    """Whether `role` sees every one of `categories` in clear: the test for a whole file."""
    return all(sees_in_clear(role, c, reason_given=reason_given) for c in categories)


def clear_on_reason(role: Role) -> bool:
    """Whether a stated reason shows `role` more than it sees without one."""
    return any(sight is Sight.ON_REASON for sight in SIGHT[role].values())


def may_ask_in_clear(role: Role) -> bool:
    """Whether `role` may ask for personal data in clear at all (with a reason if it needs one)."""
    return clear_on_reason(role) or sees_all_in_clear(role, ALL_CATEGORIES, reason_given=False)


def may_reveal(role: Role, field: str) -> bool:
    """Whether `role` may have the sealed field `field` revealed in clear by the reveal act
    (ADR 0046): a revealable field whose category the role sees in clear, at least for a
    reason. A role that sees it masked never may, whatever it states."""
    category = SEALED_FIELD_CATEGORY.get(field)
    return (
        field in REVEALABLE_FIELDS
        and category is not None
        and sees_in_clear(role, category, reason_given=True)
    )


def may_reveal_any(role: Role) -> bool:
    """Whether `role` may use the reveal act at all, for any of a case's fields."""
    return any(may_reveal(role, field) for field in CASE_FIELDS)


def check_case_field(field: str) -> str:
    """The case field the reveal act names, or `FieldNotRevealable` (which lists the fields;
    the name given is not repeated, as it may be anything typed)."""
    if field not in CASE_FIELDS:
        raise FieldNotRevealable(
            f"the field to reveal must be one of {', '.join(CASE_FIELDS)}", field="field"
        )
    return field


def may_search_by_name(role: Role) -> bool:
    """Whether `role` may find a case by her name: only a role that sees names in clear without
    a reason. Whether a name is in the programme at all is what a search answers, so a role
    that sees names masked, or in clear only for a stated reason, finds cases by number
    (ADR 0043)."""
    return sees_in_clear(role, DataCategory.IDENTITY, reason_given=False)


def clear_reason_of(role: Role, *, in_clear: bool, reason: str | None) -> str | None:
    """The checked reason a request for personal data in clear carries, or None when the
    request does not ask for it or the role sees it in clear anyway. The caller refuses roles
    that may not ask (`may_ask_in_clear`)."""
    if not in_clear or not clear_on_reason(role):
        return None
    return check_clear_reason(reason)


def check_clear_reason(reason: str | None) -> str:
    """The reason for seeing personal data in clear, as the access log will keep it."""
    text = (reason or "").strip()
    if not text:
        raise ClearReasonRequired(
            "seeing personal data in clear needs the reason for it", field="reason"
        )
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidValue(f"at most {MAX_REASON_LENGTH} characters", field="reason")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue("control characters are not allowed", field="reason")
    return require_no_personal_data(text, field="reason")


class Write(StrEnum):
    """A write that belongs to no aggregate's lifecycle."""

    UPLOAD_DOCUMENT = "upload_document"
    SIGN_CHECKPOINT = "sign_checkpoint"
    MANAGE_ACCOUNTS = "manage_accounts"
    REINDEX_NAMES = "reindex_names"


class Read(StrEnum):
    """A read of records that are about access rather than the programme."""

    ACCESS_LOG = "access_log"
    GRANTS = "grants"
    # The registers of her rights under UU PDP (issue 17): requests, erasures, breaches,
    # retention and the record of processing.
    PRIVACY_REGISTERS = "privacy_registers"


READ_ROLES: Mapping[Read, tuple[Role, ...]] = MappingProxyType(
    {
        # The data-protection officer, whose task it is (UU PDP Pasal 53), and the auditors,
        # who examine it (ADR 0042). It names accounts and subject ids, no one's data.
        Read.ACCESS_LOG: (Role.DPO, Role.AUDITOR),
        # Who held which role where, and which examiner was assigned what (ADR 0045): the
        # administrators who keep it, the auditors who examine who could act, and the
        # data-protection officer, who checks who could see whose data.
        Read.GRANTS: (Role.ADMIN, Role.AUDITOR, Role.DPO),
        # The data-protection officer keeps them (UU PDP Pasal 53); supervisors approve the
        # erasures and destructions they hold and answer for the programme's processing.
        # They name cases by number and record kinds of data, never a person's data.
        Read.PRIVACY_REGISTERS: (Role.DPO, Role.SUPERVISOR),
    }
)


# The one table of the writes outside the lifecycles; every other write is a lifecycle command
# whose roles its declaration gives (ADR 0031).
WRITE_ROLES: Mapping[Write, tuple[Role, ...]] = MappingProxyType(
    {
        # Field staff scan decrees, receipts and statements; supervisors the bank's files.
        Write.UPLOAD_DOCUMENT: FIELD_ROLES,
        Write.SIGN_CHECKPOINT: (Role.ADMIN,),
        Write.MANAGE_ACCOUNTS: (Role.ADMIN,),
        # Rebuilding the name index a case is found by opens every name in the service and
        # shows none (ADR 0043): upkeep of the store, like its accounts.
        Write.REINDEX_NAMES: (Role.ADMIN,),
    }
)
