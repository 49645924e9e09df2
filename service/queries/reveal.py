"""Personal data revealed in clear or masked, as `domain.access` decides for the viewer's role,
and the reveal act: one field of one case shown in clear for a reason typed in, written to the
access log, where the case's history reads it back (ADR 0046)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Engine

from domain.access import (
    ALL_CATEGORIES,
    CASE_FIELDS,
    REVEALABLE_FIELDS,
    categories_of_document,
    category_of_sealed,
    check_case_field,
    check_clear_reason,
    may_reveal,
    may_reveal_any,
    may_reveal_restricted,
    sees_all_in_clear,
    sees_in_clear,
    sees_restricted,
)
from domain.beneficiary import Beneficiary
from domain.masks import mask_field
from domain.sealed import Sealed, sealed_from_json
from domain.units import Scope
from service.errors import NotFound
from service.i18n import gettext
from service.security.access_log import AccessAction, AccessLog
from service.security.accounts import Account
from service.security.scope import holds
from service.security.vault import SealBroken, Vault
from service.store.event_log import EventLog, history

ERASED = "[erased]"
UNREADABLE = "[unreadable]"
# Her identity minimum while her erasure stands, to a role that may not read it (ADR 0055).
RESTRICTED = "[restricted]"
# What a page or a document writes in their place, by catalogue key: "dihapus" where her data
# was erased (ADR 0055).
MARKER_WORDS = {
    ERASED: "value.erased",
    RESTRICTED: "value.restricted",
    UNREADABLE: "value.unreadable",
}


def worded(language: str, value: str | None) -> str | None:
    """A revealed value as a page or a document in `language` writes it: a marker becomes the
    catalogue's word, any other value stays as it is."""
    key = MARKER_WORDS.get(value) if value.__class__ is str else None
    return value if key is None else gettext(language, key)


# How the access log's detail of a reveal begins: one field asked for, or those a bundle showed.
ONE_FIELD = "field"
BUNDLE = "bundle"
REASON_SEPARATOR = "; reason: "
# The order a detail names fields in: a case's, then a payee's.
FIELD_ORDER = (*CASE_FIELDS, *sorted(REVEALABLE_FIELDS - set(CASE_FIELDS)))


class RevealNotAllowed(Exception):
    """Raised when a role that sees personal data masked asks for the reveal act (ADR 0046)."""

    code = "REVEAL_NOT_ALLOWED"


class Reveal:
    """Decrypts sealed fields each in clear or masked, as `domain.access` decides for the
    viewer's role and the category of the field; masked as `domain.masks` masks the field.

    `clear_reason` is the checked reason a role that sees personal data in clear only for a
    reason (an auditor) gave for an evidence bundle in clear: the revealable fields it opens
    for that reason alone are kept in `revealed`, by subject, for the caller to write to the
    access log as reveals (`log_bundle_reveals`).

    A subject whose erasure was carried out is restricted (ADR 0055): her fields show
    `[restricted]` to every role but a reader of restricted data that gave a reason, and that
    reading is a reveal too. The restricted subjects are read once, at the first sealed value.
    """

    def __init__(self, vault: Vault, viewer: Account, *, clear_reason: str | None = None) -> None:
        self.vault = vault
        self.viewer = viewer
        self.clear_reason = clear_reason
        self.full = sees_all_in_clear(viewer.role, ALL_CATEGORIES, reason_given=self._reason)
        self.revealed: dict[UUID, set[str]] = {}
        self._restricted: frozenset[UUID] | None = None

    def restricted(self, subject_id: UUID) -> bool:
        """Whether her erasure was carried out, so her identity minimum is restricted."""
        if self._restricted is None:
            self._restricted = restricted_subjects(self.vault)
        return subject_id in self._restricted

    @property
    def _reason(self) -> bool:
        return self.clear_reason is not None

    @property
    def mode(self) -> str:
        """How the access log names what the viewer saw: all in clear, or masked."""
        return "full" if self.full else "masked"

    def __call__(self, sealed: Sealed | None) -> str | None:
        if sealed is None:
            return None
        # Decided before opening: a field revealed for the reason is noted even when its value
        # turns out erased, as the reveal act logs it then too.
        restricted = self.restricted(sealed.subject_id)
        clear = self._restricted_in_clear(sealed) if restricted else self._in_clear(sealed)
        try:
            plaintext = self.vault.open(sealed)
        except SealBroken:
            return UNREADABLE
        if plaintext is None:
            return ERASED
        if restricted and not clear:
            return RESTRICTED
        return plaintext if clear else mask_field(sealed.field, plaintext)

    def _restricted_in_clear(self, sealed: Sealed) -> bool:
        if not sees_restricted(self.viewer.role, reason_given=self._reason):
            return False
        if sealed.field in REVEALABLE_FIELDS:
            self.revealed.setdefault(sealed.subject_id, set()).add(sealed.field)
            return True
        return False

    def _in_clear(self, sealed: Sealed) -> bool:
        role = self.viewer.role
        category = category_of_sealed(sealed.field, sealed.purpose)
        if sees_in_clear(role, category, reason_given=False):
            return True
        if self.clear_reason is None or not may_reveal(role, sealed.field):
            return False
        self.revealed.setdefault(sealed.subject_id, set()).add(sealed.field)
        return True

    def column(self, text: str | None) -> str | None:
        """Reveal a read-model column holding a sealed value's JSON."""
        return self(sealed_from_json(text)) if text else None

    def shows_document(self, kind: str) -> bool:
        """Whether the viewer may have a stored document of `kind` (a file cannot be masked)."""
        return sees_all_in_clear(
            self.viewer.role, categories_of_document(kind), reason_given=self._reason
        )


