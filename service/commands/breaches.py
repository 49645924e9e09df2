"""The breach register's commands (UU PDP Pasal 46): a suspected breach recorded, judged,
remedied, notified and closed.

The cases a breach names are checked to exist before it is saved, so the register never points
at nothing; the notices' letters are generated from the register (`service/files/breach_notices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain.access import DataCategory
from domain.beneficiary import Beneficiary
from domain.privacy.breach import Breach, BreachChannel, NoticeChannel, NoticeRecipient
from domain.recording import Provenance
from service.commands.base import CommandBase, CommandResult


class BreachCommands:
    """Recording and handling personal-data breaches (the data-protection officer's)."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    def breach(self, breach_id: UUID) -> Breach:
        """The current breach aggregate."""
        return self.app.load(Breach, breach_id)

    def _cases_exist(self, ids: Sequence[UUID] | None) -> None:
        for case_id in ids or ():
            self.app.load(Beneficiary, case_id)

    def record_suspected_breach(
        self,
        *,
        number: str,
        discovered_at: datetime,
        happened_from: date,
        channel: BreachChannel | str,
        categories: Sequence[DataCategory | str],
        description: str,
        provenance: Provenance,
        happened_to: date | None = None,
        beneficiary_ids: Sequence[UUID] = (),
        estimated_count: int | None = None,
    ) -> CommandResult:
        """Record a suspected breach; the 3x24-hour clock runs from `discovered_at`."""
        self._cases_exist(beneficiary_ids)
        breach = Breach.record_suspected(
            number=number,
            discovered_at=discovered_at,
            happened_from=happened_from,
            happened_to=happened_to,
            channel=channel,
            categories=categories,
            beneficiary_ids=beneficiary_ids,
            estimated_count=estimated_count,
            description=description,
            provenance=provenance,
        )
        return self.app.saved(breach, what=f"breach {number}")

    def confirm_breach(
        self,
        breach_id: UUID,
        *,
        provenance: Provenance,
        categories: Sequence[DataCategory | str] | None = None,
        beneficiary_ids: Sequence[UUID] | None = None,
        estimated_count: int | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Judge it a breach, restating what was exposed if the inquiry found otherwise."""
        self._cases_exist(beneficiary_ids)
        return self.app.update(
            Breach,
            breach_id,
            expected_version,
            lambda b: b.confirm(
                provenance=provenance,
                categories=categories,
                beneficiary_ids=beneficiary_ids,
                estimated_count=estimated_count,
            ),
        )

    def dismiss_breach(
        self, breach_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Judge it not a breach, with the reason."""
        return self.app.update(
            Breach, breach_id, expected_version, lambda b: b.dismiss(provenance=provenance)
        )

    def record_remediation(
        self,
        breach_id: UUID,
        *,
        summary: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record what was done to contain the breach or recover from it."""
        return self.app.update(
            Breach,
            breach_id,
            expected_version,
            lambda b: b.record_remediation(summary=summary, provenance=provenance),
        )

    def record_notice_sent(
        self,
        breach_id: UUID,
        *,
        recipient: NoticeRecipient | str,
        channel: NoticeChannel | str,
        sent_at: datetime,
        provenance: Provenance,
        beneficiary_ids: Sequence[UUID] = (),
        to_all_subjects: bool = False,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record a notice sent; the last one owed completes the notification."""
        return self.app.update(
            Breach,
            breach_id,
            expected_version,
            lambda b: b.record_notice_sent(
                recipient=recipient,
                channel=channel,
                sent_at=sent_at,
                beneficiary_ids=beneficiary_ids,
                to_all_subjects=to_all_subjects,
                provenance=provenance,
            ),
        )

    def close_breach(
        self, breach_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Close a notified breach on the report of its handling."""
        return self.app.update(
            Breach, breach_id, expected_version, lambda b: b.close(provenance=provenance)
        )
