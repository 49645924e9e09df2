"""The published reports' commands, mixed into `ProgrammeApplication` like the money commands.

The figures arrive computed (`service.queries.reports` folds the log as known at a position);
the aggregate checks them, hashes them and records them whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Recording

from domain.aggregate import LifecycleAggregate
from domain.published_report import Period, PublishedReport, ReportAlreadyPublished, ReportKind
from domain.recording import Provenance

if TYPE_CHECKING:
    from service.commands.application import CommandResult

A = TypeVar("A", bound=LifecycleAggregate)


class ReportCommands:
    """Publishing and republishing reports, mixed into `ProgrammeApplication`."""

    # --- provided by ProgrammeApplication ---------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID) -> A:
        raise NotImplementedError

    def _exists(self, aggregate_id: UUID) -> bool:
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

    # --- commands -----------------------------------------------------------------------------

    def publish_report(
        self,
        *,
        kind: ReportKind,
        period: Period,
        content: Mapping[str, Any],
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        provenance: Provenance,
    ) -> CommandResult:
        """Publish a kind and period for the first time; a second publication is refused
        (REPORT_ALREADY_PUBLISHED): a correction is a republication."""
        from service.commands.application import AlreadyRegistered

        self.check_publishable(kind, period, provenance)
        report = PublishedReport.publish(
            kind=kind,
            period=period,
            content=content,
            log_position=log_position,
            addressee=addressee,
            code_version=code_version,
            commit=commit,
            provenance=provenance,
        )
        try:
            recordings = self._save(report, what="this report")
        except AlreadyRegistered:
            raise _already_published(kind, period) from None  # by someone else, meanwhile
        return self._result(report, recordings)

    def check_publishable(self, kind: ReportKind, period: Period, provenance: Provenance) -> None:
        """Refuse a publication before its figures are computed (a replay of the log): a
        period not over, no covering letter, or a kind and period already published."""
        PublishedReport.check_publishable(period, provenance)
        if self._exists(PublishedReport.create_id(kind, period)):
            raise _already_published(kind, period)

    def republish_report(
        self,
        report_id: UUID,
        *,
        replaces_version: int,
        content: Mapping[str, Any],
        log_position: int,
        addressee: str,
        code_version: str,
        commit: str,
        provenance: Provenance,
    ) -> CommandResult:
        """Publish a corrected version replacing `replaces_version`, which must be the latest
        (VERSION_CONFLICT otherwise)."""
        return self._update(
            PublishedReport,
            report_id,
            replaces_version,
            lambda r: r.republish(
                content=content,
                log_position=log_position,
                addressee=addressee,
                code_version=code_version,
                commit=commit,
                provenance=provenance,
            ),
        )

    # --- reading ------------------------------------------------------------------------------

    def published_report(self, report_id: UUID) -> PublishedReport:
        """The report's current state (its versions are its events)."""
        return self._get(PublishedReport, report_id)


def _already_published(kind: ReportKind, period: Period) -> ReportAlreadyPublished:
    return ReportAlreadyPublished(
        f"the {kind.value} report for {period} is already published; a correction is a new"
        " version (a republication, with a reason)",
        field="period",
    )
