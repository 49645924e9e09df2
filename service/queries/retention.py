"""Retention questions: which period is in force per category, when a person's period ends,
what is due for destruction on a date, and who is held back from it and why.

`retention_end` and `held` are the two questions the erasure of a person asks too: her
restricted identity minimum is scheduled at her retention end, and nothing is destroyed while
she is held. A hold is either a legal hold in force naming her, or an external audit finding
not yet closed that names her, her site or a payment batch that paid her: an open BPK
finding holds its evidence until it is closed (domain research 8.3 step 7).

Nothing here reads personal data: people are named by case number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, and_, func, select

from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.lifecycle import non_terminal
from domain.privacy.categories import (
    DEFAULT_RETENTION,
    RETENTION_FLOOR_YEARS,
    CountedFrom,
    RetentionCategory,
)
from domain.privacy.destruction import DestructionItem
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE
from projections.audit_register import audit_register
from projections.payment_ledger import payment_ledger
from projections.retention import destructions, legal_holds, retention_policies, retention_subjects
from service.errors import NotFound
from service.store.schema import vault_subject_keys

AUDIT_FINDING = "audit_finding"
# Ids per IN (...) list: far below SQLite's limit on bound variables.
CHUNK = 500
# A hold holds until it is lifted; a finding until it is closed (the declared end states).
HOLDING = non_terminal(LEGAL_HOLD_LIFECYCLE.states)
OPEN_FINDINGS = non_terminal(AUDIT_FINDING_LIFECYCLE.states)


@dataclass(frozen=True)
class Period:
    """A category's period in force: set by an event (`set_on` not None) or the default."""

    category: RetentionCategory
    years: int
    counted_from: CountedFrom
    floor_years: int
    grounds: str
    set_on: date | None = None
    set_by: str | None = None
    document_number: str | None = None
    reason: str | None = None
    policy_id: str | None = None

    @property
    def is_default(self) -> bool:
        """True while the programme has set no period for the category."""
        return self.set_on is None


@dataclass(frozen=True)
class HoldReason:
    """Why a person's data may not be destroyed: a legal hold, or an open audit finding."""

    kind: str  # investigation, litigation or audit_finding
    source_id: UUID
    reference: str

    @property
    def text(self) -> str:
        """The reason as the destruction records it: kind and paper."""
        return f"{self.kind}: {self.reference}"


@dataclass(frozen=True)
class DueRow:
    """One category of one person whose retention period ends (or ended) on `ends_on`."""

    beneficiary_id: UUID
    case_number: str
    category: RetentionCategory
    case_ended_on: date
    last_payment_on: date | None
    ends_on: date
    held_by: tuple[HoldReason, ...]

    @property
    def held(self) -> bool:
        """True when a hold keeps it from destruction."""
        return bool(self.held_by)

    def as_item(self) -> DestructionItem:
        """The row as a destruction names it."""
        return DestructionItem(
            self.beneficiary_id, self.case_number, self.category.value, self.ends_on
        )


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def periods(engine: Engine) -> dict[RetentionCategory, Period]:
    """The period in force per category: as last set, or the default."""
    with engine.connect() as conn:
        rows = {r["category"]: r for r in conn.execute(select(retention_policies)).mappings()}
    found: dict[RetentionCategory, Period] = {}
    for category in RetentionCategory:
        default = DEFAULT_RETENTION[category]
        floor = RETENTION_FLOOR_YEARS[category]
        row = rows.get(category.value)
        if row is None:
            found[category] = Period(
                category, default.years, default.counted_from, floor, default.basis
            )
            continue
        found[category] = Period(
            category,
            row["years"],
            CountedFrom(row["counted_from"]),
            floor,
            default.basis,
            set_on=row["set_on"],
            set_by=row["set_by"],
            document_number=row["document_number"],
            reason=row["reason"],
            policy_id=row["policy_id"],
        )
    return found


def _ends_on(
    period: Period, case_ended_on: date | None, last_payment_on: date | None
) -> date | None:
    """When the period ends: counted from its fact, and never while the case is open."""
    if case_ended_on is None:
        return None
    start = case_ended_on
    if period.counted_from is CountedFrom.LAST_PAYMENT and last_payment_on is not None:
        start = max(start, last_payment_on)
    return add_years(start, period.years)


