"""The idempotency-key store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from service.commands.idempotency import (
    Claim,
    IdempotencyKeyReused,
    IdempotencyStore,
    InvalidIdempotencyKey,
    RequestInProgress,
    StoredResponse,
    parse_idempotency_key,
    request_fingerprint,
)
from service.store.schema import idempotency_keys
from tests.conftest import Clock

TTL = timedelta(hours=24)
RECLAIM_AFTER = timedelta(seconds=120)
CREATED = StoredResponse(201, '{"id":"x","position":7}')
FINGERPRINT = request_fingerprint("POST", "/api/sites", b'{"code":"TRK-JP"}')
OTHER_REQUEST = request_fingerprint("POST", "/api/sites", b'{"code":"NNK-NT"}')


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine: Engine, clock: Clock) -> IdempotencyStore:
    return IdempotencyStore(engine, TTL, RECLAIM_AFTER, clock)


def claimed(outcome: Claim | StoredResponse) -> Claim:
    assert isinstance(outcome, Claim), outcome
    return outcome


# --- the header and the fingerprint -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"),
        ('"8e03978e-40d5"', "8e03978e-40d5"),  # the draft's quoted sf-string form
        ("a" * 255, "a" * 255),
        ("pay TRK-JP-0001 #2", "pay TRK-JP-0001 #2"),
    ],
)
def test_a_well_formed_key_is_accepted(raw: str, key: str) -> None:
    assert parse_idempotency_key(raw) == key


@pytest.mark.parametrize("raw", ["", '""', "   ", "a" * 256, "tab\there", "bell\x07", "kunci-é"])
def test_a_malformed_key_is_refused_naming_the_header(raw: str) -> None:
    with pytest.raises(InvalidIdempotencyKey) as refused:
        parse_idempotency_key(raw)
    assert refused.value.field == "Idempotency-Key"
    assert refused.value.code == "IDEMPOTENCY_KEY_INVALID"


def test_the_fingerprint_ignores_json_key_order_and_spacing() -> None:
    assert request_fingerprint("POST", "/p", b'{"a": 1, "b": [1, 2]}') == request_fingerprint(
        "post", "/p", b'{"b":[1,2],"a":1}'
    )


def test_the_fingerprint_tells_method_path_and_body_apart() -> None:
    base = request_fingerprint("POST", "/p", b'{"a":1}')
    assert base != request_fingerprint("PUT", "/p", b'{"a":1}')
    assert base != request_fingerprint("POST", "/q", b'{"a":1}')
    assert base != request_fingerprint("POST", "/p", b'{"a":2}')
    assert request_fingerprint("POST", "/p", b"not json") != request_fingerprint(
        "POST", "/p", b"not json!"
    )


# --- claims and answers -----------------------------------------------------------------------


def test_the_first_request_claims_and_a_retry_gets_its_answer(store: IdempotencyStore) -> None:
    claim = claimed(store.claim("opi", "k1", FINGERPRINT))
    assert store.complete(claim, CREATED)
    assert store.claim("opi", "k1", FINGERPRINT) == CREATED
    assert store.claim("opi", "k1", FINGERPRINT) == CREATED


def test_a_refusal_is_an_answer_like_any_other(store: IdempotencyStore) -> None:
    refused = StoredResponse(409, '{"error":{"code":"FOUR_EYES_REQUIRED"}}')
    store.complete(claimed(store.claim("opi", "k1", FINGERPRINT)), refused)
    assert store.claim("opi", "k1", FINGERPRINT) == refused


def test_a_retry_while_the_first_runs_is_told_so(store: IdempotencyStore) -> None:
    claimed(store.claim("opi", "k1", FINGERPRINT))
    with pytest.raises(RequestInProgress):
        store.claim("opi", "k1", FINGERPRINT)


def test_the_same_key_for_another_request_is_refused(store: IdempotencyStore) -> None:
    claim = claimed(store.claim("opi", "k1", FINGERPRINT))
    with pytest.raises(IdempotencyKeyReused):
        store.claim("opi", "k1", OTHER_REQUEST)  # while the first runs
    store.complete(claim, CREATED)
    with pytest.raises(IdempotencyKeyReused):
        store.claim("opi", "k1", OTHER_REQUEST)  # and after it answered


def test_keys_belong_to_one_principal(store: IdempotencyStore) -> None:
    store.complete(claimed(store.claim("opi", "k1", FINGERPRINT)), CREATED)
    claimed(store.claim("sup", "k1", OTHER_REQUEST))


def test_a_released_key_can_be_claimed_again(store: IdempotencyStore) -> None:
    store.release(claimed(store.claim("opi", "k1", FINGERPRINT)))
    claimed(store.claim("opi", "k1", OTHER_REQUEST))


def test_an_expired_key_is_free_for_any_request(store: IdempotencyStore, clock: Clock) -> None:
    store.complete(claimed(store.claim("opi", "k1", FINGERPRINT)), CREATED)
    clock.advance(TTL - timedelta(seconds=1))
    assert store.claim("opi", "k1", FINGERPRINT) == CREATED
    clock.advance(timedelta(seconds=1))
    claimed(store.claim("opi", "k1", OTHER_REQUEST))


def test_a_claim_left_pending_by_a_crash_is_taken_over_once(
    store: IdempotencyStore, clock: Clock
) -> None:
    crashed = claimed(store.claim("opi", "k1", FINGERPRINT))
    clock.advance(RECLAIM_AFTER - timedelta(seconds=1))
    with pytest.raises(RequestInProgress):
        store.claim("opi", "k1", FINGERPRINT)
    clock.advance(timedelta(seconds=1))
    retry = claimed(store.claim("opi", "k1", FINGERPRINT))
    with pytest.raises(RequestInProgress):
        store.claim("opi", "k1", FINGERPRINT)  # the retry now holds it, freshly

    # The presumed-dead holder wakes up: neither its answer nor its release may count.
    assert not store.complete(crashed, StoredResponse(201, '{"from":"crashed"}'))
    store.release(crashed)
    assert store.complete(retry, CREATED)
    assert store.claim("opi", "k1", FINGERPRINT) == CREATED


def test_an_answered_claim_cannot_be_released_or_answered_again(store: IdempotencyStore) -> None:
    claim = claimed(store.claim("opi", "k1", FINGERPRINT))
    store.complete(claim, CREATED)
    store.release(claim)
    assert not store.complete(claim, StoredResponse(500, "{}"))
    assert store.claim("opi", "k1", FINGERPRINT) == CREATED


def test_the_key_itself_is_not_stored(store: IdempotencyStore, engine: Engine) -> None:
    store.claim("opi", "NIK-6571044504909301", FINGERPRINT)
    with engine.connect() as conn:
        rows = conn.execute(select(idempotency_keys)).mappings().all()
    assert "6571044504909301" not in repr([dict(r) for r in rows])


def test_purging_deletes_only_expired_keys(store: IdempotencyStore, clock: Clock) -> None:
    store.complete(claimed(store.claim("opi", "old", FINGERPRINT)), CREATED)
    clock.advance(TTL / 2)
    store.complete(claimed(store.claim("opi", "new", FINGERPRINT)), CREATED)
    clock.advance(TTL / 2)
    assert store.purge_expired() == 1
    assert store.claim("opi", "new", FINGERPRINT) == CREATED
