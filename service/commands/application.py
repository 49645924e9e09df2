"""The command handler: one eventsourcing Application holding every aggregate of the programme.

Each method loads the aggregates it needs, lets them decide, and saves all their new events in
one atomic `save()`. Personal data is sealed with the person's own keys before any aggregate
sees it, and the duplicate index is claimed before the events are written (ADR 0005).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, Transcoder

from domain.aggregate import LifecycleAggregate
from domain.beneficiary import (
    Beneficiary,
    ExclusionReason,
    IdentityEvidence,
    ReintegrationPath,
)
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.recording import Provenance, RegionRef
from domain.rules import ProgrammeRules
from domain.sealed import Sealer
from domain.site import FundingStatus, InspectionOutcome, Site
from service.commands.audit_checks import AuditCommands
from service.commands.audit_register import AuditRegisterCommands
from service.commands.corrections import CorrectionCommands
from service.commands.money import LedgerCommands
from service.commands.reports import ReportCommands
from service.errors import NotFound
from service.security.vault import NAME_AND_BIRTH_DATE, Vault, name_and_birth_date
from service.store.db import APPLICATION_NAME
from service.store.registered_ids import registered_among
from service.store.transcoding import OrjsonTranscoder, register_domain_transcodings

if TYPE_CHECKING:
    from service.files.documents import DocumentStore

A = TypeVar("A", bound=LifecycleAggregate)
# Attempts of a multi-aggregate command that keeps meeting concurrent changes (see `_retrying`).
MAX_ATTEMPTS = 64


class VersionConflict(RuleViolation):
    """Raised when a command was based on a version that someone else has since changed."""

    code = "VERSION_CONFLICT"


class AlreadyRegistered(RuleViolation):
    """Raised when a site code or case number is registered a second time."""

    code = "ALREADY_REGISTERED"


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the aggregate, its new version and the log position to wait for."""

    aggregate_id: UUID
    version: int
    position: int
    state: str


@dataclass(frozen=True)
class NewBeneficiary:
    """One row of a pendataan roster (plaintext; sealed on arrival); `line` is where it stands
    in the file it was read from, so that a refusal can name it."""

    case_number: str
    name: str
    phone: str | None = None
    line: int | None = None


