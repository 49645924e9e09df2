"""Facts every event carries: who acted, in which role and unit, on what document, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.errors import InvalidValue

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


@dataclass(frozen=True)
class Actor:
    """The authenticated person behind a command, as the event records them."""

    user_id: str
    role: Role
    org_unit: str


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
