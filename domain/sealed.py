"""Personal data as it appears in events and read models: ciphertext only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class KeyPurpose(StrEnum):
    """Which of a person's two data keys protects a field.

    The identity minimum is kept for payment evidence after an erasure request; the case file
    is destroyed then. Stored events cannot be re-encrypted, so the split exists from the first
    event (ADR 0005).
    """

    IDENTITY = "identity"
    CASEFILE = "casefile"


@dataclass(frozen=True)
class Sealed:
    """One field of personal data encrypted with its subject's data key (AES-GCM).

    `nonce` and `ciphertext` are base64 text. The subject id and field name are bound in as
    associated data, so a sealed value cannot be moved to another person or field.
    """

    subject_id: UUID
    purpose: KeyPurpose
    field: str
    nonce: str
    ciphertext: str


class Sealer(Protocol):
    """Seals plaintext for one subject; supplied by the service so the domain stays pure."""

    def seal(self, purpose: KeyPurpose, field: str, plaintext: str) -> Sealed:
        """Encrypt `plaintext` as `field` under the subject's key for `purpose`."""
        ...


def sealed_to_json(sealed: Sealed) -> str:
    """The sealed value as compact JSON text, for read-model columns."""
    return json.dumps(
        {
            "subject_id": str(sealed.subject_id),
            "purpose": sealed.purpose.value,
            "field": sealed.field,
            "nonce": sealed.nonce,
            "ciphertext": sealed.ciphertext,
        },
        separators=(",", ":"),
    )


def sealed_from_json(text: str) -> Sealed:
    """The inverse of `sealed_to_json`."""
    data = json.loads(text)
    return Sealed(
        subject_id=UUID(data["subject_id"]),
        purpose=KeyPurpose(data["purpose"]),
        field=data["field"],
        nonce=data["nonce"],
        ciphertext=data["ciphertext"],
    )
