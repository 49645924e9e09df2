"""`jejak correct` and `jejak history`: corrections from the command line (ADR 0022).

Each correction is attributed to a named account (`--as`, its password prompted or in
`JEJAK_PASSWORD`), needs a reason and the document that shows the correct value, and names the
event it corrects by its version, as `jejak history` lists them. A corrected name is prompted
for, never taken as an argument, so it stays out of the shell's history.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer

from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.recording import Actor, DocumentRef, Provenance, RegionRef
from domain.site import SITE_LIFECYCLE, Site
from service.cli.base import Password, console, iso_date_text, signed_in
from service.cli.options import AsUser, OnDate
from service.commands.base import CommandResult
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak

correct_cli = typer.Typer(
    help="Correct wrong facts by new events, with a reason and a document.", no_args_is_help=True
)

Reason = Annotated[str, typer.Option(help="Why the recorded value is wrong.")]
DocKind = Annotated[str, typer.Option(help="The kind of document that shows the correct value.")]
DocNumber = Annotated[str, typer.Option(help="Its number.")]
DocDate = Annotated[str, typer.Option(callback=iso_date_text, help="Its date, YYYY-MM-DD.")]
DocIssuer = Annotated[str, typer.Option(help="Who issued it.")]
Version = Annotated[int, typer.Argument(help="The version of the event to correct.")]


def provenance_on(
    account: Account, on: str, reason: str, kind: str, number: str, issued: str, issuer: str
) -> Provenance:
    return Provenance(
        actor=Actor(account.username, account.role, account.org_unit),
        occurred_on=date.fromisoformat(on),
        document=DocumentRef(kind, number, date.fromisoformat(issued), issuer),
        reason=reason,
    )


def _done(jejak: Jejak, result: CommandResult) -> None:
    jejak.runner.notify()
    console.print(f"Recorded as version {result.version} (log position {result.position}).")


@correct_cli.command("site-details")
def site_details(
    code: str,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Reason,
    doc_kind: DocKind,
    doc_number: DocNumber,
    doc_date: DocDate,
    doc_issuer: DocIssuer,
    name: Annotated[str | None, typer.Option(help="The correct site name.")] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(help="A correct alias; repeat it for each. Replaces the aliases recorded."),
    ] = None,
    no_aliases: Annotated[
        bool, typer.Option("--no-aliases", help="The site has no aliases: remove those recorded.")
    ] = False,
    kelurahan: Annotated[
        str | None, typer.Option(help="The correct kelurahan's code, e.g. 65.71.04.1002.")
    ] = None,
    kelurahan_scheme: Annotated[
        str, typer.Option(help="The scheme of that code: kemendagri or bps.")
    ] = "kemendagri",
    headcount: Annotated[int | None, typer.Option(help="The correct headcount.")] = None,
) -> None:
    """Correct a site's name, aliases, kelurahan or headcount at pendataan."""
    if alias and no_aliases:
        raise typer.BadParameter("give --alias or --no-aliases, not both", param_hint="--alias")
    aliases = () if no_aliases else alias or None
    with signed_in(
        as_user,
        password,
        (SITE_LIFECYCLE, "correct_site_details"),
        holding=Site.create_id(code),
    ) as (jejak, account):
        proof = provenance_on(account, on, reason, doc_kind, doc_number, doc_date, doc_issuer)
        _done(
            jejak,
            jejak.app.corrections.correct_site_details(
                Site.create_id(code),
                name=name,
                aliases=aliases,
                kelurahan=RegionRef(kelurahan_scheme, kelurahan) if kelurahan else None,
                headcount_at_pendataan=headcount,
                provenance=proof,
            ),
        )


