"""A started system served by uvicorn in a thread on a free local port: what the screenshots
and the browser tests open in Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from service.api.app import create_app
from service.system import Jejak

STARTUP_SECONDS = 15


def free_port() -> int:
    """A local port no one listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(jejak: Jejak) -> Iterator[str]:
    """`jejak` served at the URL yielded until the block ends; the caller keeps owning it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(jejak=jejak), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
