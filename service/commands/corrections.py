"""Correction commands: wrong facts corrected by new events, never by edits (ADR 0022).

Each command loads one aggregate, lets it check the correction against what it recorded and
against its lifecycle's guards, and saves the correction event. A corrected name or phone is
sealed with her own keys, as at registration. A money correction is requested by one person
and takes effect only when a second person approves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.beneficiary import Beneficiary
from domain.entitlement import Entitlement
from domain.recording import DocumentRef, Provenance, RegionRef
from domain.site import Site
from service.commands.base import CommandBase, CommandResult
from service.commands.sealed_fields import (
    recorded_birth_date,
    recorded_twin_key,
    refuse_her_name,
    refuse_name_in_case,
)
from service.security.vault import NAME_AND_BIRTH_DATE, name_and_birth_date


@dataclass(frozen=True)
class _IndexMove:
    """Her duplicate-index entry, from the value recorded to the corrected one."""

    kind: str
    recorded: str
    corrected: str


class CorrectionCommands:
    """Corrections of sites, cases and money facts."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- sites ------------------------------------------------------------------------------

    def correct_site_details(
        self,
        site_id: UUID,
        *,
        name: str | None = None,
        aliases: Sequence[str] | None = None,
        kelurahan: RegionRef | None = None,
        headcount_at_pendataan: int | None = None,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct a site's registration details; what is not given stays as recorded."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.correct_details(
                name=name,
                aliases=None if aliases is None else tuple(aliases),
                kelurahan=kelurahan,
                headcount_at_pendataan=headcount_at_pendataan,
                provenance=provenance,
            ),
        )

    def correct_site_date(
        self,
        site_id: UUID,
        *,
        corrects_version: int,
        corrected_date: date,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct the business date of one of a site's events."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.correct_date(
                corrects_version=corrects_version,
                corrected_date=corrected_date,
                provenance=provenance,
            ),
        )

    def correct_site_document(
        self,
        site_id: UUID,
        *,
        corrects_version: int,
        corrected_document: DocumentRef,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct the document reference of one of a site's events."""
        return self.app.update(
            Site,
            site_id,
            expected_version,
            lambda s: s.correct_document(
                corrects_version=corrects_version,
                corrected_document=corrected_document,
                provenance=provenance,
            ),
        )

    # --- beneficiaries ----------------------------------------------------------------------

    def correct_beneficiary_details(
        self,
        beneficiary_id: UUID,
        *,
        name: str | None = None,
        phone: str | None = None,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct her name or phone, sealed with her keys; the values on record are opened
        from her vault only to tell whether the correction changes them.

        Once she is verified, her name with her birth date is in the erasable duplicate index
        (check A06): the corrected name is claimed before the event is written, as at
        verification, and the recorded one released after it. The name index a case is found
        by holds the corrected name after the event is written.
        """
        move = self._name_index_move(beneficiary_id, name)
        twin_claim = (
            None
            if move is None
            else self.app.vault.claim(move.kind, move.corrected, beneficiary_id)
        )

        def decide(b: Beneficiary) -> None:
            self._refuse_her_name(b, provenance)
            b.correct_details(
                name=name,
                phone=phone,
                recorded_name=self.app.vault.open(b.name),
                recorded_phone=self.app.vault.open(b.phone) if b.phone else None,
                sealer=self.app.vault.sealer_for(b.id),
                provenance=provenance,
                name_and_birth_date_shared=None
                if twin_claim is None
                else twin_claim.held_by_another,
            )

        try:
            result = self.app.update(Beneficiary, beneficiary_id, expected_version, decide)
        except BaseException:
            if twin_claim is not None:
                held = self.app.reload(Beneficiary, beneficiary_id)
                self.app.vault.give_back(
                    twin_claim, still_held=recorded_twin_key(self.app.vault, held)
                )
            raise
        if move is not None:
            self.app.vault.release(move.kind, move.recorded, beneficiary_id)
        if name is not None and name.strip():
            # After the event: a crash between leaves her found by her old name until
            # `jejak search reindex` (ADR 0043), never by a name no event gave her.
            self.app.vault.reindex_names([(beneficiary_id, name)])
        return result

    def _name_index_move(self, beneficiary_id: UUID, name: str | None) -> _IndexMove | None:
        """Her index entry's move when `name` changes what the duplicate index keys her by;
        None when it does not (no name given, not verified, the same name to the index, or
        her name or birth date erased)."""
        if name is None or not name.strip():
            return None
        b = self.app.beneficiary(beneficiary_id)
        if b.minor_at_pendataan is not False:
            return None  # only a verification claims her name in the index
        born = recorded_birth_date(self.app.vault, b)
        recorded = self.app.vault.open(b.name)
        if born is None or recorded is None:
            return None
        move = _IndexMove(
            NAME_AND_BIRTH_DATE,
            name_and_birth_date(recorded, born),
            name_and_birth_date(name.strip(), born),
        )
        same = self.app.vault.keyed_hash(move.kind, move.recorded) == self.app.vault.keyed_hash(
            move.kind, move.corrected
        )
        return None if same else move

    def correct_beneficiary_date(
        self,
        beneficiary_id: UUID,
        *,
        corrects_version: int,
        corrected_date: date,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct the business date of one of her case's events. A corrected pendataan date
        is checked against her age: her birth date is opened from her vault for that alone."""

        def decide(b: Beneficiary) -> None:
            self._refuse_her_name(b, provenance)
            b.correct_date(
                corrects_version=corrects_version,
                corrected_date=corrected_date,
                site=self.app.site(b.site_id),
                provenance=provenance,
                birth_date=(
                    recorded_birth_date(self.app.vault, b)
                    if corrects_version == Beneficiary.INITIAL_VERSION
                    else None
                ),
            )

        return self.app.update(Beneficiary, beneficiary_id, expected_version, decide)

    def correct_beneficiary_document(
        self,
        beneficiary_id: UUID,
        *,
        corrects_version: int,
        corrected_document: DocumentRef,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Correct the document reference of one of her case's events."""

        def decide(b: Beneficiary) -> None:
            self._refuse_her_name(b, provenance)
            b.correct_document(
                corrects_version=corrects_version,
                corrected_document=corrected_document,
                provenance=provenance,
            )

        return self.app.update(Beneficiary, beneficiary_id, expected_version, decide)

    def _refuse_her_name(self, beneficiary: Beneficiary, provenance: Provenance) -> None:
        """A correction's reason is kept in clear on her case: not her name (ADR 0041)."""
        refuse_her_name(self.app.vault, beneficiary, {"reason": provenance.reason})

    # --- money ------------------------------------------------------------------------------

    def request_money_correction(
        self,
        entitlement_id: UUID,
        *,
        corrects_version: int,
        amount: int | None = None,
        reference: str | None = None,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Request a correction of a credit's or a return's amount or reference."""
        return self._money_step(
            entitlement_id,
            expected_version,
            provenance,
            lambda e: e.request_correction(
                corrects_version=corrects_version,
                amount=amount,
                reference=reference,
                provenance=provenance,
            ),
        )

    def approve_money_correction(
        self, entitlement_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Approve the pending money correction (not by the person who requested it)."""
        return self._money_step(
            entitlement_id,
            expected_version,
            provenance,
            lambda e: e.approve_correction(provenance=provenance),
        )

    def reject_money_correction(
        self, entitlement_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Reject the pending money correction, with a reason."""
        return self._money_step(
            entitlement_id,
            expected_version,
            provenance,
            lambda e: e.reject_correction(provenance=provenance),
        )

    def _money_step(
        self,
        entitlement_id: UUID,
        expected_version: int | None,
        provenance: Provenance,
        decide: Callable[[Entitlement], None],
    ) -> CommandResult:
        """`CommandBase.update` of an entitlement of hers, its reason first checked for her
        name (ADR 0041)."""

        def checked(entitlement: Entitlement) -> None:
            refuse_name_in_case(self.app, entitlement.subject_id, {"reason": provenance.reason})
            decide(entitlement)

        return self.app.update(Entitlement, entitlement_id, expected_version, checked)
