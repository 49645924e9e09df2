"""`jejak documents`: files stored encrypted and named by their content (SHA-256), the
reference events carry."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

import typer

from domain.access import WRITE_ROLES, Write
from domain.recording import Actor
from service.cli.base import signed_in_as
from service.files.documents import DocumentKind
from service.system import Jejak

documents_cli = typer.Typer(help="Store documents by content (SHA-256).", no_args_is_help=True)


@documents_cli.command("add")
def documents_add(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kind: Annotated[DocumentKind, typer.Option()],
    media_type: Annotated[
        str | None, typer.Option(help="Default: guessed from the file name.")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username; the upload is yours.")
    ] = None,
) -> None:
    """Store a file (encrypted) and print its SHA-256, the reference events carry."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak, as_user, WRITE_ROLES[Write.UPLOAD_DOCUMENT], "upload documents"
        )
        stored = jejak.documents.put(
            file.read_bytes(),
            media_type=media_type or mimetypes.guess_type(file.name)[0],
            filename=file.name,
            kind=kind,
            uploaded_by=Actor(account.username, account.role, account.org_unit),
        )
        typer.echo(stored.sha256)
    finally:
        jejak.close()


@documents_cli.command("list")
def documents_list(
    kind: Annotated[DocumentKind | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List stored documents, newest first (no filenames: they may name people)."""
    jejak = Jejak.open()
    try:
        page = jejak.documents.list(kind, limit=limit)
        # Plain lines, never a table: a narrow terminal must not cut a hash short.
        for d in page.items:
            typer.echo(
                f"{d.sha256}  {d.kind.value:<16} {d.size:>10}  {d.media_type:<24} "
                f"{d.uploaded_at:%Y-%m-%d %H:%M}  {d.uploaded_by.user_id}"
            )
        typer.echo(f"{len(page.items)} of {page.total} documents.")
    finally:
        jejak.close()
