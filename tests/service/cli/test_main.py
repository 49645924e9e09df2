"""The `jejak` command line, run as a user would, against a store named by the environment."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from domain.recording import Role
from service.cli.main import cli
from service.demo.kaltara import DEMO_UNITS, DEMO_USERS
from service.system import Jejak


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

    status = runner.invoke(cli, ["status", "--today", "2020-01-01"])
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


def add_user(runner: CliRunner, username: str, role: str, *, as_admin: str | None) -> Result:
    """`jejak users add`: the acting administrator's password, then the new one typed twice
    (each account's password is its username and `-password-1`)."""
    password = f"{username}-password-1"
    return runner.invoke(
        cli,
        [
            "users",
            "add",
            username,
            role,
            "--org-unit",
            "Dinas Sosial Kota Tarakan",
            "--display-name",
            username.title(),
            *(["--as", as_admin] if as_admin else []),
        ],
        # The acting administrator signs in first; then the new password is typed twice.
        input=f"{as_admin}-password-1\n{password}\n{password}\n"
        if as_admin
        else f"{password}\n{password}\n",
    )


def test_users_can_be_added_listed_and_deactivated_by_an_administrator(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    first = add_user(runner, "adm.k", "admin", as_admin=None)
    assert first.exit_code == 0, first.output
    added = add_user(runner, "dewi.s", "operator", as_admin="adm.k")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["users", "list"])
    assert "dewi.s" in listed.output and "operator" in listed.output
    deactivated = runner.invoke(
        cli, ["users", "deactivate", "dewi.s", "--as", "adm.k"], input="adm.k-password-1\n"
    )
    assert deactivated.exit_code == 0, deactivated.output
    assert "no" in runner.invoke(cli, ["users", "list"]).output
    jejak = Jejak.start()
    try:
        logged = [(e.user_id, e.action) for e in reversed(jejak.access_log.recent(10))]
    finally:
        jejak.close()
    assert logged == [
        ("adm.k", "account_created"),
        ("adm.k", "account_created"),
        ("adm.k", "account_deactivated"),
    ]


def test_account_changes_without_an_administrator_signed_in_are_refused(
    environment: Path,
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert add_user(runner, "adm.k", "admin", as_admin=None).exit_code == 0
    assert add_user(runner, "sup.k", "supervisor", as_admin="adm.k").exit_code == 0

    unnamed = add_user(runner, "dewi.s", "operator", as_admin=None)
    second_admin = add_user(runner, "adm.l", "admin", as_admin=None)
    by_a_supervisor = runner.invoke(
        cli, ["users", "deactivate", "adm.k", "--as", "sup.k"], input="sup.k-password-1\n"
    )
    deactivated = runner.invoke(cli, ["users", "deactivate", "adm.k"])

    for refused in (unnamed, second_admin, deactivated):
        assert refused.exit_code == 2 and "Give --as USERNAME" in refused.output
    assert by_a_supervisor.exit_code == 2 and "ROLE_FORBIDDEN" in by_a_supervisor.output
    listed = runner.invoke(cli, ["users", "list"]).output
    assert "dewi.s" not in listed and "adm.l" not in listed and " no" not in listed
    assert "cli" not in listed


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


def test_documents_are_added_by_a_named_account_and_listed(environment: Path) -> None:
    receipt = environment / "BAST Contoh.pdf"
    receipt.write_bytes(b"%PDF-1.7 receipt")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert add_user(runner, "adm.k", "admin", as_admin=None).exit_code == 0
    assert add_user(runner, "opi.k", "operator", as_admin="adm.k").exit_code == 0
    add = ["documents", "add", str(receipt), "--kind", "receipt"]

    unnamed = runner.invoke(cli, add)
    by_an_admin = runner.invoke(cli, [*add, "--as", "adm.k"], input="adm.k-password-1\n")
    added = runner.invoke(cli, [*add, "--as", "opi.k"], input="opi.k-password-1\n")

    assert unnamed.exit_code == 2 and "Give --as USERNAME" in unnamed.output
    assert by_an_admin.exit_code == 2 and "ROLE_FORBIDDEN" in by_an_admin.output
    assert added.exit_code == 0, added.output
    sha256 = hashlib.sha256(b"%PDF-1.7 receipt").hexdigest()
    assert added.output.strip().endswith(sha256)
    again = runner.invoke(cli, [*add, "--as", "opi.k"], input="opi.k-password-1\n")
    assert again.output.strip().endswith(sha256)
    listed = runner.invoke(cli, ["documents", "list", "--kind", "receipt"])
    assert listed.exit_code == 0, listed.output
    assert sha256 in listed.output and "opi.k" in listed.output
    assert "application/pdf" in listed.output and "1 of 1 documents" in listed.output
    assert "Contoh" not in listed.output
    refused = runner.invoke(
        cli,
        ["documents", "add", str(receipt), "--kind", "invoice", "--as", "opi.k"],
        input="opi.k-password-1\n",
    )
    assert refused.exit_code != 0


def test_a_checkpoint_is_signed_by_a_named_administrator(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0

    unnamed = runner.invoke(cli, ["checkpoint"])
    by_a_supervisor = runner.invoke(
        cli, ["checkpoint", "--as", "supervisor"], input="supervisor-kaltara-2016\n"
    )
    signed = runner.invoke(cli, ["checkpoint", "--as", "admin"], input="admin-kaltara-2016\n")

    assert unnamed.exit_code == 2 and "Give --as USERNAME" in unnamed.output
    assert by_a_supervisor.exit_code == 2 and "ROLE_FORBIDDEN" in by_a_supervisor.output
    assert signed.exit_code == 0, signed.output
    jejak = Jejak.start()
    try:
        (entry,) = [e for e in jejak.access_log.recent(50) if e.action == "sign_checkpoint"]
    finally:
        jejak.close()
    assert (entry.user_id, entry.role) == ("admin", Role.ADMIN)


def test_a_side_by_side_rebuild_switches_and_is_recorded(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    password = "restating-password-1"
    added = runner.invoke(
        cli,
        [
            *("users", "add", "sup.r", "supervisor", "--org-unit", "DINSOS-KALTARA"),
            *("--display-name", "Sup R", "--as", "admin"),
        ],
        input=f"admin-kaltara-2016\n{password}\n{password}\n",
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
        output = runner.invoke(cli, ["status", "--today", "2020-01-01"]).output
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

    from service.commands.restatements import Restatements
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

    # The demo sets up its units, its accounts and the examiner's assignment first.
    first_site = len(DEMO_UNITS) + len(DEMO_USERS) + 2
    early = runner.invoke(cli, ["read-model", "site_status", "--known-at", str(first_site)])
    whole = runner.invoke(cli, ["read-model", "site_status", "--as-at", "2030-01-01"])

    assert early.exit_code == 0, early.output
    assert [json.loads(line)["state"] for line in early.output.splitlines()] == ["REGISTERED"]
    assert len(whole.output.splitlines()) == 3
    assert runner.invoke(cli, ["read-model", "site_status"]).exit_code == 2


def test_the_money_reports_at_a_cut(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0

    def lines(*args: str) -> list[dict[str, object]]:
        answer = runner.invoke(cli, ["read-model", *args])
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
        cli, ["read-model", "budget_position", "--as-at", "2019-01-01", "--state", "OPEN"]
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
        [
            *("users", "add", "sup.s", "supervisor", "--org-unit", "DINSOS-KALTARA"),
            *("--display-name", "Sup S", "--as", "admin"),
        ],
        input=f"admin-kaltara-2016\n{password}\n{password}\n",
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
    # The diff shown before the switch names the setting as the cause, not a row's last event.
    assert "  JEJAK_DEADLINE_DAYS.case_closure_days 365 -> 3\n" in switched.output

    listed = runner.invoke(cli, ["restatements", "--json"])
    (item,) = json.loads(listed.output)["items"]
    assert item["reason"] == reason and item["summary"]["worklist"]["changed"] > 0
    shown = runner.invoke(cli, ["restatements"])
    assert item["restatement_id"] in shown.output and reason in shown.output
    opened = runner.invoke(cli, ["restatements", item["restatement_id"], "--json"])
    rows = json.loads(opened.output)["rows"]
    assert rows and all(r["table"] == "worklist" and r["kind"] == "changed" for r in rows)
    assert all(e["event"] and e["position"] in r["positions"] for r in rows for e in r["events"])
    cause = {"setting": "JEJAK_DEADLINE_DAYS.case_closure_days", "before": 365, "after": 3}
    assert all(r["settings"] == [cause] for r in rows)
    table = runner.invoke(cli, ["restatements", item["restatement_id"]])
    assert "due_on" in table.output
    assert "  JEJAK_DEADLINE_DAYS.case_closure_days 365 -> 3\n" in table.output
    assert rows[0]["events"][0]["event"] not in table.output.split("365 -> 3")[1]
    unknown = runner.invoke(cli, ["restatements", "00000000-0000-0000-0000-000000000000"])
    assert unknown.exit_code == 1 and "NOT_FOUND" in unknown.output


def test_an_auditors_evidence_bundle_is_in_clear_only_with_a_reason(environment: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    out = environment / "bukti.zip"
    export = ["evidence", "--beneficiary", "TRK-JP-0005", "--out", str(out), "--as", "auditor"]
    password = "auditor-kaltara-2016\n"

    without = runner.invoke(cli, [*export, "--in-clear"], input=password)
    masked = runner.invoke(cli, export, input=password)
    given = runner.invoke(
        cli, [*export, "--in-clear", "--reason", "Surat tugas 12/ST/2020"], input=password
    )

    assert without.exit_code != 0 and "REASON_REQUIRED" in without.output
    assert masked.exit_code == 0, masked.output
    assert "(0 withheld)" not in masked.output, "the bank's files name her account"
    assert given.exit_code == 0, given.output
    assert "(0 withheld)" in given.output
    jejak = Jejak.start()
    try:
        details = [
            e.detail or ""
            for e in jejak.access_log.recent(10)
            if e.action == "export_evidence_bundle"
        ]
    finally:
        jejak.close()
    assert details[0].endswith("reason: Surat tugas 12/ST/2020") and "masked" in details[1]
