"""The funding commands whose API bodies name people by id (a decree's lines, the entitlements
an allocation funds), as forms that name them as officers do: by case number and component.

Each page form has its own input model (the API's shared fields, and the records by name); its
endpoint turns the names into the ids through the viewer's scoped read models and calls the
API route's own function with the API's own body, so that every rule is still the API's. A name
that is not found is refused next to its field (`InvalidValue`), as the domain's refusals are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import BaseModel, Field

from domain.decree import MAX_TRANCHE, AidComponent
from domain.errors import InvalidValue
from domain.funding import FundingSource
from domain.money_lifecycles import FUNDABLE_ENTITLEMENT_STATES
from service.api.inputs import FromJson, Line
from service.api.models import CommandIn, CommandOut, Rupiah, ShortText
from service.api.money import allocate_funds, amend_decree, commit_funds, issue_decree
from service.api.money_models import (
    AllocateIn,
    AmendDecreeIn,
    ChangedLineIn,
    CommitFundsIn,
    DecreeLineIn,
    FiscalYear,
    IssueDecreeIn,
    LineKeyIn,
)
from service.errors import NotFound
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.actions import CommandRoute

# A decree of a provincial programme names a few hundred women; a form takes this many lines.
MAX_LINES: Final = 5_000
ALL_ENTITLEMENTS: Final = 100_000
Lines = Annotated[list[Line], Field(max_length=MAX_LINES)]


class CommitFundsByLineIn(CommandIn):
    """A fiscal year's commitment of one DIPA or DPA line; a re-budgeting names the lapsed
    commitment by its fiscal year and budget line (`2018 DIPA-027.04.1.2018 akun 573111`)."""

    fiscal_year: FiscalYear
    source: Annotated[FundingSource, FromJson]
    budget_line: ShortText
    funder: ShortText
    amount: Rupiah
    rebudgeted_from: ShortText | None = None


class AllocateByDecreeIn(CommandIn):
    """Fund from the commitment the entitlements of one decree that await funds, or only
    those of the cases listed."""

    decree_number: ShortText
    case_numbers: Lines = Field(default_factory=list)


class IssueDecreeByCasesIn(CommandIn):
    """A decree (SK) of aid, one line per woman's component:
    `TRK-JP-0004 uep 3.000.000` (and a tranche after the amount where it is not the first)."""

    authority: ShortText
    number: ShortText
    legal_basis: ShortText
    lines: Annotated[list[Line], Field(min_length=1, max_length=MAX_LINES)]
    jadup_requires_arrival: bool = True


class AmendDecreeByCasesIn(CommandIn):
    """An amending decree: lines added and changed (`TRK-JP-0004 uep 3.000.000`, a tranche
    after the amount) and removed (`TRK-JP-0004 jadup 2`)."""

    amendment_number: ShortText
    added: Lines = Field(default_factory=list)
    changed: Lines = Field(default_factory=list)
    removed: Lines = Field(default_factory=list)


def _reads(jejak: Jejak, user: Account) -> ReadModels:
    return ReadModels.of(jejak, of_account(jejak.scopes, user))


def _shared(body: CommandIn) -> dict[str, Any]:
    return {
        "occurred_on": body.occurred_on,
        "document": body.document,
        "reason": body.reason,
        "expected_version": body.expected_version,
    }


def _case_id(reads: ReadModels, case_number: str, field: str, line: int) -> UUID:
    try:
        return reads.beneficiaries.id_of_case(case_number)
    except NotFound:
        raise InvalidValue(f"line {line}: no case numbered {case_number}", field=field) from None


def _amount(text: str, field: str, line: int) -> int:
    digits = text.replace(".", "").removeprefix("Rp")
    if not digits.isdigit():
        raise InvalidValue(f"line {line}: {text} is not an amount in rupiah", field=field)
    return int(digits)


def _component(text: str, field: str, line: int) -> AidComponent:
    try:
        return AidComponent(text.lower())
    except ValueError:
        raise InvalidValue(f"line {line}: {text} is not an aid component", field=field) from None


def _tranche(parts: list[str], field: str, line: int) -> int:
    if not parts:
        return 1
    if not parts[0].isdigit() or not 1 <= int(parts[0]) <= MAX_TRANCHE:
        raise InvalidValue(f"line {line}: {parts[0]} is not a tranche", field=field)
    return int(parts[0])


def _numbered(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    for number, text in enumerate(lines, start=1):
        yield number, text.split()


def _priced_lines(reads: ReadModels, lines: list[str], field: str) -> Iterator[dict[str, Any]]:
    """`TRK-JP-0004 uep 3.000.000 [tranche]` as a line's case id, component, amount, tranche."""
    for number, parts in _numbered(lines):
        if len(parts) not in (3, 4):
            raise InvalidValue(
                f"line {number}: write the case number, the component and the amount",
                field=field,
            )
        yield {
            "beneficiary_id": _case_id(reads, parts[0], field, number),
            "component": _component(parts[1], field, number),
            "amount": _amount(parts[2], field, number),
            "tranche": _tranche(parts[3:], field, number),
        }


