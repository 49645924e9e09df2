"""Documents stored by content: decrees, receipts, bank statements and bank files.

A document is named by the SHA-256 of its plaintext, the digest events carry in
`DocumentRef.sha256`, so anyone holding a file can check it against the reference. Receipts
and bank statements name people and hold account numbers, so the content and the original
filename are encrypted at rest, each document under its own data key wrapped by the master key
(ADR 0011). Nothing here logs or raises with content or filenames in the message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, Engine, RowMapping, func, select

# The stored files' kinds are the one list the events cite (ADR 0033).
from domain.recording import SHA256_HEX, Actor, Role
from domain.recording import DocumentKind as DocumentKind
from service.queries.paging import Page
from service.security.crypto import KeyWrapper, SealOpenFailed, new_data_key, open_bytes, seal_bytes
from service.store.db import as_utc, insert_ignoring_conflicts
from service.store.schema import documents

DOCUMENT_KEY_WRAPPING_INFO = b"jejak document key wrapping"
DEFAULT_MEDIA_TYPE = "application/octet-stream"
MAX_FILENAME_LENGTH = 255
MAX_PAGE = 500
MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")


class DocumentError(Exception):
    """Base of the document store's errors; `field` names the input at fault, if any."""

    code: ClassVar[str] = "DOCUMENT_ERROR"
    field: ClassVar[str | None] = None


class DocumentEmpty(DocumentError):
    """Raised when an upload has no content."""

    code: ClassVar[str] = "DOCUMENT_EMPTY"
    field: ClassVar[str | None] = "file"

    def __init__(self) -> None:
        super().__init__("file: the document is empty")


class DocumentTooLarge(DocumentError):
    """Raised when an upload is larger than JEJAK_DOCUMENT_MAX_BYTES."""

    code: ClassVar[str] = "DOCUMENT_TOO_LARGE"
    field: ClassVar[str | None] = "file"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"file: the document is larger than the limit of {max_bytes} bytes")


class DocumentNotFound(DocumentError):
    """Raised when no document has the given SHA-256."""

    code: ClassVar[str] = "DOCUMENT_NOT_FOUND"

    def __init__(self, sha256: str) -> None:
        super().__init__(f"document {sha256} not found")


class DocumentCorrupted(DocumentError):
    """Raised when a stored document no longer matches its SHA-256 or cannot be decrypted.

    The row was altered, moved, or the master key is not the one it was stored under. The
    content is never returned in that case.
    """

    code: ClassVar[str] = "DOCUMENT_CORRUPTED"


@dataclass(frozen=True)
class StoredDocument:
    """What is known about a stored document without decrypting it."""

    sha256: str
    size: int
    media_type: str
    kind: DocumentKind
    uploaded_by: Actor
    uploaded_at: datetime


