"""A bare service store: the service's own tables on a fresh SQLite file or PostgreSQL schema."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from service.store.db import StoreConfig, create_store_engine, parse_database_url
from service.store.schema import metadata


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """Where the test's tables live: the same tests run on both stores."""
    if request.param == "sqlite":
        return parse_database_url(f"sqlite:///{tmp_path}/t.db")
    url: str = request.getfixturevalue("postgres_schema_url")
    return parse_database_url(url)


@pytest.fixture
def engine(service_store: StoreConfig) -> Iterator[Engine]:
    """An engine with the vault, account and access-log tables created."""
    engine = create_store_engine(service_store)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def raw_bytes(service_store: StoreConfig) -> Callable[[], bytes]:
    """Everything the store holds at rest: the SQLite files, or a pg_dump of the schema."""

    def read() -> bytes:
        if service_store.sqlite_path is not None:
            path = service_store.sqlite_path
            files = [path, path.with_name(path.name + "-wal")]
            return b"".join(f.read_bytes() for f in files if f.exists())
        env = dict(os.environ, PGPASSWORD=service_store.password)
        return subprocess.run(
            [
                "pg_dump",
                "-h",
                service_store.host,
                "-p",
                str(service_store.port),
                "-U",
                service_store.user,
                "-n",
                service_store.schema,
                service_store.dbname,
            ],
            capture_output=True,
            env=env,
            check=True,
        ).stdout

    return read
