"""The command line at its edges (ADR 0037): a store is created only on purpose, a password is
never a command-line option, a known error is a message and an exit status (never a
traceback), one option name per meaning, and standard output holds only the answer."""

from __future__ import annotations

import ast
import base64
import secrets
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from typer.testing import CliRunner, Result

from service.cli.base import REFUSED
from service.cli.main import cli
from service.demo.kaltara import ensure_demo_users, load_demo
from service.settings import Settings
from service.system import Jejak
from tests.conftest import postgres_url

SERVICE = Path(__file__).resolve().parents[3] / "service"


@pytest.fixture
def absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings naming a store and key file that do not exist, as in a folder run by mistake."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JEJAK_DATABASE_URL", raising=False)
    monkeypatch.delenv("JEJAK_MASTER_KEY", raising=False)
    monkeypatch.delenv("JEJAK_KEY_FILE", raising=False)
    monkeypatch.delenv("JEJAK_PASSWORD", raising=False)
    monkeypatch.delenv("JEJAK_NEW_PASSWORD", raising=False)
    return tmp_path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A created SQLite store with its master key in the environment."""
    monkeypatch.setenv("JEJAK_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("JEJAK_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.delenv("JEJAK_PASSWORD", raising=False)
    monkeypatch.delenv("JEJAK_NEW_PASSWORD", raising=False)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    return tmp_path


PASSWORD = "a-long-password-1"


@pytest.fixture
def staffed(store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The created store with an administrator `adm`, an operator `opi` and a supervisor `spv`,
    every one's password in JEJAK_PASSWORD (each write names its account, ADR 0031)."""
    monkeypatch.setenv("JEJAK_PASSWORD", PASSWORD)
    monkeypatch.setenv("JEJAK_NEW_PASSWORD", PASSWORD)
    runner = CliRunner()
    for username, role in (("adm", "admin"), ("opi", "operator"), ("spv", "supervisor")):
        add = ["users", "add", username, role, "--org-unit", "Dinsos", "--display-name", "X"]
        added = runner.invoke(cli, [*add, "--as", "adm"] if role != "admin" else add)
        assert added.exit_code == 0, added.output
    monkeypatch.delenv("JEJAK_NEW_PASSWORD")
    return store


def refused(result: Result, code: str) -> str:
    """The refusal's text, after checking it was a message on standard error with exit 1."""
    assert result.exit_code == REFUSED, result.output
    assert type(result.exception) is SystemExit, "a traceback, not a message"
    assert code in result.stderr and result.stdout == "", result.output
    return result.stderr


READERS = [
    ["status"],
    ["users", "list"],
    ["users", "deactivate", "dewi.s"],
    ["documents", "list"],
    ["verify"],
    ["project", "--once"],
    ["audit", "findings"],
    ["register", "list"],
    ["reports", "list"],
    ["restatements"],
    ["money", "reconcile", "--batch", "B-1"],
    ["read-model", "site_status", "--as-at", "2019-01-01"],
    ["serve"],
]


@pytest.mark.parametrize("arguments", READERS, ids=" ".join)
def test_a_command_on_an_absent_store_is_refused_naming_where_it_looked(
    absent: Path, arguments: list[str]
) -> None:
    result = CliRunner().invoke(cli, arguments)

    message = refused(result, "STORE_NOT_FOUND")
    assert str(absent / "var" / "jejak.db") in message.replace("\n", "")
    assert not (absent / "var").exists(), "neither a store nor a master key was created"


