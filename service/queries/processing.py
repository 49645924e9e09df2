"""The record of processing activities (UU PDP Pasal 31) and the impact assessment (Pasal 34),
generated from what Jejak stores (ADR 0060).

The declarations in `domain/privacy/processing.py` say why and on which basis; this module
joins them with what the code and the store say: the sealed attributes of every event class
(walked, not listed), the key each field is sealed under and so its retention, the roles that
see each category (`domain/access.py` SIGHT), the document kinds that hold each category, the
tables that hold data about a person (`TABLES`, checked against every table Jejak owns) and how
many people the vault holds keys for.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import pkgutil
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine, LargeBinary, func, select

import domain
from domain.access import (
    DOCUMENT_CATEGORIES,
    SEALED_FIELD_CATEGORY,
    SIGHT,
    DataCategory,
    Sight,
    sees_all_in_clear,
)
from domain.aggregate import LifecycleAggregate
from domain.privacy.categories import (
    DEFAULT_RETENTION,
    CountedFrom,
    RetentionCategory,
    RetentionDefault,
)
from domain.privacy.processing import (
    ACTIVITIES,
    CATEGORY_LABEL,
    FIELDS,
    RECIPIENTS,
    RISKS,
    SEALED_ATTRIBUTES,
    SECURITY_MEASURES,
    TRIGGERS,
    Activity,
    Pasal4,
)
from domain.recording import Role
from domain.sealed import KeyPurpose, Sealed
from projections.assessment_reviews import impact_assessment_reviews
from service.i18n.formats import date_id
from service.queries import retention
from service.store.schema import vault_subject_keys
from service.store.schema_all import target_metadata

ROLE_LABEL: Mapping[Role, str] = MappingProxyType(
    {
        Role.OPERATOR: "Petugas program",
        Role.SUPERVISOR: "Penyelia",
        Role.AUDITOR: "Pemeriksa (BPK/Inspektorat)",
        Role.ADMIN: "Administrator sistem",
        Role.DPO: "Pejabat Pelindungan Data Pribadi",
    }
)
SIGHT_LABEL: Mapping[Sight, str] = MappingProxyType(
    {Sight.CLEAR: "jelas", Sight.ON_REASON: "dengan alasan tercatat", Sight.MASKED: "tersamar"}
)
KEY_LABEL: Mapping[KeyPurpose, str] = MappingProxyType(
    {KeyPurpose.IDENTITY: "kunci identitas", KeyPurpose.CASEFILE: "kunci berkas kasus"}
)
COUNTED_FROM_LABEL: Mapping[CountedFrom, str] = MappingProxyType(
    {CountedFrom.LAST_PAYMENT: "pembayaran terakhir", CountedFrom.CASE_ENDED: "kasus berakhir"}
)
NO_TRANSFER_ABROAD = "Tidak ada: data disimpan dan diproses di Indonesia (Pasal 56)"


class Holds(StrEnum):
    """What a table Jejak owns holds about people."""

    # Ciphertext of sealed fields: unreadable once the person's key is destroyed.
    SEALED = "sealed"
    # Rows about one person, found by her id or case number, with no sealed value: dates,
    # site, region, amounts, states.
    ABOUT_HER = "about_her"
    # Staff: accounts, sessions, who did or read what.
    STAFF = "staff"
    NOTHING = "nothing"


HOLDS_LABEL: Mapping[Holds, str] = MappingProxyType(
    {
        Holds.SEALED: "data pribadi tersegel",
        Holds.ABOUT_HER: "data tentang penerima (nama samaran: id/nomor kasus)",
        Holds.STAFF: "data petugas",
        Holds.NOTHING: "tanpa data pribadi",
    }
)


@dataclass(frozen=True)
class TableUse:
    """What one table holds about people, and in which columns."""

    holds: Holds
    columns: tuple[str, ...] = ()


def _t(holds: Holds, *columns: str) -> TableUse:
    return TableUse(holds, columns)


_NOTHING = TableUse(Holds.NOTHING)

# Every table Jejak owns (a `<name>_history` twin holds what its table holds). A test fails
# when a table is added that is not here, or when a sealed or binary column is not named.
TABLES: Mapping[str, TableUse] = MappingProxyType(
    {
        "beneficiary_status": _t(
            Holds.SEALED, "name_sealed", "nik_sealed", "case_number", "home_region_code"
        ),
        "documents": _t(
            Holds.SEALED, "wrapped_key", "filename_sealed", "content_sealed", "uploaded_by"
        ),
        "vault_subject_keys": _t(Holds.SEALED, "subject_id", "wrapped_key"),
        "vault_duplicate_index": _t(Holds.ABOUT_HER, "keyed_hash", "subject_id"),
        "vault_name_index": _t(Holds.ABOUT_HER, "keyed_hash", "subject_id"),
        "vault_restrictions": _t(Holds.ABOUT_HER, "subject_id"),
        "entitlement_status": _t(Holds.ABOUT_HER, "subject_id", "case_number", "amount"),
        "payment_ledger": _t(
            Holds.ABOUT_HER, "beneficiary_id", "case_number", "amount", "bank_reference"
        ),
        "case_units": _t(Holds.ABOUT_HER, "beneficiary_id", "home_region"),
        "programme_dashboard_members": _t(Holds.ABOUT_HER, "beneficiary_id", "state"),
        "worklist": _t(Holds.ABOUT_HER, "subject_id", "label"),
        "audit_findings": _t(Holds.ABOUT_HER, "subject_id", "evidence"),
        "audit_register": _t(Holds.ABOUT_HER, "beneficiary_ids"),
        "retention_subjects": _t(Holds.ABOUT_HER, "beneficiary_id", "case_number"),
        "legal_holds": _t(Holds.ABOUT_HER, "beneficiary_ids", "placed_by"),
        "destructions": _t(Holds.ABOUT_HER, "items", "withheld", "destroyed", "proposed_by"),
        "erasures": _t(Holds.ABOUT_HER, "beneficiary_id", "case_number", "requested_by"),
        "retention_policies": _t(Holds.STAFF, "set_by"),
        # Her requests and the breaches that touched her: linked by id, summaries free of
        # personal data (checked on entry).
        "subject_requests": _t(Holds.ABOUT_HER, "beneficiary_id", "kind", "summary"),
        "breach_register": _t(Holds.ABOUT_HER, "beneficiary_ids", "categories", "description"),
        # The 72-hour clocks name records by register number; the outbox tells staff of them.
        "privacy_clocks": _t(Holds.STAFF, "responsible", "stopped_by"),
        "notice_outbox": _t(Holds.STAFF, "roles", "subject"),
        "audit_subjects": _t(Holds.ABOUT_HER, "aggregate_id"),
        "audit_dossiers": _t(Holds.ABOUT_HER, "facts"),
        "restatement_diffs": _t(Holds.ABOUT_HER, "before", "after"),
        "accounts": _t(Holds.STAFF, "username", "display_name", "password_hash"),
        "account_grants": _t(Holds.STAFF, "username", "display_name"),
        "account_settings": _t(Holds.STAFF, "username"),
        "web_sessions": _t(Holds.STAFF, "username"),
        "login_failures": _t(Holds.STAFF, "key_hash"),
        "access_log": _t(Holds.STAFF, "user_id", "subject_id", "detail"),
        "audit_assignments": _t(Holds.STAFF, "auditor"),
        "export_records": _t(Holds.STAFF, "actor_id"),
        "published_reports": _t(Holds.STAFF, "actor_id"),
        "restatements": _t(Holds.STAFF, "actor_id"),
        "idempotency_keys": _t(Holds.STAFF, "principal"),
        "impact_assessment_reviews": _t(Holds.STAFF, "actor_id"),
        "access_log_chain": _NOTHING,
        "access_log_checkpoints": _NOTHING,
        "audit_late_events": _NOTHING,
        "budget_allocations": _NOTHING,
        "budget_position": _NOTHING,
        "chain_checkpoints": _NOTHING,
        "event_chain": _NOTHING,
        "ledger_totals": _NOTHING,
        "programme_dashboard": _NOTHING,
        "programme_dashboard_counts_dated": _NOTHING,
        "programme_dashboard_counts_known": _NOTHING,
        "programme_dashboard_move_tallies": _NOTHING,
        "programme_dashboard_moves": _NOTHING,
        "projection_positions": _NOTHING,
        "site_status": _NOTHING,
        "site_units": _NOTHING,
        "statement_movements": _t(Holds.ABOUT_HER, "account_label", "bank_reference"),
        "units": _NOTHING,
    }
)


def retention_periods(engine: Engine) -> Mapping[RetentionCategory, RetentionDefault]:
    """How long each category is kept: as the programme last recorded it (a retention
    setting is an event, issue 17 point 6), or the default while none is recorded."""
    found = {}
    for category, period in retention.periods(engine).items():
        basis = period.grounds
        if period.set_on is not None:
            basis += f"; ditetapkan {date_id(period.set_on)} dengan {period.document_number}"
        found[category] = RetentionDefault(
            category,
            DEFAULT_RETENTION[category].key_purpose,
            years=period.years,
            counted_from=period.counted_from,
            basis=basis,
        )
    return found


# --- what the code and the store say -----------------------------------------------------------


@dataclass(frozen=True)
class FoundAttribute:
    """A sealed attribute found on an event class."""

    aggregate: str
    event: str
    attribute: str


def aggregates() -> list[type[LifecycleAggregate]]:
    """Every aggregate class in `domain/`, its modules imported first, so a new one counts."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found: dict[str, type[LifecycleAggregate]] = {}
    pending: list[type[Any]] = [LifecycleAggregate]
    while pending:
        for sub in pending.pop().__subclasses__():
            found[f"{sub.__module__}.{sub.__qualname__}"] = sub
            pending.append(sub)
    return [found[k] for k in sorted(found)]


