"""The hash chain catches history changed behind the application's back, on both stores.

Each test builds a log through the application, chains it, then tampers with the event table
directly with SQL (as someone with database access would) in one of four ways, and checks that
verification names the first broken position and how it broke.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Connection, text

from projections.event_chain import chain_checkpoints, event_chain
from service.security.checkpoints import Checkpoint
from service.system import Jejak
from tests.contract.journey import run_journey


@pytest.fixture
def chained(jejak: Jejak) -> Jejak:
    """A journey's events, chained, with the head signed."""
    run_journey(jejak.app)
    jejak.runner.catch_up()
    assert jejak.checkpoints.sign_head() is not None
    return jejak


def table_and_position(jejak: Jejak) -> tuple[str, str]:
    """The event table and its log-position column, as the library created them."""
    table = jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    return table, ("rowid" if jejak.store.kind == "sqlite" else "notification_id")


def tamper(jejak: Jejak, sql: str, **params: object) -> None:
    table, position = table_and_position(jejak)
    with jejak.engine.begin() as conn:
        conn.execute(text(sql.format(table=table, position=position)), params)
    # The application's aggregate cache must not hide what is now in the store.
    jejak.app.repository.cache = None


def positions(jejak: Jejak) -> list[int]:
    table, position = table_and_position(jejak)
    with jejak.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(f"SELECT {position} FROM {table} ORDER BY 1"))]


def test_an_untouched_log_is_intact_up_to_its_head(chained: Jejak) -> None:
    result = chained.verify_log()

    assert result.intact, result.summary()
    assert result.intact_up_to == chained.app.position()
    assert result.checkpoints_checked == 1
    assert result.summary().startswith(f"intact up to position {chained.app.position()}")


def test_a_changed_event_is_found_at_its_position(chained: Jejak) -> None:
    victim = positions(chained)[5]
    tamper(
        chained,
        "UPDATE {table} SET state = :state WHERE {position} = :p",
        state=b'{"forged":true}',
        p=victim,
    )

    result = chained.verify_log()

    assert result.first_break is not None
    assert (result.first_break.position, result.first_break.kind) == (victim, "changed")
    assert result.intact_up_to < victim


def test_a_removed_event_is_found_by_the_chain_not_by_counting(chained: Jejak) -> None:
    victim = positions(chained)[7]
    tamper(chained, "DELETE FROM {table} WHERE {position} = :p", p=victim)

    result = chained.verify_log()

    assert result.first_break is not None
    assert (result.first_break.position, result.first_break.kind) == (victim, "removed")


def test_an_inserted_event_is_found(chained: Jejak) -> None:
    # Position 0 lies before the first chained event: the chain has no link for it.
    first = positions(chained)[0]
    _, position = table_and_position(chained)
    columns = "originator_id, originator_version, topic, state"
    tamper(
        chained,
        f"INSERT INTO {{table}} ({position}, {columns}) "
        f"SELECT 0, originator_id, originator_version + 1000, topic, state "
        f"FROM {{table}} WHERE {{position}} = :p",
        p=first,
    )

    result = chained.verify_log()

    assert result.first_break is not None
    assert (result.first_break.position, result.first_break.kind) == (0, "inserted")


def test_two_events_swapped_in_the_log_are_found_as_reordered(chained: Jejak) -> None:
    a, b = positions(chained)[3], positions(chained)[9]
    table, position = table_and_position(chained)
    with chained.engine.begin() as conn:
        rows = {
            p: conn.execute(
                text(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    f"WHERE {position} = :p"
                ),
                {"p": p},
            ).one()
            for p in (a, b)
        }
        # Move both rows out of the way of the (aggregate, version) key, then swap them.
        _set(conn, table, position, a, (rows[a][0], -1, rows[a][2], rows[a][3]))
        _set(conn, table, position, b, tuple(rows[a]))
        _set(conn, table, position, a, tuple(rows[b]))
    chained.app.repository.cache = None

    result = chained.verify_log()

    assert result.first_break is not None
    assert (result.first_break.position, result.first_break.kind) == (a, "reordered")


def _set(conn: Connection, table: str, position: str, at: int, values: tuple[object, ...]) -> None:
    conn.execute(
        text(
            f"UPDATE {table} SET originator_id = :o, originator_version = :v, topic = :t, "
            f"state = :s WHERE {position} = :p"
        ),
        {"o": values[0], "v": values[1], "t": values[2], "s": values[3], "p": at},
    )


def test_history_rewritten_with_its_chain_contradicts_a_checkpoint_the_auditor_kept(
    chained: Jejak,
) -> None:
    kept = [
        Checkpoint.from_dict(json.loads(json.dumps(c.as_dict()))) for c in chained.checkpoints.all()
    ]
    victim = positions(chained)[2]
    tamper(chained, "DELETE FROM {table} WHERE {position} = :p", p=victim)
    # The intruder also rebuilds the chain and re-signs it with the stolen signing key.
    with chained.engine.begin() as conn:
        conn.execute(event_chain.delete())
        conn.execute(chain_checkpoints.delete())
        conn.execute(text("DELETE FROM projection_positions WHERE name = :n"), {"n": "event_chain"})
    chained.runner.catch_up()
    chained.checkpoints.sign_head()
    assert chained.verify_log().intact, "the rewritten store agrees with itself"

    result = chained.verify_log(held_by_auditors=kept)

    assert result.first_break is not None
    assert result.first_break.kind == "rewritten"
    assert "signed checkpoint" in result.first_break.detail


def test_a_forged_checkpoint_is_refused(chained: Jejak) -> None:
    (real,) = chained.checkpoints.all()
    forged = Checkpoint(real.position, "0" * 64, real.signed_at, real.key_id, real.signature)

    result = chained.verify_log(held_by_auditors=[forged])

    assert result.first_break is not None and result.first_break.kind == "forged"


def test_the_chain_is_signed_every_so_many_positions(jejak: Jejak) -> None:
    jejak.runner.projections[0].checkpoint_every = 10  # type: ignore[attr-defined]
    run_journey(jejak.app)
    jejak.runner.catch_up()

    signed = jejak.checkpoints.all()

    assert signed and all(c.position <= jejak.app.position() for c in signed)
    assert jejak.verify_log().checkpoints_checked == len(signed)
    assert date.today().year >= signed[0].signed_at.year
