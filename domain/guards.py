"""Guards shared by every aggregate: a reason, a document, a whole-rupiah amount."""

from __future__ import annotations

from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import DocumentKindNotAccepted, InvalidValue
from domain.recording import DocumentKind, Provenance

# Amounts must fit the ledger's 64-bit integer columns.
MAX_AMOUNT = 2**63 - 1


def require_reason(provenance: Provenance, field: str = "reason") -> None:
    """An exception to the normal path is recorded with its reason."""
    if not (provenance.reason and provenance.reason.strip()):
        raise ReasonRequired("a reason is required for this step", field=field)


def require_document(
    provenance: Provenance, what: str, kinds: tuple[DocumentKind, ...] = ()
) -> None:
    """A step that rests on a paper is recorded with it, of one of `kinds` when the lifecycle
    names them."""
    if provenance.document is None:
        raise DocumentRequired(f"{what} is required as the document", field="document")
    if kinds and provenance.document.kind not in kinds:
        raise DocumentKindNotAccepted(
            f"{what} is required as the document: kind {' or '.join(kinds)}",
            field="document.kind",
        )


def require_amount(amount: int, field: str = "amount") -> int:
    """A positive whole number of rupiah that fits 64 bits."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidValue("must be a positive whole number of rupiah", field=field)
    return amount
