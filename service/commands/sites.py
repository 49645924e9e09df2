"""Site commands: registration at pendataan, sosialisasi, closure and inspection.

Each loads the site, lets it decide, and saves its new event through the base.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.recording import Provenance, RegionRef
from domain.site import FundingStatus, InspectionOutcome, Site
from service.commands.base import CommandBase, CommandResult


class SiteCommands:
    """The commands of a site's lifecycle."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def register_site(
        self,
        *,
        code: str,
        name: str,
        aliases: Sequence[str],
        kelurahan: RegionRef,
        headcount_at_pendataan: int,
        provenance: Provenance,
    ) -> CommandResult:
        """Register a site counted at pendataan."""
        site = Site.register(
            code=code,
            name=name,
            aliases=tuple(aliases),
            kelurahan=kelurahan,
            headcount_at_pendataan=headcount_at_pendataan,
            provenance=provenance,
        )
        return self.app.saved(site, what=f"site {code}")

    def hold_sosialisasi(
        self,
        site_id: UUID,
        *,
        venue: str,
        attendance: int,
        facilitators: Sequence[str],
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record a sosialisasi at a site."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.hold_sosialisasi(
                venue=venue,
                attendance=attendance,
                facilitators=tuple(facilitators),
                provenance=provenance,
            ),
        )

    def decree_closure(
        self,
        site_id: UUID,
        *,
        decree_number: str,
        signing_authority: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record the closure decree of a site."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.decree_closure(
                decree_number=decree_number,
                signing_authority=signing_authority,
                provenance=provenance,
            ),
        )

    def close_site(
        self,
        site_id: UUID,
        *,
        declared_headcount: int,
        funding_status: FundingStatus,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record the closure of a site."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.close(
                declared_headcount=declared_headcount,
                funding_status=funding_status,
                provenance=provenance,
            ),
        )

    def record_inspection(
        self,
        site_id: UUID,
        *,
        outcome: InspectionOutcome,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record a post-closure inspection."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.record_inspection(outcome=outcome, provenance=provenance),
        )
