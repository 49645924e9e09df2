"""The base every command handler works through: one eventsourcing Application, its helpers to
load, decide and save aggregates, and the typed getters of each aggregate.

The feature handlers (`service.commands.sites`, `.beneficiaries`, `.money`, ...) are given this
base in their constructor; `service.commands.application` composes them (ADR 0039). Personal
data is sealed with the vault before any aggregate sees it (ADR 0005).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, Transcoder
from eventsourcing.utils import get_topic

from domain.access import refused_when_restricted
from domain.aggregate import LifecycleAggregate
from domain.audit_finding import AuditFinding
from domain.beneficiary import Beneficiary
from domain.decree import Decree
from domain.entitlement import Entitlement
from domain.errors import DomainError, RuleViolation
from domain.funding import FundingCommitment
from domain.payment_batch import PaymentBatch
from domain.privacy.erasure import SubjectRestricted
from domain.published_report import PublishedReport
from domain.recording import Actor
from domain.rules import ProgrammeRules
from domain.site import Site
from domain.units import Directory, Unit, UnitInfo
from service.errors import NotFound
from service.security.scope import ScopeGuard
from service.security.vault import Vault
from service.store.db import APPLICATION_NAME
from service.store.event_log import head, history, log_events
from service.store.transcoding import OrjsonTranscoder, register_domain_transcodings

A = TypeVar("A", bound=LifecycleAggregate)
# Attempts of a multi-aggregate command that keeps meeting concurrent changes (see `retrying`).
MAX_ATTEMPTS = 64


class VersionConflict(RuleViolation):
    """Raised when a command was based on a version that someone else has since changed."""

    code = "VERSION_CONFLICT"


class AlreadyRegistered(RuleViolation):
    """Raised when a site code or case number is registered a second time. In a roster, `row`
    is the refused row's place (from 1) and `line` its line in the file it was read from."""

    code = "ALREADY_REGISTERED"
    row: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the aggregate, its new version and the log position to wait for."""

    aggregate_id: UUID
    version: int
    position: int
    state: str


class KeepsDocuments(Protocol):
    """Where the files a command rests on are kept by content (`service.files.documents`)."""

    def put(
        self,
        content: bytes,
        *,
        media_type: str | None,
        filename: str | None,
        kind: str,
        uploaded_by: Actor,
    ) -> object:
        """Keep `content` (once, by its hash)."""
        ...


class CommandBase(Application[UUID]):
    """The programme's event store with the plumbing every command handler shares."""

    # Pinned: table names derive from it, and it must not collide with JEJAK_* settings.
    name = APPLICATION_NAME

    def __init__(
        self,
        env: dict[str, str],
        vault: Vault,
        rules: ProgrammeRules,
        documents: KeepsDocuments | None = None,
    ) -> None:
        super().__init__(env=env)
        self.vault = vault
        self.rules = rules
        # Bank files the ledger writes and reads are kept by content; optional so that a
        # benchmark or a tool can run the application without a document store.
        self.documents = documents
        # Per thread: the versions a multi-aggregate command loaded (see `retrying`).
        self._loads = threading.local()
        # Set by the composition root; None (a benchmark, a tool) leaves writes unscoped.
        self.scope_guard: ScopeGuard | None = None
        # The units read from the log so far, and the position read up to (`unit_directory`).
        self._units: list[UnitInfo] = []
        self._units_read_to = 0
        self._units_lock = threading.Lock()

    def construct_transcoder(self) -> Transcoder:
        # The library's JSON format, written faster (see OrjsonTranscoder).
        transcoder = OrjsonTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # --- the aggregates, typed --------------------------------------------------------------

    def site(self, site_id: UUID) -> Site:
        """The current site aggregate."""
        return self.load(Site, site_id)

    def beneficiary(self, beneficiary_id: UUID) -> Beneficiary:
        """The current beneficiary aggregate."""
        return self.load(Beneficiary, beneficiary_id)

    def entitlement(self, entitlement_id: UUID) -> Entitlement:
        """The current entitlement aggregate."""
        return self.load(Entitlement, entitlement_id)

    def batch(self, batch_id: UUID) -> PaymentBatch:
        """The current payment batch aggregate."""
        return self.load(PaymentBatch, batch_id)

    def commitment(self, commitment_id: UUID) -> FundingCommitment:
        """The current funding commitment aggregate."""
        return self.load(FundingCommitment, commitment_id)

    def decree(self, decree_id: UUID) -> Decree:
        """The current decree aggregate."""
        return self.load(Decree, decree_id)

    def finding(self, finding_id: UUID) -> AuditFinding:
        """The current audit-register finding aggregate."""
        return self.load(AuditFinding, finding_id)

    def published_report(self, report_id: UUID) -> PublishedReport:
        """The report's current state (its versions are its events)."""
        return self.load(PublishedReport, report_id)

    def commitment_of(
        self, entitlement: Entitlement, loaded: dict[UUID, FundingCommitment]
    ) -> FundingCommitment | None:
        """The commitment funding `entitlement` (None when unfunded), loaded once per command:
        `loaded` keeps those already loaded. A batch's lines mostly share one commitment,
        which holds an allocation per line: loading (copying) it again for each of 40,000
        lines made a batch quadratic."""
        if entitlement.commitment_id is None:
            return None
        if entitlement.commitment_id not in loaded:
            loaded[entitlement.commitment_id] = self.commitment(entitlement.commitment_id)
        return loaded[entitlement.commitment_id]

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one aggregate, oldest first."""
        return history(self, aggregate_id)

    def position(self) -> int:
        """The highest position in the event log."""
        return head(self)

    def unit_directory(self) -> Directory:
        """The units established in the log itself: their read model may lag behind a unit
        set up a moment ago, or not run at all while a store is loaded in one go.

        Each call reads only the log after the position the last one read up to: a case page
        asks for it, and the log holds millions of events for a few dozen units. The log only
        grows, in position order, so what was read stays true."""
        topics = (get_topic(Unit.UnitEstablished),)
        with self._units_lock:
            head = self.position()
            self._units.extend(
                e.event.info() for e in log_events(self, head, topics, after=self._units_read_to)
            )
            self._units_read_to = head
            return Directory(self._units)

    # --- load, decide, save -----------------------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate of type `cls`, or NotFound; noted for `retrying` when inside it."""
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

    def reload(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate from the store, replacing any cached copy."""
        self._evict((aggregate_id,))
        return self.load(cls, aggregate_id)

    def exists(self, aggregate_id: UUID) -> bool:
        """True when the store holds an aggregate with this id."""
        return aggregate_id in self.repository

    def update(
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
        aggregate = self.load(cls, aggregate_id)
        loaded_version = aggregate.version
        try:
            return self._decide_and_save(aggregate, expected_version, decide)
        except DomainError:
            fresh = self.reload(cls, aggregate_id)
            if fresh.version == loaded_version:
                raise
            return self._decide_and_save(fresh, expected_version, decide)

    def _decide_and_save(
        self, aggregate: A, expected_version: int | None, decide: Callable[[A], object]
    ) -> CommandResult:
        check_version(aggregate, expected_version)
        decide(aggregate)
        return self.saved(aggregate)

    def retrying(self, command: Callable[[], CommandResult]) -> CommandResult:
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

    def saved(
        self, aggregate: LifecycleAggregate, *others: LifecycleAggregate, what: str | None = None
    ) -> CommandResult:
        """Save `aggregate` with `others` atomically; the result names `aggregate`."""
        return self.result(aggregate, self.commit(aggregate, *others, what=what))

    def commit(
        self, *aggregates: LifecycleAggregate, what: str | None = None
    ) -> list[Recording[UUID]]:
        """Save atomically; `what` names the natural key when the aggregates are new.

        This is `Application.save` for aggregates known to be ours: on Python 3.11 the
        library's runtime `Protocol` checks of each object passed to `save` cost more than
        the rest of collecting its events, and a roster saves thousands at once. The events
        are then recorded (and the aggregate cache updated) by the library as usual.
        """
        if self.scope_guard is not None:
            # Every save passes here, from any interface: the one place scope holds writes.
            self.scope_guard.check(aggregates)
        self._refuse_restricted(aggregates)
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

    def _refuse_restricted(self, aggregates: Iterable[LifecycleAggregate]) -> None:
        """SUBJECT_RESTRICTED when a step would process the data of a woman whose erasure was
        carried out (`domain.access.RESTRICTED_STEPS`). Every save passes here, from any
        interface. The restricted subjects are read only when such a step is being saved on
        a record that existed before: a new record cannot be hers."""
        subjects: list[UUID] = []
        for aggregate in aggregates:
            events = aggregate.pending_events
            if not events or isinstance(events[0], LifecycleAggregate.Created):
                continue
            kind = type(aggregate).__name__
            if any(refused_when_restricted(kind, type(e).__name__) for e in events):
                subjects.append(
                    aggregate.subject_id if isinstance(aggregate, Entitlement) else aggregate.id
                )
        if subjects and not self.vault.restricted_subjects().isdisjoint(subjects):
            raise SubjectRestricted(
                "her erasure was carried out: her data is kept only as evidence and may not be"
                " processed further"
            )

    @staticmethod
    def result(
        aggregate: LifecycleAggregate, recordings: Iterable[Recording[UUID]]
    ) -> CommandResult:
        """What a command returns for `aggregate` once `recordings` are saved."""
        position = max((r.notification.id for r in recordings), default=0)
        return CommandResult(aggregate.id, aggregate.version, position, aggregate.state)


def check_version(aggregate: LifecycleAggregate, expected: int | None) -> None:
    """Refuse a command based on another version than the aggregate's (VERSION_CONFLICT)."""
    if expected is not None and aggregate.version != expected:
        raise VersionConflict(
            f"expected version {expected} but the record is at version {aggregate.version}",
            field="expected_version",
        )


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its per-event runtime `Protocol` check.

    Every event in our log is one of our aggregates' own, so the check can only pass; on
    Python 3.11 it cost about as much as decoding the event, and loading the people of a
    40,000-line batch replays hundreds of thousands of events.
    """
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
