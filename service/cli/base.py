"""What every `jejak` command shares (ADR 0037): the project's known errors turned into a
message on standard error and an exit status in one place, the password (prompted, or from the
settings for scripts, never a command-line option), signing in as the named account a write is
attributed to (ADR 0031), and two consoles: standard output for a command's answer, standard
error for progress and refusals, so that standard output holds only the answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from domain.errors import DomainError, OutOfScope
from domain.lifecycle import Lifecycle
from domain.recording import DocumentRef, Provenance, Role
from service.api.inputs import CONTROL_IN_TEXT
from service.errors import NotFound
from service.files.bankfiles import BankFileRejected
from service.files.documents import DocumentError
from service.files.money_exports import ExportRefused
from service.i18n import refusal_for
from service.provenance import provenance
from service.queries.reveal import RevealNotAllowed
from service.queries.search import NameSearchNotAllowed
from service.security.accounts import Account, UnknownAccount
from service.security.erasure_journal import ErasuresNotReapplied, JournalUnreadable
from service.security.scope import known_outside, of_account, require_programme_wide
from service.settings import Settings
from service.store.backup import BackupRefused
from service.store.db import UnsupportedDatabaseUrl
from service.system import Jejak, MasterKeyNotFound, StoreNotFound

# A refused command exits 1; click itself exits 2 for a malformed command line.
REFUSED = 1

console = Console()
err_console = Console(stderr=True)


def progress_bar(*more: ProgressColumn) -> Progress:
    """A progress bar, on standard error: `jejak status > file` keeps only the status."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *more,
        console=err_console,
    )


def catch_up(jejak: Jejak) -> None:
    """Bring the read models up to the log's head, with a progress bar when they are behind."""
    behind = jejak.app.position() - jejak.runner.position()
    if behind <= 0:
        return
    with progress_bar() as progress:
        task = progress.add_task("Updating read models", total=behind)
        jejak.runner.catch_up(lambda n: progress.advance(task, n))


KNOWN_ERRORS = (
    DomainError,
    NameSearchNotAllowed,
    RevealNotAllowed,
    NotFound,
    UnknownAccount,
    DocumentError,
    ExportRefused,
    StoreNotFound,
    MasterKeyNotFound,
    ErasuresNotReapplied,
    JournalUnreadable,
    BackupRefused,
    UnsupportedDatabaseUrl,
    ValidationError,
    OperationalError,
    OSError,
)