class DocumentStore:
    """Encrypted, content-addressed files in the service's database (SQLite or PostgreSQL).

    Each write is committed on its own. A document is never changed once stored: the same bytes
    uploaded again return the first record (its kind, filename and uploader are kept).
    """

    def __init__(self, engine: Engine, master_key: bytes, *, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self._engine = engine
        self._wrapper = KeyWrapper(master_key, DOCUMENT_KEY_WRAPPING_INFO)
        self.max_bytes = max_bytes

    def put(
        self,
        content: bytes,
        *,
        media_type: str | None,
        filename: str | None,
        kind: DocumentKind | str,
        uploaded_by: Actor,
    ) -> StoredDocument:
        """Store `content` unless the same bytes are stored already; either way, its record.

        Raises `DocumentEmpty`, `DocumentTooLarge`, or ValueError for an unknown kind. Safe
        under concurrent uploads of the same bytes: one row is inserted, every caller gets it.
        """
        kind = DocumentKind(kind)
        if not content:
            raise DocumentEmpty()
        if len(content) > self.max_bytes:
            raise DocumentTooLarge(self.max_bytes)
        sha256 = hashlib.sha256(content).hexdigest()
        # A repeated upload is answered without the cost of encrypting it again.
        existing = self._find(sha256)
        if existing is not None:
            return existing
        data_key = new_data_key()
        cipher = AESGCM(data_key)
        name = clean_filename(filename)
        row = {
            "sha256": sha256,
            "kind": kind.value,
            "media_type": clean_media_type(media_type),
            "size": len(content),
            "uploaded_by": uploaded_by.user_id,
            "uploaded_role": Role(uploaded_by.role).value,
            "uploaded_org_unit": uploaded_by.org_unit,
            "uploaded_at": datetime.now(UTC),
            "wrapped_key": self._wrapper.wrap(data_key, _aad("key", sha256)),
            "filename_sealed": (
                None if name is None else seal_bytes(cipher, name.encode(), _aad("name", sha256))
            ),
            "content_sealed": seal_bytes(cipher, content, _aad("content", sha256)),
        }
        with self._engine.begin() as conn:
            insert_ignoring_conflicts(conn, documents, [row])
        # Read back rather than trusting our row: a concurrent upload may have won the insert.
        return self.info(sha256)

    def get(self, sha256: str) -> bytes:
        """The plaintext content, checked against its SHA-256 before it is returned.

        Raises `DocumentNotFound`, or `DocumentCorrupted` when the stored bytes do not decrypt
        or no longer hash to `sha256`.
        """
        row = self._sealed_row(sha256, documents.c.content_sealed)
        content = self._open(sha256, row, "content")
        if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), sha256):
            raise DocumentCorrupted(f"document {sha256} no longer matches its SHA-256")
        return content

    def filename(self, sha256: str) -> str | None:
        """The original filename (it may be personal data), or None when none was given."""
        row = self._sealed_row(sha256, documents.c.filename_sealed)
        if row["sealed"] is None:
            return None
        return self._open(sha256, row, "name").decode()

    def info(self, sha256: str) -> StoredDocument:
        """The document's record; raises `DocumentNotFound`."""
        found = self._find(sha256)
        if found is None:
            raise DocumentNotFound(sha256)
        return found

    def exists(self, sha256: str) -> bool:
        """True when a document with this SHA-256 is stored."""
        return self._find(sha256) is not None

    def list(
        self, kind: DocumentKind | str | None = None, *, limit: int = 50, offset: int = 0
    ) -> Page[StoredDocument]:
        """Stored documents, newest first, optionally of one kind."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ValueError(f"limit must be 1 to {MAX_PAGE} and offset not negative")
        query = select(*RECORD_COLUMNS).order_by(documents.c.uploaded_at.desc(), documents.c.sha256)
        if kind is not None:
            query = query.where(documents.c.kind == DocumentKind(kind).value)
        with self._engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = conn.execute(query.limit(limit).offset(offset)).mappings().all()
        return Page([_record(r) for r in rows], total, limit, offset)

    # --- internals -----------------------------------------------------------------------------

    def _find(self, sha256: str) -> StoredDocument | None:
        _check_digest(sha256)
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(*RECORD_COLUMNS).where(documents.c.sha256 == sha256))
                .mappings()
                .one_or_none()
            )
        return None if row is None else _record(row)

    def _sealed_row(self, sha256: str, column: ColumnElement[Any]) -> RowMapping:
        _check_digest(sha256)
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(documents.c.wrapped_key, column.label("sealed")).where(
                        documents.c.sha256 == sha256
                    )
                )
                .mappings()
                .one_or_none()
            )
        if row is None:
            raise DocumentNotFound(sha256)
        return row

    def _open(self, sha256: str, row: RowMapping, part: str) -> bytes:
        try:
            data_key = self._wrapper.unwrap(bytes(row["wrapped_key"]), _aad("key", sha256))
            return open_bytes(AESGCM(data_key), bytes(row["sealed"]), _aad(part, sha256))
        except SealOpenFailed as error:
            raise DocumentCorrupted(
                f"document {sha256} cannot be decrypted: altered, moved, or stored under "
                "another master key"
            ) from error


RECORD_COLUMNS = (
    documents.c.sha256,
    documents.c.size,
    documents.c.media_type,
    documents.c.kind,
    documents.c.uploaded_by,
    documents.c.uploaded_role,
    documents.c.uploaded_org_unit,
    documents.c.uploaded_at,
)


def access_log_subject(sha256: str) -> UUID:
    """The id the access log names a document by: the first 128 bits of its SHA-256.

    The access log keys subjects by UUID, and a full digest would trip its guard against runs
    of digits in `detail`; any holder of the file or its reference can compute this id.
    """
    _check_digest(sha256)
    return UUID(bytes=bytes.fromhex(sha256)[:16])


def clean_filename(filename: str | None) -> str | None:
    """The base name of an uploaded file (browsers may send a client path), at most 255 chars."""
    if filename is None:
        return None
    base = re.split(r"[/\\]", filename)[-1].strip()
    return base[:MAX_FILENAME_LENGTH] or None


def clean_media_type(media_type: str | None) -> str:
    """The declared `type/subtype` in lower case without parameters, or octet-stream."""
    bare = (media_type or "").split(";")[0].strip().lower()
    return bare if MEDIA_TYPE.match(bare) else DEFAULT_MEDIA_TYPE


def _check_digest(sha256: str) -> None:
    if not SHA256_HEX.match(sha256):
        raise ValueError("sha256 must be 64 lowercase hexadecimal characters")


def _aad(part: str, sha256: str) -> bytes:
    # Binding each sealed part to its digest and role stops a blob being moved to another row
    # or swapped between the content and the filename.
    return f"document|{part}|{sha256}".encode()


def _record(row: RowMapping) -> StoredDocument:
    return StoredDocument(
        sha256=row["sha256"],
        size=row["size"],
        media_type=row["media_type"],
        kind=DocumentKind(row["kind"]),
        uploaded_by=Actor(
            user_id=row["uploaded_by"],
            role=Role(row["uploaded_role"]),
            org_unit=row["uploaded_org_unit"],
        ),
        uploaded_at=as_utc(row["uploaded_at"]),
    )
