"""Fresh stores for the benchmark: a temporary SQLite file or a throw-away PostgreSQL schema.

Every scenario gets its own store, so one scenario's table growth, dead tuples or cached pages
cannot flatter or penalise the next. The raw baselines run on a second connection to the very
same store (same file or same schema), so both sides share the disk, the server and its
settings.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from service.settings import Settings
from service.store.db import StoreConfig, parse_database_url
from service.system import Jejak

StoreKind = Literal["sqlite", "postgresql"]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "bench_"

PgConnection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Target:
    """Which kind of store to benchmark and, for PostgreSQL, which server and database."""

    kind: StoreKind
    postgres_url: str = DEFAULT_POSTGRES_URL
    projection_batch_size: int = 500

    @property
    def label(self) -> str:
        """The store's name in the report."""
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"


@dataclass
class FreshStore:
    """A started Jejak system on an empty store, plus what the raw baselines need to reach it."""

    target: Target
    url: str
    config: StoreConfig
    jejak: Jejak


def postgres_problem(url: str) -> str | None:
    """None when the PostgreSQL server at `url` accepts a connection, else the reason."""
    try:
        with psycopg.connect(_without_query(url), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


@contextmanager
def fresh_store(target: Target, workdir: Path, **overrides: Any) -> Iterator[FreshStore]:
    """An empty store started through `Jejak.start` with any further settings given in
    `overrides`; removed again on exit."""
    with ExitStack() as cleanup:
        if target.kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="store-", dir=workdir))
            cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
            url = f"sqlite:///{folder / 'jejak.db'}"
        else:
            schema = SCHEMA_PREFIX + secrets.token_hex(6)
            # Registered before the schema exists, so a failure half-way still drops it.
            cleanup.callback(_drop_schema, target.postgres_url, schema)
            url = _with_schema(target.postgres_url, schema)
        settings = Settings(
            database_url=url,
            # A random master key per store, as the tests do: nothing real is ever sealed.
            master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
            key_file=workdir / "unused.key",
            projection_batch_size=target.projection_batch_size,
            **overrides,
        )
        jejak = Jejak.start(settings)
        cleanup.callback(jejak.close)
        yield FreshStore(target=target, url=url, config=parse_database_url(url), jejak=jejak)


def connect_sqlite(config: StoreConfig) -> sqlite3.Connection:
    """A plain `sqlite3` connection to the store's file, in the journal mode the library uses.

    `synchronous` is left at SQLite's default (FULL), which is what the event store runs with,
    so a raw commit pays the same WAL fsync as an application commit.
    """
    assert config.sqlite_path is not None
    conn = sqlite3.connect(config.sqlite_path, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def connect_postgres(config: StoreConfig) -> PgConnection:
    """A plain psycopg connection to the store's database, with the store's schema first."""
    return psycopg.connect(
        host=config.host,
        port=config.port,
        user=config.user,
        password=config.password or None,
        dbname=config.dbname,
        options=f"-csearch_path={config.schema}",
    )


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({"schema": schema})))


def _without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


def _drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(_without_query(url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
