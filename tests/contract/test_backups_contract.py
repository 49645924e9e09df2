"""Backups do not bring an erased person back (ADR 0059), on SQLite and PostgreSQL: a restore
makes again every erasure the journal recorded after the backup was taken, and leaves the rest
of the store as it was."""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from pydantic import ValidationError

from domain.sealed import KeyPurpose
from service.security.erasure_journal import ErasureJournal, ErasuresNotReapplied
from service.settings import Settings
from service.store.backup import (
    BackupRefused,
    Manifest,
    prune,
    reapply,
    restore,
    take_backup,
)
from service.system import Jejak
from tests.conftest import settings_for
from tests.contract.journey import ACCOUNT, NAME, run_journey


def test_a_restore_erases_again_everyone_erased_after_the_backup(
    jejak: Jejak, tmp_path_factory: pytest.TempPathFactory
) -> None:
    journey = run_journey(jejak.app)
    her = journey.beneficiary_id
    other = journey.others[0]
    jejak.runner.catch_up()
    registered = jejak.app.history(her)[0]
    other_name = jejak.app.history(other)[0].name
    assert jejak.vault.open(other_name) == "Contoh Dua"
    before = jejak.verify_log()
    assert before.intact
    folder = tmp_path_factory.mktemp("backups")
    manifest = take_backup(jejak, folder)
    assert manifest.position == jejak.app.position() > 0
    assert manifest.store_kind == jejak.store.kind
    assert manifest.chain_position == jejak.app.position()

    # Her erasure carried out (restricting her identity minimum), the other's identity gone.
    jejak.vault.erase(her, {KeyPurpose.CASEFILE}, restrict=True)
    jejak.vault.erase(other, {KeyPurpose.IDENTITY})
    journal = ErasureJournal(jejak.settings.erasure_journal_path())
    assert [(e.subject_id, e.purposes) for e in journal.entries()] == [
        (her, (KeyPurpose.CASEFILE,)),
        (other, (KeyPurpose.IDENTITY,)),
    ]
    line = journal.path.read_text()
    assert NAME not in line and "Contoh" not in line, "the journal holds ids only"
    settings = jejak.settings
    jejak.close()

    restored = restore(settings, folder / (manifest.file + ".manifest.json"))
    assert len(restored.after_backup) == 2
    assert len(restored.reapplied) == 2

    back = Jejak.start(settings)
    try:
        assert back.vault.is_erased(her, KeyPurpose.CASEFILE)
        assert back.vault.is_restricted(her), "her restriction comes back with the erasure"
        assert not back.vault.is_restricted(other)
        assert back.vault.open(registered.phone) is None
        assert back.vault.open(registered.name) == NAME, "the identity minimum stays"
        assert back.vault.is_erased(other, KeyPurpose.IDENTITY)
        assert back.vault.open(other_name) is None
        (account,) = [e for e in back.app.history(her) if type(e).__name__ == "BankAccountRecorded"]
        assert back.vault.open(account.account) == ACCOUNT
        after = back.verify_log()
        assert after.intact
        assert after.summary() == before.summary()
        assert back.app.position() == manifest.position
        # Re-applying again changes nothing and journals nothing twice.
        assert len(reapply(settings, journal.entries())) == 2
        assert len(journal.entries()) == 2
    finally:
        back.close()


def test_a_store_put_back_by_hand_does_not_start_until_the_erasures_are_made_again(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path}/jejak.db", tmp_path)
    jejak = Jejak.start(settings)
    her = uuid4()
    jejak.vault.ensure_subject_keys(her)
    folder = tmp_path_factory.mktemp("backups")
    manifest = take_backup(jejak, folder)
    jejak.vault.erase(her, {KeyPurpose.CASEFILE, KeyPurpose.IDENTITY})
    jejak.close()
    # Put back with the tools, not `jejak restore`.
    with (
        sqlite3.connect(folder / manifest.file) as source,
        sqlite3.connect(tmp_path / "jejak.db") as target,
    ):
        source.backup(target)
    source.close()
    target.close()

    with pytest.raises(ErasuresNotReapplied) as refused:
        Jejak.start(settings)
    assert refused.value.missing == 1

    reapply(settings, ErasureJournal(settings.erasure_journal_path()).entries())
    back = Jejak.start(settings)
    try:
        assert back.vault.is_erased(her, KeyPurpose.IDENTITY)
    finally:
        back.close()


def test_backups_are_kept_for_less_than_the_erasure_deadline(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="BACKUP_RETENTION_DAYS"):
        settings_for(
            f"sqlite:///{tmp_path}/j.db",
            tmp_path,
            backup_retention_days=30,
            erasure_deadline_days=30,
        )


def test_a_backup_beside_the_master_key_is_refused(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path}/jejak.db", tmp_path)
    jejak = Jejak.start(settings)
    try:
        for place in (tmp_path, tmp_path / "backups"):
            with pytest.raises(BackupRefused) as refused:
                take_backup(jejak, place)
            assert refused.value.code == "BACKUP_BESIDE_KEY"
    finally:
        jejak.close()


def backups_of(settings: Settings, folder: Path, *taken: datetime) -> list[Manifest]:
    """Backups of the store taken into `folder`, dated `taken` (one now without dates)."""
    jejak = Jejak.start(settings)
    try:
        return [take_backup(jejak, folder, now=at) for at in taken or (None,)]
    finally:
        jejak.close()


def test_prune_deletes_the_backups_older_than_the_retention(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path}/jejak.db", tmp_path)
    folder = tmp_path_factory.mktemp("backups")
    now = datetime.now(UTC)
    old, new = backups_of(settings, folder, now - timedelta(days=15), now - timedelta(days=13))
    gone = prune(settings, folder, now=now)
    assert [p.name for p in gone] == [old.file]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [new.file, new.file + ".manifest.json"]
    )


def test_a_backup_whose_file_changed_is_not_restored(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path}/jejak.db", tmp_path)
    folder = tmp_path_factory.mktemp("backups")
    (manifest,) = backups_of(settings, folder)
    manifest_path = folder / (manifest.file + ".manifest.json")
    data = json.loads(manifest_path.read_text())
    data["sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(BackupRefused) as refused:
        restore(settings, folder / manifest.file)
    assert refused.value.code == "BACKUP_HASH_MISMATCH"
    shutil.rmtree(folder)


@pytest.mark.postgres
def test_a_store_in_the_public_schema_of_its_own_database_is_restored(
    postgres_server: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        url = postgres_server.rsplit("/", 1)[0] + f"/{database}"
        settings = settings_for(url, tmp_path)
        jejak = Jejak.start(settings)
        her = uuid4()
        try:
            jejak.vault.ensure_subject_keys(her)
            folder = tmp_path_factory.mktemp("backups")
            manifest = take_backup(jejak, folder)
            jejak.vault.erase(her, {KeyPurpose.IDENTITY})
        finally:
            jejak.close()
        restored = restore(settings, folder / manifest.file)
        assert [e.subject_id for e in restored.after_backup] == [her]
        back = Jejak.start(settings)
        try:
            assert back.vault.is_erased(her, KeyPurpose.IDENTITY)
            assert back.verify_log().intact
        finally:
            back.close()
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
