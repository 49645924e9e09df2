"""The audit register's commands: external audit findings (recorded by people, from an audit
body's report), and the record of every export and restatement handed out.

A finding may name the sites, cases and payment batches it concerns; each link is checked to
exist before the finding is saved, so the register never points at nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.audit_finding import AuditFinding
from domain.beneficiary import Beneficiary
from domain.export_record import ExportRecord
from domain.payment_batch import PaymentBatch
from domain.recording import Provenance
from domain.restatement import Restatement
from domain.site import Site
from service.commands.base import CommandBase, CommandResult


class AuditRegisterCommands:
    """The audit register's commands, and the records of exports and restatements."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- findings -----------------------------------------------------------------------------

    def record_finding(
        self,
        *,
        audit_body: str,
        lhp_number: str,
        lhp_date: date,
        lhp_received_on: date,
        finding_number: str,
        title: str,
        recommendation: str,
        responsible_position: str,
        provenance: Provenance,
        amount_to_recover: int | None = None,
        site_ids: Sequence[UUID] = (),
        beneficiary_ids: Sequence[UUID] = (),
        batch_ids: Sequence[UUID] = (),
    ) -> CommandResult:
        """Record a finding of an audit report; every linked subject must exist."""
        for cls, ids in (
            (Site, site_ids),
            (Beneficiary, beneficiary_ids),
            (PaymentBatch, batch_ids),
        ):
            for subject_id in ids:
                self.app.load(cls, subject_id)
        finding = AuditFinding.record(
            audit_body=audit_body,
            lhp_number=lhp_number,
            lhp_date=lhp_date,
            lhp_received_on=lhp_received_on,
            finding_number=finding_number,
            title=title,
            recommendation=recommendation,
            responsible_position=responsible_position,
            amount_to_recover=amount_to_recover,
            site_ids=site_ids,
            beneficiary_ids=beneficiary_ids,
            batch_ids=batch_ids,
            provenance=provenance,
        )
        return self.app.saved(finding, what=f"finding {finding_number} of {lhp_number}")

    def submit_response(
        self,
        finding_id: UUID,
        *,
        summary: str,
        provenance: Provenance,
        amount_recovered: int = 0,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record the official's answer (the letter), with any rupiah it recovered."""
        return self.app.update(
            AuditFinding,
            finding_id,
            expected_version,
            lambda f: f.submit_response(
                summary=summary, amount_recovered=amount_recovered, provenance=provenance
            ),
        )

    def accept_follow_up(
        self, finding_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record the audit body's letter accepting the follow-up."""
        return self.app.update(
            AuditFinding,
            finding_id,
            expected_version,
            lambda f: f.accept_follow_up(provenance=provenance),
        )

    def reject_follow_up(
        self, finding_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record the audit body's letter rejecting the follow-up, and its reason."""
        return self.app.update(
            AuditFinding,
            finding_id,
            expected_version,
            lambda f: f.reject_follow_up(provenance=provenance),
        )

    def close_finding(
        self, finding_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Close an accepted finding on the audit body's word."""
        return self.app.update(
            AuditFinding, finding_id, expected_version, lambda f: f.close(provenance=provenance)
        )

    # --- exports ------------------------------------------------------------------------------

    def record_export(
        self,
        *,
        export_name: str,
        export_format: str,
        filters: Mapping[str, str],
        rows: int,
        content_sha256: str,
        size: int,
        provenance: Provenance,
    ) -> CommandResult:
        """Record that an export was handed out; each export is a new record."""
        made = ExportRecord.make(
            record_id=uuid4(),
            export_name=export_name,
            export_format=export_format,
            filters=filters,
            rows=rows,
            content_sha256=content_sha256,
            size=size,
            provenance=provenance,
        )
        return self.app.saved(made)

    # --- restatements ------------------------------------------------------------------------

    def record_restatement(
        self,
        *,
        restatement_id: UUID,
        projections: Mapping[str, int],
        code_version: str,
        commit: str,
        log_position: int,
        summary: Mapping[str, Mapping[str, int]],
        provenance: Provenance,
        settings_changed: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    ) -> CommandResult:
        """Record that rebuilt read models were switched in (service.commands.restatements)."""
        made = Restatement.record(
            restatement_id=restatement_id,
            projections=projections,
            code_version=code_version,
            commit=commit,
            log_position=log_position,
            summary=summary,
            provenance=provenance,
            settings_changed=settings_changed,
        )
        return self.app.saved(made)
