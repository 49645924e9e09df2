"""Browser sessions kept on the server: logout revokes them, idleness and age end them.

The login page opens a session and gives the browser a random id in an HTTP-only cookie; the
store keeps only the id's SHA-256, so that a copy of the database holds nothing a browser could
present. Each request looks the session up: a revoked one, one idle longer than the inactivity
timeout, or one past its absolute lifetime is refused. The last-seen time moves forward at most
once a minute, so that a page's burst of requests does not become a burst of writes; a session
may therefore end up to a minute before the full idle time has passed. See ADR 0049.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, or_, select, update

from service.store.db import as_utc
from service.store.schema import web_sessions

# The last-seen time is written at most this often per session.
TOUCH_INTERVAL = timedelta(minutes=1)
ID_BYTES = 32


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class WebSessions:
    """Opens, looks up and revokes browser sessions."""

    def __init__(
        self,
        engine: Engine,
        idle: timedelta,
        lifetime: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if idle <= timedelta(0) or lifetime < idle:
            raise ValueError("the idle timeout must be positive and within the lifetime")
        self._engine = engine
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    def open(self, username: str) -> str:
        """A new session for the account; the random id for the cookie (never stored)."""
        now = self.clock()
        session_id = secrets.token_urlsafe(ID_BYTES)
        with self._engine.begin() as conn:
            # Sessions that can no longer be used are forgotten as new ones open.
            conn.execute(
                delete(web_sessions).where(
                    or_(
                        web_sessions.c.expires_at <= now,
                        web_sessions.c.last_seen_at <= now - self.idle,
                        web_sessions.c.revoked_at.is_not(None),
                    )
                )
            )
            conn.execute(
                web_sessions.insert().values(
                    id_hash=_hash(session_id),
                    username=username,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.lifetime,
                    revoked_at=None,
                )
            )
        return session_id

    def username(self, session_id: str) -> str | None:
        """Whose session this is, while it is open; None once revoked, idle or expired."""
        now = self.clock()
        id_hash = _hash(session_id)
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    web_sessions.c.username,
                    web_sessions.c.last_seen_at,
                    web_sessions.c.expires_at,
                    web_sessions.c.revoked_at,
                ).where(web_sessions.c.id_hash == id_hash)
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        last_seen = as_utc(row.last_seen_at)
        if now >= as_utc(row.expires_at) or now - last_seen >= self.idle:
            return None
        if now - last_seen >= TOUCH_INTERVAL:
            with self._engine.begin() as conn:
                conn.execute(
                    update(web_sessions)
                    .where(web_sessions.c.id_hash == id_hash, web_sessions.c.revoked_at.is_(None))
                    .values(last_seen_at=now)
                )
        return str(row.username)

    def revoke(self, session_id: str) -> bool:
        """End the session now; whether there was an open one to end."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(web_sessions)
                .where(
                    web_sessions.c.id_hash == _hash(session_id), web_sessions.c.revoked_at.is_(None)
                )
                .values(revoked_at=self.clock())
            )
        return result.rowcount > 0