@correct_cli.command("date")
def corrected_date(
    subject: Annotated[str, typer.Argument(help="A site code or a case number.")],
    version: Version,
    corrected: Annotated[
        str, typer.Argument(callback=iso_date_text, help="The correct date, YYYY-MM-DD.")
    ],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Reason,
    doc_kind: DocKind,
    doc_number: DocNumber,
    doc_date: DocDate,
    doc_issuer: DocIssuer,
) -> None:
    """Correct the date of an event of a site (pendataan, sosialisasi, decree, closure, ...) or
    of her case (pendataan, departure, return, ...)."""
    with signed_in(
        as_user, password, _lifecycle_of(subject, "date"), holding=subject_id(subject)
    ) as (jejak, account):
        proof = provenance_on(account, on, reason, doc_kind, doc_number, doc_date, doc_issuer)
        correct = (
            jejak.app.corrections.correct_site_date
            if _is_site(subject)
            else jejak.app.corrections.correct_beneficiary_date
        )
        _done(
            jejak,
            correct(
                subject_id(subject),
                corrects_version=version,
                corrected_date=date.fromisoformat(corrected),
                provenance=proof,
            ),
        )


@correct_cli.command("document")
def corrected_document(
    subject: Annotated[str, typer.Argument(help="A site code or a case number.")],
    version: Version,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Reason,
    doc_kind: DocKind,
    doc_number: DocNumber,
    doc_date: DocDate,
    doc_issuer: DocIssuer,
    corrected_kind: Annotated[str, typer.Option(help="The correct document's kind.")],
    corrected_number: Annotated[str, typer.Option(help="The correct document's number.")],
    corrected_date: Annotated[
        str, typer.Option(callback=iso_date_text, help="The correct document's date, YYYY-MM-DD.")
    ],
    corrected_issuer: Annotated[str, typer.Option(help="Who issued the correct document.")],
) -> None:
    """Correct the document an event of a site (a decree, the minutes of a sosialisasi, ...) or
    of her case (a certificate, a confirmation, ...) was recorded on. The --doc-* options name
    the paper that shows the correct reference; the --corrected-* ones are that reference."""
    with signed_in(
        as_user, password, _lifecycle_of(subject, "document"), holding=subject_id(subject)
    ) as (jejak, account):
        proof = provenance_on(account, on, reason, doc_kind, doc_number, doc_date, doc_issuer)
        correct = (
            jejak.app.corrections.correct_site_document
            if _is_site(subject)
            else jejak.app.corrections.correct_beneficiary_document
        )
        right = DocumentRef(
            corrected_kind, corrected_number, date.fromisoformat(corrected_date), corrected_issuer
        )
        _done(
            jejak,
            correct(
                subject_id(subject),
                corrects_version=version,
                corrected_document=right,
                provenance=proof,
            ),
        )


@correct_cli.command("beneficiary-name")
def beneficiary_name(
    case_number: str,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Reason,
    doc_kind: DocKind,
    doc_number: DocNumber,
    doc_date: DocDate,
    doc_issuer: DocIssuer,
    name: Annotated[str, typer.Option(prompt="Her correct name", envvar="JEJAK_CORRECT_NAME")],
) -> None:
    """Correct her name (prompted for; sealed with her keys like the original)."""
    with signed_in(
        as_user,
        password,
        (BENEFICIARY_LIFECYCLE, "correct_beneficiary_details"),
        holding=Beneficiary.create_id(case_number),
    ) as (
        jejak,
        account,
    ):
        proof = provenance_on(account, on, reason, doc_kind, doc_number, doc_date, doc_issuer)
        _done(
            jejak,
            jejak.app.corrections.correct_beneficiary_details(
                Beneficiary.create_id(case_number), name=name, provenance=proof
            ),
        )


@correct_cli.command("money")
def money(
    entitlement_id: UUID,
    version: Version,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Reason,
    doc_kind: DocKind,
    doc_number: DocNumber,
    doc_date: DocDate,
    doc_issuer: DocIssuer,
    amount: Annotated[int | None, typer.Option(help="The correct amount, whole rupiah.")] = None,
    reference: Annotated[str | None, typer.Option(help="The correct bank reference.")] = None,
) -> None:
    """Request a correction of a credit's or a return's amount or reference; a second
    supervisor approves it (`jejak correct approve`) before it counts."""
    with signed_in(
        as_user,
        password,
        (ENTITLEMENT_LIFECYCLE, "request_money_correction"),
        holding=entitlement_id,
    ) as (
        jejak,
        account,
    ):
        proof = provenance_on(account, on, reason, doc_kind, doc_number, doc_date, doc_issuer)
        _done(
            jejak,
            jejak.app.corrections.request_money_correction(
                entitlement_id,
                corrects_version=version,
                amount=amount,
                reference=reference,
                provenance=proof,
            ),
        )


