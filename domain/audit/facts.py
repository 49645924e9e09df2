"""The facts the audit checks read, folded per subject from the log.

Three kinds of dossier: a case (a beneficiary, or a compensation payee, with every entitlement
planned for her), a site (its headcounts and closure), and a bank reference (the ledger's
credits and the statements' lines that carry it). Each fact keeps the log position of the
event that established it, so a finding can cite its evidence. Dossiers are stored as JSON;
`dumps` and the `*_from_json` functions are exact inverses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, is_dataclass
from datetime import date
from typing import Any

from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE

# Audit thresholds that are not lifecycle deadlines, with their defaults; overridden, like the
# deadlines, by JEJAK_DEADLINE_DAYS.
AUDIT_THRESHOLDS: Mapping[str, int] = {
    "closure_payment_days": 90,
}
_DEADLINE_DEFAULTS = {d.setting: d.default_days for d in ENTITLEMENT_LIFECYCLE.deadlines}
# Every setting a check may read through `AuditContext.threshold`, with its default.
THRESHOLD_DEFAULTS: Mapping[str, int] = {**_DEADLINE_DEFAULTS, **AUDIT_THRESHOLDS}


@dataclass(frozen=True)
class AuditContext:
    """What a check may know beyond a dossier: the log's clock (the latest business date
    folded, never the wall clock), the thresholds and the periods bank statements cover."""

    clock: date
    days: Mapping[str, int] = field(default_factory=dict)
    statement_periods: tuple[tuple[date, date], ...] = ()

    def threshold(self, setting: str) -> int:
        """Days for `setting`: the programme's value, else the declared default."""
        if setting in self.days:
            return self.days[setting]
        if setting in AUDIT_THRESHOLDS:
            return AUDIT_THRESHOLDS[setting]
        return _DEADLINE_DEFAULTS[setting]

    def statement_covers(self, day: date) -> bool:
        """True when an imported statement's period includes `day`."""
        return any(start <= day <= end for start, end in self.statement_periods)


@dataclass
class EntitlementFacts:
    """One entitlement of a case: decreed, funded, ordered, credited, and what followed."""

    entitlement_id: str
    component: str
    tranche: int
    amount: int
    decree_number: str
    decreed_on: date
    planned_at: int
    requires_arrival: bool
    fiscal_year: int | None = None
    ordered_on: date | None = None
    ordered_at: int | None = None
    # Set once and kept: a release before arrival stays a fact after she arrives (A18).
    released_before_arrival_at: int | None = None
    failed_at: int | None = None
    credit_count: int = 0
    credited_amount: int = 0
    credited_on: date | None = None
    credited_at: int | None = None
    bank_reference: str | None = None
    receipt_at: int | None = None
    withdrawal_at: int | None = None
    unclaimed_on: date | None = None
    unclaimed_at: int | None = None
    returned_at: int | None = None
    cancelled_at: int | None = None

    @property
    def awaiting_bank(self) -> bool:
        """Ordered, and neither credited nor failed since."""
        return self.ordered_at is not None and (
            (self.credited_at or 0) < self.ordered_at and (self.failed_at or 0) < self.ordered_at
        )


@dataclass
class CaseFacts:
    """A beneficiary (or a compensation payee, who has no case file) and her money."""

    subject_id: str
    site_id: str | None
    registered_at: int | None = None
    verified_at: int | None = None
    nik_format_valid: bool = True
    nik_birth_digits_consistent: bool = True
    nik_sex_digit_consistent: bool = True
    # Her NIK's kecamatan prefix was in neither the current nor the historic Kemendagri list
    # (only checks made against the full list say so; ADR 0036).
    nik_region_unknown: bool = False
    duplicate_in_programme: bool = False
    name_and_birth_date_shared: bool = False
    # Where a corrected name last moved her in the name-and-birth-date index (ADR 0022).
    name_corrected_at: int | None = None
    identity_document: bool = True
    account_at: int | None = None
    account_holder_matches: bool = True
    account_changed_after_order_at: int | None = None
    account_changed_by: str | None = None
    second_approval_at: int | None = None
    arrival_on: date | None = None
    arrival_at: int | None = None
    returned_home_at: int | None = None
    died_on: date | None = None
    died_at: int | None = None
    # The entitlements the decrees naming her listed (AidDecreed).
    decreed_entitlement_ids: list[str] = field(default_factory=list)
    exited: bool = False
    entitlements: dict[str, EntitlementFacts] = field(default_factory=dict)

    @property
    def decreed(self) -> bool:
        """A decree named her."""
        return bool(self.decreed_entitlement_ids)

    def in_decree(self, entitlement_id: str) -> bool:
        """True when a decree naming her lists it; a compensation payee has no case for a
        decree to name, and is named by the decree line itself."""
        return self.registered_at is None or entitlement_id in self.decreed_entitlement_ids

    @property
    def paid(self) -> bool:
        """At least one entitlement was credited."""
        return any(e.credit_count for e in self.entitlements.values())


