"""The erasure journal (ADR 0059): written before the keys are destroyed, ids only, and a
damaged line stops a restore rather than being skipped."""

from __future__ import annotations

import json
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


def test_a_restriction_is_journalled_and_found_missing_until_made_again(
    engine: Engine, tmp_path: Path
) -> None:
    erased, asked = uuid4(), uuid4()
    journal = ErasureJournal(tmp_path / "erasures.jsonl")
    vault = Vault(engine, secrets.token_bytes(32), journal=journal)
    vault.ensure_subject_keys(erased)

    vault.erase(erased, {KeyPurpose.CASEFILE}, restrict=True)
    vault.restrict(asked)

    entries = journal.entries()
    assert [(e.subject_id, e.purposes, e.restrict) for e in entries] == [
        (erased, (KeyPurpose.CASEFILE,), True),
        (asked, (), True),
    ]
    assert missing_erasures(engine, entries) == []
    # A store put back from before both: the key is there again, and neither is restricted.
    fresh = create_store_engine(parse_database_url(f"sqlite:///{tmp_path}/restored.db"))
    upgrade(fresh)
    assert missing_erasures(fresh, entries) == entries
    again = Vault(fresh, secrets.token_bytes(32))
    again.erase(erased, {KeyPurpose.CASEFILE})
    assert missing_erasures(fresh, entries) == entries, "the key alone does not restrict her"
    again.erase(erased, {KeyPurpose.CASEFILE}, restrict=True)
    again.restrict(asked)
    assert missing_erasures(fresh, entries) == []
    assert again.restricted_subjects() == {erased, asked}


def test_an_old_line_without_a_restriction_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "erasures.jsonl"
    her = uuid4()
    line = {
        "format": "jejak-erasure-journal/1",
        "subject_id": str(her),
        "purposes": ["casefile"],
        "erased_at": "2026-12-01T01:00:00+00:00",
    }
    path.write_text(json.dumps(line) + "\n")
    (entry,) = ErasureJournal(path).entries()
    assert (entry.subject_id, entry.restrict) == (her, False)
