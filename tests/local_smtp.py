"""A real SMTP server on a free local port, keeping what it receives (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """The messages a local server received: (recipients, raw message)."""

    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@dataclass(frozen=True)
class LocalSmtp:
    """A running server: where it listens and what it received."""

    port: int
    received: Received


@contextmanager
def local_smtp() -> Iterator[LocalSmtp]:
    """An SMTP server on 127.0.0.1 for the duration of the block."""
    with socket.socket() as probe:
        # A free port: the controller checks that it listens by connecting to it.
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield LocalSmtp(port, received)
    finally:
        controller.stop()
