"""The audit register's commands: external audit findings and the record of every export.

Mixed into `ProgrammeApplication` like the money commands. A finding may name the sites,
cases and payment batches it concerns; each link is checked to exist before the finding is
saved, so the register never points at nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.persistence import Recording

from domain.aggregate import LifecycleAggregate
from domain.audit_finding import AuditFinding
from domain.beneficiary import Beneficiary
from domain.export_record import ExportRecord
from domain.payment_batch import PaymentBatch
from domain.recording import Provenance
from domain.restatement import Restatement
from domain.site import Site

if TYPE_CHECKING:
    from service.commands.application import CommandResult

A = TypeVar("A", bound=LifecycleAggregate)


class AuditRegisterCommands:
    """Audit-register commands, mixed into `ProgrammeApplication` (which provides the plumbing)."""

    # --- provided by ProgrammeApplication ---------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID) -> A:
        raise NotImplementedError

    def _save(
        self, *aggregates: LifecycleAggregate, what: str | None = None
    ) -> list[Recording[UUID]]:
        raise NotImplementedError

    def _update(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        decide: Callable[[A], object],
    ) -> CommandResult:
        raise NotImplementedError

    @staticmethod
    def _result(
        aggregate: LifecycleAggregate, recordings: Iterable[Recording[UUID]]
    ) -> CommandResult:
        raise NotImplementedError

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
                self._get(cls, subject_id)
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
        recordings = self._save(finding, what=f"finding {finding_number} of {lhp_number}")
        return self._result(finding, recordings)

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
        return self._update(
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
        return self._update(
            AuditFinding,
            finding_id,
            expected_version,
            lambda f: f.accept_follow_up(provenance=provenance),
        )

    def reject_follow_up(
        self, finding_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record the audit body's letter rejecting the follow-up, and its reason."""
        return self._update(
            AuditFinding,
            finding_id,
            expected_version,
            lambda f: f.reject_follow_up(provenance=provenance),
        )

    def close_finding(
        self, finding_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Close an accepted finding on the audit body's word."""
        return self._update(
            AuditFinding, finding_id, expected_version, lambda f: f.close(provenance=provenance)
        )

    def finding(self, finding_id: UUID) -> AuditFinding:
        """The current finding aggregate."""
        return self._get(AuditFinding, finding_id)

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
        return self._result(made, self._save(made))

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
        return self._result(made, self._save(made))