@dataclass(frozen=True)
class RevealedField:
    """One field of one case as the reveal act showed it: its value in clear, `[erased]` when
    her data was erased, or None when the case holds no such value."""

    field: str
    value: str | None


@dataclass(frozen=True)
class RevealDetail:
    """What an access-log entry of a reveal says: how, which fields, and why."""

    via: str
    fields: tuple[str, ...]
    reason: str


def reveal_detail(via: str, fields: Iterable[str], reason: str) -> str:
    """The access log's detail of a reveal. Fields (revealable ones only) are named in
    `FIELD_ORDER`, comma separated without spaces, so that a bundle's seven fields of a case
    and a reason of the longest length allowed fit the detail's 200 characters."""
    named = sorted(fields, key=FIELD_ORDER.index)
    return f"{via}: {','.join(named)}{REASON_SEPARATOR}{reason}"


def parse_reveal_detail(detail: str | None) -> RevealDetail:
    """The inverse of `reveal_detail`. The reason is everything after its separator (a reason
    may hold the separator's words itself; the fields never do)."""
    head, _, reason = (detail or "").partition(REASON_SEPARATOR)
    via, _, fields = head.partition(": ")
    return RevealDetail(via, tuple(f for f in fields.split(",") if f), reason)


class FieldReveals:
    """The reveal act: one field of one case in clear, for a reason, logged (ADR 0046).

    The value is read from her events, not a read model: the read models hold only her name
    and NIK, and the act must not show a value older than the log's.
    """

    def __init__(
        self, log: EventLog, engine: Engine, vault: Vault, access_log: AccessLog, scope: Scope
    ) -> None:
        self.log = log
        self.engine = engine
        self.vault = vault
        self.access_log = access_log
        self.scope = scope

    def reveal(
        self, viewer: Account, beneficiary_id: UUID, field: str, reason: str | None
    ) -> RevealedField:
        """Her `field` in clear for `viewer`, the act written to the access log first.

        Refused with `RevealNotAllowed` to a role that sees personal data masked (whatever it
        states), `FieldNotRevealable` for a field not among `CASE_FIELDS`, `ClearReasonRequired`
        or another `InvalidValue` for a missing or unfit reason (operators and supervisors too:
        they see her data in their own reads, but this act is the deliberate unmasking), and
        `NotFound` for an unknown case.
        """
        restricted = self.vault.is_restricted(beneficiary_id)
        if not restricted and not may_reveal_any(viewer.role):
            raise RevealNotAllowed(f"the role {viewer.role.value} may not reveal personal data")
        wanted = check_case_field(field)
        allowed = may_reveal_restricted if restricted else may_reveal
        if not allowed(viewer.role, wanted):
            raise RevealNotAllowed(f"the role {viewer.role.value} may not reveal {wanted}")
        why = check_clear_reason(reason)
        if not holds(self.engine, self.scope, beneficiary_id):
            # Outside the viewer's scope her case does not exist for them (ADR 0044).
            raise NotFound("Beneficiary", beneficiary_id)
        sealed = getattr(self._case(beneficiary_id), wanted)
        self.access_log.record(
            viewer.username,
            viewer.role,
            AccessAction.REVEAL_PERSONAL_DATA,
            "beneficiary",
            beneficiary_id,
            reveal_detail(ONE_FIELD, [wanted], why),
        )
        return RevealedField(wanted, Reveal(self.vault, viewer, clear_reason=why)(sealed))

    def _case(self, beneficiary_id: UUID) -> Beneficiary:
        """Her case as her events leave it, replayed from the store (never a cached copy,
        which another process's write may have left behind)."""
        case: object = None
        for event in history(self.log, beneficiary_id):
            case = event.mutate(case)
        if not isinstance(case, Beneficiary):
            raise NotFound("Beneficiary", beneficiary_id)
        return case


def restricted_subjects(vault: Vault) -> frozenset[UUID]:
    """The subjects whose erasure was carried out (ADR 0055). Read from the vault, not a read
    model, so a restriction holds the moment her case-file key is gone, in every process."""
    return vault.restricted_subjects()


def log_bundle_reveals(access_log: AccessLog, viewer: Account, reveal: Reveal) -> None:
    """One reveal entry per subject whose fields an evidence bundle showed in clear for the
    viewer's reason, naming those fields: the bundle goes through the reveal act, so each case
    it unmasked says so on its own history (ADR 0046)."""
    if reveal.clear_reason is None:
        return
    for subject_id, fields in sorted(reveal.revealed.items(), key=lambda item: str(item[0])):
        # A payee's name is sealed under the payee's own keys: the payee is the subject.
        kind = "payee" if fields == {"payee_name"} else "beneficiary"
        access_log.record(
            viewer.username,
            viewer.role,
            AccessAction.REVEAL_PERSONAL_DATA,
            kind,
            subject_id,
            reveal_detail(BUNDLE, fields, reveal.clear_reason),
        )
