"""The record of processing cannot drift from what Jejak stores (ADR 0060): a sealed field, an
event carrying one, or a table that is not described fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.access import SEALED_FIELD_CATEGORY
from domain.privacy.categories import RetentionCategory
from domain.privacy.processing import ACTIVITIES, FIELDS, SEALED_ATTRIBUTES
from domain.recording import DocumentRef, Provenance
from domain.sealed import KeyPurpose
from service.queries.processing import (
    TABLES,
    Holds,
    impact_assessment,
    owned_tables,
    processing_record,
    sealed_attributes_in_events,
)
from service.system import Jejak
from tests.domain.givens import SUPERVISOR


def test_every_sealed_attribute_of_every_event_is_described() -> None:
    found = {(a.aggregate, a.event, a.attribute) for a in sealed_attributes_in_events()}
    described = {(a.aggregate, a.event, a.attribute) for a in SEALED_ATTRIBUTES}
    assert found == described, (
        "describe each new sealed attribute in domain/privacy/processing.py SEALED_ATTRIBUTES"
    )


def test_every_sealed_field_is_described_and_used_by_an_activity() -> None:
    assert set(FIELDS) == set(SEALED_FIELD_CATEGORY)
    assert {a.sealed_as for a in SEALED_ATTRIBUTES} <= set(FIELDS)
    used = {f for activity in ACTIVITIES for f in activity.fields}
    assert used == set(FIELDS), "every sealed field belongs to a processing activity"


def test_every_table_is_described_with_its_sealed_and_binary_columns() -> None:
    tables = owned_tables()
    assert set(TABLES) == set(tables), "say in TABLES what each new table holds about people"
    for name, columns in tables.items():
        use = TABLES[name]
        names = {c for c, _ in columns}
        assert set(use.columns) <= names, name
        for column, binary in columns:
            if binary or column.endswith("_sealed"):
                assert column in use.columns, f"{name}.{column} holds sealed or binary data"
                assert use.holds is Holds.SEALED, name


def test_the_record_and_the_assessment_are_generated_from_the_store(
    sqlite_jejak: Jejak,
) -> None:
    sqlite_jejak.vault.ensure_subject_keys(uuid4())
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    record = processing_record(sqlite_jejak.engine, now)
    assert record.counts.subjects == 1
    payment = next(a for a in record.activities if a.key == "payment")
    assert "Pasal 20 ayat (2) huruf c" in payment.legal_bases[0]
    assert any("Bank penyalur" in r for r in payment.recipients)
    account = next(f for f in payment.fields if f.field == "bank_account")
    assert account.key == KeyPurpose.IDENTITY.value and account.pasal4 == "spesifik"
    assert ("Beneficiary", "BankAccountRecorded") in account.events
    assert "10 tahun" in account.retention
    assert any(t.table == "beneficiary_status" for t in record.tables)
    assessment = impact_assessment(sqlite_jejak.engine, now)
    assert assessment.required
    assert all(t.applies for t in assessment.triggers)


def test_the_record_states_the_retention_the_programme_recorded(sqlite_jejak: Jejak) -> None:
    jra = DocumentRef("decree", "188.4/12/2026", date(2026, 11, 2), "Gubernur Kalimantan Utara")
    sqlite_jejak.app.retention.set_retention_period(
        category=RetentionCategory.IDENTITY_MINIMUM,
        years=12,
        provenance=Provenance(SUPERVISOR, date(2026, 11, 3), jra, "JRA Pemprov 2026"),
    )
    sqlite_jejak.runner.catch_up()

    record = processing_record(sqlite_jejak.engine, datetime(2026, 12, 6, 12, tzinfo=UTC))

    payment = next(a for a in record.activities if a.key == "payment")
    account = next(f for f in payment.fields if f.field == "bank_account")
    assert account.retention.startswith("12 tahun")
    assert "ditetapkan 3 November 2026 dengan 188.4/12/2026" in account.retention
    phone = next(f for f in record.fields if f.field == "phone")
    assert phone.retention.startswith("5 tahun")