def refusal_lines(error: Exception, language: str = "en") -> list[str]:
    """What a person is told about a known error: a stable code and the rule, in `language`
    (the domain's own English message, or the catalogue's sentence by code), never a value
    that may be personal data or a secret (a settings error names the variable, not its
    value)."""
    if isinstance(error, DomainError):
        lines = [f"{error.code}: {refusal_for(language, error)}"]
        if isinstance(error, BankFileRejected):
            lines += [f"  line {p.line}: {p.code} {p.message}" for p in error.problems]
        return lines
    if isinstance(error, ExportRefused):
        return [f"ROLE_FORBIDDEN: {error}"]
    if isinstance(error, UnsupportedDatabaseUrl):
        return [f"DATABASE_URL_INVALID: {error}"]
    if isinstance(error, ValidationError):
        return [
            f"SETTINGS_INVALID: JEJAK_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        ]
    if isinstance(error, OperationalError):
        # The driver's own words (the server and why), never the statement or its parameters.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        return [f"STORE_UNAVAILABLE: {reason}"]
    if isinstance(error, OSError):
        return [f"FILE_ERROR: {error.strerror or error}: {error.filename or ''}".rstrip(": ")]
    code = getattr(error, "code", type(error).__name__)
    return [f"{code}: {refusal_for(language, error, str(error))}"]


class CommandGroup(TyperGroup):
    """The root of `jejak`: every command runs inside it, so a known error of any command ends
    as a message and an exit status instead of a traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Every argument of every command, checked once here as the API checks every text field
        # (ADR 0033): a control character hides text on a terminal and in the access log.
        for position, argument in enumerate(args, start=1):
            if CONTROL_IN_TEXT.search(argument):
                raise typer.BadParameter(
                    f"argument {position} holds a control character (other than a line break "
                    "or a tab); type it again as plain text",
                    ctx=ctx,
                )
        return list(super().parse_args(ctx, args))

    # `Any`: the base class types `ctx` as the click context typer vendors privately.
    def invoke(self, ctx: Any) -> Any:
        language = "en"
        try:
            # Fail fast on malformed settings, before any work.
            language = Settings().language
            return super().invoke(ctx)
        except KNOWN_ERRORS as error:
            for line in refusal_lines(error, language):
                err_console.print(line, markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(REFUSED) from None


def password_from_settings_or_prompt() -> str:
    """The password of the command's `--as` account: JEJAK_PASSWORD for scripts, else asked
    for without echo."""
    configured = Settings().password
    if configured is not None:
        return configured.get_secret_value()
    return str(typer.prompt("Password", hide_input=True))


def new_password() -> str:
    """A new account password: JEJAK_NEW_PASSWORD for scripts (JEJAK_PASSWORD is the password of
    the one giving the command), else asked for twice without echo."""
    configured = Settings().new_password
    if configured is not None:
        return configured.get_secret_value()
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _refuse_on_command_line(ctx: typer.Context, param: typer.CallbackParam, value: str) -> str:
    source = ctx.get_parameter_source(param.name) if param.name else None
    if source is not None and source.name == "COMMANDLINE":
        raise typer.BadParameter(
            "a password on the command line stays in the shell's history and the process"
            " list; answer the prompt, or set JEJAK_PASSWORD for a script"
        )
    return value


Password = Annotated[
    str,
    typer.Option(
        hidden=True,
        default_factory=password_from_settings_or_prompt,
        callback=_refuse_on_command_line,
        show_default=False,
    ),
]


class Programme(Enum):
    """A command-line command over the programme's own records (ADR 0044)."""

    READ = "read"
    WRITE = "write"


@contextmanager
def signed_in(
    username: str,
    password: str,
    command: tuple[Lifecycle, str] | None = None,
    programme: Programme | None = None,
    holding: UUID | None = None,
) -> Iterator[tuple[Jejak, Account]]:
    """The started system and the account, closed after (a refusal is printed by the command
    line's one error handler, `CommandGroup`). With `command`, an account whose role the
    lifecycle does not give it is refused, as over HTTP (ADR 0031). With `programme`, the
    command reads or writes the programme's own records, which an account of a unit that does
    not oversee the programme finds as over HTTP: absent, or refused (ADR 0044). With
    `holding`, the command acts on that site, case or entitlement, and is refused (403) when
    the account's scope does not hold it, before the record's own rules are judged."""
    jejak = Jejak.open()
    try:
        account = jejak.accounts.authenticate(username, password)
        if account is None:
            err_console.print("[red]Unknown user or wrong password.[/red]")
            raise typer.Exit(2)
        if command is not None:
            may_issue(account, *command)
        if programme is not None:
            programme_wide(jejak, account, programme)
        if holding is not None:
            # The custody read model must know the last command (another process's, perhaps).
            jejak.runner.catch_up()
        if holding is not None and known_outside(
            jejak.engine, of_account(jejak.scopes, account), holding
        ):
            raise OutOfScope("this record is outside the units your account answers for")
        yield jejak, account
    finally:
        jejak.close()


def programme_wide(jejak: Jejak, account: Account, programme: Programme) -> None:
    """Hold a command over the programme's own records to the overseeing units."""
    scope = of_account(jejak.scopes, account)
    if programme is Programme.READ:
        require_programme_wide(scope, "Programme record")
    elif not scope.everything:
        raise OutOfScope("these records are the programme's; your unit does not oversee it")


def may_issue(account: Account, lifecycle: Lifecycle, command: str) -> None:
    """Refuse (exit 2) an account whose role the lifecycle does not give `command`."""
    if account.role not in lifecycle.roles_for(command):
        what = command.replace("_", " ")
        err_console.print(f"[red]ROLE_FORBIDDEN[/red]: a {account.role.value} may not {what}.")
        raise typer.Exit(2)


def signed_in_as(
    jejak: Jejak,
    username: str | None,
    roles: tuple[Role, ...],
    what: str,
    programme: Programme | None = None,
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
    if programme is not None:
        programme_wide(jejak, account, programme)
    return account


def provenance_on(account: Account, on: str, document: DocumentRef | None = None) -> Provenance:
    """The provenance of a signed-in account's command: the account, the `--on` business date
    and the paper the step rests on."""
    return provenance(account, date.fromisoformat(on), document, None)


def iso_date_text(value: str | None) -> str | None:
    """An option's date checked as it is read, so that a malformed one is a usage error naming
    the option (the command parses the text later)."""
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter("not a date: write it YYYY-MM-DD") from None
    return value