@pytest.mark.postgres
def test_an_absent_postgres_schema_is_refused_and_not_created(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJAK_DATABASE_URL", postgres_schema_url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    schema = postgres_schema_url.rsplit("schema=", 1)[1]

    message = refused(CliRunner().invoke(cli, ["status"]), "STORE_NOT_FOUND")

    assert f"schema {schema}" in message
    with psycopg.connect(postgres_url()) as conn:
        found = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found is None
    created = CliRunner().invoke(cli, ["init"])
    assert created.exit_code == 0 and f"schema {schema}" in created.stdout, created.output
    assert CliRunner().invoke(cli, ["status"]).exit_code == 0


def test_init_creates_the_store_and_its_key_once(absent: Path) -> None:
    runner = CliRunner()

    created = runner.invoke(cli, ["init"])
    key = (absent / "var" / "master.key").read_bytes()
    again = runner.invoke(cli, ["init"])

    assert created.exit_code == 0 and "Created an empty store" in created.stdout, created.output
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert (absent / "var" / "master.key").read_bytes() == key
    assert runner.invoke(cli, ["users", "list"]).exit_code == 0


@pytest.mark.parametrize("arguments", [["status"], ["init"], ["demo"]], ids=" ".join)
def test_a_store_whose_master_key_is_missing_gets_no_new_key(
    absent: Path, arguments: list[str]
) -> None:
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    (absent / "var" / "master.key").unlink()

    message = refused(CliRunner().invoke(cli, arguments), "MASTER_KEY_NOT_FOUND")

    assert str(absent / "var" / "master.key") in message.replace("\n", "")
    assert not (absent / "var" / "master.key").exists()


def _command_modules_using(name: str, attribute: str | None = None) -> list[str]:
    """Where the command-line modules (but `cli/base.py`) call `name`, or use `name.attribute`."""
    found = []
    for path in sorted((SERVICE / "cli").glob("*.py")):
        if path.name == "base.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if attribute is None:
                hit = (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == name
                )
            else:
                hit = (
                    isinstance(node, ast.Attribute)
                    and node.attr == attribute
                    and isinstance(node.value, ast.Name)
                    and node.value.id == name
                )
            if hit:
                found.append(f"{path.name}:{getattr(node, 'lineno', 0)}")
    return found


def test_the_command_line_never_opens_a_store_it_may_create_except_to_create_one() -> None:
    # Commands open the store with `Jejak.open`, which refuses an absent one; `Jejak.start`
    # creates silently and is for tests and the benchmarks.
    assert _command_modules_using("Jejak", "start") == []


def test_progress_bars_are_made_in_one_place() -> None:
    # `cli/base.py`'s `progress_bar` draws on standard error; a `Progress` of its own would default
    # to standard output.
    assert _command_modules_using("Progress") == []


def test_a_document_over_the_size_limit_is_refused_with_a_message(
    staffed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJAK_DOCUMENT_MAX_BYTES", "100")
    big = staffed / "berita-acara.pdf"
    big.write_bytes(b"%PDF" + b"0" * 200)

    result = CliRunner().invoke(
        cli, ["documents", "add", str(big), "--kind", "receipt", "--as", "opi"]
    )

    assert "larger than the limit of 100 bytes" in refused(result, "DOCUMENT_TOO_LARGE")


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (
            [
                *("users", "add", "Dewi S", "operator"),
                *("--org-unit", "U", "--display-name", "D", "--as", "adm"),
            ],
            "ACCOUNT_INVALID",
        ),
        (["users", "passwd", "nobody", "--as", "adm"], "ACCOUNT_UNKNOWN"),
        (["users", "deactivate", "nobody", "--as", "adm"], "ACCOUNT_UNKNOWN"),
    ],
    ids=lambda a: a if isinstance(a, str) else " ".join(a[:2]),
)
def test_an_account_command_with_bad_input_is_refused_with_a_message(
    staffed: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], code: str
) -> None:
    monkeypatch.setenv("JEJAK_NEW_PASSWORD", PASSWORD)

    message = refused(CliRunner().invoke(cli, arguments), code)

    assert "Dewi S" not in message, "the rejected value is not echoed"


def test_files_that_cannot_be_read_or_written_are_refused_with_a_message(store: Path) -> None:
    not_json = store / "checkpoints.json"
    not_json.write_text("these are not checkpoints")
    runner = CliRunner()

    assert "checkpoints" in refused(
        runner.invoke(cli, ["verify", "--checkpoints", str(not_json)]), "INVALID_VALUE"
    )
    nowhere = store / "no-such-folder" / "checkpoints.json"
    assert str(nowhere) in refused(
        runner.invoke(cli, ["checkpoints", "--out", str(nowhere)]), "FILE_ERROR"
    )


@pytest.mark.parametrize(
    "content",
    [b"case_number,component,amount\nTRK-JP-0001,UEP,5000000\n\xee\xff\n", b"a," + b"x" * 200_000],
    ids=["not UTF-8", "a field over the CSV limit"],
)
def test_a_decree_lines_file_that_cannot_be_read_is_refused_naming_the_line(
    staffed: Path, content: bytes
) -> None:
    lines = staffed / "lines.csv"
    lines.write_bytes(content)
    decree = ["money", "decree", str(lines), "--authority", "Direktur", "--decree", "SK/1"]

    result = CliRunner().invoke(
        cli, [*decree, "--legal-basis", "Permensos", "--as", "spv", "--on", "2019-03-04"]
    )

    assert "line " in refused(result, "INVALID_VALUE")


