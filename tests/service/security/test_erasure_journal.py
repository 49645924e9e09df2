"""The erasure journal (ADR 0059): written before the keys are destroyed, ids only, and a
damaged line stops a restore rather than being skipped."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from domain.sealed import KeyPurpose
from service.security.erasure_journal import (
    ErasureJournal,
    JournalUnreadable,
    missing_erasures,
)
from service.security.vault import Vault
from service.store.db import create_store_engine, parse_database_url
from service.store.migrate import upgrade


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_store_engine(parse_database_url(f"sqlite:///{tmp_path}/vault.db"))
    upgrade(engine)
    return engine


class FailingJournal(ErasureJournal):
    """A journal whose disk is full: the erasure must not happen unjournalled."""

    def record(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise OSError(28, "No space left on device")


def test_an_erasure_is_journalled_before_the_key_is_destroyed(
    engine: Engine, tmp_path: Path
) -> None:
    her = uuid4()
    journal = ErasureJournal(tmp_path / "erasures.jsonl")
    vault = Vault(engine, secrets.token_bytes(32), journal=journal)
    vault.ensure_subject_keys(her)

    vault.erase(her, {KeyPurpose.CASEFILE})

    (entry,) = journal.entries()
    assert (entry.subject_id, entry.purposes) == (her, (KeyPurpose.CASEFILE,))
    assert missing_erasures(engine, journal.entries()) == []
    assert oct(journal.path.stat().st_mode & 0o777) == "0o600"

    refusing = Vault(engine, secrets.token_bytes(32), journal=FailingJournal(tmp_path / "x"))
    with pytest.raises(OSError, match="No space"):
        refusing.erase(her, {KeyPurpose.IDENTITY})
    assert not vault.is_erased(her, KeyPurpose.IDENTITY), "no erasure without its journal line"


def test_an_erasure_the_store_lacks_is_found_missing(engine: Engine, tmp_path: Path) -> None:
    journal = ErasureJournal(tmp_path / "erasures.jsonl")
    entry = journal.record(uuid4(), [KeyPurpose.IDENTITY], datetime.now(UTC))
    assert missing_erasures(engine, journal.entries()) == [entry]


def test_a_damaged_line_stops_the_journal_being_read(tmp_path: Path) -> None:
    path = tmp_path / "erasures.jsonl"
    path.write_text('{"format": "jejak-erasure-journal/1", "subject_id": "not a uuid"}\n')
    with pytest.raises(JournalUnreadable, match="line 1"):
        ErasureJournal(path).entries()
