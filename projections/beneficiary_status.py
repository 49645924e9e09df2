"""beneficiary_status: where is each person's case, is her account on record, and how much aid
was decreed for her? (What was paid is in payment_ledger.)"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

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
)

beneficiary_status_history = history_table(beneficiary_status, "beneficiary_id")
"""Every change of every beneficiary_status row, event by event (ADR 0023)."""

BENEFICIARY_EVENTS = BENEFICIARY_LIFECYCLE.event_names
EXIT_EVENTS = frozenset(
    {
        "BeneficiaryExcluded",
        "ReferredToChildProtection",
        "CaseClosed",
        "BeneficiaryWithdrew",
        "BeneficiaryDied",
        "TrainingDroppedOut",
    }
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
        if event.name == "BeneficiaryRegistered":
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
            _apply_facts(row, event)
        row["version"] = e.originator_version
        return stamp(row, event)


def _apply_facts(row: Row, event: PositionedEvent) -> None:
    e = event.event
    match event.name:
        case "IdentityVerified":
            row["nik_sealed"] = sealed_to_json(e.nik)
            row["nik_region_known"] = e.checks.nik_region_known
            row["nik_birth_digits_consistent"] = (
                e.checks.nik_birth_digits_consistent and e.checks.nik_sex_digit_consistent
            )
            row["synthetic_nik"] = e.checks.synthetic_nik
        case "Assessed":
            row["home_region_code"] = e.home_region.code
            row["path"] = str(e.path)
        case "SentToTraining":
            row["facility_id"] = e.facility_id
        case "TrainingCompleted":
            row["training_completed"] = True
        case "BankAccountRecorded":
            row["bank_account_recorded"] = True
            row["account_holder_matches"] = e.holder_name_matches
        case "AidDecreed":
            # Entitlements decreed for her, counted as planned (a later amendment that removes
            # one cancels the entitlement; it does not un-decree it).
            row["aid_decreed"] += len(e.entitlement_ids)
        case "BeneficiaryExcluded":
            row["exit_reason"] = f"{e.exclusion}: {e.reason}"
        case "BeneficiaryDetailsCorrected":
            row["name_sealed"] = sealed_to_json(e.corrected.name)
        case "BeneficiaryDateCorrected" if e.corrected_event == "BeneficiaryRegistered":
            row["pendataan_on"] = e.corrected_date
    if event.name in EXIT_EVENTS and event.name != "BeneficiaryExcluded":
        row["exit_reason"] = e.reason or row["exit_reason"]