def test_malformed_settings_are_named_without_their_value(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJAK_TOKEN_MINUTES", "sixty-secret")

    message = refused(CliRunner().invoke(cli, ["status"]), "SETTINGS_INVALID")

    assert "JEJAK_TOKEN_MINUTES" in message and "sixty-secret" not in message


def test_an_unreachable_store_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JEJAK_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/jejak")

    refused(CliRunner().invoke(cli, ["status"]), "STORE_UNAVAILABLE")


def test_a_malformed_date_is_a_usage_error_naming_the_option(store: Path) -> None:
    runner = CliRunner()
    for arguments in (
        ["status", "--today", "2019-02-30"],
        ["money", "reconcile", "--from", "yesterday", "--to", "2019-12-31"],
        ["register", "list", "--today", "1/2/2020"],
        ["money", "approve", "B-1", "--as", "spv", "--on", "2019-08-32"],
    ):
        result = runner.invoke(cli, arguments)
        assert result.exit_code == 2 and type(result.exception) is SystemExit, result.output
        assert "YYYY-MM-DD" in result.stderr


def test_a_port_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "99999"])

    assert result.exit_code == 2 and type(result.exception) is SystemExit, result.output
    assert "--port" in result.stderr


def test_a_password_is_never_a_command_line_option(
    staffed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add = [
        *("users", "add", "dewi.s", "operator"),
        *("--org-unit", "U", "--display-name", "Dewi S", "--as", "adm"),
    ]
    runner = CliRunner()

    flagged = runner.invoke(cli, [*add, "--password", "a-long-password-1"])
    history = ["money", "history", "TRK-JP-0001", "--out", "h.pdf", "--as", "dewi.s"]
    signed = runner.invoke(cli, [*history, "--password", "a-long-password-1"])
    monkeypatch.setenv("JEJAK_NEW_PASSWORD", "a-long-password-1")
    scripted = runner.invoke(cli, add)  # no prompt: the password comes from the settings

    assert flagged.exit_code == 2 and "No such option: --password" in flagged.stderr
    assert signed.exit_code == 2 and "JEJAK_PASSWORD" in signed.stderr
    assert scripted.exit_code == 0, scripted.output
    jejak = Jejak.open()
    try:
        assert jejak.accounts.authenticate("dewi.s", "a-long-password-1") is not None
    finally:
        jejak.close()


def _options_and_commands(command: Any, path: str = "jejak") -> list[str]:
    # `Any`: typer builds its commands with the click it vendors privately.
    names = [path]
    names += [f"{path} {opt}" for p in command.params for opt in getattr(p, "opts", [])]
    for name, sub in getattr(command, "commands", {}).items():
        names += _options_and_commands(sub, f"{path} {name}")
    return names


def test_one_name_per_meaning_of_a_date() -> None:
    # --as-at is a cut (what had happened by a business date); --today the day deadlines are
    # judged on; --as-of meant the latter beside the former, and is gone, command included.
    names = _options_and_commands(typer.main.get_command(cli))

    assert not [n for n in names if "as-of" in n or "as_of" in n]
    assert "jejak status --today" in names and "jejak status --as-at" in names
    assert "jejak money reconcile --today" in names and "jejak register list --today" in names


def test_progress_goes_to_standard_error_and_the_answer_alone_to_standard_output(
    store: Path,
) -> None:
    jejak = Jejak.open(Settings())
    try:
        ensure_demo_users(jejak.accounts, jejak.app)
        load_demo(jejak.app)  # the read models are left behind: status catches up first
    finally:
        jejak.close()

    result = CliRunner().invoke(cli, ["status", "--today", "2020-01-01"])

    assert result.exit_code == 0, result.output
    assert "Updating read models" in result.stderr
    assert result.stdout.startswith("Jejak status on 2020-01-01")
    assert "━" not in result.stdout and "Updating" not in result.stdout


def test_an_argument_with_a_control_character_is_a_usage_error(staffed: Path) -> None:
    reason = "Deadline \x1b[8mhidden\x1b[0m changed"

    result = CliRunner().invoke(
        cli, ["rebuild", "worklist", "--yes", "--reason", reason, "--as", "spv"]
    )

    assert result.exit_code == 2 and type(result.exception) is SystemExit, result.output
    assert "argument 5 holds a control character" in result.stderr