def _last_payments() -> Any:
    c = payment_ledger.c
    return (
        select(c.beneficiary_id, func.max(c.occurred_on).label("last_payment_on"))
        .where(c.paid_effect != 0, c.beneficiary_id.is_not(None))
        .group_by(c.beneficiary_id)
        .subquery()
    )


def retention_end(engine: Engine, beneficiary_id: UUID, category: RetentionCategory) -> date | None:
    """When her data of `category` may be destroyed; None while her case is open (or she is
    unknown)."""
    paid = _last_payments()
    s = retention_subjects.c
    with engine.connect() as conn:
        row = conn.execute(
            select(s.case_ended_on, paid.c.last_payment_on)
            .select_from(
                retention_subjects.outerjoin(paid, paid.c.beneficiary_id == s.beneficiary_id)
            )
            .where(s.beneficiary_id == str(beneficiary_id))
        ).first()
    if row is None:
        return None
    return _ends_on(periods(engine)[RetentionCategory(category)], row[0], row[1])


def held(engine: Engine, beneficiary_ids: Iterable[UUID]) -> dict[UUID, tuple[HoldReason, ...]]:
    """The people among `beneficiary_ids` that a hold keeps from destruction, with every
    reason; people held by nothing are left out."""
    wanted = {str(b) for b in beneficiary_ids}
    if not wanted:
        return {}
    reasons: dict[str, list[HoldReason]] = {}
    with engine.connect() as conn:
        for hold in conn.execute(
            select(legal_holds).where(legal_holds.c.state.in_(HOLDING))
        ).mappings():
            for person in set(json.loads(hold["beneficiary_ids"])) & wanted:
                reference = hold["document_number"] or hold["hold_id"]
                reasons.setdefault(person, []).append(
                    HoldReason(hold["kind"], UUID(hold["hold_id"]), reference)
                )
        findings = list(
            conn.execute(
                select(audit_register).where(audit_register.c.state.in_(OPEN_FINDINGS))
            ).mappings()
        )
        if findings:
            sites, batches = _sites_and_batches(conn, wanted)
            for finding in findings:
                people = set(json.loads(finding["beneficiary_ids"]))
                linked_sites = set(json.loads(finding["site_ids"]))
                linked_batches = set(json.loads(finding["batch_ids"]))
                reference = f"{finding['lhp_number']} {finding['finding_number']}"
                for person in wanted:
                    if (
                        person in people
                        or sites.get(person) in linked_sites
                        or batches.get(person, set()) & linked_batches
                    ):
                        reasons.setdefault(person, []).append(
                            HoldReason(AUDIT_FINDING, UUID(finding["finding_id"]), reference)
                        )
    return {UUID(p): tuple(r) for p, r in sorted(reasons.items())}


