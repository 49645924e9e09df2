"""`jejak roster import`: a pendataan roster from a CSV file, registered in bulk.

The file is the office's own list (case number, name, phone); it is read once, every row is
checked before anything is written, and then the rows are registered in rosters of `--chunk`
people through `ProgrammeApplication.register_rosters` (ADR 0025), each roster all of it or
none. Nothing personal is printed: the output counts people and names case numbers only.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import TimeRemainingColumn

from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.errors import InvalidValue
from domain.site import Site
from service.application import AlreadyRegistered, CommandResult, NewBeneficiary
from service.cli_base import progress_bar
from service.money_cli import AsUser, OnDate, Password, _provenance, signed_in

roster_cli = typer.Typer(help="Pendataan rosters: bulk registration.", no_args_is_help=True)
console = Console()

COLUMNS = ("case_number", "name", "phone")


def read_roster(path: Path) -> list[NewBeneficiary]:
    """The rows of a roster CSV (header `case_number,name[,phone]`), UTF-8 with or without BOM."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS[:2] if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidValue(
                f"the roster file needs the columns {', '.join(COLUMNS)}; missing "
                f"{', '.join(missing)}",
                field="file",
            )
        return [
            NewBeneficiary(
                (row["case_number"] or "").strip(),
                row["name"] or "",
                (row.get("phone") or "").strip() or None,
            )
            for row in reader
        ]


def check_roster(site: Site, rows: Sequence[NewBeneficiary]) -> None:
    """Every row's registration rules and the file's own duplicates, before anything is written;
    the error names the line (the header is line 1)."""
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        try:
            Beneficiary.check_registration(site=site, case_number=row.case_number, name=row.name)
        except InvalidValue as error:
            raise InvalidValue(f"line {line}: {error.message}", field=error.field) from None
        if row.case_number in seen:
            raise AlreadyRegistered(
                f"line {line}: case number {row.case_number} is also on line "
                f"{seen[row.case_number]}",
                field="case_number",
            )
        seen[row.case_number] = line


@roster_cli.command("import")
def import_roster(
    file: Annotated[Path, typer.Argument(help="CSV with case_number,name[,phone].")],
    site_code: Annotated[str, typer.Option("--site", help="The site's code, e.g. TRK-JP.")],
    as_user: AsUser,
    on: OnDate,
    password: Password,
    chunk: Annotated[
        int, typer.Option(min=1, max=5000, help="People per transaction (all or none each).")
    ] = 500,
) -> None:
    """Register every person of a pendataan roster at a site, on the pendataan date `--on`."""
    with signed_in(as_user, password) as (jejak, account):
        allowed = BENEFICIARY_LIFECYCLE.roles_for("register_beneficiary")
        if account.role not in allowed:
            console.print(
                f"[red]ROLE_FORBIDDEN[/red]: registering people needs the role "
                f"{' or '.join(r.value for r in allowed)}"
            )
            raise typer.Exit(1)
        rows = read_roster(file)
        site_id = Site.create_id(site_code)
        check_roster(jejak.app.site(site_id), rows)
        provenance = _provenance(account, on)
        rosters = [(site_id, rows[i : i + chunk]) for i in range(0, len(rows), chunk)]
        registered = 0
        last_position = 0
        with progress_bar(TimeRemainingColumn()) as progress:
            task = progress.add_task(f"Registering at {site_code}", total=len(rows))

            def committed(results: list[CommandResult]) -> None:
                nonlocal registered, last_position
                registered += len(results)
                last_position = max((r.position for r in results), default=last_position)
                progress.update(task, completed=registered)

            try:
                jejak.app.register_rosters(rosters, provenance=provenance, on_registered=committed)
            except AlreadyRegistered as error:
                console.print(
                    f"[red]{error.code}[/red]: {error.message}. The file's first {registered} "
                    "rows were registered, none after them.",
                    soft_wrap=True,
                )
                raise typer.Exit(1) from None
        console.print(
            f"Registered {registered} people at {site_code} (log position {last_position})."
        )
