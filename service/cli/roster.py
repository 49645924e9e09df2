"""`jejak roster import`: a pendataan roster from a CSV file, registered in one transaction.

The file is the office's own list (case number, name, phone); it is read once, every line is
checked before anything is written (the registration rules, the file's own repeats and the case
numbers already registered, each refusal naming its line), and then the whole file is
registered through `ProgrammeApplication.register_roster`, all of it or none (ADR 0029). Nothing
personal is printed: the output counts people and names lines and case numbers only.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import InvalidValue
from domain.site import Site
from service.cli.base import Password, console, err_console, provenance_on, signed_in
from service.cli.options import AsUser, OnDate
from service.commands.beneficiaries import NewBeneficiary

roster_cli = typer.Typer(help="Pendataan rosters: bulk registration.", no_args_is_help=True)

COLUMNS = ("case_number", "name", "phone")


def read_roster(path: Path) -> list[NewBeneficiary]:
    """The rows of a roster CSV (header `case_number,name[,phone]`), UTF-8 with or without BOM,
    each with its line in the file; a file that cannot be read so is refused naming the file
    and the line, never echoing its content."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidValue(
            f"{path.name}: cannot be read ({error.strerror})", field="file"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidValue(
            f"{path.name}, line {line}: not UTF-8 text; save the roster as CSV UTF-8",
            field="file",
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in COLUMNS[:2] if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidValue(
                f"the roster file needs the columns {', '.join(COLUMNS)}; missing "
                f"{', '.join(missing)}",
                field="file",
            )
        rows = [
            NewBeneficiary(
                (row["case_number"] or "").strip(),
                row["name"] or "",
                (row.get("phone") or "").strip() or None,
                line=reader.line_num,
            )
            for row in reader
        ]
    except csv.Error as error:
        # The csv module's messages name the rule broken (a field over its size limit, a NUL
        # byte), not the content.
        line = reader.reader.line_num  # the line being read, where the rule broke
        raise InvalidValue(f"{path.name}, line {line}: {error}", field="file") from None
    if not rows:
        raise InvalidValue(f"{path.name}: the roster has no people after its header", field="file")
    return rows


@roster_cli.command("import")
def import_roster(
    file: Annotated[Path, typer.Argument(help="CSV with case_number,name[,phone].")],
    site_code: Annotated[str, typer.Option("--site", help="The site's code, e.g. TRK-JP.")],
    as_user: AsUser,
    on: OnDate,
    password: Password,
) -> None:
    """Register every person of a pendataan roster at a site, on the pendataan date `--on`:
    the whole file or, when any line is refused, nothing."""
    with signed_in(as_user, password) as (jejak, account):
        allowed = BENEFICIARY_LIFECYCLE.roles_for("register_beneficiary")
        if account.role not in allowed:
            err_console.print(
                f"[red]ROLE_FORBIDDEN[/red]: registering people needs the role "
                f"{' or '.join(r.value for r in allowed)}"
            )
            raise typer.Exit(1)
        rows = read_roster(file)
        results = jejak.app.beneficiaries.register_roster(
            Site.create_id(site_code), rows, provenance=provenance_on(account, on)
        )
        last_position = max((r.position for r in results), default=0)
        console.print(
            f"Registered {len(results)} people at {site_code} (log position {last_position})."
        )
