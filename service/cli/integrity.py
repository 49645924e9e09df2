"""`jejak verify`, `checkpoint` and `checkpoints`: the log re-read against its hash chain, and
the signed checkpoints auditors keep a copy of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from domain.access import WRITE_ROLES, Write
from domain.errors import InvalidValue
from service.cli.base import Programme, signed_in_as
from service.cli.options import AsAdministrator
from service.security.checkpoints import CHECKPOINT_FORMAT, Checkpoint
from service.system import Jejak


def verify(
    checkpoints: Annotated[
        Path | None,
        typer.Option(help="Checkpoints an auditor kept (the JSON of `jejak checkpoints`)."),
    ] = None,
) -> None:
    """Re-read the whole log against its hash chain and the signed checkpoints.

    Prints "intact up to position N", or the first position where the log breaks and how;
    exits 1 when it is broken (so a scheduled job can raise the alarm).
    """
    jejak = Jejak.open()
    try:
        held = []
        if checkpoints is not None:
            held = held_checkpoints(checkpoints)
        result = jejak.verify_log(held_by_auditors=held)
        typer.echo(result.summary())
        if not result.intact:
            raise typer.Exit(1)
    finally:
        jejak.close()


def held_checkpoints(
    path: Path, format: str = CHECKPOINT_FORMAT, written_by: str = "jejak checkpoints"
) -> list[Checkpoint]:
    """The checkpoints in a file an auditor kept, which must be of `format`."""
    try:
        data = json.loads(path.read_text())
        return [Checkpoint.from_dict(c, format) for c in data.get("checkpoints", data)]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidValue(
            f"checkpoints: the file is not the JSON `{written_by}` writes",
            field="checkpoints",
        ) from None


def sign_checkpoint(
    as_user: AsAdministrator = None,
) -> None:
    """Bring the chain up to date and sign its head now."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak,
            as_user,
            WRITE_ROLES[Write.SIGN_CHECKPOINT],
            "sign a checkpoint",
            Programme.WRITE,
        )
        jejak.runner.catch_up()
        signed = jejak.checkpoints.sign_head()
        jejak.access_log.record(
            account.username,
            account.role,
            "sign_checkpoint",
            detail=f"position {signed.position}" if signed else "empty log",
        )
        typer.echo(json.dumps(signed.as_dict() if signed else None, indent=2))
    finally:
        jejak.close()


def list_checkpoints(
    out: Annotated[Path | None, typer.Option(help="Write the JSON here instead.")] = None,
) -> None:
    """Every signed checkpoint with the public key, as JSON: the copy auditors keep."""
    jejak = Jejak.open()
    try:
        write_checkpoints(jejak.checkpoints.document(), out)
    finally:
        jejak.close()


def write_checkpoints(document: dict[str, Any], out: Path | None) -> None:
    """Checkpoints with their key as JSON, on standard output or into `out`."""
    text = json.dumps(document, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n")
        typer.echo(f"Wrote {len(document['checkpoints'])} checkpoints to {out}.")
