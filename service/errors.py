"""Errors both sides of the service raise: the command handlers and the read-side queries."""

from __future__ import annotations


class NotFound(LookupError):
    """Raised when a command or query names an aggregate that does not exist."""

    code = "NOT_FOUND"

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident} not found")
        self.kind = kind
