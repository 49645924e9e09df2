"""The access log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from domain.recording import Role
from service.security.access_log import AccessAction, AccessLog


@pytest.fixture
def log(engine: Engine) -> AccessLog:
    return AccessLog(engine)


def test_an_entry_is_recorded_with_who_what_and_when(log: AccessLog) -> None:
    subject_id = uuid4()
    before = datetime.now(UTC)
    log.record(
        "dewi.s",
        Role.OPERATOR,
        AccessAction.READ_PERSONAL_DATA,
        "beneficiary",
        subject_id,
        "identity fields",
    )
    [entry] = log.recent()
    assert entry.user_id == "dewi.s"
    assert entry.role is Role.OPERATOR
    assert entry.action == "read_personal_data"
    assert entry.subject_kind == "beneficiary"
    assert entry.subject_id == subject_id
    assert entry.detail == "identity fields"
    assert entry.at.tzinfo is not None
    assert before - timedelta(seconds=1) <= entry.at <= datetime.now(UTC) + timedelta(seconds=1)


def test_recent_entries_come_newest_first_up_to_the_limit(log: AccessLog) -> None:
    for action in ("login", "account_created", "role_changed"):
        log.record("admin", Role.ADMIN, action)
    assert [e.action for e in log.recent(limit=2)] == ["role_changed", "account_created"]


def test_recent_entries_can_be_limited_to_one_subject(log: AccessLog) -> None:
    mine, other = uuid4(), uuid4()
    log.record("ani", Role.AUDITOR, AccessAction.READ_PERSONAL_DATA, "beneficiary", mine)
    log.record("ani", Role.AUDITOR, AccessAction.READ_PERSONAL_DATA, "beneficiary", other)
    log.record("ani", Role.ADMIN, AccessAction.ERASE_CASEFILE, "beneficiary", mine)
    entries = log.recent(subject_id=mine)
    assert [e.action for e in entries] == ["erase_casefile", "read_personal_data"]
    assert {e.subject_id for e in entries} == {mine}


def test_a_failed_login_is_recorded_without_a_role(log: AccessLog) -> None:
    log.record("unknown.user", None, AccessAction.LOGIN_FAILED)
    [entry] = log.recent()
    assert entry.role is None
    assert entry.subject_id is None


def test_a_detail_that_looks_like_an_identifier_is_refused_without_echoing_it(
    log: AccessLog,
) -> None:
    with pytest.raises(ValueError, match="identifier") as raised:
        log.record("dewi.s", Role.OPERATOR, "read_personal_data", detail="nik 6571014507900003")
    assert "6571014507900003" not in str(raised.value)
    assert log.recent() == []


def test_a_malformed_action_is_refused(log: AccessLog) -> None:
    with pytest.raises(ValueError, match="action"):
        log.record("dewi.s", Role.OPERATOR, "Read Personal Data")
