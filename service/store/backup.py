"""Backups of the store, and restores that make every later erasure again (ADR 0059).

A backup is the database alone, copied by the database's own tools: SQLite's online backup API
(a consistent copy whatever the WAL holds) or PostgreSQL's `pg_dump -Fc`, restored with
`pg_restore`. Beside it a manifest says when it was taken, of which kind of store, up to which
position of the event log, and the file's SHA-256.

Two things are never in a backup. The master key: a backup kept with its key would keep every
erased person readable for as long as the backup lives, so a destination beside the key file is
refused. And the erasure journal (`service/security/erasure_journal.py`): a restore reads it to
erase again everyone erased after the backup was taken, and it must not be rolled back with the
database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import func, select

from projections.event_chain import event_chain
from service.security.erasure_journal import ErasureJournal, JournalledErasure
from service.security.vault import Vault
from service.settings import Settings
from service.store.db import StoreConfig, create_store_engine, parse_database_url
from service.store.migrate import upgrade

if TYPE_CHECKING:
    # The command line opens the system and hands it in: the store room does not build it.
    from service.system import Jejak

MANIFEST_FORMAT = "jejak-backup/1"
MANIFEST_SUFFIX = ".manifest.json"
HASH_CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """Raised when a backup or restore would break a rule of ADR 0059; says which."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Manifest:
    """What a backup is: when it was taken, of which store, up to where, and its hash."""

    file: str
    taken_at: datetime
    store_kind: str
    position: int
    chain_position: int | None
    chain_link_hash: str | None
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        """The manifest as its JSON file holds it."""
        return {
            "format": MANIFEST_FORMAT,
            "file": self.file,
            "taken_at": self.taken_at.isoformat(),
            "store_kind": self.store_kind,
            "position": self.position,
            "chain_head": {"position": self.chain_position, "link_hash": self.chain_link_hash},
            "sha256": self.sha256,
        }

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read a manifest file (the backup file's own path finds its manifest beside it)."""
        if not path.name.endswith(MANIFEST_SUFFIX):
            path = path.with_name(path.name + MANIFEST_SUFFIX)
        try:
            data = json.loads(path.read_text())
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(data.get("format"))
            taken_at = datetime.fromisoformat(data["taken_at"])
            if taken_at.tzinfo is None:
                raise ValueError("taken_at without its offset")
            head = data.get("chain_head") or {}
            return cls(
                file=data["file"],
                taken_at=taken_at,
                store_kind=data["store_kind"],
                position=int(data["position"]),
                chain_position=head.get("position"),
                chain_link_hash=head.get("link_hash"),
                sha256=data["sha256"],
            )
        except FileNotFoundError:
            raise BackupRefused(
                "BACKUP_MANIFEST_MISSING", f"no backup manifest at {path}"
            ) from None
        except (ValueError, KeyError, TypeError) as error:
            raise BackupRefused(
                "BACKUP_MANIFEST_INVALID", f"{path} is not a manifest `jejak backup` wrote"
            ) from error

    def path_in(self, folder: Path) -> Path:
        """Where this manifest's file is, beside the manifest in `folder`."""
        return folder / self.file


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup it restored and the erasures it made again."""

    manifest: Manifest
    reapplied: list[JournalledErasure]
    after_backup: list[JournalledErasure]


def check_retention(settings: Settings) -> None:
    """Refuse a backup retention as long as the erasure deadline (the settings already refuse
    it when read; this names the rule again where backups are made)."""
    if settings.backup_retention_days >= settings.erasure_deadline_days:
        raise BackupRefused(
            "BACKUP_RETENTION_TOO_LONG",
            "backups must be kept for fewer days than the erasure deadline",
        )


def check_destination(settings: Settings, destination: Path) -> None:
    """Refuse a destination that holds the master key file or the erasure journal, or lies
    inside the key file's folder: a backup copied on with its key defeats crypto-shredding,
    and a journal restored with the database forgets the erasures it was to make again."""
    target = destination.resolve()
    guarded = {
        settings.key_file.resolve().parent: "the master key file",
        settings.erasure_journal_path().resolve().parent: "the erasure journal",
    }
    for folder, what in guarded.items():
        if target == folder or folder in target.parents:
            raise BackupRefused(
                "BACKUP_BESIDE_KEY",
                f"{destination} is in the folder of {what}; keep backups elsewhere (ADR 0059)",
            )


def take_backup(jejak: Jejak, destination: Path, *, now: datetime | None = None) -> Manifest:
    """Copy the store into `destination` with its manifest; returns the manifest."""
    settings = jejak.settings
    check_retention(settings)
    check_destination(settings, destination)
    destination.mkdir(parents=True, exist_ok=True)
    # Taken before the copy starts: an erasure made during the copy may be missing from
    # it, and counts as after the backup, so a restore makes it again.
    taken_at = now or datetime.now(UTC)
    position = jejak.app.position()
    with jejak.engine.connect() as conn:
        head = conn.execute(
            select(event_chain.c.position, event_chain.c.link_hash).where(
                event_chain.c.position == select(func.max(event_chain.c.position)).scalar_subquery()
            )
        ).first()
    stamp = taken_at.strftime("%Y%m%dT%H%M%S%fZ")
    if jejak.store.is_postgres:
        target = destination / f"jejak-{stamp}.dump"
        _pg_dump(jejak.store, target)
    else:
        target = destination / f"jejak-{stamp}.db"
        _sqlite_copy(_sqlite_path(jejak.store), target)
    manifest = Manifest(
        file=target.name,
        taken_at=taken_at,
        store_kind=jejak.store.kind,
        position=position,
        chain_position=head[0] if head else None,
        chain_link_hash=head[1] if head else None,
        sha256=_sha256(target),
    )
    manifest_path = target.with_name(target.name + MANIFEST_SUFFIX)
    manifest_path.write_text(json.dumps(manifest.as_dict(), indent=2) + "\n")
    return manifest


def prune(settings: Settings, destination: Path, *, now: datetime | None = None) -> list[Path]:
    """Delete the backups in `destination` older than the retention; returns the files gone."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.backup_retention_days)
    gone: list[Path] = []
    for manifest_path in sorted(destination.glob(f"*{MANIFEST_SUFFIX}")):
        manifest = Manifest.read(manifest_path)
        if manifest.taken_at >= cutoff:
            continue
        backup = manifest.path_in(destination)
        backup.unlink(missing_ok=True)
        manifest_path.unlink()
        gone.append(backup)
    return gone


def restore(settings: Settings, manifest_path: Path) -> Restored:
    """Put the backup back in place of the store, then erase again everyone the journal says
    was erased; the store does not start (`Jejak.start`) until the second step is done."""
    manifest = Manifest.read(manifest_path)
    folder = (
        manifest_path.parent
        if manifest_path.name.endswith(MANIFEST_SUFFIX)
        else manifest_path.resolve().parent
    )
    backup = manifest.path_in(folder)
    if not backup.exists():
        raise BackupRefused("BACKUP_FILE_MISSING", f"the backup file {backup} is missing")
    if _sha256(backup) != manifest.sha256:
        raise BackupRefused(
            "BACKUP_HASH_MISMATCH", f"{backup} does not match its manifest's SHA-256"
        )
    store = parse_database_url(settings.database_url)
    if store.kind != manifest.store_kind:
        raise BackupRefused(
            "BACKUP_OTHER_STORE_KIND",
            f"a {manifest.store_kind} backup cannot be restored into a {store.kind} store",
        )
    if store.is_postgres:
        _pg_restore(store, backup)
    else:
        _sqlite_copy(backup, _sqlite_path(store))
    journal = ErasureJournal(settings.erasure_journal_path())
    entries = journal.entries()
    reapplied = reapply(settings, entries)
    return Restored(manifest, reapplied, [e for e in entries if e.erased_at > manifest.taken_at])


def reapply(settings: Settings, entries: list[JournalledErasure]) -> list[JournalledErasure]:
    """Make every journalled erasure again, without journalling it twice (idempotent)."""
    store = parse_database_url(settings.database_url)
    engine = create_store_engine(store)
    try:
        # A backup from before a migration is brought up to date first, as a start would.
        upgrade(engine)
        vault = Vault(engine, settings.master_key_bytes)
        for entry in entries:
            if entry.purposes:
                vault.erase(entry.subject_id, entry.purposes, restrict=entry.restrict)
            elif entry.restrict:
                vault.restrict(entry.subject_id)
    finally:
        engine.dispose()
    return entries


def _sqlite_path(store: StoreConfig) -> Path:
    assert store.sqlite_path is not None
    return store.sqlite_path


def _sqlite_copy(source: Path, target: Path) -> None:
    # SQLite's own backup: page by page under its locks, consistent whatever the WAL holds, and
    # written through the target's connection so its WAL and readers stay coherent.
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _pg_environment(store: StoreConfig) -> dict[str, str]:
    # The password travels in the environment, never on a command line others can list.
    return {
        **os.environ,
        "PGHOST": store.host,
        "PGPORT": str(store.port),
        "PGUSER": store.user,
        "PGPASSWORD": store.password,
        "PGDATABASE": store.dbname,
    }


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(
            "PG_TOOL_MISSING", f"{name} is not installed (the PostgreSQL client tools)"
        )
    return found


def _pg_dump(store: StoreConfig, target: Path) -> None:
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            f"--schema={store.schema}",
            "--no-owner",
            f"--file={target}",
        ],
        store,
    )


def _pg_restore(store: StoreConfig, backup: Path) -> None:
    # The schema is dropped whole first: a restore must not leave rows the backup lacks, such
    # as keys created after it. The dump recreates it, `public` included (a dump of one schema
    # creates it), owned by the user that restores it (`--no-owner`).
    with psycopg.connect(
        host=store.host,
        port=store.port,
        user=store.user,
        password=store.password,
        dbname=store.dbname,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')
    _run(
        [
            _pg_tool("pg_restore"),
            "--exit-on-error",
            "--no-owner",
            "--single-transaction",
            f"--dbname={store.dbname}",
            str(backup),
        ],
        store,
    )


def _run(command: list[str], store: StoreConfig) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tools, arguments built here
        command, env=_pg_environment(store), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupRefused("PG_TOOL_FAILED", f"{Path(command[0]).name}: {reason}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
