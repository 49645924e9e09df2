"""The `jejak` command line, assembled: one root group (`CommandGroup`, ADR 0037) and each
feature's commands, registered in the order `jejak --help` lists them. The commands live in
their feature's module; what they share is in `base` and `options`."""

from __future__ import annotations

import typer

from service.cli.access_log import access_log_cli
from service.cli.audit_checks import audit_cli
from service.cli.audit_register import register_cli
from service.cli.backup import backup, restore_command
from service.cli.base import CommandGroup
from service.cli.beneficiaries import beneficiaries_cli
from service.cli.breaches import breaches_cli
from service.cli.corrections import correct_cli, history
from service.cli.documents import documents_cli
from service.cli.erasures import erasure_cli
from service.cli.evidence import evidence
from service.cli.grants import assignments_cli, grants_cli, units_cli
from service.cli.integrity import list_checkpoints, sign_checkpoint, verify
from service.cli.money import money_cli
from service.cli.processing import processing_cli
from service.cli.read_models import read_model_at
from service.cli.reports import reports_cli
from service.cli.restatements import rebuild, restatements_command
from service.cli.retention import retention_cli
from service.cli.roster import roster_cli
from service.cli.search import search_cli
from service.cli.status import status
from service.cli.subject_requests import notices_cli, requests_cli
from service.cli.system import demo, init, project, serve
from service.cli.users import users_cli

cli = typer.Typer(
    help="Jejak: event-sourced workflow and audit ledger.", no_args_is_help=True, cls=CommandGroup
)
cli.command("history")(history)
cli.command("restatements")(restatements_command)
cli.command("init")(init)
cli.command("serve")(serve)
cli.command("demo")(demo)
cli.command("project")(project)
cli.command("rebuild")(rebuild)
cli.command("status")(status)
cli.command("verify")(verify)
cli.command("checkpoint")(sign_checkpoint)
cli.command("checkpoints")(list_checkpoints)
cli.command("evidence")(evidence)
cli.command("backup")(backup)
cli.command("restore")(restore_command)
cli.command("read-model")(read_model_at)
cli.add_typer(access_log_cli, name="access-log")
cli.add_typer(users_cli, name="users")
cli.add_typer(units_cli, name="units")
cli.add_typer(assignments_cli, name="assignments")
cli.add_typer(grants_cli, name="grants")
cli.add_typer(documents_cli, name="documents")
cli.add_typer(money_cli, name="money")
cli.add_typer(correct_cli, name="correct")
cli.add_typer(register_cli, name="register")
cli.add_typer(erasure_cli, name="erasure")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(breaches_cli, name="breaches")
cli.add_typer(roster_cli, name="roster")
cli.add_typer(reports_cli, name="reports")
cli.add_typer(search_cli, name="search")
cli.add_typer(beneficiaries_cli, name="beneficiaries")
cli.add_typer(requests_cli, name="requests")
cli.add_typer(notices_cli, name="notices")
cli.add_typer(retention_cli, name="retention")
cli.add_typer(processing_cli, name="processing")


def main() -> None:
    """Entry point of the `jejak` script."""
    cli()