@dataclass
class SiteFacts:
    """A site's headcounts, from pendataan through closure to payment (A20, A23)."""

    site_id: str
    code: str
    registered_at: int
    headcount_at_pendataan: int
    registered: int = 0
    in_programme: int = 0
    enrolled: int = 0
    paid: int = 0
    closed_on: date | None = None
    closed_at: int | None = None
    declared_headcount: int | None = None
    funding_status: str | None = None
    in_programme_at_closure: int | None = None
    first_credit_on: date | None = None
    first_credit_at: int | None = None
    # The pendataan's date and the span of her cases' registration dates, each with the
    # position of the event that set it (A26: dates out of order across records).
    pendataan_on: date | None = None
    first_case_on: date | None = None
    first_case_at: int | None = None
    last_case_on: date | None = None
    last_case_at: int | None = None

    def case_registered(self, on: date, at: int) -> None:
        """Widen the span of registration dates with a case registered `on` (at `at`)."""
        if self.first_case_on is None or on < self.first_case_on:
            self.first_case_on, self.first_case_at = on, at
        if self.last_case_on is None or on > self.last_case_on:
            self.last_case_on, self.last_case_at = on, at


@dataclass
class LedgerCredit:
    """A credit the ledger recorded under a bank reference, and whether the money moved on."""

    entitlement_id: str
    site_id: str | None
    amount: int
    value_date: date
    credited_at: int
    withdrawal_at: int | None = None
    unclaimed_at: int | None = None
    returned_at: int | None = None


@dataclass
class StatementLine:
    """A statement line carrying the reference."""

    kind: str
    amount: int
    value_date: date
    position: int


@dataclass
class ReferenceFacts:
    """Everything known under one bank reference, from both sides (A13, A14, A22)."""

    reference: str
    credits: list[LedgerCredit] = field(default_factory=list)
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def first_value_date(self) -> date | None:
        """The earliest value date of the ledger's credits: when a statement must show it."""
        return min((c.value_date for c in self.credits), default=None)


Dossier = CaseFacts | SiteFacts | ReferenceFacts


def dumps(dossier: Dossier) -> str:
    """The dossier as JSON text (dates as ISO text, keys sorted)."""
    return json.dumps(dossier, default=_encode, sort_keys=True)


def case_from_json(data: Mapping[str, Any]) -> CaseFacts:
    """The inverse of `to_json` for a case."""
    values = _dated(data, ("arrival_on", "died_on"))
    entitlements = {
        k: EntitlementFacts(
            **_dated(v, ("decreed_on", "ordered_on", "credited_on", "unclaimed_on"))
        )
        for k, v in data["entitlements"].items()
    }
    return CaseFacts(**(values | {"entitlements": entitlements}))


def site_from_json(data: Mapping[str, Any]) -> SiteFacts:
    """The inverse of `to_json` for a site."""
    dates = ("closed_on", "first_credit_on", "pendataan_on", "first_case_on", "last_case_on")
    return SiteFacts(**_dated(data, dates))


def reference_from_json(data: Mapping[str, Any]) -> ReferenceFacts:
    """The inverse of `to_json` for a bank reference."""
    return ReferenceFacts(
        reference=data["reference"],
        credits=[LedgerCredit(**_dated(c, ("value_date",))) for c in data["credits"]],
        lines=[StatementLine(**_dated(s, ("value_date",))) for s in data["lines"]],
    )


def _dated(data: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    values = dict(data)
    for name in names:
        if values.get(name) is not None:
            values[name] = date.fromisoformat(values[name])
    return values


def _encode(value: Any) -> Any:
    # Called by the JSON encoder for what it does not know; faster than dataclasses.asdict,
    # which deep-copies every value first.
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")