def _commit(body: CommitFundsByLineIn, user: Account, jejak: Jejak) -> CommandOut:
    rebudgeted_from = None
    if body.rebudgeted_from is not None:
        named = " ".join(body.rebudgeted_from.split())
        lines = _reads(jejak, user).money.budget(fiscal_year=None, limit=1000, offset=0).items
        found = [r for r in lines if f"{r['fiscal_year']} {r['budget_line']}" == named]
        if not found:
            raise InvalidValue(f"no commitment {named}", field="rebudgeted_from")
        rebudgeted_from = UUID(str(found[0]["commitment_id"]))
    api_body = CommitFundsIn(
        fiscal_year=body.fiscal_year,
        source=body.source,
        budget_line=body.budget_line,
        funder=body.funder,
        amount=body.amount,
        rebudgeted_from=rebudgeted_from,
        **_shared(body),
    )
    return commit_funds(api_body, user, jejak)


def _allocate(
    commitment_id: UUID, body: AllocateByDecreeIn, user: Account, jejak: Jejak
) -> CommandOut:
    reads = _reads(jejak, user)
    waiting = [
        row
        for state in FUNDABLE_ENTITLEMENT_STATES
        for row in reads.money.entitlements(state=state, limit=ALL_ENTITLEMENTS, offset=0).items
        if row["decree_number"] == body.decree_number
    ]
    wanted = set(body.case_numbers)
    unknown = wanted - {row["case_number"] for row in waiting}
    if unknown:
        raise InvalidValue(
            f"no entitlement of this decree awaits funds for {', '.join(sorted(unknown))}",
            field="case_numbers",
        )
    ids = [
        UUID(str(r["entitlement_id"])) for r in waiting if not wanted or r["case_number"] in wanted
    ]
    if not ids:
        raise InvalidValue("no entitlement of this decree awaits funds", field="decree_number")
    return allocate_funds(
        commitment_id, AllocateIn(entitlement_ids=ids, **_shared(body)), user, jejak
    )


def _issue(body: IssueDecreeByCasesIn, user: Account, jejak: Jejak) -> CommandOut:
    reads = _reads(jejak, user)
    lines = [DecreeLineIn(**line) for line in _priced_lines(reads, body.lines, "lines")]
    api_body = IssueDecreeIn(
        authority=body.authority,
        number=body.number,
        legal_basis=body.legal_basis,
        lines=lines,
        jadup_requires_arrival=body.jadup_requires_arrival,
        **_shared(body),
    )
    return issue_decree(api_body, user, jejak)


def _amend(decree_id: UUID, body: AmendDecreeByCasesIn, user: Account, jejak: Jejak) -> CommandOut:
    reads = _reads(jejak, user)
    removed = []
    for number, parts in _numbered(body.removed):
        if len(parts) not in (2, 3):
            raise InvalidValue(
                f"line {number}: write the case number and the component", field="removed"
            )
        removed.append(
            LineKeyIn(
                subject_id=_case_id(reads, parts[0], "removed", number),
                component=_component(parts[1], "removed", number),
                tranche=_tranche(parts[2:], "removed", number),
            )
        )
    api_body = AmendDecreeIn(
        amendment_number=body.amendment_number,
        added=[DecreeLineIn(**line) for line in _priced_lines(reads, body.added, "added")],
        changed=[
            ChangedLineIn(
                subject_id=line["beneficiary_id"],
                component=line["component"],
                tranche=line["tranche"],
                amount=line["amount"],
            )
            for line in _priced_lines(reads, body.changed, "changed")
        ],
        removed=removed,
        **_shared(body),
    )
    return amend_decree(decree_id, api_body, user, jejak)


# The page's form in place of the API's, by command; each keeps the API route's lifecycle,
# command and roles.
PAGE_FORMS: Final[dict[str, tuple[type[BaseModel], Callable[..., CommandOut], str | None]]] = {
    "commit_funds": (CommitFundsByLineIn, _commit, None),
    "allocate_funds": (AllocateByDecreeIn, _allocate, "commitment_id"),
    "issue_decree": (IssueDecreeByCasesIn, _issue, None),
    "amend_decree": (AmendDecreeByCasesIn, _amend, "decree_id"),
}


def page_route(api_route: CommandRoute) -> CommandRoute:
    """The API's command route with the page's form (names, not ids) where it has one."""
    form = PAGE_FORMS.get(api_route.command)
    if form is None:
        return api_route
    model, endpoint, parameter = form
    return replace(api_route, model=model, endpoint=endpoint, subject_parameter=parameter)
