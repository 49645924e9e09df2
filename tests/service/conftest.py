"""A bare service store: the service's own tables on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from service.db import create_store_engine, parse_database_url
from service.schema import metadata


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite file lives."""
    return tmp_path / "t.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    """An engine with the vault, account and access-log tables created."""
    engine = create_store_engine(parse_database_url(f"sqlite:///{db_path}"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()
