"""The breach register over HTTP (UU PDP Pasal 46): a suspected breach recorded, confirmed or
dismissed, remedied, its notices' sending recorded, closed; the register and its notices as
PDF letters in Indonesian.

Commands take an Idempotency-Key; the roles come from the lifecycle declaration (the
data-protection officer's). The register holds no personal data; it is read by the roles that
read the privacy registers. The notices name a case number at most, never a person.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from domain.access import READ_ROLES, DataCategory, Read
from domain.errors import InvalidValue
from domain.privacy.breach import (
    LONG_TEXT,
    MAX_CASES,
    MAX_ESTIMATE,
    BreachChannel,
    NoticeChannel,
    NoticeRecipient,
)
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from service.api.access import command_role
from service.api.answers import CREATED, ReadDep, caught_up, command_out, page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, FromJson, Limit, Line, Offset, Text
from service.api.models import CommandIn, CommandOut
from service.errors import NotFound
from service.files.breach_notices import agency_notice, subject_notice, subjects_notice
from service.files.letters import Letter, letter_pdf
from service.provenance import WITA
from service.queries.breaches import BreachQueries
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak

router = APIRouter(
    prefix="/api/privacy/breaches", tags=["privacy"], route_class=IdempotentCommandRoute
)
READERS: Final = READ_ROLES[Read.PRIVACY_REGISTERS]
FREE_TEXT: Final = (
    "Free text read by every reader of the register and kept for good: no names, NIKs, phone"
    " numbers, account numbers or e-mail addresses (refer to people by case number)."
)
CASE_NUMBER: Final = r"^[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4}$"
RegisterNumber = Annotated[
    str,
    Path(description="the breach's register number", examples=["KDP-2024-001"], max_length=40),
]
AffectedCase = Annotated[
    str,
    Path(description="the case number of one the breach affects", examples=["TRK-JP-0004"]),
]
ClockAt = Annotated[
    datetime | None,
    Query(
        description="judge the 3x24-hour clock at this moment (ISO 8601 with its zone;"
        " default: now)",
        examples=["2024-12-03T15:00:00+08:00"],
    ),
]
CaseNumbers = Annotated[
    list[Annotated[Line, Field(pattern=CASE_NUMBER)]], Field(max_length=MAX_CASES)
]
# Hours and minutes, WITA, as officers write them: 09.15 or 09:15.
ClockTime = Annotated[Line, Field(pattern=r"^([01][0-9]|2[0-3])[.:][0-5][0-9]$")]


def wita_moment(on: Any, at: str) -> datetime:
    """The aware moment of a date and an `HH.MM` time, in WITA."""
    hours, minutes = at.replace(".", ":").split(":")
    return datetime.combine(on, time(int(hours), int(minutes)), WITA)


class RecordBreachIn(CommandIn):
    """A suspected breach: its register number, when it was discovered (the 3x24-hour clock
    starts then), what was exposed, when it happened and how."""

    number: Line = Field(pattern=r"^[A-Z0-9][A-Z0-9.-]{0,39}$", examples=["KDP-2024-001"])
    discovered_on: BusinessDate
    discovered_time: ClockTime = Field(description="WITA, HH.MM", examples=["09.15"])
    happened_from: BusinessDate
    happened_to: BusinessDate | None = None
    channel: Annotated[BreachChannel, FromJson]
    categories: list[Annotated[DataCategory, FromJson]] = Field(min_length=1, max_length=3)
    case_numbers: CaseNumbers = Field(default_factory=list)
    estimated_count: int | None = Field(default=None, gt=0, le=MAX_ESTIMATE)
    description: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)


class ConfirmBreachIn(CommandIn):
    """Judged a breach; the affected cases (or an estimate) restated if the inquiry found
    otherwise, or left as recorded."""

    case_numbers: CaseNumbers = Field(default_factory=list)
    estimated_count: int | None = Field(default=None, gt=0, le=MAX_ESTIMATE)


class RemediationIn(CommandIn):
    """What was done to contain the breach or recover from it."""

    summary: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)


class NoticeSentIn(CommandIn):
    """A notice sent; `document` is the letter (its number as printed on the generated
    notice), `occurred_on` and `sent_time` when it was sent."""

    recipient: Annotated[NoticeRecipient, FromJson]
    channel: Annotated[NoticeChannel, FromJson]
    sent_time: ClockTime = Field(description="WITA, HH.MM")
    case_numbers: CaseNumbers = Field(default_factory=list)
    to_all_subjects: bool = False


def breach_queries(jejak: JejakDep) -> BreachQueries:
    """The register's queries over the wired system."""
    return BreachQueries(jejak.engine)


BreachesDep = Annotated[BreachQueries, Depends(breach_queries)]


def _case_ids(jejak: Jejak, user: Account, case_numbers: list[str]) -> list[UUID]:
    reads = ReadModels.of(jejak, of_account(jejak.scopes, user))
    ids = []
    for case_number in dict.fromkeys(case_numbers):
        try:
            ids.append(reads.beneficiaries.id_of_case(case_number))
        except NotFound:
            raise InvalidValue(f"no case numbered {case_number}", field="case_numbers") from None
    return ids