class ProgrammeApplication(
    CorrectionCommands,
    LedgerCommands,
    AuditRegisterCommands,
    AuditCommands,
    ReportCommands,
    Application[UUID],
):
    """Sites and beneficiaries of one programme, in one event store with one log order."""

    # Pinned: table names derive from it, and it must not collide with JEJAK_* settings.
    name = APPLICATION_NAME

    def __init__(
        self,
        env: dict[str, str],
        vault: Vault,
        rules: ProgrammeRules,
        documents: DocumentStore | None = None,
    ) -> None:
        super().__init__(env=env)
        self.vault = vault
        self.rules = rules
        # Bank files the ledger writes and reads are kept by content; optional so that a
        # benchmark or a tool can run the application without a document store.
        self.documents = documents
        # Per thread: the versions a multi-aggregate command loaded (see `_retrying`).
        self._loads = threading.local()

    def construct_transcoder(self) -> Transcoder:
        # The library's JSON format, written faster (see OrjsonTranscoder).
        transcoder = OrjsonTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # --- sites -----------------------------------------------------------------------------

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
        return self._save_new(site, f"site {code}")

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
        return self._update(
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
        return self._update(
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
        return self._update(
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
        return self._update(
            Site,
            site_id,
            expected_version,
            lambda s: s.record_inspection(outcome=outcome, provenance=provenance),
        )

    # --- beneficiaries ---------------------------------------------------------------------

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
        site = self._get(Site, site_id)
        subject_ids = self._check_roster(site, roster)
        keys = self.vault.new_subject_keys(subject_ids)
        # The keys are committed before the events, so a crash leaves at most orphan keys and
        # never an event that no key can read. Someone who already has keys (from an import
        # that failed after its keys were stored) keeps them, and is sealed with those.
        if self.vault.store_subject_keys(keys):
            sealer_for: Callable[[UUID], Sealer] = keys.sealer_for
        else:
            sealer_for = self.vault.sealer_for
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
            recordings = self._save(*created, what="case number")
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
                where = _row_named(roster, index)
                raise InvalidValue(f"{where}{error.message}", field=error.field) from None
        seen: dict[str, int] = {}
        for index, row in enumerate(roster):
            if row.case_number in seen:
                first = _row_named(roster, seen[row.case_number]).removesuffix(": ")
                raise AlreadyRegistered(
                    f"{_row_named(roster, index)}case number {row.case_number} is also on {first}",
                    field="case_number",
                )
            seen[row.case_number] = index
        subject_ids = [Beneficiary.create_id(row.case_number) for row in roster]
        self._refuse_registered(roster, subject_ids)
        return subject_ids

    def _refuse_registered(self, roster: Sequence[NewBeneficiary], ids: Sequence[UUID]) -> None:
        """Refuse the roster when the store holds any of its ids, naming the first such row
        and counting the others."""
        registered = registered_among(self.recorder, ids)
        taken = [index for index, subject_id in enumerate(ids) if subject_id in registered]
        if not taken:
            return
        others = f"; so are {len(taken) - 1} later rows" if len(taken) > 1 else ""
        first = taken[0]
        raise AlreadyRegistered(
            f"{_row_named(roster, first)}case number {roster[first].case_number} is already "
            f"registered{others}",
            field="case_number",
        )

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
        nik_claim = self.vault.claim("nik", evidence.nik, beneficiary_id)
        twin_key = self._name_and_birth_date(beneficiary_id, evidence)
        twin_claim = (
            self.vault.claim(NAME_AND_BIRTH_DATE, twin_key, beneficiary_id) if twin_key else None
        )
        twin_elsewhere = twin_claim is not None and twin_claim.held_by_another
        try:
            return self._update(
                Beneficiary,
                beneficiary_id,
                expected_version,
                lambda b: b.verify_identity(
                    evidence=evidence,
                    duplicate_in_programme=nik_claim.held_by_another,
                    sealer=self.vault.sealer_for(beneficiary_id),
                    provenance=provenance,
                    name_and_birth_date_shared=twin_elsewhere,
                ),
            )
        except BaseException:
            # Only what this call took is given back, and not what her record now holds: a
            # retry of an earlier verification must never free her NIK (ADR 0029).
            held = (
                self._reload(Beneficiary, beneficiary_id) if self._exists(beneficiary_id) else None
            )
            self.vault.give_back(
                nik_claim, still_held=None if held is None else self._opened(held.nik)
            )
            if twin_claim is not None and held is not None:
                self.vault.give_back(twin_claim, still_held=self._recorded_twin_key(held))
            raise

    def _name_and_birth_date(self, beneficiary_id: UUID, evidence: IdentityEvidence) -> str | None:
        """Her name and birth date as the duplicate index hashes them (None if unknown)."""
        if not self._exists(beneficiary_id):
            return None
        name = self.vault.open(self.beneficiary(beneficiary_id).name)
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
            Beneficiary,
            beneficiary_id,
            expected_version,
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
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.refer_to_child_protection(
                birth_date=birth_date, sealer=self.vault.sealer_for(b.id), provenance=provenance
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
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.assess(
                home_region=home_region,
                path=path,
                notes=notes,
                sealer=self.vault.sealer_for(b.id),
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
                site=self._get(Site, b.site_id),
                facility_id=facility_id,
                rules=self.rules,
                provenance=provenance,
            )

        return self._update(Beneficiary, beneficiary_id, expected_version, decide)

    def complete_training(
        self,
        beneficiary_id: UUID,
        *,
        skill: str,
        provenance: Provenance,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Record completed training."""
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.complete_training(skill=skill, provenance=provenance),
        )

    def drop_out(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record that training was left early."""
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
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
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.confirm_return_home(
                confirming_kelurahan=confirming_kelurahan, provenance=provenance
            ),
        )

    def stay_locally(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a local stay under a signed statement."""
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.stay_locally(provenance=provenance),
        )

    def close_case(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Close the case once every entitlement decreed for her is settled."""
        return self._update(
            Beneficiary,
            beneficiary_id,
            expected_version,
            lambda b: b.close_case(aid_settled=self.aid_settled(b), provenance=provenance),
        )

    def withdraw(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a withdrawal; her entitlements not yet ordered are cancelled with it."""
        return self._exit(
            beneficiary_id, expected_version, lambda b: b.withdraw(provenance=provenance)
        )

    def record_death(
        self, beneficiary_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Record a death; her entitlements not yet ordered are cancelled with it (G-B9)."""
        return self._exit(
            beneficiary_id, expected_version, lambda b: b.record_death(provenance=provenance)
        )

    def _exit(
        self,
        beneficiary_id: UUID,
        expected_version: int | None,
        decide: Callable[[Beneficiary], None],
    ) -> CommandResult:
        def command() -> CommandResult:
            beneficiary = self._get(Beneficiary, beneficiary_id)
            _check_version(beneficiary, expected_version)
            decide(beneficiary)
            provenance = _latest_provenance(beneficiary)
            cancelled = self.cancel_open_entitlements(beneficiary, provenance)
            return self._result(beneficiary, self._save(beneficiary, *cancelled))

        return self._retrying(command)

    # --- reading ---------------------------------------------------------------------------

    def site(self, site_id: UUID) -> Site:
        """The current site aggregate."""
        return self._get(Site, site_id)

    def beneficiary(self, beneficiary_id: UUID) -> Beneficiary:
        """The current beneficiary aggregate."""
        return self._get(Beneficiary, beneficiary_id)

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one aggregate, oldest first."""
        events = list(self.events.get(aggregate_id))
        if not events:
            raise NotFound("aggregate", aggregate_id)
        return events

    def position(self) -> int:
        """The highest position in the event log."""
        return self.recorder.max_notification_id() or 0

    # --- plumbing --------------------------------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID) -> A:
        try:
            aggregate: object = self.repository.get(aggregate_id, projector_func=_replay)
        except AggregateNotFoundError:
            raise NotFound(cls.__name__, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__, aggregate_id)
        versions = getattr(self._loads, "versions", None)
        if versions is not None:
            versions.setdefault(aggregate_id, aggregate.version)
        return aggregate

    def _update(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        decide: Callable[[A], object],
    ) -> CommandResult:
        """Load, decide, save; once more from the store if the cached copy was stale.

        The aggregate cache does not re-read the store on every load (ADR 0009), so another
        process may have moved the aggregate on. Every save is checked against the stored
        version, so a stale decision can never be written: it fails, and so does a refusal
        that rested on stale state. Either way the command is decided again on a fresh load,
        once, and only when the store really holds a newer version.
        """
        aggregate = self._get(cls, aggregate_id)
        loaded_version = aggregate.version
        try:
            return self._decide_and_save(aggregate, expected_version, decide)
        except DomainError:
            fresh = self._reload(cls, aggregate_id)
            if fresh.version == loaded_version:
                raise
            return self._decide_and_save(fresh, expected_version, decide)

    def _decide_and_save(
        self, aggregate: A, expected_version: int | None, decide: Callable[[A], object]
    ) -> CommandResult:
        _check_version(aggregate, expected_version)
        decide(aggregate)
        return self._result(aggregate, self._save(aggregate))

    def _retrying(self, command: Callable[[], CommandResult]) -> CommandResult:
        """Run a command over several aggregates; again on fresh state while it meets changes.

        A save that meets a concurrent change fails as a whole (VersionConflict), and a refusal
        may rest on a stale cached copy; either way every aggregate the command loaded is read
        again from the store and the command decided once more, so the aggregates' own rules
        judge the new state (a second allocation past the commitment gets COMMITMENT_EXCEEDED,
        not a conflict). Each lost race means another command was saved, so the attempts are
        bounded by the writers racing; nothing is retried when nothing had changed.
        """
        for _ in range(MAX_ATTEMPTS - 1):
            loaded: dict[UUID, int] = {}
            self._loads.versions = loaded
            try:
                return command()
            except DomainError:
                self._loads.versions = None
                if not self._stale(loaded):
                    raise
            finally:
                self._loads.versions = None
        return command()

    def _stale(self, loaded: dict[UUID, int]) -> bool:
        """Evict the loaded aggregates from the cache; True if the store holds newer ones."""
        self._evict(loaded)
        for aggregate_id, version in loaded.items():
            with contextlib.suppress(AggregateNotFoundError):
                if self.repository.get(aggregate_id).version != version:
                    return True
        return False

    def _evict(self, aggregate_ids: Iterable[UUID]) -> None:
        if self.repository.cache is not None:
            for aggregate_id in aggregate_ids:
                with contextlib.suppress(KeyError):
                    self.repository.cache.get(aggregate_id, evict=True)

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def _reload(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate from the store, replacing any cached copy."""
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)
        return self._get(cls, aggregate_id)

    def _save_new(self, aggregate: LifecycleAggregate, what: str) -> CommandResult:
        return self._result(aggregate, self._save(aggregate, what=what))

    def _save(
        self, *aggregates: LifecycleAggregate, what: str | None = None
    ) -> list[Recording[UUID]]:
        """Save atomically; `what` names the natural key when the aggregates are new.

        This is `Application.save` for aggregates known to be ours: on Python 3.11 the
        library's runtime `Protocol` checks of each object passed to `save` cost more than
        the rest of collecting its events, and a roster saves thousands at once. The events
        are then recorded (and the aggregate cache updated) by the library as usual.
        """
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        try:
            return self._record(processing)
        except IntegrityError:
            # New aggregates have deterministic ids, so a conflict means the key exists.
            if what is not None:
                raise AlreadyRegistered(f"{what} is already registered") from None
            raise VersionConflict(
                "someone else changed this record meanwhile; reload and try again"
            ) from None

    @staticmethod
    def _result(
        aggregate: LifecycleAggregate, recordings: Iterable[Recording[UUID]]
    ) -> CommandResult:
        position = max((r.notification.id for r in recordings), default=0)
        return CommandResult(aggregate.id, aggregate.version, position, aggregate.state)


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its per-event runtime `Protocol` check.

    Every event in our log is one of our aggregates' own, so the check can only pass; on
    Python 3.11 it cost about as much as decoding the event, and loading the people of a
    40,000-line batch replays hundreds of thousands of events.
    """
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


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


def _check_version(aggregate: LifecycleAggregate, expected: int | None) -> None:
    if expected is not None and aggregate.version != expected:
        raise VersionConflict(
            f"expected version {expected} but the record is at version {aggregate.version}",
            field="expected_version",
        )
