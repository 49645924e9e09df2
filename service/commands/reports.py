"""The published reports' commands: publishing a kind and period, and republishing it.

Publishing folds the log as known at its head into the report's figures
(`projections.report_figures`, over the events that fold reads, chosen by topic in the store's
own query) and records them whole with that position and their SHA-256; the aggregate checks
them (ADR 0021).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.published_report import (
    Period,
    PublishedReport,
    ReportAlreadyPublished,
    ReportKind,
    figures_sha256,
)
from domain.recording import Provenance
from projections.report_figures import FIGURE_TOPICS, programme_figures
from service.commands.base import AlreadyRegistered, CommandBase, CommandResult
from service.provenance import code_version
from service.store.event_log import log_events


@dataclass(frozen=True)
class Publication:
    """What publishing did: the command's result, and the figures' hash and position."""

    result: CommandResult
    content_sha256: str
    log_position: int


class ReportCommands:
    """Publishing and republishing reports."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def publish(
        self, *, kind: ReportKind, period: Period, addressee: str, provenance: Provenance
    ) -> Publication:
        """Compute the figures as known at the log's head and publish them."""
        self.check_publishable(kind, period, provenance)
        head = self.app.position()
        content = self.figures(kind, period, head)
        version, commit = code_version()
        result = self.publish_report(
            kind=kind,
            period=period,
            content=content,
            log_position=head,
            addressee=addressee,
            code_version=version,
            commit=commit,
            provenance=provenance,
        )
        return Publication(result, figures_sha256(content), head)

    def republish(
        self,
        report_id: UUID,
        *,
        replaces_version: int,
        addressee: str | None,
        provenance: Provenance,
    ) -> Publication:
        """Compute the report's figures again as known at the head and publish them as a new
        version replacing `replaces_version`; the addressee stays unless another is given."""
        report = self.app.published_report(report_id)
        head = self.app.position()
        content = self.figures(report.kind, report.period, head)
        version, commit = code_version()
        result = self.republish_report(
            report_id,
            replaces_version=replaces_version,
            content=content,
            log_position=head,
            addressee=addressee or report.addressee,
            code_version=version,
            commit=commit,
            provenance=provenance,
        )
        return Publication(result, figures_sha256(content), head)

    def figures(self, kind: ReportKind, period: Period, known_at: int) -> dict[str, Any]:
        """The figures of `kind` for `period` as known at log position `known_at` (one kind so
        far; another would bring its own fold)."""
        return programme_figures(log_events(self.app, known_at, FIGURE_TOPICS), period, known_at)

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
            return self.app.saved(report, what="this report")
        except AlreadyRegistered:
            raise _already_published(kind, period) from None  # by someone else, meanwhile

    def check_publishable(self, kind: ReportKind, period: Period, provenance: Provenance) -> None:
        """Refuse a publication before its figures are computed (a replay of the log): a
        period not over, no covering letter, or a kind and period already published."""
        PublishedReport.check_publishable(period, provenance)
        if self.app.exists(PublishedReport.create_id(kind, period)):
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
        return self.app.update(
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


def _already_published(kind: ReportKind, period: Period) -> ReportAlreadyPublished:
    return ReportAlreadyPublished(
        f"the {kind.value} report for {period} is already published; a correction is a new"
        " version (a republication, with a reason)",
        field="period",
    )
