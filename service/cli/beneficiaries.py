"""`jejak beneficiaries`: a woman's case from the command line. `reveal` is the reveal act
(ADR 0046): one field of her case in clear, for the reason typed in, written to the access log
and shown on her case's history, as over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.access import CASE_FIELDS
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from service.cli.base import Password, console, provenance_on, signed_in
from service.cli.corrections import subject_id
from service.cli.options import AsUser, OnDate
from service.queries.read_models import ReadModels
from service.security.scope import of_account

beneficiaries_cli = typer.Typer(help="A woman's case: one field in clear.", no_args_is_help=True)


@beneficiaries_cli.command("reveal")
def reveal(
    case: Annotated[str, typer.Argument(help="Her case number (TRK-JP-0001) or case id.")],
    field: Annotated[str, typer.Argument(help=f"One of {', '.join(CASE_FIELDS)}.")],
    as_user: AsUser,
    password: Password,
    reason: Annotated[
        str | None,
        typer.Option(help="Why you need it in clear (no identifiers); the access log keeps it."),
    ] = None,
) -> None:
    """Show one field of her case in clear, for a reason (operators, supervisors, auditors):
    the reveal is written to the access log and shows on her case's history."""
    with signed_in(as_user, password) as (jejak, account):
        reads = ReadModels.of(jejak, of_account(jejak.scopes, account))
        revealed = reads.reveals.reveal(account, subject_id(case), field, reason)
        console.print(
            "" if revealed.value is None else revealed.value, highlight=False, markup=False
        )


@beneficiaries_cli.command("accept-hand-over")
def accept_hand_over(
    case: Annotated[str, typer.Argument(help="Her case number or id.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record that your unit accepted her case, handed over to it to train or on her return
    home; until then the unit that sent her stays responsible (ADR 0044)."""
    with signed_in(
        as_user, password, (BENEFICIARY_LIFECYCLE, "accept_hand_over"), holding=subject_id(case)
    ) as (
        jejak,
        account,
    ):
        result = jejak.app.beneficiaries.accept_hand_over(
            subject_id(case), provenance=provenance_on(account, on)
        )
        console.print(f"Accepted: her case is now {account.org_unit}'s (version {result.version}).")
