"""`jejak serve`'s own sender: every `notice_send_every_seconds`, queue the notices of clocks
that ran out and send what waits, as `jejak notices send` does once."""

from __future__ import annotations

import logging
import threading

from service.notices.outbox import Outbox
from service.notices.smtp import send_waiting
from service.system import Jejak

log = logging.getLogger("jejak.notices")


def send_once(jejak: Jejak) -> None:
    """One round: queue, then send; a failure is logged and the next round tries again."""
    try:
        outbox = Outbox(jejak.engine)
        outbox.queue_ran_out(public_url=jejak.settings.public_url)
        report = send_waiting(outbox, jejak.settings)
    except Exception as error:
        log.error("notices round failed: %r", error)
        return
    if report.sent or report.retrying or report.failed:
        log.info(
            "notices: sent %s, to retry %s, failed %s",
            report.sent,
            report.retrying,
            report.failed,
        )


class NoticeLoop:
    """A daemon thread sending notices until stopped; none when the setting is 0."""

    def __init__(self, jejak: Jejak) -> None:
        self.jejak = jejak
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start the loop if the settings ask for one; whether it runs."""
        every = self.jejak.settings.notice_send_every_seconds
        if every <= 0:
            return False

        def run() -> None:
            while not self._stop.wait(every):
                send_once(self.jejak)

        self._thread = threading.Thread(target=run, name="jejak-notices", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop the loop and wait for its round to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
