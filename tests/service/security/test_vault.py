"""The key vault: sealing, tamper detection, crypto-shredding and the duplicate index."""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, insert, select

from domain.sealed import KeyPurpose, Sealed
from service.security.vault import KeyUnwrapFailed, SealBroken, SubjectKeyMissing, Vault
from service.store.schema import vault_duplicate_index, vault_subject_keys

NAME = "Siti Rahmawati Kusumadewi"
NIK = "6571014507900003"


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def vault(engine: Engine, master_key: bytes) -> Vault:
    return Vault(engine, master_key)


def new_subject(vault: Vault) -> UUID:
    subject_id = uuid4()
    vault.ensure_subject_keys(subject_id)
    return subject_id


def test_a_sealed_field_opens_to_its_plaintext(vault: Vault) -> None:
    subject_id = new_subject(vault)
    sealed = vault.sealer_for(subject_id).seal(KeyPurpose.IDENTITY, "name", NAME)
    assert sealed.subject_id == subject_id
    assert sealed.field == "name"
    assert NAME not in sealed.ciphertext
    assert vault.open(sealed) == NAME


def test_sealing_twice_gives_different_ciphertexts(vault: Vault) -> None:
    sealer = vault.sealer_for(new_subject(vault))
    first = sealer.seal(KeyPurpose.IDENTITY, "nik", NIK)
    second = sealer.seal(KeyPurpose.IDENTITY, "nik", NIK)
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


def test_a_new_vault_instance_opens_what_another_sealed(engine: Engine, master_key: bytes) -> None:
    first = Vault(engine, master_key)
    sealed = first.sealer_for(new_subject(first)).seal(KeyPurpose.CASEFILE, "phone", "0812")
    assert Vault(engine, master_key).open(sealed) == "0812"


def test_a_sealed_value_moved_to_another_field_fails_to_open(vault: Vault) -> None:
    sealed = vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", NAME)
    with pytest.raises(SealBroken):
        vault.open(dataclasses.replace(sealed, field="mother_name"))


def test_a_sealed_value_moved_to_another_subject_fails_to_open(vault: Vault) -> None:
    sealed = vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", NAME)
    other = new_subject(vault)
    with pytest.raises(SealBroken):
        vault.open(dataclasses.replace(sealed, subject_id=other))


def test_an_altered_ciphertext_fails_to_open_without_revealing_the_plaintext(
    vault: Vault,
) -> None:
    sealed = vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", NAME)
    flipped = "A" if sealed.ciphertext[0] != "A" else "B"
    with pytest.raises(SealBroken) as raised:
        vault.open(dataclasses.replace(sealed, ciphertext=flipped + sealed.ciphertext[1:]))
    assert NAME not in str(raised.value)


def test_malformed_base64_is_a_broken_seal(vault: Vault) -> None:
    sealed = vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", NAME)
    with pytest.raises(SealBroken):
        vault.open(dataclasses.replace(sealed, nonce="not base64!"))


def test_a_wrong_master_key_cannot_unwrap_the_data_keys(engine: Engine, vault: Vault) -> None:
    sealed = vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", NAME)
    with pytest.raises(KeyUnwrapFailed):
        Vault(engine, secrets.token_bytes(32)).open(sealed)


def test_sealing_for_a_subject_without_keys_is_refused(vault: Vault) -> None:
    with pytest.raises(SubjectKeyMissing):
        vault.sealer_for(uuid4()).seal(KeyPurpose.IDENTITY, "name", NAME)


def test_ensuring_keys_twice_keeps_the_first_keys(engine: Engine, vault: Vault) -> None:
    subject_id = new_subject(vault)
    sealed = vault.sealer_for(subject_id).seal(KeyPurpose.IDENTITY, "name", NAME)
    vault.ensure_subject_keys(subject_id)
    with engine.connect() as conn:
        count = len(conn.execute(select(vault_subject_keys)).all())
    assert count == 2
    assert vault.open(sealed) == NAME


def test_a_batch_of_new_keys_seals_what_the_vault_opens_once_stored(
    engine: Engine, master_key: bytes, vault: Vault
) -> None:
    subjects = [uuid4() for _ in range(3)]
    keys = vault.new_subject_keys(subjects)
    assert vault.store_subject_keys(keys)
    sealed = [keys.sealer_for(s).seal(KeyPurpose.CASEFILE, "phone", str(s)) for s in subjects]
    assert [Vault(engine, master_key).open(v) for v in sealed] == [str(s) for s in subjects]


def test_a_batch_in_which_someone_already_has_keys_keeps_hers_and_stores_the_rest(
    engine: Engine, master_key: bytes, vault: Vault
) -> None:
    existing = new_subject(vault)
    before = vault.sealer_for(existing).seal(KeyPurpose.IDENTITY, "name", NAME)
    fresh = uuid4()
    assert not vault.store_subject_keys(vault.new_subject_keys([existing, fresh]))
    other = Vault(engine, master_key)
    assert other.open(before) == NAME
    after = other.sealer_for(fresh).seal(KeyPurpose.IDENTITY, "name", NAME)
    assert vault.open(after) == NAME


