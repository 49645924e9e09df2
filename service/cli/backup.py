"""`jejak backup` and `jejak restore`: copies of the store that never bring an erased person
back (ADR 0059).

Neither asks for an account: whoever runs them already holds the database and the master key,
which no account of Jejak's protects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.security.erasure_journal import ErasureJournal
from service.settings import Settings
from service.store.backup import check_retention, prune, reapply, restore, take_backup
from service.system import Jejak


def backup(
    destination: Annotated[
        Path, typer.Argument(help="Folder for the backups; never the key file's folder.")
    ],
    prune_old: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also delete the backups there older than JEJAK_BACKUP_RETENTION_DAYS.",
        ),
    ] = False,
) -> None:
    """Copy the database (SQLite backup API, or pg_dump) with a manifest beside it.

    The master key and the erasure journal are never in a backup; keep the backups on storage
    where neither is, for fewer days than the erasure deadline.
    """
    settings = Settings()
    check_retention(settings)
    jejak = Jejak.open(settings)
    try:
        manifest = take_backup(jejak, destination)
    finally:
        jejak.close()
    typer.echo(
        f"Backup {destination / manifest.file}: {manifest.store_kind}, log position "
        f"{manifest.position}, taken {manifest.taken_at.isoformat()}, sha256 {manifest.sha256}."
    )
    if prune_old:
        gone = prune(settings, destination)
        typer.echo(
            f"Deleted {len(gone)} backup(s) older than {settings.backup_retention_days} days."
        )


def restore_command(
    backup_file: Annotated[
        Path | None,
        typer.Argument(help="The backup (or its .manifest.json) `jejak backup` wrote."),
    ] = None,
    reapply_only: Annotated[
        bool,
        typer.Option(
            "--reapply",
            help="Restore nothing: only make again the erasures the journal holds (after a "
            "backup was put back by other means).",
        ),
    ] = False,
) -> None:
    """Put a backup back in place of the store, then erase again everyone the erasure journal
    says was erased, and print what was made again. The store will not start until then."""
    settings = Settings()
    journal = ErasureJournal(settings.erasure_journal_path())
    if reapply_only:
        entries = reapply(settings, journal.entries())
        typer.echo(f"Re-applied {len(entries)} erasure(s) from {journal.path}.")
        return
    if backup_file is None:
        raise typer.BadParameter("name the backup to restore, or give --reapply")
    restored = restore(settings, backup_file)
    typer.echo(
        f"Restored {restored.manifest.file} (taken {restored.manifest.taken_at.isoformat()}, "
        f"log position {restored.manifest.position})."
    )
    typer.echo(
        f"Re-applied {len(restored.reapplied)} erasure(s) from {journal.path}; "
        f"{len(restored.after_backup)} were recorded after the backup was taken:"
    )
    for entry in restored.after_backup:
        purposes = ", ".join(p.value for p in entry.purposes)
        typer.echo(f"  {entry.subject_id} {purposes} erased {entry.erased_at.isoformat()}")