def sealed_attributes_in_events() -> list[FoundAttribute]:
    """Every attribute of every aggregate's events whose type holds a `Sealed`, directly or in
    a value object (`lines[].payee_name`)."""
    found = []
    for aggregate in aggregates():
        for name, value in vars(aggregate).items():
            if (
                isinstance(value, type)
                and issubclass(value, LifecycleAggregate.Event)
                and name not in ("Event", "Created")
            ):
                for path in _sealed_paths(value, "", frozenset()):
                    found.append(FoundAttribute(aggregate.__name__, name, path))
    return found


def _sealed_paths(kind: type[Any], prefix: str, seen: frozenset[type[Any]]) -> Iterator[str]:
    for name, hint in typing.get_type_hints(kind).items():
        if not name.startswith("_"):
            yield from _walk(hint, prefix + name, seen)


def _walk(hint: Any, path: str, seen: frozenset[type[Any]]) -> Iterator[str]:
    if hint is Sealed:
        yield path
        return
    many = typing.get_origin(hint) in (tuple, list, frozenset, set)
    for argument in typing.get_args(hint):
        yield from _walk(argument, path + ("[]" if many else ""), seen)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and hint not in seen:
        yield from _sealed_paths(hint, path + ".", seen | {hint})


def key_purpose_of(field: str) -> KeyPurpose:
    """The key a field is sealed under: the case-file key for case-file data, the identity key
    for the rest, the bank account included (kept as payment evidence, ADR 0005)."""
    if SEALED_FIELD_CATEGORY[field] is DataCategory.CASE_FILE:
        return KeyPurpose.CASEFILE
    return KeyPurpose.IDENTITY


