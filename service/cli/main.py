"""The `jejak` command line: serve, demo, project, users, documents, status, rebuild, and the
sub-commands of money, register, audit and reports."""

from __future__ import annotations

import json
import mimetypes
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    Progress,
    ProgressColumn,
    Task,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from domain.access import WRITE_ROLES, Write, clear_reason_of, may_ask_in_clear
from domain.beneficiary import Beneficiary
from domain.errors import InvalidValue
from domain.recording import Actor, Role
from domain.restatement import Restatement
from domain.site import Site
from projections.side_by_side import ChainDiverged, TableDiff, refuse_a_changed_chain
from service.cli.audit_checks import audit_cli
from service.cli.audit_register import register_cli
from service.cli.base import (
    CommandGroup,
    Password,
    err_console,
    iso_date_text,
    new_password,
    password_from_settings_or_prompt,
    progress_bar,
)
from service.cli.corrections import correct_cli, history
from service.cli.money import money_cli, signed_in
from service.cli.options import AsAt, KnownAt, Today, cut_of
from service.cli.reports import reports_cli
from service.cli.restatements import SETTING_CAUSE, print_setting_causes, restatements_command
from service.cli.roster import roster_cli
from service.files.documents import DocumentKind
from service.files.evidence.bundle import Scope
from service.files.evidence.export import export_bundle
from service.queries.money import money_report_at
from service.queries.time_travel import read_model_page
from service.security.accounts import Account
from service.security.checkpoints import Checkpoint
from service.settings import Settings
from service.store.db import parse_database_url, store_exists
from service.system import Jejak, where

cli = typer.Typer(
    help="Jejak: event-sourced workflow and audit ledger.", no_args_is_help=True, cls=CommandGroup
)
users_cli = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
documents_cli = typer.Typer(help="Store documents by content (SHA-256).", no_args_is_help=True)
cli.add_typer(documents_cli, name="documents")
cli.add_typer(money_cli, name="money")
cli.add_typer(correct_cli, name="correct")
cli.command("history")(history)
cli.add_typer(register_cli, name="register")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(roster_cli, name="roster")
cli.add_typer(reports_cli, name="reports")
cli.command("restatements")(restatements_command)
console = Console()


def _load_demo(jejak: Jejak) -> None:
    from service.demo.kaltara import demo_command_count, demo_loaded, ensure_demo_users, load_demo

    users = ensure_demo_users(jejak.accounts)
    if demo_loaded(jejak.app):
        console.print("The Kaltara demo is already loaded.")
    else:
        with progress_bar() as progress:
            task = progress.add_task("Loading the Kaltara demo", total=demo_command_count())
            report = load_demo(jejak.app, lambda n: progress.advance(task, n))
            progress.update(task, total=report.commands, completed=report.commands)
        console.print(
            f"Loaded {report.sites} sites, {report.beneficiaries} people "
            f"(synthetic), {report.commands} commands."
        )
    _catch_up(jejak)
    # Plain lines, never a table: a narrow terminal must not cut a password short.
    console.print("Demo accounts (change these passwords outside a demo):")
    for u in users:
        console.print(
            f"  {u.role.value:<10} {u.username:<18} password: {u.password}",
            soft_wrap=True,
            highlight=False,
        )


def _catch_up(jejak: Jejak) -> None:
    behind = jejak.app.position() - jejak.runner.position()
    if behind <= 0:
        return
    with progress_bar() as progress:
        task = progress.add_task("Updating read models", total=behind)
        jejak.runner.catch_up(lambda n: progress.advance(task, n))


