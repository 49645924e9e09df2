"""`jejak audit`: the automatic audit checks' findings and rules from the command line.

Reading needs no account (as `jejak status`); acknowledging is a supervisor's command, taken
as a named user (`--as`), as the money commands are.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from domain.audit.acknowledgement import ACKNOWLEDGEMENT_LIFECYCLE
from domain.recording import Provenance
from service.cli.base import Password, Programme, console, err_console, provenance_on, signed_in
from service.cli.options import AsAt, AsUser, KnownAt, OnDate, cut_of
from service.queries import audit_checks as audit
from service.system import Jejak

audit_cli = typer.Typer(help="Automatic audit checks: findings and rules.", no_args_is_help=True)


@audit_cli.command("findings")
def list_findings(
    rule: Annotated[str | None, typer.Option(help="Only this rule, e.g. A14.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open findings.")] = False,
    site_id: Annotated[str | None, typer.Option(help="Only this site's findings.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    known_at: KnownAt = None,
    as_at: AsAt = None,
) -> None:
    """Findings, most recently found first (resolved ones too, unless --open); now, or as
    known at a log position or time and/or as at a business date."""
    jejak = Jejak.open()
    try:
        jejak.runner.catch_up()
        page = audit.findings(
            jejak,
            rule=rule.upper() if rule else None,
            status="open" if open_only else None,
            site_id=site_id,
            limit=limit,
            cut=cut_of(jejak, known_at, as_at),
        )
    finally:
        jejak.close()
    table = Table("finding", "rule", "sev", "status", "ack", "subject", "summary", "found at")
    for f in page.items:
        table.add_row(
            f["finding_id"],
            f["rule_id"],
            f["severity"],
            f["status"],
            "yes" if f["acknowledged"] else "",
            f"{f['subject_kind']} {f['subject_id']}",
            f["summary"],
            f"{f['first_seen_position']} ({f['first_seen_on']})",
        )
    console.print(table)
    console.print(f"{len(page.items)} of {page.total} findings.")


@audit_cli.command("rules")
def list_rules() -> None:
    """The declared checks, and those of domain research section 7 not run, with why."""
    table = Table("rule", "sev", "subject", "check", "suggested action")
    for r in audit.rules():
        if r["run"]:
            table.add_row(
                r["rule_id"], r["severity"], r["subject_kind"], r["check"], r["suggested_action"]
            )
        else:
            table.add_row(r["rule_id"], "", "", f"not run: {r['why']}", "")
    console.print(table)


@audit_cli.command("acknowledge")
def acknowledge(
    finding_id: UUID,
    reason: Annotated[str, typer.Option(help="Why the finding stands, or what was done.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Acknowledge a finding with a reason (supervisors); the finding itself is kept."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        if account.role not in ACKNOWLEDGEMENT_LIFECYCLE.roles_for("acknowledge_finding"):
            err_console.print("[red]ROLE_FORBIDDEN[/red]: only a supervisor acknowledges findings")
            raise typer.Exit(1)
        base = provenance_on(account, on)
        provenance = Provenance(base.actor, base.occurred_on, reason=reason)
        subject = audit.checked_subject(jejak, finding_id)
        result = jejak.app.audit_checks.acknowledge_finding(
            finding_id,
            rule_id=subject.rule_id,
            subject_id=subject.subject_id,
            provenance=provenance,
        )
        console.print(f"Acknowledged {finding_id} at position {result.position}.")
