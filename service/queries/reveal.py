"""Personal data revealed in clear or masked, as `domain.access` decides for the viewer's role."""

from __future__ import annotations

from domain.access import (
    ALL_CATEGORIES,
    categories_of_document,
    category_of_sealed,
    sees_all_in_clear,
    sees_in_clear,
)
from domain.masks import mask_field
from domain.sealed import Sealed, sealed_from_json
from service.security.accounts import Account
from service.security.vault import SealBroken, Vault

ERASED = "[erased]"


class Reveal:
    """Decrypts sealed fields each in clear or masked, as `domain.access` decides for the
    viewer's role and the category of the field; masked as `domain.masks` masks the field.

    `clear_reason` is the reason a role that sees personal data in clear only for a reason
    (an auditor) gave for this one request; the caller checks it and writes it to the access
    log.
    """

    def __init__(self, vault: Vault, viewer: Account, *, clear_reason: str | None = None) -> None:
        self.vault = vault
        self.viewer = viewer
        self.clear_reason = clear_reason
        self.full = sees_all_in_clear(viewer.role, ALL_CATEGORIES, reason_given=self._reason)

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
        try:
            plaintext = self.vault.open(sealed)
        except SealBroken:
            return "[unreadable]"
        if plaintext is None:
            return ERASED
        category = category_of_sealed(sealed.field, sealed.purpose)
        if sees_in_clear(self.viewer.role, category, reason_given=self._reason):
            return plaintext
        return mask_field(sealed.field, plaintext)

    def column(self, text: str | None) -> str | None:
        """Reveal a read-model column holding a sealed value's JSON."""
        return self(sealed_from_json(text)) if text else None

    def shows_document(self, kind: str) -> bool:
        """Whether the viewer may have a stored document of `kind` (a file cannot be masked)."""
        return sees_all_in_clear(
            self.viewer.role, categories_of_document(kind), reason_given=self._reason
        )
