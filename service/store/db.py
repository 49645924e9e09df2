"""Store selection: one URL chooses SQLite or PostgreSQL for events, read models and the vault."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite

APPLICATION_NAME = "programme"
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# PostgreSQL's BIGINT and SQLite's INTEGER: the largest log position or version a store holds.
MAX_STORED_INTEGER = 2**63 - 1


PINNED_OFF = {
    "CIPHER_TOPIC": "",
    "CIPHER_KEY": "",
    "COMPRESSOR_TOPIC": "",
    "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
    "IS_SNAPSHOTTING_ENABLED": "n",
}


AGGREGATE_CACHE = {
    # Commands load the aggregate they change; replaying it each time dominated the command
    # path, and so did re-reading the store to fast-forward a cached copy. The cache is
    # therefore trusted without a read, and `ProgrammeApplication._update` decides again on a
    # fresh load when a save or a refusal shows the copy was stale (ADR 0009). Deep copies
    # keep a refused command from leaving a half-changed aggregate in the cache.
    "AGGREGATE_CACHE_MAXSIZE": "10000",
    "AGGREGATE_CACHE_FASTFORWARD": "n",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
}


class UnsupportedDatabaseUrl(ValueError):
    """Raised when JEJAK_DATABASE_URL names neither a SQLite file nor a PostgreSQL database."""


@dataclass(frozen=True)
class StoreConfig:
    """Where everything lives, parsed from JEJAK_DATABASE_URL."""

    kind: str
    sqlite_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = ""
    schema: str = "public"

    @property
    def is_postgres(self) -> bool:
        """True for the production store."""
        return self.kind == "postgresql"

    def library_env(self) -> dict[str, str]:
        """Settings for the eventsourcing library, passed explicitly so the environment
        cannot silently select its in-memory default.

        The library also reads `os.environ`, looking up `PROGRAMME_<KEY>` before `<KEY>`, and
        lets the constructor's env win only key by key. Every key is therefore given in both
        spellings, and the settings that would change how events are stored (a cipher, a
        compressor, the tracking-dropping database functions) are pinned off.
        """
        plain = {**self._store_env(), **PINNED_OFF, **AGGREGATE_CACHE}
        return plain | {f"{APPLICATION_NAME.upper()}_{key}": value for key, value in plain.items()}

    def _store_env(self) -> dict[str, str]:
        if not self.is_postgres:
            assert self.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            # A stuck writer must not hang every request behind the table lock forever.
            "POSTGRES_LOCK_TIMEOUT": "10",
            # Same table, lock and NOTIFY as the library's recorder, in one round trip.
            "APPLICATION_RECORDER_TOPIC": "service.store.pg_recorder:OneTripPostgresRecorder",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
            # A connection the server dropped (a restart, pg_terminate_backend) is noticed and
            # replaced when taken from the pool, instead of failing the next request.
            "POSTGRES_PRE_PING": "y",
            # How long a request waits for a pooled connection before it is answered 503
            # (the library's default, 30 s, kept a client hanging through an outage).
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }

    def sqlalchemy_url(self) -> str:
        """The same store as a SQLAlchemy URL."""
        if not self.is_postgres:
            return f"sqlite:///{self.sqlite_path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def describe(self) -> str:
        """A description without credentials, for logs and the CLI."""
        if not self.is_postgres:
            return f"SQLite file {self.sqlite_path}"
        return f"PostgreSQL {self.host}:{self.port}/{self.dbname} schema {self.schema}"


def parse_database_url(url: str) -> StoreConfig:
    """Parse JEJAK_DATABASE_URL (`sqlite:///rel.db`, `sqlite:////abs.db`, `postgresql://...`)."""
    if url.startswith("sqlite:///"):
        raw = url.removeprefix("sqlite:///")
        if not raw or raw == ":memory:":
            raise UnsupportedDatabaseUrl("SQLite needs a file path: sqlite:///var/jejak.db")
        return StoreConfig(kind="sqlite", sqlite_path=Path(raw))
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise UnsupportedDatabaseUrl(
            "JEJAK_DATABASE_URL must start with sqlite:/// or postgresql://"
        )
    dbname = parts.path.lstrip("/")
    if not dbname:
        raise UnsupportedDatabaseUrl("a PostgreSQL URL must name its database")
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    if not SCHEMA_NAME.match(schema):
        raise UnsupportedDatabaseUrl("schema must be a lowercase SQL identifier")
    return StoreConfig(
        kind="postgresql",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname=dbname,
        schema=schema,
    )


def create_store_engine(config: StoreConfig) -> Engine:
    """A SQLAlchemy engine for the read models and the vault, in the events' database."""
    if not config.is_postgres:
        assert config.sqlite_path is not None
        config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            config.sqlalchemy_url(),
            connect_args={
                "timeout": 30,
                "check_same_thread": False,
                "factory": _RereadingConnection,
            },
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {"options": f"-csearch_path={config.schema}"}
    engine = create_engine(
        config.sqlalchemy_url(),
        connect_args=connect_args,
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,
        # Statement errors would otherwise quote their parameters (NIK hashes, names sealed or
        # not, amounts) into exception messages and so into logs.
        hide_parameters=True,
    )
    with engine.begin() as conn:
        # The library requires its schema to exist before it creates its tables.
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{config.schema}"'))
    return engine


