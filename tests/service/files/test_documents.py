"""The document store: content addressing, idempotence, encryption at rest, integrity on read."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, func, select, update

from domain.access import DOCUMENT_CATEGORIES
from domain.recording import Actor, Role
from service.files.documents import (
    DOCUMENT_KEY_WRAPPING_INFO,
    DocumentCorrupted,
    DocumentEmpty,
    DocumentKind,
    DocumentNotFound,
    DocumentStore,
    DocumentTooLarge,
    StoredDocument,
    access_log_subject,
    clean_filename,
    clean_media_type,
)
from service.security.crypto import KeyWrapper, seal_bytes
from service.store.schema import documents

OPERATOR = Actor("opi", Role.OPERATOR, "Dinas Sosial Kota Tarakan")
SUPERVISOR = Actor("sup", Role.SUPERVISOR, "Dinas Sosial Provinsi Kaltara")
NAME = "Siti Rahmawati Kusumadewi"
ACCOUNT = "0000-01-123456-53-1"
RECEIPT = (
    f"BERITA ACARA SERAH TERIMA bantuan usaha kepada {NAME}, rekening {ACCOUNT}.\n".encode() * 40
)
FILENAME = f"BAST {NAME}.pdf"
MAX_BYTES = 64 * 1024


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def store(engine: Engine, master_key: bytes) -> DocumentStore:
    return DocumentStore(engine, master_key, max_bytes=MAX_BYTES)


def put_receipt(store: DocumentStore, content: bytes = RECEIPT) -> StoredDocument:
    return store.put(
        content,
        media_type="application/pdf",
        filename=FILENAME,
        kind=DocumentKind.RECEIPT,
        uploaded_by=OPERATOR,
    )


def test_a_document_is_named_by_the_sha256_of_its_plaintext(store: DocumentStore) -> None:
    stored = put_receipt(store)
    assert stored.sha256 == hashlib.sha256(RECEIPT).hexdigest()
    assert stored.size == len(RECEIPT)
    assert stored.media_type == "application/pdf"
    assert stored.kind is DocumentKind.RECEIPT
    assert stored.uploaded_by == OPERATOR
    assert stored.uploaded_at.tzinfo is not None
    assert store.info(stored.sha256) == stored
    assert store.exists(stored.sha256)


def test_a_stored_document_reads_back_byte_for_byte_with_its_filename(
    store: DocumentStore, engine: Engine, master_key: bytes
) -> None:
    sha256 = put_receipt(store).sha256
    again = DocumentStore(engine, master_key, max_bytes=MAX_BYTES)
    assert again.get(sha256) == RECEIPT
    assert again.filename(sha256) == FILENAME


def test_the_same_bytes_uploaded_again_return_the_first_record_and_store_nothing(
    store: DocumentStore, engine: Engine
) -> None:
    first = put_receipt(store)
    with engine.connect() as conn:
        sealed_before = conn.scalar(select(documents.c.content_sealed))
    second = store.put(
        RECEIPT, media_type="text/plain", filename="other.txt", kind="other", uploaded_by=SUPERVISOR
    )
    assert second == first
    assert store.filename(first.sha256) == FILENAME
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(documents)) == 1
        assert conn.scalar(select(documents.c.content_sealed)) == sealed_before


def test_concurrent_uploads_of_the_same_bytes_store_one_document(
    store: DocumentStore, engine: Engine
) -> None:
    content = secrets.token_bytes(4096)
    barrier = threading.Barrier(6)
    results: list[str] = []
    errors: list[BaseException] = []

    def upload(n: int) -> None:
        try:
            barrier.wait()
            actor = Actor(f"user{n}", Role.OPERATOR, "Dinas Sosial")
            results.append(
                store.put(
                    content, media_type=None, filename=None, kind="decree", uploaded_by=actor
                ).sha256
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(results) == {hashlib.sha256(content).hexdigest()}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(documents)) == 1
    assert store.get(results[0]) == content


def test_empty_and_oversized_uploads_are_refused_naming_the_file_field(
    store: DocumentStore,
) -> None:
    with pytest.raises(DocumentEmpty) as empty:
        store.put(b"", media_type=None, filename=None, kind="other", uploaded_by=OPERATOR)
    assert empty.value.field == "file"
    with pytest.raises(DocumentTooLarge) as large:
        store.put(
            b"x" * (MAX_BYTES + 1),
            media_type=None,
            filename=None,
            kind="other",
            uploaded_by=OPERATOR,
        )
    assert large.value.field == "file"
    assert (
        store.put(
            b"x" * MAX_BYTES, media_type=None, filename=None, kind="other", uploaded_by=OPERATOR
        ).size
        == MAX_BYTES
    )


def test_an_unknown_kind_is_refused(store: DocumentStore) -> None:
    with pytest.raises(ValueError, match="invoice"):
        store.put(b"x", media_type=None, filename=None, kind="invoice", uploaded_by=OPERATOR)


def test_an_unknown_document_is_not_found(store: DocumentStore) -> None:
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing)
    for read in (store.info, store.get, store.filename):
        with pytest.raises(DocumentNotFound):
            read(missing)


def test_a_malformed_digest_is_refused(store: DocumentStore) -> None:
    with pytest.raises(ValueError, match="sha256"):
        store.exists("ABC")


def test_a_document_without_a_filename_has_none(store: DocumentStore) -> None:
    sha256 = store.put(
        b"%PDF-1.7", media_type=None, filename=None, kind="decree", uploaded_by=OPERATOR
    ).sha256
    assert store.filename(sha256) is None
    assert store.info(sha256).media_type == "application/octet-stream"


def test_the_list_is_newest_first_and_filters_by_kind(store: DocumentStore) -> None:
    decree = store.put(b"SK 1", media_type=None, filename=None, kind="decree", uploaded_by=OPERATOR)
    receipt = put_receipt(store).sha256
    statement = store.put(
        b"statement", media_type=None, filename=None, kind="bank_statement", uploaded_by=OPERATOR
    )
    page = store.list()
    assert [d.sha256 for d in page.items] == [statement.sha256, receipt, decree.sha256]
    assert page.total == 3
    assert [d.sha256 for d in store.list("decree").items] == [decree.sha256]
    second = store.list(limit=1, offset=1)
    assert [d.sha256 for d in second.items] == [receipt]
    assert second.total == 3


def test_altered_stored_bytes_are_refused_on_read(store: DocumentStore, engine: Engine) -> None:
    sha256 = put_receipt(store).sha256
    with engine.connect() as conn:
        sealed = bytearray(conn.execute(select(documents.c.content_sealed)).scalar_one())
    sealed[-20] ^= 0x01
    with engine.begin() as conn:
        conn.execute(update(documents).values(content_sealed=bytes(sealed)))
    with pytest.raises(DocumentCorrupted, match="cannot be decrypted") as raised:
        store.get(sha256)
    assert NAME not in str(raised.value)


def test_content_moved_to_another_document_is_refused(store: DocumentStore, engine: Engine) -> None:
    first = put_receipt(store).sha256
    second = put_receipt(store, b"another receipt").sha256
    with engine.connect() as conn:
        moved = conn.scalar(select(documents.c.content_sealed).where(documents.c.sha256 == first))
    with engine.begin() as conn:
        conn.execute(
            update(documents).where(documents.c.sha256 == second).values(content_sealed=moved)
        )
    with pytest.raises(DocumentCorrupted):
        store.get(second)


def test_content_that_no_longer_matches_its_hash_is_refused_even_when_it_decrypts(
    store: DocumentStore, engine: Engine, master_key: bytes
) -> None:
    # Someone holding the master key re-encrypts other bytes into the row: the seal opens,
    # so only the hash check on read can tell.
    sha256 = put_receipt(store).sha256
    data_key = secrets.token_bytes(32)
    wrapper = KeyWrapper(master_key, DOCUMENT_KEY_WRAPPING_INFO)
    with engine.begin() as conn:
        conn.execute(
            update(documents).values(
                wrapped_key=wrapper.wrap(data_key, f"document|key|{sha256}".encode()),
                content_sealed=seal_bytes(
                    AESGCM(data_key), b"forged", f"document|content|{sha256}".encode()
                ),
            )
        )
    with pytest.raises(DocumentCorrupted, match="no longer matches its SHA-256"):
        store.get(sha256)


def test_another_master_key_cannot_read_a_document(engine: Engine, store: DocumentStore) -> None:
    sha256 = put_receipt(store).sha256
    stranger = DocumentStore(engine, secrets.token_bytes(32), max_bytes=MAX_BYTES)
    assert stranger.info(sha256).size == len(RECEIPT)
    with pytest.raises(DocumentCorrupted):
        stranger.get(sha256)


def test_the_database_holds_no_plaintext_content_or_filename(
    engine: Engine, store: DocumentStore, raw_bytes: Callable[[], bytes]
) -> None:
    sha256 = put_receipt(store).sha256
    put_receipt(store, RECEIPT + b"second copy with a different hash")
    raw = raw_bytes()
    # The digest is stored in clear, which proves the scan sees the documents table.
    assert sha256.encode() in raw
    for secret in (NAME, ACCOUNT, FILENAME, "BERITA ACARA"):
        # pg_dump writes bytea as hex; the SQLite files hold the bytes themselves.
        for form in (secret.encode(), secret.encode().hex().encode()):
            assert form not in raw, f"plaintext {secret[:4]}… found at rest"


def test_the_access_log_id_of_a_document_is_its_digest_prefix() -> None:
    sha256 = hashlib.sha256(b"x").hexdigest()
    assert access_log_subject(sha256).hex == sha256[:32]


def test_filenames_keep_only_their_base_name() -> None:
    assert clean_filename("C:\\fakepath\\BAST.pdf") == "BAST.pdf"
    assert clean_filename("scans/2019/SK.pdf") == "SK.pdf"
    assert clean_filename("  ") is None
    assert clean_filename(None) is None
    assert clean_filename("a" * 300) == "a" * 255


def test_media_types_are_normalised_or_defaulted() -> None:
    assert clean_media_type("Application/PDF; name=x") == "application/pdf"
    assert clean_media_type("not a media type") == "application/octet-stream"
    assert clean_media_type(None) == "application/octet-stream"


def test_every_kind_of_stored_document_declares_what_it_holds() -> None:
    # A file cannot be masked: who may have it follows from what its kind holds (ADR 0030).
    assert set(DOCUMENT_CATEGORIES) == {kind.value for kind in DocumentKind}
    # Only the budget documents name no one, so every role may read them.
    assert {kind for kind, held in DOCUMENT_CATEGORIES.items() if not held} == {"dipa", "dpa"}