def test_concurrent_key_creation_agrees_on_one_key_per_purpose(
    engine: Engine, master_key: bytes
) -> None:
    subject_id = uuid4()
    vaults = [Vault(engine, master_key) for _ in range(8)]
    errors: list[BaseException] = []

    def ensure(vault: Vault) -> None:
        try:
            vault.ensure_subject_keys(subject_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=ensure, args=(v,)) for v in vaults]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sealed = vaults[0].sealer_for(subject_id).seal(KeyPurpose.CASEFILE, "notes", "ok")
    assert all(v.open(sealed) == "ok" for v in vaults)


def test_after_erasing_the_casefile_key_casefile_fields_read_none_and_identity_opens(
    vault: Vault,
) -> None:
    subject_id = new_subject(vault)
    sealer = vault.sealer_for(subject_id)
    name = sealer.seal(KeyPurpose.IDENTITY, "name", NAME)
    notes = sealer.seal(KeyPurpose.CASEFILE, "assessment_notes", "returned home")
    vault.erase(subject_id, {KeyPurpose.CASEFILE})
    assert vault.open(notes) is None
    assert vault.open(name) == NAME
    assert vault.is_erased(subject_id, KeyPurpose.CASEFILE)
    assert not vault.is_erased(subject_id, KeyPurpose.IDENTITY)


def test_an_erased_key_is_not_recreated_by_ensuring_keys_again(vault: Vault) -> None:
    subject_id = new_subject(vault)
    notes = vault.sealer_for(subject_id).seal(KeyPurpose.CASEFILE, "assessment_notes", "x")
    vault.erase(subject_id, {KeyPurpose.CASEFILE})
    vault.ensure_subject_keys(subject_id)
    assert vault.open(notes) is None
    with pytest.raises(SubjectKeyMissing):
        vault.sealer_for(subject_id).seal(KeyPurpose.CASEFILE, "assessment_notes", "y")


def test_erasing_a_subject_that_never_had_keys_blocks_their_creation(vault: Vault) -> None:
    subject_id = uuid4()
    vault.erase(subject_id, set(KeyPurpose))
    vault.ensure_subject_keys(subject_id)
    assert vault.is_erased(subject_id, KeyPurpose.IDENTITY)
    assert vault.is_erased(subject_id, KeyPurpose.CASEFILE)


def test_a_subject_that_never_had_keys_is_not_erased(vault: Vault) -> None:
    assert not vault.is_erased(uuid4(), KeyPurpose.IDENTITY)


def test_another_process_sees_an_erasure_once_its_cache_entry_expires(
    engine: Engine, master_key: bytes
) -> None:
    now = [0.0]
    reader = Vault(engine, master_key, cache_seconds=60, clock=lambda: now[0])
    writer = Vault(engine, master_key)
    subject_id = new_subject(writer)
    notes = writer.sealer_for(subject_id).seal(KeyPurpose.CASEFILE, "assessment_notes", "x")
    assert reader.open(notes) == "x"
    writer.erase(subject_id, {KeyPurpose.CASEFILE})
    now[0] = 61.0
    assert reader.open(notes) is None


def test_the_key_cache_stays_within_its_bound(engine: Engine, master_key: bytes) -> None:
    vault = Vault(engine, master_key, cache_size=3)
    sealed = [
        vault.sealer_for(new_subject(vault)).seal(KeyPurpose.IDENTITY, "name", f"n{i}")
        for i in range(5)
    ]
    assert [vault.open(s) for s in sealed] == [f"n{i}" for i in range(5)]
    assert len(vault._cache) == 3


def test_after_erasing_identity_the_nik_can_be_claimed_by_someone_else(
    engine: Engine, vault: Vault
) -> None:
    first, second = new_subject(vault), new_subject(vault)
    assert vault.claim("nik", NIK, first).taken_now
    vault.erase(first, {KeyPurpose.IDENTITY, KeyPurpose.CASEFILE})
    with engine.connect() as conn:
        rows = conn.execute(
            select(vault_duplicate_index).where(vault_duplicate_index.c.subject_id == str(first))
        ).all()
    assert rows == []
    assert vault.claim("nik", NIK, second).taken_now


def test_erasing_only_the_casefile_keeps_the_duplicate_index(vault: Vault) -> None:
    first, second = new_subject(vault), new_subject(vault)
    vault.claim("nik", NIK, first)
    vault.erase(first, {KeyPurpose.CASEFILE})
    assert vault.claim("nik", NIK, second).other_owner == first


def test_claiming_a_taken_value_returns_its_owner_and_keeps_the_claim(vault: Vault) -> None:
    owner, newcomer = uuid4(), uuid4()
    first = vault.claim("nik", NIK, owner)
    assert (first.other_owner, first.taken_now) == (None, True)
    refused = vault.claim("nik", f"  {NIK} ", newcomer)
    assert (refused.other_owner, refused.taken_now) == (owner, False)
    again = vault.claim("nik", NIK, owner)
    assert (again.other_owner, again.taken_now) == (None, False)


