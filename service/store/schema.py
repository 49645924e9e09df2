"""Tables the service owns outside the event store: the key vault, accounts, the access log,
the document store, idempotency keys and failed-login counters.

They are deletable or mutable on purpose. Key rows must be destroyable for crypto-shredding,
duplicate-index rows must go with an erasure, and password hashes must never enter the
append-only event log. Read models live in `projections/`, not here.

Only portable column types are used, so the same metadata creates the tables on SQLite and on
PostgreSQL (in the schema the engine's search_path selects).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

UUID_TEXT = 36

metadata = MetaData()

vault_subject_keys = Table(
    "vault_subject_keys",
    metadata,
    Column("subject_id", String(UUID_TEXT), primary_key=True),
    Column("purpose", String(16), primary_key=True),
    # NULL once erased: the row stays as a tombstone so the key can never be created again
    # for the same subject and purpose (old ciphertexts would then read as tampered, not erased).
    Column("wrapped_key", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
)
"""One row per person and `KeyPurpose`: the data key, wrapped under the master key."""

vault_restrictions = Table(
    "vault_restrictions",
    metadata,
    # Her erasure was carried out (ADR 0055): her identity minimum is kept only as evidence.
    # Written with the destruction of her case-file key, before the approval's event.
    Column("subject_id", String(UUID_TEXT), primary_key=True),
    Column("restricted_at", DateTime(timezone=True), nullable=False),
)
"""The people whose data is restricted: read on every page that shows personal data."""

vault_duplicate_index = Table(
    "vault_duplicate_index",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("keyed_hash", String(64), primary_key=True),
    Column("subject_id", String(UUID_TEXT), nullable=False),
    Index("ix_vault_duplicate_index_subject_id", "subject_id"),
)
"""Keyed hashes (HMAC-SHA256, hex) of identifiers that must be unique across the programme."""

vault_name_index = Table(
    "vault_name_index",
    metadata,
    Column("keyed_hash", String(64), primary_key=True),
    Column("subject_id", String(UUID_TEXT), primary_key=True),
    Index("ix_vault_name_index_subject_id", "subject_id"),
)
"""Keyed hashes (HMAC-SHA256, hex) of each person's normalised name, to find her case by it
(ADR 0043); names are not unique, so a hash may name several people. Erased with her identity."""

accounts = Table(
    "accounts",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("org_unit", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""Staff accounts with argon2 password hashes, kept out of the event log."""

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(64), nullable=False),
    # Unknown for a failed login, where no account was matched.
    Column("role", String(16), nullable=True),
    Column("action", String(40), nullable=False),
    Column("subject_kind", String(40), nullable=True),
    Column("subject_id", String(UUID_TEXT), nullable=True),
    Column("detail", String(200), nullable=True),
    # api, web or cli; "unknown" for the entries written before it was recorded.
    Column("interface", String(8), nullable=False, server_default="unknown"),
    Index("ix_access_log_subject_id", "subject_id"),
    Index("ix_access_log_at", "at"),
)
"""Who read personal data or changed access, and when. Never holds personal data itself."""

access_log_chain = Table(
    "access_log_chain",
    metadata,
    # One link per entry, in id order, written in batches by a seal (ADR 0047), never by the
    # read it records. Hashes only: the chain holds nothing of the entries.
    Column("entry_id", Integer, primary_key=True, autoincrement=False),
    # SHA-256 of the entry's canonical JSON, hex: tells an edited entry from an edited link.
    Column("entry_sha256", String(64), nullable=False),
    Column("link_hash", String(64), nullable=False),
)
"""The hash chain over the access log (service/security/access_log_chain.py)."""