def retention_of(
    periods: Mapping[RetentionCategory, RetentionDefault], purpose: KeyPurpose
) -> RetentionDefault:
    """The retention of the data a key seals."""
    (period,) = [p for p in periods.values() if p.key_purpose is purpose]
    return period


def retention_text(period: RetentionDefault) -> str:
    """A retention period as the record prints it."""
    return (
        f"{period.years} tahun sejak {COUNTED_FROM_LABEL[period.counted_from]} "
        f"(dasar: {period.basis})"
    )


def sight_text(category: DataCategory) -> str:
    """Who sees a category, and how."""
    return "; ".join(f"{ROLE_LABEL[r]}: {SIGHT_LABEL[SIGHT[r][category]]}" for r in Role)


def category_class(category: DataCategory, fields: Sequence[str]) -> Pasal4:
    """Specific if any of `fields` in the category is specific data (Pasal 4(2)): the phone
    alone is general data, the assessment notes beside it are not."""
    classes = {FIELDS[f].pasal4 for f in fields if SEALED_FIELD_CATEGORY[f] is category}
    return Pasal4.SPECIFIC if Pasal4.SPECIFIC in classes else Pasal4.GENERAL


# --- the record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One sealed field as the record lists it."""

    field: str
    label: str
    category: str
    pasal4: str
    key: str
    # (aggregate, event) of each event that carries it.
    events: list[tuple[str, str]]
    need: str
    retention: str