def test_releasing_a_claim_frees_the_value_but_not_another_subjects_claim(vault: Vault) -> None:
    owner, newcomer = uuid4(), uuid4()
    vault.claim("nik", NIK, owner)
    vault.release("nik", NIK, newcomer)
    assert vault.claim("nik", NIK, newcomer).other_owner == owner
    vault.release("nik", NIK, owner)
    assert vault.claim("nik", NIK, newcomer).taken_now


def test_giving_back_a_claim_removes_only_an_entry_that_claim_took(vault: Vault) -> None:
    owner, newcomer = uuid4(), uuid4()
    taken = vault.claim("nik", NIK, owner)
    held_before = vault.claim("nik", NIK, owner)
    vault.give_back(held_before)
    vault.give_back(vault.claim("nik", NIK, newcomer))
    assert vault.claim("nik", NIK, newcomer).other_owner == owner
    vault.give_back(taken)
    assert vault.claim("nik", NIK, newcomer).taken_now


def test_a_claim_taken_now_stays_while_the_record_holds_its_value(vault: Vault) -> None:
    owner, newcomer = uuid4(), uuid4()
    taken = vault.claim("nik", NIK, owner)
    vault.give_back(taken, still_held=f" {NIK}")
    assert vault.claim("nik", NIK, newcomer).other_owner == owner
    vault.give_back(taken, still_held="6571014507900011")
    assert vault.claim("nik", NIK, newcomer).taken_now


def test_keyed_hashes_normalise_the_value_and_depend_on_kind_and_master_key(
    engine: Engine, vault: Vault
) -> None:
    plain = vault.keyed_hash("name_dob", "SITI RAHMA 1990-07-05")
    assert vault.keyed_hash("name_dob", "  siti   rahma\t1990-07-05 ") == plain
    assert vault.keyed_hash("other", "SITI RAHMA 1990-07-05") != plain
    assert (
        Vault(engine, secrets.token_bytes(32)).keyed_hash("name_dob", "SITI RAHMA 1990-07-05")
        != plain
    )
    assert len(plain) == 64


def test_the_database_files_hold_no_plaintext_after_sealed_values_are_stored(
    engine: Engine, vault: Vault, raw_bytes: Callable[[], bytes]
) -> None:
    stored = Table(
        "test_sealed_values",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("body", Text),
    )
    stored.create(engine)
    canary = "PLAINTEXT-CANARY-7f3a"
    bodies = []
    for _ in range(3):
        subject_id = new_subject(vault)
        sealer = vault.sealer_for(subject_id)
        bodies.append(_as_json(sealer.seal(KeyPurpose.IDENTITY, "name", NAME)))
        bodies.append(_as_json(sealer.seal(KeyPurpose.IDENTITY, "nik", NIK)))
        vault.claim("nik", NIK, subject_id)
    # The canary proves that the scan below would see a plaintext that did reach the files.
    bodies.append(canary)
    with engine.begin() as conn:
        conn.execute(insert(stored), [{"body": body} for body in bodies])
    raw = raw_bytes()
    assert canary.encode() in raw
    assert NAME.encode() not in raw
    assert NIK.encode() not in raw


def test_an_erased_key_leaves_the_stored_data(
    engine: Engine, vault: Vault, raw_bytes: Callable[[], bytes]
) -> None:
    subject_id = new_subject(vault)
    with engine.connect() as conn:
        wrapped = conn.scalar(
            select(vault_subject_keys.c.wrapped_key).where(
                vault_subject_keys.c.subject_id == str(subject_id),
                vault_subject_keys.c.purpose == KeyPurpose.CASEFILE.value,
            )
        )
    assert wrapped is not None
    # pg_dump writes bytea as hex; the SQLite files hold the bytes themselves.
    forms = (bytes(wrapped), bytes(wrapped).hex().encode())
    assert any(form in raw_bytes() for form in forms)
    vault.erase(subject_id, {KeyPurpose.CASEFILE})
    assert not any(form in raw_bytes() for form in forms)


def _as_json(sealed: Sealed) -> str:
    return json.dumps({f.name: str(getattr(sealed, f.name)) for f in dataclasses.fields(sealed)})


def test_claiming_many_values_at_once_answers_like_claiming_each(vault: Vault) -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    assert vault.claim("bank_account", "5301000000000001", first).taken_now

    claims = vault.claim_all(
        "bank_account",
        [("5301000000000001", second), ("5301000000000002", second), ("5301000000000003", third)],
    )

    assert {value: (c.other_owner, c.taken_now) for value, c in claims.items()} == {
        "5301000000000001": (first, False),
        "5301000000000002": (None, True),
        "5301000000000003": (None, True),
    }
    # The free values are claimed, as one claim each would have done.
    assert vault.claim("bank_account", "5301000000000002", first).other_owner == second
    again = vault.claim_all("bank_account", [("5301000000000003", third)])["5301000000000003"]
    assert (again.other_owner, again.taken_now) == (None, False)
    with pytest.raises(ValueError, match="twice"):
        vault.claim_all("bank_account", [("5301000000000004", first), ("5301000000000004", third)])