def store_exists(config: StoreConfig) -> bool:
    """Whether a store is already where `config` points, found without creating anything there
    (connecting to SQLite creates the file; `create_store_engine` creates the schema)."""
    if not config.is_postgres:
        assert config.sqlite_path is not None
        return config.sqlite_path.exists()
    engine = create_engine(config.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            # The migrations' own table: every started store has it, in its schema.
            return inspect(conn).has_table("alembic_version", schema=config.schema)
    finally:
        engine.dispose()


# How often a read is run again when SQLite reports the schema changed under it.
SCHEMA_CHANGE_RETRIES = 5


class _RereadingCursor(sqlite3.Cursor):
    """A cursor that runs a read again when SQLite says the schema changed under it.

    A side-by-side switch renames read-model tables while people read them (ADR 0020). SQLite
    re-prepares a statement when the schema changes, but gives up with "database schema has
    changed" when the schema keeps moving during that retry, and a reader then saw an error for
    a table that exists before and after the switch. A read outside a transaction has no effect
    to undo, so it is simply run again; a write, or a read inside a transaction, still fails.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        attempt = 0
        while True:
            try:
                return super().execute(sql, parameters)
            except sqlite3.OperationalError as error:
                attempt += 1
                if (
                    attempt > SCHEMA_CHANGE_RETRIES
                    or "schema has changed" not in str(error)
                    or self.connection.in_transaction
                    or not sql.lstrip()[:6].upper() == "SELECT"
                ):
                    raise


class _RereadingConnection(sqlite3.Connection):
    """SQLite connections whose cursors run a read again after a schema change."""

    def cursor(self, factory: Any = _RereadingCursor) -> Any:
        return super().cursor(factory)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Erased key rows are overwritten on delete instead of lingering in free pages (ADR 0005).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_ignoring_conflicts(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> set[tuple[str, ...]]:
    """INSERT that skips rows whose primary key exists, without aborting the transaction.

    Returns the primary keys (as text) of the rows actually inserted. The rows go as parameters
    of one statement, which SQLAlchemy sends in multi-row batches with RETURNING. Concurrent
    callers on PostgreSQL wait for each other's uncommitted row rather than failing, so every
    caller can read back the row that won.
    """
    if not rows:
        return set()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:
        raise UnsupportedDatabaseUrl(f"Jejak supports SQLite and PostgreSQL, not {dialect}")
    key = list(table.primary_key.columns)
    returned = conn.execute(statement.returning(*key), list(rows))
    return {tuple(str(value) for value in row) for row in returned}


def as_utc(at: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime.

    SQLite returns the stored UTC time without its zone; PostgreSQL returns it aware.
    """
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
