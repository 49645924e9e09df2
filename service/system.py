"""The composition root: builds the store, vault, documents, application and projections from
settings."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from sqlalchemy import Engine

from domain.privacy.categories import RetentionCategory
from projections.assessment_reviews import AssessmentReviews
from projections.audit_findings import AuditFindings
from projections.audit_register import AuditRegister
from projections.base import Projection
from projections.beneficiary_status import BeneficiaryStatus
from projections.breach_register import BreachRegister
from projections.budget_position import BudgetPosition
from projections.chain import StoredEvent
from projections.custody import CaseCustody
from projections.dashboard import ProgrammeDashboard
from projections.entitlement_status import EntitlementStatus
from projections.erasures import Erasures
from projections.event_chain import EventChain
from projections.export_records import ExportRecords
from projections.grants import Grants
from projections.payment_ledger import PaymentLedger
from projections.privacy_clocks import PrivacyClocks
from projections.published_reports import PublishedReports
from projections.retention import (
    Destructions,
    LegalHolds,
    RetentionPolicies,
    RetentionSubjects,
)
from projections.runner import ProjectionRunner
from projections.site_status import SiteStatus
from projections.statement_movements import StatementMovements
from projections.subject_requests import SubjectRequests
from projections.worklist import Worklist
from service.commands.application import ProgrammeApplication
from service.commands.idempotency import IdempotencyStore
from service.files.documents import DocumentStore
from service.queries.retention import CaughtUpRetention, retention_end
from service.security.access_log import AccessLog
from service.security.access_log_chain import AccessLogChain, access_log_signer
from service.security.account_settings import AccountSettings
from service.security.accounts import Accounts, TokenIssuer, token_secret
from service.security.checkpoints import Checkpoint, Checkpoints, CheckpointSigner
from service.security.erasure_journal import (
    ErasureJournal,
    ErasuresNotReapplied,
    missing_erasures,
)
from service.security.integrity import RawEventLog, Verification, verify
from service.security.login_throttle import BackoffPolicy, LoginThrottle, throttle_secret
from service.security.scope import ScopeGuard, Scopes
from service.security.sessions import WebSessions
from service.security.vault import Vault
from service.settings import Settings
from service.store.db import StoreConfig, create_store_engine, parse_database_url, store_exists
from service.store.event_log import ApplicationEventSource, stored_event
from service.store.migrate import upgrade


def build_projections(
    settings: Settings, signer: CheckpointSigner | None = None
) -> list[Projection]:
    """The read models, in the order they are applied within a batch."""
    return [
        # First: the chain links every event before any read model is built from it.
        EventChain(
            signer.row if signer else None,
            settings.checkpoint_every,
            clock=lambda: datetime.now(UTC),
        ),
        SiteStatus(),
        BeneficiaryStatus(),
        CaseCustody(),
        Grants(),
        # After beneficiary_status: these three look up case numbers there (projections.cases).
        EntitlementStatus(),
        PaymentLedger(),
        BudgetPosition(),
        ProgrammeDashboard(),
        Worklist(settings.deadline_days),
        StatementMovements(),
        AuditRegister(settings.deadline_days),
        ExportRecords(),
        PublishedReports(),
        Erasures(),
        SubjectRequests(),
        PrivacyClocks(),
        RetentionPolicies(),
        LegalHolds(),
        Destructions(),
        RetentionSubjects(),
        AssessmentReviews(),
        BreachRegister(),
        # Last: the audit checks read no other read model, and nothing reads theirs.
        AuditFindings(settings.deadline_days),
    ]


@dataclass
class Jejak:
    """Everything one process needs, wired once."""

    settings: Settings
    store: StoreConfig
    engine: Engine
    vault: Vault
    documents: DocumentStore
    accounts: Accounts
    scopes: Scopes
    access_log: AccessLog
    # The access log's own hash chain and checkpoints (ADR 0047).
    access_log_chain: AccessLogChain
    tokens: TokenIssuer
    app: ProgrammeApplication
    runner: ProjectionRunner
    idempotency: IdempotencyStore
    checkpoints: Checkpoints
    login_throttle: LoginThrottle
    sessions: WebSessions
    account_settings: AccountSettings
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @classmethod
    def open(cls, settings: Settings | None = None, *, create: bool = False) -> Jejak:
        """Start on the store the settings name, which must exist unless `create` is given;
        never with a new master key for a store that already holds data (ADR 0037).

        Raises `StoreNotFound` or `MasterKeyNotFound`, naming where it looked.
        """
        settings = settings or Settings()
        store = parse_database_url(settings.database_url)
        found = store_exists(store)
        if not found and not create:
            raise StoreNotFound(store)
        if found and settings.master_key is None and not settings.key_file.exists():
            raise MasterKeyNotFound(store, settings.key_file)
        return cls.start(settings)

    @classmethod
    def start(cls, settings: Settings | None = None) -> Jejak:
        """Open the store, migrate it and build the application (projections not running);
        a missing store and master key are created (commands use `open` instead)."""
        settings = settings or Settings()
        store = parse_database_url(settings.database_url)
        engine = create_store_engine(store)
        upgrade(engine)
        journal = ErasureJournal(settings.erasure_journal_path())
        # A store restored behind the journal's back would show people who were erased.
        missing = missing_erasures(engine, journal.entries())
        if missing:
            engine.dispose()
            raise ErasuresNotReapplied(missing, journal.path)
        master_key = settings.master_key_bytes
        vault = Vault(engine, master_key, journal=journal)
        documents = DocumentStore(engine, master_key, max_bytes=settings.document_max_bytes)
        app = ProgrammeApplication(
            store.library_env(), vault, settings.programme_rules(), documents=documents
        )
        _check_recorder(app, store)
        scopes = Scopes(engine)
        app.scope_guard = ScopeGuard(scopes, app)
        seed = settings.signing_seed
        signer = (
            CheckpointSigner.from_seed(seed)
            if seed is not None
            else CheckpointSigner.from_master_key(master_key)
        )
        runner = ProjectionRunner(
            ApplicationEventSource(app),
            engine,
            build_projections(settings, signer),
            settings.projection_batch_size,
        )
        app.retention.reads = CaughtUpRetention(engine, runner.catch_up)

        def identity_minimum_end(subject: UUID) -> date | None:
            runner.catch_up()
            return retention_end(engine, subject, RetentionCategory.IDENTITY_MINIMUM)

        app.erasures.retention_end = identity_minimum_end
        return cls(
            settings=settings,
            store=store,
            engine=engine,
            vault=vault,
            documents=documents,
            accounts=Accounts(engine, ledger=app),
            scopes=scopes,
            access_log=AccessLog(engine),
            access_log_chain=AccessLogChain(engine, access_log_signer(master_key, seed)),
            tokens=TokenIssuer(token_secret(master_key), settings.token_minutes),
            app=app,
            runner=runner,
            checkpoints=Checkpoints(engine, signer),
            login_throttle=LoginThrottle(
                engine, throttle_secret(master_key), BackoffPolicy.from_settings(settings)
            ),
            sessions=WebSessions(
                engine,
                idle=timedelta(minutes=settings.session_idle_minutes),
                lifetime=timedelta(hours=settings.session_hours),
            ),
            account_settings=AccountSettings(engine),
            idempotency=IdempotencyStore(
                engine,
                ttl=timedelta(hours=settings.idempotency_ttl_hours),
                reclaim_after=timedelta(seconds=settings.idempotency_reclaim_after_seconds),
            ),
        )

    def raw_log(self) -> RawEventLog:
        """The event table read with plain SQL, as verification and evidence read it."""
        return RawEventLog(
            self.engine,
            self.app.recorder.events_table_name,  # type: ignore[attr-defined]
            "rowid" if self.store.kind == "sqlite" else "notification_id",
        )

    def verify_log(self, held_by_auditors: Iterable[Checkpoint] = ()) -> Verification:
        """Re-read the whole log against its chain, the store's checkpoints and any checkpoints
        an auditor kept (which the store cannot have altered)."""
        recorder = self.app.recorder

        def read(after: int, limit: int) -> list[StoredEvent]:
            notes = recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False
            )
            return [stored_event(n) for n in notes]

        def exists(originator_id: UUID, version: int) -> bool:
            return bool(recorder.select_events(originator_id, gt=version - 1, lte=version, limit=1))

        return verify(
            read,
            exists,
            self.engine,
            # An auditor's copy of a checkpoint the store still holds unchanged is one check.
            list(dict.fromkeys([*self.checkpoints.all(), *held_by_auditors])),
            self.checkpoints.signer.public_key,
        )

    def run_projections_in_background(self) -> None:
        """Embedded mode: a thread keeps the read models current, woken after each command."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.runner.run,
            args=(self._stop,),
            kwargs={"on_error": _report},
            name="jejak-projections",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop the projection thread and release connections."""
        self._stop.set()
        self.runner.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.app.close()
        self.engine.dispose()


def where(store: StoreConfig) -> str:
    """Where a store is, as a person can find it: a SQLite file by its absolute path."""
    if store.sqlite_path is not None:
        return f"SQLite file {store.sqlite_path.resolve()}"
    return store.describe()


class StoreNotFound(Exception):
    """Raised when a command needs a store and none is where the settings point: creating one
    there silently would start a second, empty record of the programme."""

    code = "STORE_NOT_FOUND"

    def __init__(self, store: StoreConfig) -> None:
        self.where = where(store)
        super().__init__(
            f"no Jejak store at {where(store)} (JEJAK_DATABASE_URL); create one with"
            " `jejak init`, or run from the folder that holds it"
        )


class MasterKeyNotFound(Exception):
    """Raised when a store exists but its master key is neither set nor in the key file: a new
    key could not open the personal data sealed under the old one."""

    code = "MASTER_KEY_NOT_FOUND"

    def __init__(self, store: StoreConfig, key_file: Path) -> None:
        self.where = where(store)
        self.key_file = str(key_file.resolve())
        super().__init__(
            f"the store at {where(store)} exists, but its master key is not at"
            f" {key_file.resolve()} (JEJAK_KEY_FILE) and JEJAK_MASTER_KEY is not set"
        )


class WrongEventStore(RuntimeError):
    """Raised when the library chose another recorder than JEJAK_DATABASE_URL names."""


def _check_recorder(app: ProgrammeApplication, store: StoreConfig) -> None:
    # A forgotten or overridden PERSISTENCE_MODULE makes the library keep events in memory,
    # silently; refuse to start instead.
    expected: type = PostgresApplicationRecorder if store.is_postgres else SQLiteApplicationRecorder
    if not isinstance(app.recorder, expected):
        app.close()
        raise WrongEventStore(
            f"events would go to {type(app.recorder).__module__}, not {expected.__module__}"
        )


def _report(error: BaseException) -> None:
    import logging

    logging.getLogger("jejak.projections").error("projection batch failed: %r", error)


def freeze_startup_heap() -> None:
    """Put what start-up built (modules, templates, what loading a store left) out of the
    garbage collector's sight before serving.

    A served demo keeps about half a million such objects, all long-lived; each full
    collection walked every one of them, a 250 ms pause every ten or so requests of a page
    that decodes events (the pages group of `make bench`). Objects made later are collected
    as usual."""
    gc.collect()
    gc.freeze()