def _sites_and_batches(conn: Any, people: set[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Her site and the payment batches that paid her, for each of `people`; read a chunk at a
    time, since a schedule may ask about every case of the programme at once."""
    s = retention_subjects.c
    c = payment_ledger.c
    sites: dict[str, str] = {}
    batches: dict[str, set[str]] = {}
    ordered = sorted(people)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        sites.update(
            conn.execute(
                select(s.beneficiary_id, s.site_id).where(s.beneficiary_id.in_(chunk))
            ).all()
        )
        for person, batch in conn.execute(
            select(c.beneficiary_id, c.batch_id)
            .where(c.beneficiary_id.in_(chunk), c.batch_id.is_not(None))
            .distinct()
        ):
            batches.setdefault(person, set()).add(batch)
    return sites, batches


def due(engine: Engine, as_of: date, category: RetentionCategory | None = None) -> list[DueRow]:
    """Every category of every person whose period has ended by `as_of` and whose key is not
    yet destroyed, oldest first, with what holds each back."""
    in_force = periods(engine)
    paid = _last_payments()
    s = retention_subjects.c
    keys = vault_subject_keys.c
    found: list[DueRow] = []
    with engine.connect() as conn:
        for wanted in [category] if category else list(RetentionCategory):
            period = in_force[wanted]
            # The start is never before the case ended, so a case that ended after this day
            # cannot be due: the database leaves those out.
            latest_end = add_years(as_of, -period.years)
            query = (
                select(s.beneficiary_id, s.case_number, s.case_ended_on, paid.c.last_payment_on)
                .select_from(
                    retention_subjects.outerjoin(
                        paid, paid.c.beneficiary_id == s.beneficiary_id
                    ).outerjoin(
                        vault_subject_keys,
                        and_(
                            keys.subject_id == s.beneficiary_id,
                            keys.purpose == DEFAULT_RETENTION[wanted].key_purpose.value,
                        ),
                    )
                )
                .where(s.case_ended_on <= latest_end, keys.erased_at.is_(None))
                .order_by(s.case_ended_on, s.case_number)
            )
            for person, number, ended, last_paid in conn.execute(query):
                ends_on = _ends_on(period, ended, last_paid)
                if ends_on is not None and ends_on <= as_of:
                    found.append(
                        DueRow(UUID(person), number, wanted, ended, last_paid, ends_on, ())
                    )
    holds = held(engine, {row.beneficiary_id for row in found})
    rows = [_with_holds(row, holds) for row in found]
    return sorted(rows, key=lambda r: (r.ends_on, r.case_number, r.category.value))


def _with_holds(row: DueRow, holds: Mapping[UUID, tuple[HoldReason, ...]]) -> DueRow:
    return DueRow(
        row.beneficiary_id,
        row.case_number,
        row.category,
        row.case_ended_on,
        row.last_payment_on,
        row.ends_on,
        holds.get(row.beneficiary_id, ()),
    )


def holds(engine: Engine, *, in_force_only: bool = False) -> list[dict[str, Any]]:
    """Every legal hold, newest first, with the case numbers of the people it holds."""
    query = select(legal_holds).order_by(legal_holds.c.placed_on.desc(), legal_holds.c.hold_id)
    if in_force_only:
        query = query.where(legal_holds.c.state.in_(HOLDING))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        people = {p for r in rows for p in json.loads(r["beneficiary_ids"])}
        numbers = _case_numbers(conn, people)
    for row in rows:
        ids = json.loads(row["beneficiary_ids"])
        row["beneficiary_ids"] = ids
        row["case_numbers"] = [numbers.get(i, i) for i in ids]
    return rows


def _case_numbers(conn: Any, people: set[str]) -> dict[str, str]:
    s = retention_subjects.c
    if not people:
        return {}
    return dict(
        conn.execute(
            select(s.beneficiary_id, s.case_number).where(s.beneficiary_id.in_(people))
        ).all()
    )


def destruction_list(engine: Engine) -> list[dict[str, Any]]:
    """Every destruction, newest first."""
    query = select(destructions).order_by(destructions.c.proposed_on.desc(), destructions.c.number)
    with engine.connect() as conn:
        return [_destruction(dict(r)) for r in conn.execute(query).mappings()]


def destruction(engine: Engine, number: str) -> dict[str, Any]:
    """One destruction by its number (or id)."""
    c = destructions.c
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(destructions).where((c.number == number) | (c.destruction_id == number))
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("Destruction", number)
    return _destruction(dict(row))


def _destruction(row: dict[str, Any]) -> dict[str, Any]:
    for column in ("items", "withheld", "destroyed"):
        row[column] = json.loads(row[column])
    return row


class CaughtUpRetention:
    """The questions the retention commands decide with, each asked once the read models
    have caught up with the log: a hold placed a moment ago must hold."""

    def __init__(self, engine: Engine, catch_up: Callable[[], object]) -> None:
        self.engine = engine
        self.catch_up = catch_up

    def due(self, as_of: date) -> list[DueRow]:
        """`due` on the caught-up read models."""
        self.catch_up()
        return due(self.engine, as_of)

    def held(self, beneficiary_ids: Collection[UUID]) -> dict[UUID, tuple[HoldReason, ...]]:
        """`held` on the caught-up read models."""
        self.catch_up()
        return held(self.engine, beneficiary_ids)

    def periods(self) -> dict[RetentionCategory, Period]:
        """`periods` on the caught-up read models."""
        self.catch_up()
        return periods(self.engine)