@router.post(
    "",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "record_suspected_breach")],
)
def record_suspected_breach(body: RecordBreachIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record a suspected breach (the data-protection officer); the 3x24-hour clock runs from
    its discovery."""
    return command_out(
        jejak,
        jejak.app.breaches.record_suspected_breach(
            number=body.number,
            discovered_at=wita_moment(body.discovered_on, body.discovered_time),
            happened_from=body.happened_from,
            happened_to=body.happened_to,
            channel=body.channel,
            categories=body.categories,
            beneficiary_ids=_case_ids(jejak, user, body.case_numbers),
            estimated_count=body.estimated_count,
            description=body.description,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/{breach_id}/confirmation",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "confirm_breach")],
)
def confirm_breach(
    breach_id: UUID, body: ConfirmBreachIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Judge it a breach; the notices become due."""
    restated = bool(body.case_numbers) or body.estimated_count is not None
    return command_out(
        jejak,
        jejak.app.breaches.confirm_breach(
            breach_id,
            beneficiary_ids=_case_ids(jejak, user, body.case_numbers) if restated else None,
            estimated_count=body.estimated_count,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/{breach_id}/dismissal",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "dismiss_breach")],
)
def dismiss_breach(breach_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Judge it not a breach, with the reason (422 REASON_REQUIRED without one)."""
    return command_out(
        jejak,
        jejak.app.breaches.dismiss_breach(
            breach_id, provenance=body.provenance_for(user), expected_version=body.expected_version
        ),
    )


@router.post(
    "/{breach_id}/remediations",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "record_remediation")],
)
def record_remediation(
    breach_id: UUID, body: RemediationIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record what was done to contain the breach or recover from it (repeatable)."""
    return command_out(
        jejak,
        jejak.app.breaches.record_remediation(
            breach_id,
            summary=body.summary,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/{breach_id}/notices",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "record_notice_sent")],
)
def record_notice_sent(
    breach_id: UUID, body: NoticeSentIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a notice sent to named subjects, to all of them, to the agency or to the public;
    the last one owed completes the notification and stops the clock."""
    return command_out(
        jejak,
        jejak.app.breaches.record_notice_sent(
            breach_id,
            recipient=body.recipient,
            channel=body.channel,
            sent_at=wita_moment(body.occurred_on, body.sent_time),
            beneficiary_ids=_case_ids(jejak, user, body.case_numbers),
            to_all_subjects=body.to_all_subjects,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/{breach_id}/closure",
    status_code=CREATED,
    dependencies=[command_role(BREACH_LIFECYCLE, "close_breach")],
)
def close_breach(breach_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Close a notified breach on the report of its handling."""
    return command_out(
        jejak,
        jejak.app.breaches.close_breach(
            breach_id, provenance=body.provenance_for(user), expected_version=body.expected_version
        ),
    )


def _now(as_at: datetime | None) -> datetime:
    if as_at is not None and as_at.utcoffset() is None:
        raise InvalidValue("a time with its zone", field="as_at")
    return as_at or datetime.now(WITA)


@router.get("")
def list_breaches(
    user: UserDep,
    jejak: JejakDep,
    queries: BreachesDep,
    response: Response,
    state: str | None = None,
    as_at: ClockAt = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """The register, those still owing notices first: what was exposed, the cases, and the
    3x24-hour clock as at now (or `as_at`): running, overdue, met, missed or stopped."""
    require_role(user, READERS, "read the breach register")
    caught_up(jejak, after, response)
    return page_body(queries.breaches(now=_now(as_at), state=state, limit=limit, offset=offset))


@router.get("/{number}")
def get_breach(
    number: RegisterNumber,
    user: UserDep,
    jejak: JejakDep,
    queries: BreachesDep,
    reads: ReadDep,
    response: Response,
    as_at: ClockAt = None,
    after: After = None,
) -> dict[str, Any]:
    """One breach by its register number, with every event of its history."""
    require_role(user, READERS, "read the breach register")
    caught_up(jejak, after, response)
    breach = queries.breach(number, now=_now(as_at))
    return breach | {"history": reads.history.of(user, UUID(str(breach["breach_id"])))}


def _pdf(letter: Letter, name: str) -> Response:
    return Response(
        letter_pdf(letter),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


def _breach_for_notice(
    user: Account, jejak: Jejak, queries: BreachQueries, number: str, after: int | None
) -> dict[str, Any]:
    require_role(user, READERS, "read the breach register")
    caught_up(jejak, after, Response())
    return queries.breach(number, now=datetime.now(WITA))


@router.get("/{number}/notices/agency.pdf", response_class=Response)
def agency_notice_pdf(
    number: RegisterNumber,
    user: UserDep,
    jejak: JejakDep,
    queries: BreachesDep,
    after: After = None,
) -> Response:
    """The notice to the agency: counts, categories, remediation; no case named."""
    breach = _breach_for_notice(user, jejak, queries, number, after)
    return _pdf(agency_notice(breach, datetime.now(WITA)), f"pemberitahuan-lembaga-{number}")


@router.get("/{number}/notices/subjects.pdf", response_class=Response)
def subjects_notice_pdf(
    number: RegisterNumber,
    user: UserDep,
    jejak: JejakDep,
    queries: BreachesDep,
    after: After = None,
) -> Response:
    """The one notice to all the subjects (an announcement or a circular)."""
    breach = _breach_for_notice(user, jejak, queries, number, after)
    return _pdf(subjects_notice(breach, datetime.now(WITA)), f"pemberitahuan-{number}")


@router.get("/{number}/notices/subjects/{case_number}.pdf", response_class=Response)
def subject_notice_pdf(
    number: RegisterNumber,
    case_number: AffectedCase,
    user: UserDep,
    jejak: JejakDep,
    queries: BreachesDep,
    after: After = None,
) -> Response:
    """The notice to the subject of one affected case, addressed by her case number."""
    breach = _breach_for_notice(user, jejak, queries, number, after)
    if case_number not in breach["case_numbers"]:
        raise InvalidValue("not a case the breach affects", field="case_number")
    letter = subject_notice(breach, case_number, datetime.now(WITA))
    return _pdf(letter, f"pemberitahuan-{number}-{case_number}")