@dataclass(frozen=True)
class ActivityRecord:
    """One processing activity, joined with what the code says about its fields."""

    key: str
    name: str
    purpose: str
    legal_bases: list[str]
    statutes: str
    subjects: str
    categories: list[str]
    fields: list[FieldRow]
    other_data: str
    recipients: list[str]
    transfers_abroad: str
    retention: list[str]
    sight: list[str]


@dataclass(frozen=True)
class TableRow:
    """One table that holds something about people."""

    table: str
    holds: str
    columns: str


@dataclass(frozen=True)
class DocumentRow:
    """One kind of stored document, what it holds, and who may open it."""

    kind: str
    categories: str
    opened_by: str


@dataclass(frozen=True)
class RecipientRow:
    """One recipient outside the programme's staff."""

    name: str
    receives: str
    channel: str
    basis: str


@dataclass(frozen=True)
class Counts:
    """How many people the vault holds keys for, and how many were erased."""

    subjects: int
    case_files_erased: int
    identities_erased: int


@dataclass(frozen=True)
class ProcessingRecord:
    """The record of processing activities (Pasal 31), as generated at `generated_at`."""

    generated_at: datetime
    controller: str
    activities: list[ActivityRecord]
    fields: list[FieldRow]
    tables: list[TableRow]
    documents: list[DocumentRow]
    recipients: list[RecipientRow]
    security_measures: list[str]
    counts: Counts

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return _json_ready(self)


@dataclass(frozen=True)
class TriggerRow:
    """One Pasal 34 trigger and whether the stored data makes it apply."""

    trigger: str
    applies: bool
    evidence: str


@dataclass(frozen=True)
class RiskRow:
    """One risk, its measures and what remains."""

    risk: str
    likelihood: str
    impact: str
    measures: str
    residual: str


@dataclass(frozen=True)
class ReviewRow:
    """One review of the assessment by the data-protection officer (an event, ADR 0060)."""

    assessment_sha256: str
    conclusion: str
    next_review_on: date
    reason: str
    document_number: str | None
    reviewed_by: str
    reviewed_on: date


@dataclass(frozen=True)
class ImpactAssessment:
    """The data-protection impact assessment (Pasal 34), as generated at `generated_at`.

    `sha256` fingerprints what the officer judges (the triggers and whether they apply, the
    risks, the measures), not the counts or the moment: a review stays current until one of
    those changes. `reviews` are the officer's, newest first.
    """

    generated_at: datetime
    required: bool
    triggers: list[TriggerRow]
    risks: list[RiskRow]
    security_measures: list[str]
    counts: Counts
    sha256: str
    reviews: list[ReviewRow]

    @property
    def reviewed(self) -> bool:
        """Whether the newest review is of this very content."""
        return bool(self.reviews) and self.reviews[0].assessment_sha256 == self.sha256

    def as_dict(self) -> dict[str, Any]:
        """The assessment as JSON-ready data."""
        return _json_ready(self)


