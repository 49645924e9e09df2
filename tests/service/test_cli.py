"""The `jejak` command line, run as a user would, against a store named by the environment."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import cli


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JEJAK_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("JEJAK_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    return tmp_path


def test_demo_then_status_then_rebuild(environment: Path) -> None:
    runner = CliRunner()
    demo = runner.invoke(cli, ["demo"])
    assert demo.exit_code == 0, demo.output
    assert "127 people (synthetic)" in demo.output
    assert "supervisor-kaltara-2016" in demo.output

    again = runner.invoke(cli, ["demo"])
    assert "already loaded" in again.output

    status = runner.invoke(cli, ["status", "--as-of", "2020-01-01"])
    assert status.exit_code == 0, status.output
    assert "NNK-NT" in status.output and "NO (unfunded closure)" in status.output

    findings = runner.invoke(cli, ["audit", "findings", "--open"])
    assert findings.exit_code == 0, findings.output
    assert "A23" in findings.output and "4 of 4 findings" in findings.output
    late = runner.invoke(cli, ["audit", "findings", "--rule", "a15"])
    assert "resolved" in late.output and "1 of 1 findings" in late.output
    # Before the closures' deadlines passed, nothing was found; by mid-2019 some were.
    early = runner.invoke(cli, ["audit", "findings", "--as-at", "2016-06-30"])
    assert early.exit_code == 0, early.output
    assert "0 of 0 findings" in early.output
    then = runner.invoke(cli, ["audit", "findings", "--as-at", "2019-06-30", "--known-at", "4000"])
    assert then.exit_code == 0 and "A23" in then.output, then.output
    bad = runner.invoke(cli, ["audit", "findings", "--known-at", "soon"])
    assert bad.exit_code == 2 and "neither a log position" in bad.output
    # The demo's 2019 statement is dated after August: by then, nothing was on a statement.
    period = ["money", "reconcile", "--from", "2019-01-01", "--to", "2019-12-31"]
    august = runner.invoke(cli, [*period, "--as-at", "2019-08-31"])
    assert august.exit_code == 1 and "as at 2019-08-31" in august.output, august.output
    assert "matched                    0" in august.output
    rules = runner.invoke(cli, ["audit", "rules"])
    assert rules.exit_code == 0 and "A24" in rules.output and "not run" in rules.output


def test_users_can_be_added_listed_and_deactivated(environment: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "users",
            "add",
            "dewi.s",
            "operator",
            "--org-unit",
            "Dinas Sosial Kota Tarakan",
            "--display-name",
            "Dewi S",
        ],
        input="a-long-password-1\na-long-password-1\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["users", "list"])
    assert "dewi.s" in listed.output and "operator" in listed.output
    assert runner.invoke(cli, ["users", "deactivate", "dewi.s"]).exit_code == 0
    assert "no" in runner.invoke(cli, ["users", "list"]).output


def test_project_once_catches_up(environment: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["demo"])
    result = runner.invoke(cli, ["project", "--once"])
    assert result.exit_code == 0, result.output


def test_training_facilities_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import Settings

    monkeypatch.setenv(
        "JEJAK_TRAINING_FACILITIES",
        '[{"facility_id": "TRK-BLK", "name": "BLK Tarakan", "region_code": "65.71"}]',
    )
    rules = Settings().programme_rules()
    assert [f.facility_id for f in rules.facilities] == ["TRK-BLK"]
    assert rules.facility("KTM-PSKW-HM") is None
    monkeypatch.setenv(
        "JEJAK_TRAINING_FACILITIES", '[{"facility_id": "x", "name": "", "region_code": "1"}]'
    )
    with pytest.raises(ValueError, match="facility_id"):
        Settings()


def test_documents_can_be_added_and_listed(environment: Path) -> None:
    receipt = environment / "BAST Contoh.pdf"
    receipt.write_bytes(b"%PDF-1.7 receipt")
    runner = CliRunner()
    added = runner.invoke(cli, ["documents", "add", str(receipt), "--kind", "receipt"])
    assert added.exit_code == 0, added.output
    assert added.output.strip() == hashlib.sha256(b"%PDF-1.7 receipt").hexdigest()
    again = runner.invoke(cli, ["documents", "add", str(receipt), "--kind", "receipt"])
    assert again.output == added.output
    listed = runner.invoke(cli, ["documents", "list", "--kind", "receipt"])
    assert listed.exit_code == 0, listed.output
    assert added.output.strip() in listed.output
    assert "application/pdf" in listed.output and "1 of 1 documents" in listed.output
    assert "Contoh" not in listed.output
    refused = runner.invoke(cli, ["documents", "add", str(receipt), "--kind", "invoice"])
    assert refused.exit_code != 0


def test_a_side_by_side_rebuild_switches_and_is_recorded(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    password = "restating-password-1"
    added = runner.invoke(
        cli,
        ["users", "add", "sup.r", "supervisor", "--org-unit", "Dinsos", "--display-name", "Sup R"],
        input=f"{password}\n{password}\n",
    )
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("JEJAK_PASSWORD", password)
    monkeypatch.setenv("JEJAK_GIT_COMMIT", "abc1234")

    refused = runner.invoke(cli, ["rebuild", "worklist", "--yes", "--as", "sup.r"])
    assert refused.exit_code != 0 and "--reason" in refused.output
    declined = runner.invoke(
        cli,
        ["rebuild", "worklist", "--reason", "Deadline setting changed", "--as", "sup.r"],
        input="n\n",
    )
    assert declined.exit_code == 1 and "Nothing switched" in declined.output

    def figures() -> list[str]:
        # The restatement is itself an event: the log position moves, the figures do not.
        output = runner.invoke(cli, ["status", "--as-of", "2020-01-01"]).output
        lines = output[output.index("Jejak status") :].splitlines()
        return [line for line in lines if "log position" not in line]

    status = figures()
    rebuilt = runner.invoke(
        cli,
        ["rebuild", "--all", "--yes", "--reason", "Deadline setting changed", "--as", "sup.r"],
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Switched event_chain, site_status, beneficiary_status" in rebuilt.output
    assert "worklist" in rebuilt.output and "restatement" in rebuilt.output

    from service.restatements import Restatements
    from service.system import Jejak

    jejak = Jejak.start()
    try:
        (item,) = Restatements(jejak).list(10, 0)["items"]
    finally:
        jejak.close()
    assert item["git_commit"] == "abc1234" and item["actor_id"] == "sup.r"
    assert item["summary"]["worklist"] | {"rows": 0} == dict.fromkeys(
        ["added", "removed", "changed", "rows"], 0
    ), "the same fold, the same rows"
    assert set(item["summary"]) >= {"payment_ledger", "ledger_totals", "audit_dossiers"}
    assert item["summary"]["event_chain"]["checkpoints_contradicted"] == 0

    dropped = runner.invoke(cli, ["rebuild", "--drop-previous"])
    assert dropped.exit_code == 0 and "worklist__previous" in dropped.output
    assert figures() == status


def test_a_read_model_as_known_at_a_past_position(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0

    early = runner.invoke(cli, ["as-of", "site_status", "--known-at", "1"])
    whole = runner.invoke(cli, ["as-of", "site_status", "--as-at", "2030-01-01"])

    assert early.exit_code == 0, early.output
    assert [json.loads(line)["state"] for line in early.output.splitlines()] == ["REGISTERED"]
    assert len(whole.output.splitlines()) == 3
    assert runner.invoke(cli, ["as-of", "site_status"]).exit_code == 2


def test_the_money_reports_at_a_cut(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0

    def lines(*args: str) -> list[dict[str, object]]:
        answer = runner.invoke(cli, ["as-of", *args])
        assert answer.exit_code == 0, answer.output
        return [json.loads(line) for line in answer.output.splitlines()]

    mid_2019 = lines("payment_ledger", "--as-at", "2019-06-30")
    everything = lines("payment_ledger", "--as-at", "2030-01-01")
    assert 0 < len(mid_2019) < len(everything)
    assert all(str(r["occurred_on"]) <= "2019-06-30" for r in mid_2019)
    assert len(lines("payment_ledger", "--as-at", "2030-01-01", "--limit", "5")) == 5
    budget_2018 = lines("budget_position", "--as-at", "2018-12-31")
    assert budget_2018 and all(int(str(b["fiscal_year"])) <= 2018 for b in budget_2018)
    assert len(lines("budget_position", "--as-at", "2030-01-01")) > len(budget_2018)
    refused = runner.invoke(
        cli, ["as-of", "budget_position", "--as-at", "2019-01-01", "--state", "OPEN"]
    )
    assert refused.exit_code == 1 and "no column state" in refused.output


def test_restatements_are_listed_and_opened_with_the_events_behind_each_row(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    password = "restating-password-2"
    runner.invoke(
        cli,
        ["users", "add", "sup.s", "supervisor", "--org-unit", "Dinsos", "--display-name", "Sup S"],
        input=f"{password}\n{password}\n",
    )
    monkeypatch.setenv("JEJAK_PASSWORD", password)
    assert "0 restatements" in runner.invoke(cli, ["restatements"]).output
    # A shorter deadline restates the worklist: the due dates of open cases move.
    monkeypatch.setenv("JEJAK_DEADLINE_DAYS", '{"case_closure_days": 3}')
    reason = "Cases closed within three days of the receipt (circular 2019/7)"
    switched = runner.invoke(
        cli, ["rebuild", "worklist", "--yes", "--reason", reason, "--as", "sup.s"]
    )
    assert switched.exit_code == 0, switched.output

    listed = runner.invoke(cli, ["restatements", "--json"])
    (item,) = json.loads(listed.output)["items"]
    assert item["reason"] == reason and item["summary"]["worklist"]["changed"] > 0
    shown = runner.invoke(cli, ["restatements"])
    assert item["restatement_id"] in shown.output and reason in shown.output
    opened = runner.invoke(cli, ["restatements", item["restatement_id"], "--json"])
    rows = json.loads(opened.output)["rows"]
    assert rows and all(r["table"] == "worklist" and r["kind"] == "changed" for r in rows)
    assert all(e["event"] and e["position"] in r["positions"] for r in rows for e in r["events"])
    table = runner.invoke(cli, ["restatements", item["restatement_id"]])
    assert "due_on" in table.output and rows[0]["events"][0]["event"] in table.output
    unknown = runner.invoke(cli, ["restatements", "00000000-0000-0000-0000-000000000000"])
    assert unknown.exit_code == 1 and "NOT_FOUND" in unknown.output
