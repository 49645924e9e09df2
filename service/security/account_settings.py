"""What an account chose for itself: the language of its pages, kept on the server so that the
choice follows the person to any browser they log in from, not the browser they made it in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from service.store.schema import account_settings


class AccountSettings:
    """Reads and keeps each account's chosen language."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._engine = engine
        self._clock = clock

    def language(self, username: str) -> str | None:
        """The language the account chose, or None if it never chose one."""
        with self._engine.connect() as conn:
            chosen = conn.execute(
                select(account_settings.c.language).where(account_settings.c.username == username)
            ).scalar_one_or_none()
        return None if chosen is None else str(chosen)

    def choose_language(self, username: str, language: str) -> None:
        """Keep `language` as the account's own."""
        now = self._clock()
        with self._engine.begin() as conn:
            # One upsert, so two browsers choosing at once cannot trip over each other's row.
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            conn.execute(
                insert(account_settings)
                .values(username=username, language=language, changed_at=now)
                .on_conflict_do_update(
                    index_elements=[account_settings.c.username],
                    set_={"language": language, "changed_at": now},
                )
            )