def _json_ready(generated: ProcessingRecord | ImpactAssessment) -> dict[str, Any]:
    data = dataclasses.asdict(generated)
    if isinstance(generated, ImpactAssessment):
        data["reviewed"] = generated.reviewed
    # Dates as ISO text, as every JSON answer of the API writes them.
    ready: dict[str, Any] = json.loads(json.dumps(data, default=lambda value: value.isoformat()))
    return ready


CONTROLLER = "Dinas Sosial, Tenaga Kerja dan Transmigrasi Provinsi Kalimantan Utara"


def field_rows(periods: Mapping[RetentionCategory, RetentionDefault]) -> list[FieldRow]:
    """Every sealed field with the events that carry it, its key and its retention."""
    events: dict[str, list[tuple[str, str]]] = {}
    for a in SEALED_ATTRIBUTES:
        events.setdefault(a.sealed_as, []).append((a.aggregate, a.event))
    rows = []
    for field, category in SEALED_FIELD_CATEGORY.items():
        described = FIELDS[field]
        purpose = key_purpose_of(field)
        rows.append(
            FieldRow(
                field=field,
                label=described.label,
                category=CATEGORY_LABEL[category],
                pasal4=described.pasal4.value,
                key=purpose.value,
                events=list(dict.fromkeys(events.get(field, []))),
                need=described.need,
                retention=retention_text(retention_of(periods, purpose)),
            )
        )
    return rows


def _activity(
    activity: Activity,
    fields: Mapping[str, FieldRow],
    periods: Mapping[RetentionCategory, RetentionDefault],
) -> ActivityRecord:
    categories = list(dict.fromkeys(SEALED_FIELD_CATEGORY[f] for f in activity.fields))
    purposes = list(dict.fromkeys(key_purpose_of(f) for f in activity.fields))
    return ActivityRecord(
        key=activity.key,
        name=activity.name,
        purpose=activity.purpose,
        legal_bases=[b.text for b in activity.bases],
        statutes=activity.statutes,
        subjects=activity.subjects,
        categories=[
            f"{CATEGORY_LABEL[c]} (data {category_class(c, activity.fields).value})"
            for c in categories
        ],
        fields=[fields[f] for f in activity.fields],
        other_data=activity.other_data,
        recipients=[RECIPIENTS[r].name for r in activity.recipients],
        transfers_abroad=NO_TRANSFER_ABROAD,
        retention=[retention_text(retention_of(periods, p)) for p in purposes],
        sight=[f"{CATEGORY_LABEL[c]}: {sight_text(c)}" for c in categories],
    )


def table_rows(uses: Mapping[str, TableUse] = TABLES) -> list[TableRow]:
    """The tables that hold something about people, sealed first."""
    order = list(Holds)
    return [
        TableRow(name, HOLDS_LABEL[use.holds], ", ".join(use.columns))
        for name, use in sorted(uses.items(), key=lambda i: (order.index(i[1].holds), i[0]))
        if use.holds is not Holds.NOTHING
    ]


def document_rows() -> list[DocumentRow]:
    """Each document kind, the categories it may hold and the roles that may open it."""
    rows = []
    for kind, categories in DOCUMENT_CATEGORIES.items():
        held = ", ".join(CATEGORY_LABEL[c] for c in DataCategory if c in categories) or "-"
        openers = [
            ROLE_LABEL[r] for r in Role if sees_all_in_clear(r, categories, reason_given=False)
        ]
        rows.append(DocumentRow(str(kind), held, ", ".join(openers)))
    return rows


def counts(engine: Engine) -> Counts:
    """How many people the vault holds keys for, and how many keys were destroyed."""
    k = vault_subject_keys.c
    with engine.connect() as conn:
        subjects = conn.scalar(select(func.count(func.distinct(k.subject_id)))) or 0
        erased: dict[str, int] = dict(
            conn.execute(
                select(k.purpose, func.count()).where(k.erased_at.is_not(None)).group_by(k.purpose)
            ).all()
        )
    return Counts(
        subjects=subjects,
        case_files_erased=erased.get(KeyPurpose.CASEFILE.value, 0),
        identities_erased=erased.get(KeyPurpose.IDENTITY.value, 0),
    )


