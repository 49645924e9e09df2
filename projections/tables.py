"""Every read-model table, in one list: what migrations and `schema_all` compare and create.

Each table is defined beside the fold that writes it (`projections/<read model>.py`); this
module only gathers them, so that `metadata` holds them all once it is imported.
"""

from __future__ import annotations

from sqlalchemy import Table

from projections.assessment_reviews import impact_assessment_reviews
from projections.audit_findings import (
    audit_dossiers,
    audit_dossiers_history,
    audit_findings,
    audit_findings_history,
    audit_late_events,
    audit_subjects,
    audit_subjects_history,
)
from projections.audit_register import audit_register, audit_register_history
from projections.beneficiary_status import beneficiary_status, beneficiary_status_history
from projections.breach_register import breach_register
from projections.budget_position import budget_allocations, budget_position
from projections.custody import case_units, site_units, units
from projections.dashboard import dashboard_members, programme_dashboard
from projections.dashboard_counts import (
    dashboard_counts_dated,
    dashboard_counts_known,
    dashboard_move_tallies,
    dashboard_moves,
)
from projections.entitlement_status import entitlement_status, entitlement_status_history
from projections.erasures import erasures
from projections.event_chain import chain_checkpoints, event_chain
from projections.export_records import export_records
from projections.grants import account_grants, audit_assignments
from projections.payment_ledger import ledger_totals, payment_ledger
from projections.privacy_clocks import privacy_clocks
from projections.published_reports import published_reports
from projections.retention import (
    destructions,
    legal_holds,
    retention_policies,
    retention_subjects,
)
from projections.runner import projection_positions
from projections.schema import metadata
from projections.site_status import site_status, site_status_history
from projections.statement_movements import statement_movements
from projections.subject_requests import subject_requests
from projections.worklist import worklist, worklist_history

TABLES: tuple[Table, ...] = (
    projection_positions,
    site_status,
    beneficiary_status,
    dashboard_members,
    programme_dashboard,
    dashboard_moves,
    dashboard_move_tallies,
    dashboard_counts_known,
    dashboard_counts_dated,
    worklist,
    entitlement_status,
    payment_ledger,
    ledger_totals,
    budget_position,
    budget_allocations,
    statement_movements,
    event_chain,
    chain_checkpoints,
    audit_register,
    export_records,
    audit_findings,
    audit_dossiers,
    audit_subjects,
    published_reports,
    audit_findings_history,
    audit_dossiers_history,
    audit_subjects_history,
    audit_late_events,
    units,
    site_units,
    case_units,
    account_grants,
    audit_assignments,
    erasures,
    privacy_clocks,
    subject_requests,
    retention_policies,
    legal_holds,
    destructions,
    retention_subjects,
    impact_assessment_reviews,
    breach_register,
)
"""Every read-model table but the row histories below."""

HISTORIES: dict[str, Table] = {
    history.name.removesuffix("_history"): history
    for history in (
        site_status_history,
        beneficiary_status_history,
        entitlement_status_history,
        worklist_history,
        audit_register_history,
    )
}
"""The row read models whose every change is kept, by live table name (ADR 0023)."""

assert set(metadata.tables) == {t.name for t in (*TABLES, *HISTORIES.values())}

__all__ = ["HISTORIES", "TABLES", "metadata"]