access_log_checkpoints = Table(
    "access_log_checkpoints",
    metadata,
    # The id of the entry at the head it signs; auditors keep copies outside the system.
    Column("entry_id", Integer, primary_key=True, autoincrement=False),
    Column("link_hash", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
)
"""Signed heads of the access log's chain (Ed25519, its own key and format)."""

SHA256_HEX_LENGTH = 64

documents = Table(
    "documents",
    metadata,
    # The SHA-256 of the plaintext, hex: the name events use for the file (DocumentRef.sha256).
    Column("sha256", String(SHA256_HEX_LENGTH), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("media_type", String(127), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_role", String(16), nullable=False),
    Column("uploaded_org_unit", String(64), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    # The document's own data key, wrapped under the master key (ADR 0011).
    Column("wrapped_key", LargeBinary, nullable=False),
    # The original filename sealed under the data key: filenames often name the person.
    Column("filename_sealed", LargeBinary, nullable=True),
    # Last, so that listing the other columns never reads a large value's overflow pages.
    Column("content_sealed", LargeBinary, nullable=False),
    Index("ix_documents_kind_uploaded_at", "kind", "uploaded_at"),
)
"""Uploaded files stored by content, each encrypted under its own data key."""


idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(64), primary_key=True),
    # SHA-256 (hex) of the client's key: keys are free text a client might fill with a case
    # number or a NIK, and the hash is all a lookup needs.
    Column("key_hash", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    # Which claimant holds the row: after a stale claim is taken over, the earlier holder's
    # late completion or release must not touch the new holder's row.
    Column("claim_token", String(32), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # Both NULL while the first request runs.
    Column("response_status", Integer, nullable=True),
    Column("response_body", Text, nullable=True),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)
"""One row per principal and Idempotency-Key: the request it was first used for and its answer."""


login_failures = Table(
    "login_failures",
    metadata,
    # "account" or "address" (service/security/login_throttle.py).
    Column("counted", String(8), primary_key=True),
    # A keyed hash (HMAC-SHA256, hex) of the username or address: a username box sometimes
    # holds a password typed in the wrong place.
    Column("key_hash", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    # Logins are held back until then; NULL while the failures are within the free allowance.
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Index("ix_login_failures_last_failure_at", "last_failure_at"),
)
"""Failed logins in a row per account and per client address, shared by every process."""


restatements = Table(
    "restatements",
    metadata,
    # The Restatement aggregate's id: the event is the record, this row is its index.
    Column("restatement_id", String(UUID_TEXT), primary_key=True),
    Column("switched_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("code_version", String(64), nullable=False),
    Column("git_commit", String(64), nullable=False),
    # JSON: read model name -> version, and table -> {added, removed, changed}.
    Column("projections", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("log_position", BigInteger, nullable=False),
    # The position of the ReadModelsRestated event (NULL if the switch outlived its record).
    Column("event_position", BigInteger, nullable=True),
    # JSON: table -> setting -> {before, after}, the settings the rebuild folded with that
    # differ from those the live version was folded with (ADR 0036); NULL before then.
    Column("settings_changed", Text, nullable=True),
)
"""One row per switch of rebuilt read models, written in the switch's transaction."""


restatement_diffs = Table(
    "restatement_diffs",
    metadata,
    Column("restatement_id", String(UUID_TEXT), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("table_name", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("row_key", String(200), nullable=False),
    # The rows as JSON; read models hold personal data sealed, and so do these copies.
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    # JSON list of the log positions that last wrote the row, before and after.
    Column("positions", Text, nullable=False),
)
"""Every row a restatement added, removed or changed, as it stood before and after."""


web_sessions = Table(
    "web_sessions",
    metadata,
    # SHA-256 (hex) of the random id the browser's cookie holds; the id itself is never stored,
    # so that a copy of the database cannot be replayed as logged-in browsers (ADR 0049).
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Moved forward at most once a minute (service/security/sessions.py).
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    # The absolute cap: however busy, the session ends then.
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_web_sessions_username", "username"),
    Index("ix_web_sessions_expires_at", "expires_at"),
)
"""Browser sessions opened by the login page; logout revokes them, idleness ends them."""

account_settings = Table(
    "account_settings",
    metadata,
    Column("username", String(32), primary_key=True),
    # `id` or `en`: the pages speak it wherever the account logs in (issue 15).
    Column("language", String(8), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
"""What each account chose for itself; a preference, not a programme fact, so not an event."""

notice_outbox = Table(
    "notice_outbox",
    metadata,
    # What the notice is about and why: `<clock id>:expired` (one notice per clock that ran
    # out, however often the queue is filled).
    Column("notice_key", String(120), primary_key=True),
    Column("channel", String(16), nullable=False),
    # The roles it is for, comma-separated; the addresses are read from the settings when it
    # is sent, so a changed address reaches the notices still waiting.
    Column("roles", String(100), nullable=False),
    # No personal data: the record's number, its kind, the time it was due and a link.
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    # queued, sent, or failed (after the last attempt).
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    # The delivery error's class and the server's reply code, never an address.
    Column("last_error", String(500), nullable=True),
    Index("ix_notice_outbox_status", "status"),
)
"""Notices waiting to be sent, and what became of each: the outbox of deadlines that ran out."""
