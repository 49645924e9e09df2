"""`jejak retention` on a copy of the demo: what is due today and in 2035, a period set on its
JRA, a destruction proposed by the DPO and approved by another supervisor (never by the DPO),
and the log still intact after it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.main import cli
from service.provenance import today_wita
from tests.conftest import DemoTemplate, demo_store

PASSWORDS = {
    "dpo": "dpo-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "supervisor.kemensos": "supervisor-kemensos-2019",
}


@pytest.fixture
def demo(demo_template: DemoTemplate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    demo_store(demo_template, tmp_path).close()
    monkeypatch.setenv("JEJAK_DATABASE_URL", f"sqlite:///{tmp_path}/demo.db")
    monkeypatch.setenv("JEJAK_MASTER_KEY", demo_template.master_key)
    return tmp_path


def run(*args: str, user: str | None = None) -> tuple[int, str]:
    env = {"JEJAK_PASSWORD": PASSWORDS[user]} if user else {}
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_what_is_due_is_listed_and_destroyed_on_four_eyes(demo: Path) -> None:
    today = today_wita().isoformat()
    code, now = run("retention")
    assert code == 0, now
    assert "case_file" in now and "identity_minimum" not in now
    code, later = run("retention", "--today", "2035-01-01")
    assert code == 0, later
    assert "identity_minimum" in later
    due_now = int(re.search(r"Due on [-0-9]+: (\d+)", now).group(1))  # type: ignore[union-attr]
    assert due_now > 0

    code, out = run(
        "retention", "set", "case_file", "--years", "6", "--decree", "188.45/JRA/2026",
        "--issued", "2026-01-05", "--issuer", "Gubernur Kalimantan Utara",
        "--reason", "JRA Pemprov", "--as", "dpo", "--on", today, user="dpo",
    )  # fmt: skip
    assert code == 0, out
    assert "6 years from case_ended" in run("retention", "periods")[1]

    code, out = run(
        "retention", "propose", "--memo", "ND/7/PDP", "--as", "dpo", "--on", today, user="dpo"
    )
    assert code == 0, out
    number = re.search(r"PMS-\d{4}-[0-9A-F]{8}", out).group(0)  # type: ignore[union-attr]
    code, out = run(
        "retention", "approve", number, "--memo", "ND/8/PDP", "--as", "dpo", "--on", today,
        user="dpo",
    )  # fmt: skip
    assert code == 2 and "ROLE_FORBIDDEN" in out
    code, out = run(
        "retention", "approve", number, "--memo", "ND/8/PDP", "--as", "supervisor.kemensos",
        "--on", today, user="supervisor.kemensos",
    )  # fmt: skip
    assert code == 0, out
    assert "CARRIED_OUT" in out
    assert "CARRIED_OUT" in run("retention", "destructions")[1]
    code, after = run("retention")
    assert "Due on" in after and "case_file" not in after.split("Due on")[0]
    code, verified = run("verify")
    assert code == 0, verified
