"""The access log's hash chain catches entries changed behind the application's back, on both
stores (ADR 0047).

Each test records entries through `AccessLog`, seals them and signs the head, then tampers with
the `access_log` table directly with SQL (as someone with database access would), and checks
that verification names the first broken entry and how it broke.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

import pytest
from sqlalchemy import func, select, text

from domain.recording import Role
from projections.chain import GENESIS
from service.security.access_log_chain import (
    CHAINED_COLUMNS,
    CHECKPOINT_FORMAT,
    canonical_entry,
    entry_sha256,
    link_hash,
    verify_chain,
)
from service.security.checkpoints import Checkpoint
from service.store.schema import access_log, access_log_chain, access_log_checkpoints
from service.system import Jejak

SUBJECT = UUID("00000000-0000-4000-8000-000000000001")


@pytest.fixture
def sealed(jejak: Jejak) -> Jejak:
    """Twelve entries, sealed, with the head signed."""
    record(jejak, 12)
    assert jejak.access_log_chain.sign_head() is not None
    return jejak


def record(jejak: Jejak, n: int) -> None:
    for i in range(n):
        jejak.access_log.record(
            "opi", Role.OPERATOR, "read_personal_data", "beneficiary", SUBJECT, f"read {i}"
        )


def tamper(jejak: Jejak, sql: str, **params: object) -> None:
    with jejak.engine.begin() as conn:
        conn.execute(text(sql), params)


def slip_in(jejak: Jejak, entry_id: int) -> None:
    """An entry written straight into the table at `entry_id`."""
    tamper(
        jejak,
        "INSERT INTO access_log (id, at, user_id, role, action, interface) "
        "VALUES (:id, :at, 'adm', 'admin', 'login', 'api')",
        id=entry_id,
        at=datetime.now(UTC),
    )


def broken_at(jejak: Jejak, *held: Checkpoint) -> tuple[int, str, str]:
    """The first break verification finds: its entry id, kind and detail."""
    result = jejak.access_log_chain.verify(held)
    assert result.first_break is not None, result.summary()
    return result.first_break.position, result.first_break.kind, result.first_break.detail


def test_a_clean_log_is_intact_up_to_its_last_entry(sealed: Jejak) -> None:
    result = sealed.access_log_chain.verify()

    assert result.intact, result.summary()
    assert (result.intact_up_to, result.entries_checked) == (12, 12)
    assert result.checkpoints_checked == 1 and result.unsealed == 0
    assert result.summary() == "intact up to entry 12 (12 entries, 1 signed checkpoints)"


def test_recording_an_access_writes_no_link_until_a_seal(jejak: Jejak) -> None:
    record(jejak, 3)
    assert links(jejak) == 0

    sealed = jejak.access_log_chain.seal()

    assert (sealed.entries, sealed.head) == (3, 3)
    assert links(jejak) == 3
    assert jejak.access_log_chain.seal().entries == 0


def links(jejak: Jejak) -> int:
    with jejak.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(access_log_chain)).scalar_one())


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", datetime(2026, 1, 1, tzinfo=UTC)),
        ("user_id", "someone"),
        ("role", "auditor"),
        ("action", "login"),
        ("subject_kind", "site"),
        ("subject_id", None),
        ("detail", "read 99"),
        ("interface", "web"),
    ],
)
def test_an_edited_entry_is_found_at_its_id_whatever_column_changed(
    sealed: Jejak, column: str, value: object
) -> None:
    tamper(sealed, f"UPDATE access_log SET {column} = :v WHERE id = 5", v=value)

    result = sealed.access_log_chain.verify()

    assert result.first_break is not None, column
    assert (result.first_break.position, result.first_break.kind) == (5, "changed")
    assert result.intact_up_to == 4
    assert result.summary().startswith("BROKEN at entry 5: changed")


def test_a_deleted_entry_is_found_by_its_link(sealed: Jejak) -> None:
    tamper(sealed, "DELETE FROM access_log WHERE id = 7")

    assert broken_at(sealed)[:2] == (7, "removed")


def test_an_entry_deleted_with_its_link_breaks_the_next_link(sealed: Jejak) -> None:
    tamper(sealed, "DELETE FROM access_log WHERE id = 7")
    tamper(sealed, "DELETE FROM access_log_chain WHERE entry_id = 7")

    assert broken_at(sealed)[:2] == (8, "rewritten")


def test_the_last_entries_deleted_with_their_links_contradict_the_checkpoint(
    sealed: Jejak,
) -> None:
    tamper(sealed, "DELETE FROM access_log WHERE id > 10")
    tamper(sealed, "DELETE FROM access_log_chain WHERE entry_id > 10")

    assert broken_at(sealed)[:2] == (12, "removed")


def test_a_signed_entry_deleted_with_its_link_is_named_by_its_checkpoint(jejak: Jejak) -> None:
    record(jejak, 6)
    jejak.access_log_chain.sign_head()
    record(jejak, 6)
    jejak.access_log_chain.sign_head()
    tamper(jejak, "DELETE FROM access_log WHERE id = 6")
    tamper(jejak, "DELETE FROM access_log_chain WHERE entry_id = 6")

    assert broken_at(jejak)[:2] == (6, "removed")


def test_an_inserted_entry_is_found_and_gaps_in_the_ids_are_no_break(jejak: Jejak) -> None:
    # Ids 1-5 and 106-110: a gap, as a rolled-back insert leaves on PostgreSQL.
    record(jejak, 10)
    tamper(jejak, "UPDATE access_log SET id = id + 100 WHERE id > 5")
    if jejak.store.is_postgres:
        tamper(jejak, "SELECT setval(pg_get_serial_sequence('access_log', 'id'), 110)")
    jejak.access_log_chain.sign_head()
    assert jejak.access_log_chain.verify().intact
    slip_in(jejak, 50)

    result = jejak.access_log_chain.verify()

    assert result.first_break is not None
    assert (result.first_break.position, result.first_break.kind) == (50, "inserted")
    assert result.intact_up_to == 5


def test_an_entry_slipped_in_before_the_first_is_found(sealed: Jejak) -> None:
    slip_in(sealed, 0)

    assert broken_at(sealed)[:2] == (0, "inserted")


def test_two_entries_swapped_are_found_as_reordered(sealed: Jejak) -> None:
    tamper(sealed, "UPDATE access_log SET id = -1 WHERE id = 4")
    tamper(sealed, "UPDATE access_log SET id = 4 WHERE id = 9")
    tamper(sealed, "UPDATE access_log SET id = 9 WHERE id = -1")

    entry_id, kind, detail = broken_at(sealed)

    assert (entry_id, kind) == (4, "reordered")
    assert "now stands at id 9" in detail


def test_an_entry_moved_to_another_id_is_found_as_reordered(sealed: Jejak) -> None:
    tamper(sealed, "DELETE FROM access_log WHERE id = 3")
    tamper(sealed, "UPDATE access_log SET id = 3 WHERE id = 6")

    entry_id, kind, detail = broken_at(sealed)

    assert (entry_id, kind) == (3, "reordered")
    assert "sealed as id 6 now stands here" in detail


def test_a_log_rewritten_with_its_chain_contradicts_the_checkpoint_the_dpo_kept(
    sealed: Jejak,
) -> None:
    kept = sealed.access_log_chain.checkpoints.document()
    tamper(sealed, "UPDATE access_log SET user_id = 'someone' WHERE id = 5")
    rewrite_chain(sealed)

    assert broken_at(sealed)[:2] == (12, "rewritten")

    # Someone who can also drop the store's checkpoints still meets the copy kept outside.
    tamper(sealed, "DELETE FROM access_log_checkpoints")
    assert sealed.access_log_chain.verify().intact
    held = [Checkpoint.from_dict(c, CHECKPOINT_FORMAT) for c in kept["checkpoints"]]
    assert broken_at(sealed, *held)[:2] == (12, "rewritten")


def rewrite_chain(jejak: Jejak) -> None:
    """Recompute every link from the entries as they stand, as a forger with the code would."""
    with jejak.engine.begin() as conn:
        conn.execute(access_log_chain.delete())
        previous = GENESIS
        rows = conn.execute(select(access_log).order_by(access_log.c.id)).mappings()
        for entry in rows:
            digest = entry_sha256(dict(entry))
            previous = link_hash(previous, digest)
            conn.execute(
                access_log_chain.insert().values(
                    entry_id=entry["id"], entry_sha256=digest.hex(), link_hash=previous.hex()
                )
            )


def test_a_forged_checkpoint_is_refused(sealed: Jejak) -> None:
    tamper(sealed, "UPDATE access_log_checkpoints SET link_hash = :h", h="0" * 64)

    assert broken_at(sealed)[:2] == (12, "forged")


def test_a_checkpoint_of_the_event_log_or_its_key_is_not_one_of_the_access_log(
    sealed: Jejak,
) -> None:
    own = sealed.access_log_chain.checkpoints.all()[-1]
    assert sealed.access_log_chain.signer.key_id != sealed.checkpoints.signer.key_id
    # The event log's key signing the access log's head, in the access log's format.
    event_key = sealed.checkpoints.signer
    other = event_key.sign(own.position, bytes.fromhex(own.link_hash), own.signed_at)
    as_access_log = replace(other, format=CHECKPOINT_FORMAT)
    assert broken_at(sealed, as_access_log)[1] == "forged"
    with pytest.raises(ValueError, match="format"):
        Checkpoint.from_dict(other.as_dict(), CHECKPOINT_FORMAT)


def test_entries_recorded_since_the_seal_are_counted_not_broken(sealed: Jejak) -> None:
    record(sealed, 2)
    result = verify_chain(
        sealed.engine,
        sealed.access_log_chain.checkpoints.all(),
        sealed.access_log_chain.signer.public_key,
    )

    assert result.intact and (result.intact_up_to, result.unsealed) == (12, 2)
    assert result.summary().endswith("; 2 newer entries not yet sealed")


THREADS, ROUNDS, PER_ROUND = 6, 8, 3


def test_concurrent_recorders_and_sealers_do_not_fork_the_chain(jejak: Jejak) -> None:
    # Without the seal's table lock on PostgreSQL, an entry whose id was taken before a later
    # one's but committed after it was passed over by a seal, and verification found it
    # "inserted" (seen here in four runs of four).
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for round_ in range(ROUNDS):
                record(jejak, PER_ROUND)
                jejak.access_log_chain.seal()
                if round_ % 2:
                    jejak.access_log_chain.sign_head()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    result = jejak.access_log_chain.verify()
    assert result.intact, result.summary()
    assert result.entries_checked == links(jejak) == THREADS * ROUNDS * PER_ROUND


def test_the_chain_covers_every_column_of_the_access_log() -> None:
    assert set(CHAINED_COLUMNS) == {c.name for c in access_log.columns}
    assert {c.name for c in access_log_chain.columns} == {"entry_id", "entry_sha256", "link_hash"}
    assert "entry_id" in {c.name for c in access_log_checkpoints.columns}


def test_the_link_is_the_documented_format_an_outside_tool_recomputes() -> None:
    entry = {
        "id": 7,
        "at": datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC),
        "user_id": "pdp",
        "role": "dpo",
        "action": "read_access_log",
        "subject_kind": "access_log",
        "subject_id": None,
        "detail": "page, 1 rows, filters: none",
        "interface": "api",
    }
    expected_json = (
        '{"action":"read_access_log","at":"2026-12-06T01:02:03.000000Z",'
        '"detail":"page, 1 rows, filters: none","id":7,"interface":"api","role":"dpo",'
        '"subject_id":null,"subject_kind":"access_log","user_id":"pdp"}'
    )
    assert canonical_entry(entry).decode() == expected_json
    assert json.loads(expected_json)["id"] == 7
    digest = hashlib.sha256(expected_json.encode()).digest()
    previous = bytes(32)
    assert (
        link_hash(previous, digest)
        == hashlib.sha256(b"jejak-access-log-chain-v1" + previous + digest).digest()
    )
