"""The notices outbox: one notice queued per clock that ran out, sent later with retries.

Queueing reads the clocks (`privacy_clocks`) and inserts what is missing, keyed by the clock,
so filling the queue again, from two processes at once included, never queues a second notice
for the same expiry. A notice names the record's number, its kind, when it was due and a link;
never a person (ADR 0057).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from service.i18n import gettext
from service.i18n.formats import datetime_id
from service.queries.paging import Row
from service.queries.privacy_clocks import ClockQueries
from service.store.db import as_utc
from service.store.schema import notice_outbox

EMAIL: Final = "email"
QUEUED: Final = "queued"
SENT: Final = "sent"
FAILED: Final = "failed"
TIMES: Final = ("queued_at", "last_attempt_at", "sent_at")

# Indonesian, as the officers read it; the notice carries no personal data.
LANGUAGE: Final = "id"


def kind_name(kind: str) -> str:
    """A clock's register as the catalogue names it (`clock.<kind>`), else its code."""
    key = f"clock.{kind}"
    named = gettext(LANGUAGE, key)
    return kind if named == key else named


@dataclass(frozen=True)
class Notice:
    """A notice waiting to be sent."""

    key: str
    roles: tuple[str, ...]
    subject: str
    body: str
    attempts: int


def notice_for(clock: Row, public_url: str) -> tuple[str, str]:
    """The subject line and body of the notice that `clock` ran out."""
    kind = kind_name(clock["clock_kind"])
    due_text = datetime_id(clock["due_at"])
    subject = f"Tenggat 3x24 jam terlewati: {kind} {clock['label']}"
    link = f"{public_url.rstrip('/')}{clock['href']}" if clock.get("href") else public_url
    body = "\n".join(
        (
            "Tenggat 3x24 jam (UU 27/2022) telah terlewati dan belum dijawab.",
            "",
            f"Jenis: {kind}",
            f"Nomor: {clock['label']}",
            f"Jatuh tempo: {due_text}",
            f"Tautan: {link}",
            "",
            "Pesan ini dikirim otomatis oleh Jejak dan tidak memuat data pribadi.",
        )
    )
    return subject, body


class Outbox:
    """The queue of notices and what became of each."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))

    def queue_ran_out(self, *, public_url: str, now: datetime | None = None) -> int:
        """Queue a notice for every clock that ran out by `now` and has none yet; how many."""
        moment = now or self.clock()
        queued = 0
        for clock in ClockQueries(self.engine).ran_out(now=moment):
            subject, body = notice_for(clock, public_url)
            row = {
                "notice_key": f"{clock['clock_id']}:expired",
                "channel": EMAIL,
                "roles": clock["responsible"],
                "subject": subject,
                "body": body,
                "queued_at": self.clock(),
                "status": QUEUED,
                "attempts": 0,
            }
            try:
                with self.engine.begin() as conn:
                    conn.execute(notice_outbox.insert(), [row])
            except IntegrityError:
                continue  # queued before, by this process or another
            queued += 1
        return queued

    def waiting(self, limit: int = 100) -> list[Notice]:
        """Notices still to send, oldest first."""
        c = notice_outbox.c
        query = (
            select(notice_outbox)
            .where(c.status == QUEUED)
            .order_by(c.queued_at, c.notice_key)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Notice(
                key=r["notice_key"],
                roles=tuple(r["roles"].split(",")),
                subject=r["subject"],
                body=r["body"],
                attempts=r["attempts"],
            )
            for r in rows
        ]

    def sent(self, key: str) -> None:
        """Record that the notice `key` was delivered to the server."""
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(notice_outbox)
                .where(notice_outbox.c.notice_key == key)
                .values(
                    status=SENT,
                    sent_at=now,
                    last_attempt_at=now,
                    attempts=notice_outbox.c.attempts + 1,
                    last_error=None,
                )
            )

    def attempt_failed(self, key: str, error: str, *, give_up: bool) -> None:
        """Record a failed attempt; `give_up` marks the notice failed for good."""
        with self.engine.begin() as conn:
            conn.execute(
                update(notice_outbox)
                .where(notice_outbox.c.notice_key == key)
                .values(
                    status=FAILED if give_up else QUEUED,
                    last_attempt_at=self.clock(),
                    attempts=notice_outbox.c.attempts + 1,
                    last_error=error[:500],
                )
            )

    def notices(self, limit: int | None = None) -> list[Row]:
        """The notices (the newest `limit` of them), as stored, newest first."""
        query = select(notice_outbox).order_by(
            notice_outbox.c.queued_at.desc(), notice_outbox.c.notice_key
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for row in rows:
            for name in TIMES:
                if row[name] is not None:
                    row[name] = as_utc(row[name])
        return rows
