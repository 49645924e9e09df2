"""beneficiary_status: where is each person's case, is her account on record, and how much aid
was decreed for her? (What was paid is in payment_ledger.)"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, Text

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.sealed import sealed_to_json
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import history_table, metadata, provenance_columns

beneficiary_status = Table(
    "beneficiary_status",
    metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("case_number", String(20), nullable=False, unique=True),
    Column("site_id", String(36), nullable=False, index=True),
    Column("state", String(32), nullable=False, index=True),
    Column("pendataan_on", Date, nullable=False),
    # Ciphertext only (JSON of a Sealed value); the service decrypts per row and per role.
    Column("name_sealed", Text, nullable=False),
    Column("nik_sealed", Text),
    Column("nik_region_known", Boolean),
    Column("nik_birth_digits_consistent", Boolean),
    Column("synthetic_nik", Boolean),
    Column("home_region_code", String(32)),
    Column("path", String(32)),
    Column("facility_id", String(32)),
    Column("training_completed", Boolean, nullable=False),
    Column("bank_account_recorded", Boolean, nullable=False),
    # Whether the account holder's name matched hers (null until an account is recorded).
    Column("account_holder_matches", Boolean),
    # How many entitlements decrees have planned for her; money figures are in payment_ledger.
    Column("aid_decreed", Integer, nullable=False),
    Column("exit_reason", Text),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
    # A site's cases in case-number order, a page at a time (the site page): read in index
    # order and stopped after the page, not all of a large site's cases sorted per request.
    Index("ix_beneficiary_status_site_id_case_number", "site_id", "case_number"),
)

beneficiary_status_history = history_table(beneficiary_status, "beneficiary_id")
"""Every change of every beneficiary_status row, event by event (ADR 0023)."""

BENEFICIARY_EVENTS = BENEFICIARY_LIFECYCLE.event_names
# The ways out of the programme whose reason is her exit reason (an exclusion's reason is shown
# with its ground).
EXITS_WITH_REASON = (
    Beneficiary.ReferredToChildProtection,
    Beneficiary.CaseClosed,
    Beneficiary.BeneficiaryWithdrew,
    Beneficiary.BeneficiaryDied,
    Beneficiary.TrainingDroppedOut,
)


class BeneficiaryStatus(RowProjection):
    """One row per beneficiary; personal fields are held as ciphertext only."""

    name = "beneficiary_status"
    table = beneficiary_status
    tables = (beneficiary_status,)
    history = beneficiary_status_history
    key_column = "beneficiary_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in BENEFICIARY_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Beneficiary.BeneficiaryRegistered):
            row = {
                "beneficiary_id": str(e.originator_id),
                "case_number": e.case_number,
                "site_id": str(e.site_id),
                "state": BENEFICIARY_LIFECYCLE.initial,
                "pendataan_on": e.occurred_on,
                "name_sealed": sealed_to_json(e.name),
                "nik_sealed": None,
                "nik_region_known": None,
                "nik_birth_digits_consistent": None,
                "synthetic_nik": None,
                "home_region_code": None,
                "path": None,
                "facility_id": None,
                "training_completed": False,
                "bank_account_recorded": False,
                "account_holder_matches": None,
                "aid_decreed": 0,
                "exit_reason": None,
            }
        elif row is None:
            # A step dated before her registration (an older store's): at a cut by that date
            # she was not registered yet.
            return None
        else:
            row = dict(row)
            row["state"] = BENEFICIARY_LIFECYCLE.folded_target(event.name, row["state"])
            _apply_facts(row, e)
        row["version"] = e.originator_version
        return stamp(row, event)


def _apply_facts(row: Row, event: LifecycleAggregate.Event) -> None:
    match event:
        case Beneficiary.IdentityVerified(checks=checks):
            row["nik_sealed"] = sealed_to_json(event.nik)
            row["nik_region_known"] = checks.nik_region_known
            row["nik_birth_digits_consistent"] = (
                checks.nik_birth_digits_consistent and checks.nik_sex_digit_consistent
            )
            row["synthetic_nik"] = checks.synthetic_nik
        case Beneficiary.Assessed():
            row["home_region_code"] = event.home_region.code
            row["path"] = str(event.path)
        case Beneficiary.SentToTraining():
            row["facility_id"] = event.facility_id
        case Beneficiary.TrainingCompleted():
            row["training_completed"] = True
        case Beneficiary.BankAccountRecorded():
            row["bank_account_recorded"] = True
            row["account_holder_matches"] = event.holder_name_matches
        case Beneficiary.AidDecreed():
            # Entitlements decreed for her, counted as planned (a later amendment that removes
            # one cancels the entitlement; it does not un-decree it).
            row["aid_decreed"] += len(event.entitlement_ids)
        case Beneficiary.BeneficiaryExcluded():
            row["exit_reason"] = f"{event.exclusion}: {event.reason}"
        case Beneficiary.BeneficiaryDetailsCorrected():
            row["name_sealed"] = sealed_to_json(event.corrected.name)
        case Beneficiary.BeneficiaryDateCorrected(corrected_event="BeneficiaryRegistered"):
            row["pendataan_on"] = event.corrected_date
    if isinstance(event, EXITS_WITH_REASON):
        row["exit_reason"] = event.reason or row["exit_reason"]
