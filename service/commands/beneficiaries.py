"""Beneficiary commands: registration (one person or a whole roster), verification, the
social-work steps, her bank account, her exit and the closure of her case.

Personal data is sealed with her own keys before the aggregate sees it, and the duplicate
index is claimed before the events are written (ADR 0005, ADR 0029). The decisions that
span her case and her entitlements are `domain.money_rules`'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain import money_rules
from domain.aggregate import LifecycleAggregate
from domain.beneficiary import Beneficiary, ExclusionReason, IdentityEvidence, ReintegrationPath
from domain.errors import InvalidValue
from domain.funding import FundingCommitment
from domain.recording import Provenance, RegionRef
from domain.sealed import Sealer
from domain.site import Site
from service.commands.base import AlreadyRegistered, CommandBase, CommandResult, check_version
from service.commands.sealed_fields import opened, recorded_twin_key, refuse_her_name
from service.security.vault import NAME_AND_BIRTH_DATE, name_and_birth_date
from service.store.registered_ids import registered_among


@dataclass(frozen=True)
class NewBeneficiary:
    """One row of a pendataan roster (plaintext; sealed on arrival); `line` is where it stands
    in the file it was read from, so that a refusal can name it."""

    case_number: str
    name: str
    phone: str | None = None
    line: int | None = None


class RosterRowInvalid(InvalidValue):
    """Raised when a row of a roster breaks a registration rule: `row` is its place (from 1)
    and `line` its line in the file it was read from, when it came from one; `broken` is the
    rule's own error, whose code and parameters tell the rule in the reader's language."""

    row: int | None = None
    line: int | None = None

    def __init__(self, message: str, *, broken: InvalidValue) -> None:
        super().__init__(message, field=broken.field)
        self.broken = broken


class BeneficiaryCommands:
    """The commands of a person's case."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app

    # --- registration -----------------------------------------------------------------------

    def register_beneficiary(
        self,
        site_id: UUID,
        *,
        case_number: str,
        name: str,
        phone: str | None,
        provenance: Provenance,
    ) -> CommandResult:
        """Register one person at a site on the pendataan date."""
        return self.register_roster(
            site_id, [NewBeneficiary(case_number, name, phone)], provenance=provenance
        )[0]

    def register_roster(
        self, site_id: UUID, roster: Sequence[NewBeneficiary], *, provenance: Provenance
    ) -> list[CommandResult]:
        """Register a whole pendataan roster in one transaction: all of it or none.

        Every row is checked before anything is written: the registration rules, the roster's
        own repeated case numbers and the case numbers the store already holds. A refusal
        names the row, by its file line when it has one (ADR 0029).
        """
        app, vault = self.app, self.app.vault
        site = app.site(site_id)
        subject_ids = self._check_roster(site, roster)
        # Her name's keyed hash goes in the index a case is found by, stored with her keys.
        keys = vault.new_subject_keys(
            subject_ids, dict(zip(subject_ids, (row.name for row in roster), strict=True))
        )
        # The keys are committed before the events, so a crash leaves at most orphan keys and
        # never an event that no key can read. Someone who already has keys (from an import
        # that failed after its keys were stored) keeps them, and is sealed with those.
        if vault.store_subject_keys(keys):
            sealer_for: Callable[[UUID], Sealer] = keys.sealer_for
        else:
            sealer_for = vault.sealer_for
        created = [
            Beneficiary.register(
                site=site,
                case_number=row.case_number,
                name=row.name,
                phone=row.phone,
                sealer=sealer_for(subject_id),
                provenance=provenance,
                checked_id=subject_id,
            )
            for row, subject_id in zip(roster, subject_ids, strict=True)
        ]
        try:
            recordings = app.commit(*created, what="case number")
        except AlreadyRegistered:
            # Someone registered one of them since the check: name the rows it concerns.
            self._refuse_registered(roster, subject_ids)
            raise
        positions = {r.domain_event.originator_id: r.notification.id for r in recordings}
        return [CommandResult(b.id, b.version, positions.get(b.id, 0), b.state) for b in created]

    def _check_roster(self, site: Site, roster: Sequence[NewBeneficiary]) -> list[UUID]:
        """Every row's registration rules, then the repeats within the roster, then the case
        numbers already registered; the ids of the rows when all pass."""
        for index, row in enumerate(roster):
            try:
                Beneficiary.check_registration(
                    site=site, case_number=row.case_number, name=row.name, phone=row.phone
                )
            except InvalidValue as error:
                if len(roster) == 1 and row.line is None:
                    raise  # one registration, not a roster: the rule's own refusal
                where = _row_named(roster, index)
                refused = RosterRowInvalid(f"{where}{error.message}", broken=error)
                refused.row, refused.line = index + 1, row.line
                raise refused from None
        seen: dict[str, int] = {}
        for index, row in enumerate(roster):
            if row.case_number in seen:
                first = _row_named(roster, seen[row.case_number]).removesuffix(": ")
                repeated = AlreadyRegistered(
                    f"{_row_named(roster, index)}case number {row.case_number} is also on {first}",
                    field="case_number",
                )
                repeated.row, repeated.line = index + 1, row.line
                raise repeated
            seen[row.case_number] = index
        subject_ids = [Beneficiary.create_id(row.case_number) for row in roster]
        self._refuse_registered(roster, subject_ids)
        return subject_ids

    def _refuse_registered(self, roster: Sequence[NewBeneficiary], ids: Sequence[UUID]) -> None:
        """Refuse the roster when the store holds any of its ids, naming the first such row
        and counting the others."""
        registered = registered_among(self.app.recorder, ids)
        taken = [index for index, subject_id in enumerate(ids) if subject_id in registered]
        if not taken:
            return
        others = f"; so are {len(taken) - 1} later rows" if len(taken) > 1 else ""
        first = taken[0]
        refused = AlreadyRegistered(
            f"{_row_named(roster, first)}case number {roster[first].case_number} is already "
            f"registered{others}",
            field="case_number",
        )
        refused.row, refused.line = first + 1, roster[first].line
        raise refused

    def register_rosters(
        self,
        rosters: Iterable[tuple[UUID, Sequence[NewBeneficiary]]],
        *,
        provenance: Provenance,
        on_registered: Callable[[list[CommandResult]], None] | None = None,
    ) -> list[list[CommandResult]]:
        """Register rosters in order, each in its own transaction (all of it or none).

        A bulk import in pieces the store takes comfortably. If a roster fails, the rosters
        before it stay registered, the error's note says how many, and nothing of the failed
        one or those after it is written. `on_registered` hears of each roster once it is
        committed (ADR 0025).
        """
        registered: list[list[CommandResult]] = []
        try:
            for site_id, roster in rosters:
                registered.append(self.register_roster(site_id, roster, provenance=provenance))
                if on_registered is not None:
                    on_registered(registered[-1])
        except BaseException as error:
            error.add_note(f"{len(registered)} earlier rosters were registered")
            raise
        return registered

    # --- verification and the social-work steps ---------------------------------------------

    def verify_identity(
        self,
        beneficiary_id: UUID,
        *,
        evidence: IdentityEvidence,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Verify a person's identity; the NIK, and her name with her birth date, are claimed
        in the erasable duplicate index (another case's name and birth date is check A06)."""
        app, vault = self.app, self.app.vault
        nik_claim = vault.claim("nik", evidence.nik, beneficiary_id)
        twin_key = self._name_and_birth_date(beneficiary_id, evidence)
        twin_claim = (
            vault.claim(NAME_AND_BIRTH_DATE, twin_key, beneficiary_id) if twin_key else None
        )
        twin_elsewhere = twin_claim is not None and twin_claim.held_by_another
        try:
            return self._update(
                beneficiary_id,
                expected_version,
                provenance,
                lambda b: b.verify_identity(
                    evidence=evidence,
                    duplicate_in_programme=nik_claim.held_by_another,
                    sealer=vault.sealer_for(beneficiary_id),
                    provenance=provenance,
                    name_and_birth_date_shared=twin_elsewhere,
                ),
            )
        except BaseException:
            # Only what this call took is given back, and not what her record now holds: a
            # retry of an earlier verification must never free her NIK (ADR 0029).
            held = app.reload(Beneficiary, beneficiary_id) if app.exists(beneficiary_id) else None
            vault.give_back(nik_claim, still_held=None if held is None else opened(vault, held.nik))
            if twin_claim is not None and held is not None:
                vault.give_back(twin_claim, still_held=recorded_twin_key(vault, held))
            raise

    def _name_and_birth_date(self, beneficiary_id: UUID, evidence: IdentityEvidence) -> str | None:
        """Her name and birth date as the duplicate index hashes them (None if unknown)."""
        if not self.app.exists(beneficiary_id):
            return None
        name = self.app.vault.open(self.app.beneficiary(beneficiary_id).name)
        return name_and_birth_date(name, evidence.birth_date) if name else None

    def exclude(
        self,
        beneficiary_id: UUID,
        *,
        exclusion: ExclusionReason,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Exclude a person from the programme, with a reason."""
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.exclude(exclusion=exclusion, provenance=provenance),
        )

    def refer_to_child_protection(
        self,
        beneficiary_id: UUID,
        *,
        birth_date: date,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Refer a person who was under 18 at pendataan to child protection."""
        vault = self.app.vault
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.refer_to_child_protection(
                birth_date=birth_date, sealer=vault.sealer_for(b.id), provenance=provenance
            ),
        )

    def assess(
        self,
        beneficiary_id: UUID,
        *,
        home_region: RegionRef,
        path: ReintegrationPath,
        notes: str | None,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record the social-work assessment."""
        vault = self.app.vault
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.assess(
                home_region=home_region,
                path=path,
                notes=notes,
                sealer=vault.sealer_for(b.id),
                provenance=provenance,
            ),
        )

    def send_to_training(
        self,
        beneficiary_id: UUID,
        *,
        facility_id: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record departure for training; her site must be closed."""

        def decide(b: Beneficiary) -> None:
            b.send_to_training(
                site=self.app.site(b.site_id),
                facility_id=facility_id,
                rules=self.app.rules,
                provenance=provenance,
            )

        return self._update(beneficiary_id, expected_version, provenance, decide)

    def complete_training(
        self,
        beneficiary_id: UUID,
        *,
        skill: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record completed training; the skill is kept in clear, so it must not name her."""

        def decide(b: Beneficiary) -> None:
            self._refuse_her_name(b, provenance, skill=skill)
            b.complete_training(skill=skill, provenance=provenance)

        return self._update(beneficiary_id, expected_version, provenance, decide)

    def drop_out(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record that training was left early."""
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.drop_out(provenance=provenance),
        )

    def confirm_return_home(
        self,
        beneficiary_id: UUID,
        *,
        confirming_kelurahan: RegionRef,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record the confirmed arrival home."""
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.confirm_return_home(
                confirming_kelurahan=confirming_kelurahan, provenance=provenance
            ),
        )

    def stay_locally(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a local stay under a signed statement."""
        return self._update(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.stay_locally(provenance=provenance),
        )

    # --- her bank account -------------------------------------------------------------------

    def record_bank_account(
        self,
        beneficiary_id: UUID,
        *,
        bank_code: str,
        account_number: str,
        holder_name: str,
        provenance: Provenance,
    ) -> CommandResult:
        """Record her account: the holder's name is compared with hers, and an account that
        another case already uses is refused (G-B4); not while a transfer is at the bank (G-B8)."""
        app, vault = self.app, self.app.vault
        beneficiary = app.beneficiary(beneficiary_id)
        # Her entitlements are loaded only if she has an account to change.
        money_rules.check_account_change(
            beneficiary, (app.entitlement(e) for e in beneficiary.entitlement_ids)
        )
        self._refuse_her_name(beneficiary, provenance)
        her_name = vault.open(beneficiary.name)
        matches = her_name is not None and money_rules.same_holder_name(her_name, holder_name)
        claim = vault.claim("bank_account", account_number, beneficiary_id)
        money_rules.refuse_shared_account(claim.held_by_another)
        try:
            beneficiary.record_bank_account(
                bank_code=bank_code,
                account_number=account_number,
                holder_name=holder_name,
                holder_name_matches=matches,
                sealer=vault.sealer_for(beneficiary_id),
                provenance=provenance,
            )
            result = app.saved(beneficiary)
        except BaseException:
            # The same account recorded again must stay hers (ADR 0029).
            held = app.reload(Beneficiary, beneficiary_id).bank_account
            vault.give_back(claim, still_held=None if held is None else vault.open(held))
            raise
        return result

    # --- her exit and the closure of her case -----------------------------------------------

    def close_case(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Close the case once every entitlement decreed for her is settled."""
        app = self.app

        def decide(b: Beneficiary) -> None:
            settled = money_rules.aid_settled(app.entitlement(e) for e in b.entitlement_ids)
            b.close_case(aid_settled=settled, provenance=provenance)

        return self._update(beneficiary_id, expected_version, provenance, decide)

    def accept_hand_over(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record that the actor's unit accepted her case, handed over to it (ADR 0044)."""
        guard = self.app.scope_guard

        def decide(beneficiary: Beneficiary) -> None:
            awaited = None if guard is None else guard.custody_of(beneficiary).incoming
            beneficiary.accept_hand_over(
                unit=provenance.actor.org_unit, awaited_unit=awaited, provenance=provenance
            )

        return self._update(beneficiary_id, expected_version, provenance, decide)

    def withdraw(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a withdrawal; her entitlements not yet ordered are cancelled with it."""
        return self._exit(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.withdraw(provenance=provenance),
        )

    def record_death(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a death; her entitlements not yet ordered are cancelled with it (G-B9)."""
        return self._exit(
            beneficiary_id,
            expected_version,
            provenance,
            lambda b: b.record_death(provenance=provenance),
        )

    def _update(
        self,
        beneficiary_id: UUID,
        expected_version: int | None,
        provenance: Provenance,
        decide: Callable[[Beneficiary], object],
    ) -> CommandResult:
        """`CommandBase.update` of her case, her reason first checked for her name."""

        def checked(beneficiary: Beneficiary) -> object:
            self._refuse_her_name(beneficiary, provenance)
            return decide(beneficiary)

        return self.app.update(Beneficiary, beneficiary_id, expected_version, checked)

    def _refuse_her_name(
        self, beneficiary: Beneficiary, provenance: Provenance, **texts: str | None
    ) -> None:
        """Refuse a reason, or another of `texts` kept in clear, that names her (ADR 0041)."""
        refuse_her_name(self.app.vault, beneficiary, {"reason": provenance.reason, **texts})

    def _exit(
        self,
        beneficiary_id: UUID,
        expected_version: int | None,
        provenance: Provenance,
        decide: Callable[[Beneficiary], None],
    ) -> CommandResult:
        app = self.app

        def command() -> CommandResult:
            beneficiary = app.beneficiary(beneficiary_id)
            check_version(beneficiary, expected_version)
            self._refuse_her_name(beneficiary, provenance)
            decide(beneficiary)
            entitlements = [app.entitlement(e) for e in beneficiary.entitlement_ids]
            commitments: dict[UUID, FundingCommitment] = {}
            for entitlement in entitlements:
                app.commitment_of(entitlement, commitments)
            cancelled = money_rules.cancel_on_exit(
                beneficiary, entitlements, commitments, _latest_provenance(beneficiary)
            )
            return app.saved(beneficiary, *cancelled)

        return app.retrying(command)


def _latest_provenance(aggregate: LifecycleAggregate) -> Provenance:
    """The provenance of the event a command just recorded, for the events that follow it."""
    latest = aggregate.pending_events[-1]
    return Provenance(
        actor=latest.actor,  # type: ignore[attr-defined]
        occurred_on=latest.occurred_on,  # type: ignore[attr-defined]
        document=latest.document,  # type: ignore[attr-defined]
        reason=latest.reason,  # type: ignore[attr-defined]
    )


def _row_named(roster: Sequence[NewBeneficiary], index: int) -> str:
    """How a refusal names a row: its file line, its place in a roster of several, or
    nothing for a single registration."""
    row = roster[index]
    if row.line is not None:
        return f"line {row.line}: "
    return f"row {index + 1}: " if len(roster) > 1 else ""