@correct_cli.command("approve")
def approve(entitlement_id: UUID, as_user: AsUser, password: Password, on: OnDate) -> None:
    """Approve an entitlement's pending money correction (not the person who requested it)."""
    with signed_in(
        as_user,
        password,
        (ENTITLEMENT_LIFECYCLE, "approve_money_correction"),
        holding=entitlement_id,
    ) as (
        jejak,
        account,
    ):
        proof = Provenance(
            Actor(account.username, account.role, account.org_unit), date.fromisoformat(on)
        )
        _done(
            jejak, jejak.app.corrections.approve_money_correction(entitlement_id, provenance=proof)
        )


@correct_cli.command("reject")
def reject(
    entitlement_id: UUID, as_user: AsUser, password: Password, on: OnDate, reason: Reason
) -> None:
    """Reject an entitlement's pending money correction, with a reason."""
    with signed_in(
        as_user,
        password,
        (ENTITLEMENT_LIFECYCLE, "reject_money_correction"),
        holding=entitlement_id,
    ) as (
        jejak,
        account,
    ):
        proof = Provenance(
            Actor(account.username, account.role, account.org_unit),
            date.fromisoformat(on),
            reason=reason,
        )
        _done(
            jejak, jejak.app.corrections.reject_money_correction(entitlement_id, provenance=proof)
        )


def history(
    subject: Annotated[str, typer.Argument(help="A site code, a case number or an id.")],
    as_user: AsUser,
    password: Password,
) -> None:
    """Every event of a site, case or entitlement, each with the corrections that name it."""
    with signed_in(as_user, password) as (jejak, account):
        reads = ReadModels.of(jejak, of_account(jejak.scopes, account))
        for item in reads.history.of(account, subject_id(subject)):
            console.print(_history_line(item), highlight=False, markup=False, soft_wrap=True)


def _lifecycle_of(subject: str, fact: str) -> tuple[Lifecycle, str]:
    """The lifecycle and command of correcting `fact` of a site or a case."""
    if _is_site(subject):
        return SITE_LIFECYCLE, f"correct_site_{fact}"
    return BENEFICIARY_LIFECYCLE, f"correct_beneficiary_{fact}"


def _is_site(subject: str) -> bool:
    """A site code has one hyphen (TRK-JP), a case number two (TRK-JP-0001)."""
    return subject.count("-") == 1


def subject_id(subject: str) -> UUID:
    """The id a site code, a case number or an id names."""
    try:
        return UUID(subject)
    except ValueError:
        pass
    return Site.create_id(subject) if _is_site(subject) else Beneficiary.create_id(subject)


def _history_line(item: dict[str, Any]) -> str:
    actor = item["actor"]
    if item["version"] is None:
        # A reveal from the access log (ADR 0046): who, which fields, why; never a value.
        facts = item["facts"]
        return (
            f"{item['recorded_at']:%Y-%m-%d %H:%M} {item['event']} by {actor['user_id']}"
            f" ({actor['role']}) via {facts['interface']}: {', '.join(facts['fields'])}"
            f" ({facts['via']}): {item['reason']}"
        )
    line = (
        f"v{item['version']} {item['occurred_on']} {item['event']}"
        f" by {actor['user_id']} ({actor['role']})"
    )
    if item["document"]:
        line += f" on {item['document']['kind']} {item['document']['number']}"
    if item["reason"]:
        line += f": {item['reason']}"
    if item["corrections"]:
        line += f" [corrected by v{', v'.join(str(v) for v in item['corrections'])}]"
    return f"{line}\n    {json.dumps(item['facts'], default=str, ensure_ascii=False)}"
