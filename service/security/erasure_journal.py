"""The erasure journal: every key destruction, kept outside the database and its backups.

A backup holds the data keys that existed when it was taken. Restoring it would bring back
every person erased since, unless the erasures are made again. The journal is what they are
made again from (ADR 0059): `Vault.erase` appends a line before it destroys the keys, and a
restore (or a start on a store that lacks some journalled erasure) re-applies them.

A line is JSON with the subject id, the key purposes and when: ids only, never personal data,
so the journal may be kept where the database may not. It must live on storage that is not
restored from the database's backups, or the restore would roll the journal back with it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from sqlalchemy import Engine, select

from domain.sealed import KeyPurpose
from service.store.schema import vault_restrictions, vault_subject_keys

JOURNAL_FORMAT = "jejak-erasure-journal/1"


@dataclass(frozen=True)
class JournalledErasure:
    """One destruction of a subject's keys, as the journal keeps it."""

    subject_id: UUID
    purposes: tuple[KeyPurpose, ...]
    erased_at: datetime
    # Her data restricted with it (an erasure carried out, or a restriction she asked for):
    # a restore that made the erasure again without the restriction would show her data to
    # the programme team again.
    restrict: bool = False

    def as_line(self) -> str:
        """The journal line: compact JSON, one line."""
        line: dict[str, object] = {
            "format": JOURNAL_FORMAT,
            "subject_id": str(self.subject_id),
            "purposes": [p.value for p in self.purposes],
            "erased_at": self.erased_at.astimezone(UTC).isoformat(),
        }
        if self.restrict:
            line["restrict"] = True
        return json.dumps(line, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> JournalledErasure:
        """Read a journal line (raises ValueError when it is not one)."""
        data = json.loads(line)
        if data.get("format") != JOURNAL_FORMAT:
            raise ValueError("not a line of the erasure journal")
        erased_at = datetime.fromisoformat(data["erased_at"])
        if erased_at.tzinfo is None:
            raise ValueError("an erasure's time must carry its offset")
        restrict = data.get("restrict", False)
        if not isinstance(restrict, bool):
            raise ValueError("an erasure's restriction is true or false")
        return cls(
            UUID(data["subject_id"]),
            tuple(KeyPurpose(p) for p in data["purposes"]),
            erased_at,
            restrict,
        )


class JournalUnreadable(Exception):
    """Raised when a line of the journal is not an erasure: it was edited or damaged, and a
    restore that skipped it could bring a person back."""

    code = "ERASURE_JOURNAL_UNREADABLE"


class ErasureJournal:
    """Append-only lines, each flushed to disk (fsync) before the erasure it records is made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(
        self,
        subject_id: UUID,
        purposes: Sequence[KeyPurpose],
        erased_at: datetime,
        *,
        restrict: bool = False,
    ) -> JournalledErasure:
        """Append one erasure (or restriction) and make it durable; the caller then destroys
        the keys and restricts."""
        entry = JournalledErasure(subject_id, tuple(purposes), erased_at, restrict)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, (entry.as_line() + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        return entry

    def entries(self) -> list[JournalledErasure]:
        """Every erasure recorded, oldest first; none when the journal does not exist yet."""
        if not self.path.exists():
            return []
        entries = []
        for number, line in enumerate(self.path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entries.append(JournalledErasure.from_line(line))
            except (ValueError, KeyError, TypeError) as error:
                raise JournalUnreadable(
                    f"line {number} of the erasure journal {self.path} is not an erasure"
                ) from error
        return entries

    def since(self, moment: datetime) -> list[JournalledErasure]:
        """The erasures recorded after `moment` (those a backup taken then does not have)."""
        return [e for e in self.entries() if e.erased_at > moment]


def missing_erasures(
    engine: Engine, entries: Iterable[JournalledErasure]
) -> list[JournalledErasure]:
    """The journalled erasures the store has not made: a key of theirs is not a tombstone,
    or a restriction of theirs is not in force.

    A subject the store never had keys for counts as missing too: erasing inserts a tombstone
    even then, so a store that made the erasure always has it.
    """
    wanted = list(entries)
    if not wanted:
        return []
    with engine.connect() as conn:
        erased = {
            (subject, purpose)
            for subject, purpose in conn.execute(
                select(vault_subject_keys.c.subject_id, vault_subject_keys.c.purpose).where(
                    vault_subject_keys.c.erased_at.is_not(None)
                )
            )
        }
        restricted = set(conn.scalars(select(vault_restrictions.c.subject_id)))
    return [
        e
        for e in wanted
        if any((str(e.subject_id), p.value) not in erased for p in e.purposes)
        or (e.restrict and str(e.subject_id) not in restricted)
    ]


class ErasuresNotReapplied(Exception):
    """Raised when the store lacks erasures its journal records, as after restoring a backup
    by hand: serving it would show people who were erased. `jejak restore --reapply` (or a
    restore through `jejak restore`) makes them again."""

    code = "ERASURES_NOT_REAPPLIED"

    def __init__(self, missing: Sequence[JournalledErasure], journal: Path) -> None:
        self.missing = len(missing)
        super().__init__(
            f"the store lacks {len(missing)} erasure(s) recorded in the erasure journal "
            f"{journal}; it may have been restored from a backup. Run `jejak restore "
            "--reapply` to make them again before serving it (ADR 0059)"
        )