@cli.command()
def init() -> None:
    """Create an empty store and its master key where the settings point (JEJAK_DATABASE_URL,
    JEJAK_KEY_FILE); every other command except `demo` and `serve --demo` needs one."""
    settings = Settings()
    store = parse_database_url(settings.database_url)
    if store_exists(store):
        Jejak.open(settings).close()  # the key must be there too
        typer.echo(f"A store is already at {where(store)}; nothing changed.")
        return
    Jejak.open(settings, create=True).close()
    typer.echo(f"Created an empty store at {where(store)}.")
    if settings.master_key is None:
        typer.echo(
            f"Its master key is in {settings.key_file.resolve()}: keep a copy apart from the"
            " store; without it, the sealed personal data cannot be read."
        )


@cli.command()
def serve(
    demo: Annotated[
        bool, typer.Option(help="Load the Kaltara demo first if it is missing.")
    ] = False,
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Serve the API and the web pages; projections run in-process."""
    import uvicorn

    from service.api.app import create_app

    jejak = Jejak.open(create=demo)
    console.print(f"Store: {jejak.store.describe()}")
    if demo:
        _load_demo(jejak)
    _catch_up(jejak)
    console.print(f"Serving on http://{host}:{port}  (API docs at /docs)")
    try:
        uvicorn.run(
            create_app(jejak=jejak),
            host=host,
            port=port,
            log_level="info",
            # The app reads X-Forwarded-For itself, from JEJAK_TRUSTED_PROXIES only.
            proxy_headers=False,
        )
    finally:
        jejak.close()


@cli.command()
def demo() -> None:
    """Load the Kaltara demo scenario (synthetic people on the real timeline), creating the store
    if there is none."""
    jejak = Jejak.open(create=True)
    try:
        _load_demo(jejak)
    finally:
        jejak.close()


@cli.command()
def project(
    once: Annotated[bool, typer.Option(help="Catch up and exit instead of following.")] = False,
) -> None:
    """Run the projections: catch up, then follow new events (LISTEN on PostgreSQL)."""
    from service.store.listen import follow

    jejak = Jejak.open()
    try:
        _catch_up(jejak)
        if once:
            return
        console.print(f"Following {jejak.store.describe()}; Ctrl-C to stop.")
        stop = threading.Event()
        try:
            follow(jejak, stop)
        except KeyboardInterrupt:
            stop.set()
    finally:
        jejak.close()


@cli.command()
def rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every read model.")] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why the reports change; kept in the record.")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username; the restatement is yours.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Switch without asking.")] = False,
    show: Annotated[int, typer.Option(help="Rows of each kind of difference to show.")] = 10,
    drop_previous: Annotated[
        bool, typer.Option("--drop-previous", help="Drop the versions earlier switches kept.")
    ] = False,
) -> None:
    """Rebuild read models from the whole log next to the live ones, show what would change,
    and switch to them on confirmation, recording a restatement (ADR 0020)."""
    from service.commands import restatements

    jejak = Jejak.open()
    try:
        if drop_previous:
            dropped = restatements.drop_previous(jejak, names or [])
            console.print(f"Dropped {', '.join(dropped) or 'nothing'}.")
            return
        chosen = restatements.side_by_side_names(jejak) if every else list(names or [])
        if not chosen:
            raise typer.BadParameter("name the read models to rebuild, or give --all")
        if not (reason or "").strip() or not as_user:
            raise typer.BadParameter("a restatement needs --reason and --as")
        Restatement.check_reason(reason)
        account = _rebuilder(jejak, as_user)
        try:
            with _rebuild_progress() as progress:
                task = progress.add_task("Rebuilding " + ", ".join(chosen), total=None)
                rebuilt = restatements.prepare(
                    jejak,
                    chosen,
                    on_total=lambda head: progress.update(task, total=head),
                    on_batch=lambda n: progress.advance(task, n),
                )
        except ValueError as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        diffs = restatements.compare(rebuilt)
        _print_diffs(jejak, diffs, show)
        try:
            refuse_a_changed_chain(diffs)
        except ChainDiverged as error:
            err_console.print(f"[red]{error.code}[/red]: {error}")
            raise typer.Exit(3) from None
        if not yes and not typer.confirm("Switch to the rebuilt read models?"):
            console.print("Nothing switched; the rebuilt tables stay until the next rebuild.")
            raise typer.Exit(1)
        try:
            done = restatements.switch(rebuilt, account, reason or "")
        except ChainDiverged as error:  # the chain moved between the diff and the switch
            err_console.print(f"[red]{error.code}[/red]: {error}")
            raise typer.Exit(3) from None
        console.print(
            f"Switched {', '.join(chosen)} at position {done.position}; restatement"
            f" {done.restatement_id} recorded at {done.event_position}. The previous version"
            " stays until `jejak rebuild --drop-previous`."
        )
    finally:
        jejak.close()


def _rebuilder(jejak: Jejak, username: str) -> Account:
    roles = Restatement.lifecycle.roles_for("restate_read_models")
    return _signed_in_as(jejak, username, roles, "restate read models")


def _signed_in_as(
    jejak: Jejak, username: str | None, roles: tuple[Role, ...], what: str
) -> Account:
    """The account a command-line write is attributed to (ADR 0031): `--as` and its password
    (`JEJAK_PASSWORD` for scripts), refused without them or for a role that may not."""
    if not username:
        err_console.print(f"[red]Give --as USERNAME: who does {what} is recorded.[/red]")
        raise typer.Exit(2)
    account = jejak.accounts.authenticate(username, password_from_settings_or_prompt())
    if account is None:
        err_console.print("[red]Unknown user or wrong password.[/red]")
        raise typer.Exit(2)
    if account.role not in roles:
        err_console.print(f"[red]ROLE_FORBIDDEN[/red]: a {account.role.value} may not {what}.")
        raise typer.Exit(2)
    return account


def _account_manager(jejak: Jejak, username: str | None, *, first_admin: str | None = None) -> str:
    """Who changes an account: an administrator signed in with `--as`. On a store with no
    active administrator yet, the first one is created by no one else: it is recorded as its
    own creator (`first_admin`)."""
    if first_admin is not None and not any(
        a.active and a.role is Role.ADMIN for a in jejak.accounts.list()
    ):
        return first_admin
    return _signed_in_as(
        jejak, username, WRITE_ROLES[Write.MANAGE_ACCOUNTS], "manage accounts"
    ).username


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} events/s")


def _rebuild_progress() -> Progress:
    return progress_bar(_RateColumn(), TimeRemainingColumn())


def _print_diffs(jejak: Jejak, diffs: list[TableDiff], show: int) -> None:
    from service.commands import restatements

    summary = Table("table", "rows", "added", "removed", "changed", "checks")
    for diff in diffs:
        counts = diff.counts()
        checks = ", ".join(f"{k} {v}" for k, v in diff.checks.items())
        summary.add_row(
            diff.table,
            str(diff.rows),
            *(str(counts[k]) for k in ("added", "removed", "changed")),
            checks,
        )
    console.print(summary)
    shown = {
        (diff.table, kind): [c for c in diff.changes if c.kind == kind][:show]
        for diff in diffs
        for kind in ("added", "removed", "changed")
    }
    events = restatements.explaining_events(
        jejak, (p for rows in shown.values() for c in rows for p in c.positions)
    )
    settings = {diff.table: diff.settings for diff in diffs}
    for (table, kind), rows in shown.items():
        if not rows:
            continue
        explained_by = "explained by (setting, or position event)"
        listing = Table("key", "columns", explained_by, title=f"{table}: {kind}")
        # A changed setting explains every row of its table better than the row's last event.
        causes = restatements.setting_causes(settings[table])
        print_setting_causes(table, causes)
        for change in rows:
            events_behind = ", ".join(
                f"{p} {events[p]['event']}" if p in events else str(p) for p in change.positions
            )
            explained = SETTING_CAUSE if causes else events_behind
            listing.add_row(change.key, ", ".join(change.columns), explained)
        console.print(listing)


@cli.command()
def status(
    today: Today = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
) -> None:
    """The dashboard's figures as text (the same events always give the same text), now or at
    a past cut."""
    from service.cli.status import render_status
    from service.provenance import today_wita

    jejak = Jejak.open()
    try:
        _catch_up(jejak)
        cut = cut_of(jejak, known_at, as_at)
        day = date.fromisoformat(today) if today else (cut and cut.as_at) or today_wita()
        typer.echo(render_status(jejak, day, cut), nl=False)
    finally:
        jejak.close()


@users_cli.command("add")
def users_add(
    username: str,
    role: Role,
    org_unit: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option()],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username (an administrator).")
    ] = None,
) -> None:
    """Create an account, as an administrator (`--as`; the first administrator of a new store
    needs none). The new password is asked for (or JEJAK_NEW_PASSWORD, for a script)."""
    jejak = Jejak.open()
    try:
        first = username if role is Role.ADMIN else None
        manager = _account_manager(jejak, as_user, first_admin=first)
        jejak.accounts.create(username, new_password(), role, org_unit, display_name)
        jejak.access_log.record(
            manager, Role.ADMIN, "account_created", "account", None, f"{username} as {role.value}"
        )
        console.print(f"Created {username} ({role.value}).")
    finally:
        jejak.close()


@users_cli.command("list")
def users_list() -> None:
    """List accounts."""
    jejak = Jejak.open()
    try:
        table = Table("username", "role", "unit", "name", "active")
        for a in jejak.accounts.list():
            table.add_row(
                a.username, a.role.value, a.org_unit, a.display_name, "yes" if a.active else "no"
            )
        console.print(table)
    finally:
        jejak.close()


@users_cli.command("passwd")
def users_passwd(
    username: str,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username (an administrator).")
    ] = None,
) -> None:
    """Set an account's password, as an administrator (`--as`); the new password is asked for
    (or JEJAK_NEW_PASSWORD, for a script)."""
    jejak = Jejak.open()
    try:
        manager = _account_manager(jejak, as_user)
        jejak.accounts.set_password(username, new_password())
        jejak.access_log.record(manager, Role.ADMIN, "password_set", "account", None, username)
        console.print(f"Password of {username} changed.")
    finally:
        jejak.close()


@users_cli.command("deactivate")
def users_deactivate(
    username: str,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username (an administrator).")
    ] = None,
) -> None:
    """Deactivate an account (its tokens stop working at once), as an administrator."""
    jejak = Jejak.open()
    try:
        manager = _account_manager(jejak, as_user)
        jejak.accounts.deactivate(username)
        jejak.access_log.record(
            manager, Role.ADMIN, "account_deactivated", "account", None, username
        )
        console.print(f"Deactivated {username}.")
    finally:
        jejak.close()


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
        account = _signed_in_as(
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


def main() -> None:
    """Entry point of the `jejak` script."""
    cli()


@cli.command()
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
            held = _held_checkpoints(checkpoints)
        result = jejak.verify_log(held_by_auditors=held)
        typer.echo(result.summary())
        if not result.intact:
            raise typer.Exit(1)
    finally:
        jejak.close()


def _held_checkpoints(path: Path) -> list[Checkpoint]:
    try:
        data = json.loads(path.read_text())
        return [Checkpoint.from_dict(c) for c in data.get("checkpoints", data)]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidValue(
            "checkpoints: the file is not the JSON `jejak checkpoints` writes",
            field="checkpoints",
        ) from None


@cli.command("checkpoint")
def sign_checkpoint(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username (an administrator).")
    ] = None,
) -> None:
    """Bring the chain up to date and sign its head now."""
    jejak = Jejak.open()
    try:
        account = _signed_in_as(
            jejak, as_user, WRITE_ROLES[Write.SIGN_CHECKPOINT], "sign a checkpoint"
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


@cli.command("checkpoints")
def list_checkpoints(
    out: Annotated[Path | None, typer.Option(help="Write the JSON here instead.")] = None,
) -> None:
    """Every signed checkpoint with the public key, as JSON: the copy auditors keep."""
    jejak = Jejak.open()
    try:
        signer = jejak.checkpoints.signer
        document = {
            "key_id": signer.key_id,
            "public_key": signer.public_key_pem(),
            "checkpoints": [c.as_dict() for c in jejak.checkpoints.all()],
        }
        text = json.dumps(document, indent=2)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text + "\n")
            typer.echo(f"Wrote {len(document['checkpoints'])} checkpoints to {out}.")
    finally:
        jejak.close()


@cli.command()
def evidence(
    out: Annotated[Path, typer.Option(help="Where to write the bundle (zip).")],
    as_user: Annotated[str, typer.Option("--as", help="Your username (an auditor).")],
    password: Password,
    case_number: Annotated[str | None, typer.Option("--beneficiary")] = None,
    site_code: Annotated[str | None, typer.Option("--site")] = None,
    start: Annotated[str | None, typer.Option("--from", callback=iso_date_text)] = None,
    end: Annotated[str | None, typer.Option("--to", callback=iso_date_text)] = None,
    in_clear: Annotated[
        bool, typer.Option(help="Personal data in clear (an auditor also gives --reason).")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why personal data is needed in clear (access-logged).")
    ] = None,
) -> None:
    """Export an evidence bundle for one beneficiary, one site, a period, or (with no option)
    the whole programme; check it with the verify_bundle.py inside it."""
    with signed_in(as_user, password) as (jejak, account):
        if account.role not in (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN):
            err_console.print(f"[red]A {account.role.value} may not export evidence.[/red]")
            raise typer.Exit(2)
        if case_number:
            scope = Scope("beneficiary", Beneficiary.create_id(case_number))
        elif site_code:
            scope = Scope("site", Site.create_id(site_code))
        elif start and end:
            scope = Scope("period", None, date.fromisoformat(start), date.fromisoformat(end))
        elif start or end:
            raise typer.BadParameter("a period needs both --from and --to")
        else:
            scope = Scope("programme")
        if in_clear and not may_ask_in_clear(account.role):
            err_console.print(
                f"[red]A {account.role.value} may not see personal data in clear.[/red]"
            )
            raise typer.Exit(2)
        clear = clear_reason_of(account.role, in_clear=in_clear, reason=reason)
        bundle = export_bundle(jejak, account, scope, clear_reason=clear)
        out.write_bytes(bundle.content)
        typer.echo(
            f"Wrote {out}: {bundle.events} events, {bundle.documents} documents "
            f"({bundle.withheld} withheld), checkpoint at position {bundle.checkpoint.position}."
        )


@cli.command("read-model")
def read_model_at(
    read_model: str,
    known_at: KnownAt = None,
    as_at: AsAt = None,
    site: Annotated[str | None, typer.Option(help="Only this site's rows (site id).")] = None,
    state: Annotated[str | None, typer.Option(help="Only rows in this state.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many rows.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip first.")] = 0,
) -> None:
    """A read model at a past cut, one JSON row per line (sealed columns left out): any row
    read model, payment_ledger (running totals as they stood) or budget_position."""
    if known_at is None and as_at is None:
        err_console.print("[red]Give --known-at, --as-at or both.[/red]")
        raise typer.Exit(2)
    where = {k: v for k, v in (("site_id", site), ("state", state)) if v is not None}
    jejak = Jejak.open()
    try:
        _catch_up(jejak)
        cut = cut_of(jejak, known_at, as_at)
        assert cut is not None
        try:
            page = money_report_at(
                jejak, read_model, cut, where, limit=limit, offset=offset
            ) or read_model_page(jejak, read_model, cut, where, limit=limit, offset=offset)
        except (LookupError, KeyError) as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
        for row in page.items:
            typer.echo(json.dumps(row, default=str, sort_keys=True))
    finally:
        jejak.close()
