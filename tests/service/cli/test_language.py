"""The command line tells its refusals in the language JEJAK_LANGUAGE names: English unless
set, Indonesian with `id`, the code the same in both (ADR 0048)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.base import REFUSED
from service.cli.main import cli


@pytest.fixture
def absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no store, and settings pointing at one there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JEJAK_DATABASE_URL", raising=False)
    monkeypatch.delenv("JEJAK_MASTER_KEY", raising=False)
    monkeypatch.delenv("JEJAK_KEY_FILE", raising=False)
    monkeypatch.delenv("JEJAK_LANGUAGE", raising=False)
    return tmp_path


def test_a_refusal_is_english_unless_a_language_is_set(absent: Path) -> None:
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == REFUSED
    assert result.stderr.startswith("STORE_NOT_FOUND: no Jejak store at ")


def test_a_refusal_is_indonesian_with_jejak_language_id(
    absent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJAK_LANGUAGE", "id")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == REFUSED
    told = result.stderr.replace("\n", "")
    assert told.startswith("STORE_NOT_FOUND: Tidak ada penyimpanan Jejak di ")
    assert str(absent / "var" / "jejak.db") in told  # where it looked, as in English


def test_an_unknown_language_is_a_settings_refusal(
    absent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJAK_LANGUAGE", "fr")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == REFUSED
    assert "SETTINGS_INVALID: JEJAK_LANGUAGE" in result.stderr