def processing_record(engine: Engine, generated_at: datetime) -> ProcessingRecord:
    """The record of processing activities, from the declarations and the store."""
    periods = retention_periods(engine)
    fields = field_rows(periods)
    by_field = {f.field: f for f in fields}
    return ProcessingRecord(
        generated_at=generated_at,
        controller=CONTROLLER,
        activities=[_activity(a, by_field, periods) for a in ACTIVITIES],
        fields=fields,
        tables=table_rows(),
        documents=document_rows(),
        recipients=[
            RecipientRow(r.name, r.receives, r.channel, r.basis) for r in RECIPIENTS.values()
        ],
        security_measures=list(SECURITY_MEASURES),
        counts=counts(engine),
    )


def impact_assessment(engine: Engine, generated_at: datetime) -> ImpactAssessment:
    """The impact assessment: which Pasal 34 triggers the stored data sets off, the risks and
    the measures."""
    found = counts(engine)
    specific = sorted(f for f, d in FIELDS.items() if d.pasal4 is Pasal4.SPECIFIC)
    referral = [a for a in SEALED_ATTRIBUTES if a.event == "ReferredToChildProtection"]
    evidence = {
        "specific_data": (
            bool(specific),
            "Kolom tersegel berdata spesifik: " + ", ".join(FIELDS[f].label for f in specific),
        ),
        "vulnerable": (
            True,
            "Penerima manfaat perempuan dari lokasi yang ditutup"
            + ("; tanggal lahir anak yang dirujuk disimpan tersegel" if referral else ""),
        ),
        "matching": (
            True,
            "Indeks duplikat NIK berkunci di dalam program; pencocokan Dukcapil belum "
            "dilakukan (hasil 'not_checked')",
        ),
        "large_scale": (
            found.subjects > 0,
            f"{found.subjects} orang memiliki kunci data di Jejak",
        ),
        "limits_rights": (
            True,
            "Identitas minimum disimpan dengan kunci identitas sampai masa retensi "
            f"({retention_text(retention_of(retention_periods(engine), KeyPurpose.IDENTITY))})",
        ),
    }
    triggers = [TriggerRow(t.text, evidence[t.key][0], evidence[t.key][1]) for t in TRIGGERS]
    risks = [
        RiskRow(r.risk, r.likelihood.value, r.impact.value, r.measures, r.residual.value)
        for r in RISKS
    ]
    judged = {
        "triggers": [[t.trigger, t.applies] for t in triggers],
        "risks": [dataclasses.astuple(r) for r in risks],
        "measures": list(SECURITY_MEASURES),
    }
    return ImpactAssessment(
        generated_at=generated_at,
        required=any(t.applies for t in triggers),
        triggers=triggers,
        risks=risks,
        security_measures=list(SECURITY_MEASURES),
        counts=found,
        sha256=hashlib.sha256(
            json.dumps(judged, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest(),
        reviews=reviews(engine),
    )


def reviews(engine: Engine) -> list[ReviewRow]:
    """The officer's reviews of the assessment, newest first."""
    r = impact_assessment_reviews.c
    with engine.connect() as conn:
        rows = conn.execute(select(impact_assessment_reviews).order_by(r.position.desc()))
        return [
            ReviewRow(
                assessment_sha256=row.assessment_sha256,
                conclusion=row.conclusion,
                next_review_on=row.next_review_on,
                reason=row.reason,
                document_number=row.document_number,
                reviewed_by=row.actor_id,
                reviewed_on=row.occurred_on,
            )
            for row in rows
        ]


def owned_tables() -> dict[str, Sequence[tuple[str, bool]]]:
    """Every table Jejak owns (history twins folded into their table): its columns, each with
    whether it holds bytes."""
    tables: dict[str, Sequence[tuple[str, bool]]] = {}
    for metadata in target_metadata:
        for table in metadata.sorted_tables:
            name = table.name.removesuffix("_history")
            tables.setdefault(
                name, [(c.name, isinstance(c.type, LargeBinary)) for c in table.columns]
            )
    return tables
