"""The one reader of environment variables: typed settings with the JEJAK_ prefix."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.rules import DEFAULT_FACILITIES, ProgrammeRules, TrainingFacility

MASTER_KEY_BYTES = 32


class FacilitySetting(BaseModel):
    """A registered training facility, as configured."""

    facility_id: str = Field(pattern=r"^[A-Z0-9-]{2,32}$")
    name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^[0-9]{2}(\.[0-9]{2}){0,3}$")


class Settings(BaseSettings):
    """Deployment settings. Every field reads the environment variable JEJAK_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="JEJAK_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/jejak.db",
        description="sqlite:///relative.db, sqlite:////absolute.db or "
        "postgresql://user@host:port/dbname (optionally ?schema=name)",
    )
    master_key: str | None = Field(
        default=None,
        description="Base64 of 32 random bytes wrapping every person's data keys. When unset, "
        "a key file is created at key_file on first start.",
    )
    key_file: Path = Path("var/master.key")
    signing_key: str | None = Field(
        default=None,
        description="Base64 of the 32-byte Ed25519 seed that signs chain checkpoints. When "
        "unset, it is derived from the master key; set it to keep the two apart (ADR 0015).",
    )
    checkpoint_every: int = Field(
        default=1000,
        ge=0,
        le=10_000_000,
        description="sign the chain head each time the log passes a multiple of this many "
        "positions (0: only on demand)",
    )
    password: SecretStr | None = Field(
        default=None,
        description="for scripts: the password of a command's --as account; without it the "
        "command prompts. Never a command-line option: those stay in the shell's history",
    )
    new_password: SecretStr | None = Field(
        default=None,
        description="for scripts: the password `jejak users add` gives a new account, or "
        "`users passwd` sets; without it the command prompts twice",
    )
    token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="a browser session unused this long ends; the next page asks for the "
        "login again (ADR 0049)",
    )
    session_hours: int = Field(
        default=12,
        ge=1,
        le=7 * 24,
        description="the longest a browser session lasts, however busy (ADR 0049)",
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="mark the session and CSRF cookies Secure (HTTPS only): `auto` does so "
        "unless the page was asked for from localhost or 127.0.0.1 over plain HTTP",
    )
    language: Literal["en", "id"] = Field(
        default="en",
        description="the language of the command line's refusals: en, or id for Indonesian "
        "(ADR 0048). Pages choose theirs per reader, the API per request (Accept-Language)",
    )
    view_as_of: date | None = Field(
        default=None,
        description="for a demo or training store whose story ended in the past: the pages "
        "judge deadlines (overdue, due soon) as at this day instead of today in WITA, under a "
        "banner naming it; `jejak serve --demo` sets the demo's last business day. The "
        "recorded facts are not cut: a day after the last event shows them all (ADR 0050)",
    )
    dropout_keeps_grant: bool = False
    deadline_days: dict[str, int] = Field(default_factory=dict)
    training_facilities: list[FacilitySetting] | None = Field(
        default=None,
        description="JSON list of {facility_id, name, region_code}; replaces the shipped list "
        "of registered training facilities",
    )
    projection_batch_size: int = Field(default=500, ge=10, le=10_000)
    read_your_writes_timeout_seconds: float = Field(default=5.0, ge=0, le=60)
    document_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1,
        # A document is held in memory whole while it is hashed and encrypted.
        le=512 * 1024 * 1024,
        description="largest document accepted for upload, in bytes",
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="how long an Idempotency-Key is remembered"
    )
    idempotency_reclaim_after_seconds: int = Field(
        default=120,
        ge=1,
        le=3600,
        description="how long a request may hold its Idempotency-Key unanswered before another "
        "request with the key presumes it crashed and runs instead",
    )

    login_free_failures_per_account: int = Field(
        default=5,
        ge=1,
        le=100,
        description="wrong passwords in a row an account may see before logins to it are "
        "held back (ADR 0034)",
    )
    login_free_failures_per_address: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="failed logins one client address may make before its logins are held "
        "back; higher than per account, as an office may share one address",
    )
    login_backoff_seconds: int = Field(
        default=30,
        ge=1,
        le=3600,
        description="the first hold-back; each further failure doubles it",
    )
    login_backoff_max_seconds: int = Field(
        default=3600, ge=1, le=24 * 3600, description="the longest hold-back"
    )
    login_failures_forgotten_after_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="failures older than this no longer count, for accounts and addresses",
    )
    smtp_host: str | None = Field(
        default=None,
        description="the SMTP server notices of deadlines that ran out are sent through; "
        "unset: notices are queued but not sent (ADR 0057)",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = Field(
        default="jejak@localhost", description="the sender address of the notices"
    )
    smtp_starttls: bool = Field(
        default=False, description="upgrade the SMTP connection with STARTTLS before logging in"
    )
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server asks")
    smtp_password: SecretStr | None = Field(default=None)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    notice_recipients: dict[str, list[str]] = Field(
        default_factory=dict,
        description='JSON object of role -> addresses, e.g. {"dpo": ["ppdp@dinsos.example"]}: '
        "who receives the notices of a clock the role answers for",
    )
    notice_max_attempts: int = Field(
        default=5, ge=1, le=100, description="tries before a notice is marked failed"
    )
    notice_send_every_seconds: int = Field(
        default=0,
        ge=0,
        le=24 * 3600,
        description="`jejak serve` queues and sends notices this often (0: only through "
        "`jejak notices send`)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="where the workspace is reached; the notices link to it",
    )
    erasure_journal: Path | None = Field(
        default=None,
        description="the erasure journal: every destroyed key, ids only, written before the "
        "key is destroyed so a restored backup can be made to forget again (ADR 0059). It "
        "must be on storage that is NOT restored from the database's backups. Unset: beside "
        "an SQLite file (<name>.erasures.jsonl), or for PostgreSQL beside the key file "
        "(erasures-<database>-<schema>.jsonl)",
    )
    erasure_deadline_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="days within which an approved erasure must be gone from every copy of "
        "the store, backups included",
    )
    backup_retention_days: int = Field(
        default=14,
        ge=1,
        le=364,
        description="days a backup is kept before `jejak backup --prune` deletes it; must be "
        "shorter than erasure_deadline_days, or a backup would outlive an erasure (ADR 0059)",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="JSON list of the addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For names the client; from any other peer the header is ignored",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        # Written back in canonical form: the proxy middleware trusts a malformed entry
        # silently as a literal that never matches. strict=False reads "10.0.0.5/24" as the
        # network the host is in, as people often write it.
        return [
            str(ipaddress.ip_network(entry.strip(), strict=False))
            if "/" in entry
            else str(ipaddress.ip_address(entry.strip()))
            for entry in value
        ]

    @model_validator(mode="after")
    def _backups_outlived_by_erasures(self) -> Settings:
        if self.backup_retention_days >= self.erasure_deadline_days:
            raise ValueError(
                f"JEJAK_BACKUP_RETENTION_DAYS ({self.backup_retention_days}) must be shorter "
                f"than JEJAK_ERASURE_DEADLINE_DAYS ({self.erasure_deadline_days}): a backup "
                "kept longer would still hold the keys of people erased since (ADR 0059)"
            )
        return self

    def erasure_journal_path(self) -> Path:
        """Where the erasure journal is: the setting, else beside the SQLite file, else beside
        the key file (neither belongs in a backup of the database, ADR 0059)."""
        if self.erasure_journal is not None:
            return self.erasure_journal
        url = self.database_url
        if url.startswith("sqlite:///"):
            database = Path(url.removeprefix("sqlite:///"))
            return database.with_name(database.stem + ".erasures.jsonl")
        parts = urlsplit(url)
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        name = f"erasures-{parts.path.lstrip('/')}-{schema}.jsonl"
        return self.key_file.parent / name

    @field_validator("deadline_days", "training_facilities", mode="before")
    @classmethod
    def _parse_json(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            empty: dict[str, int] | None = {} if info.field_name == "deadline_days" else None
            return json.loads(value) if value.strip() else empty
        return value

    def programme_rules(self) -> ProgrammeRules:
        """The programme policies the domain commands receive."""
        facilities = (
            tuple(
                TrainingFacility(f.facility_id, f.name, f.region_code)
                for f in self.training_facilities
            )
            if self.training_facilities
            else DEFAULT_FACILITIES
        )
        return ProgrammeRules(
            dropout_keeps_grant=self.dropout_keeps_grant,
            deadline_days=dict(self.deadline_days),
            facilities=facilities,
        )

    @property
    def signing_seed(self) -> bytes | None:
        """The configured Ed25519 seed, or None to derive one from the master key."""
        if self.signing_key is None:
            return None
        seed = base64.b64decode(self.signing_key)
        if len(seed) != 32:
            raise ValueError("JEJAK_SIGNING_KEY must be base64 of exactly 32 bytes")
        return seed

    @cached_property
    def master_key_bytes(self) -> bytes:
        """The master key: from the setting, else from (or newly into) the key file."""
        if self.master_key:
            key = base64.b64decode(self.master_key)
        else:
            key = _load_or_create_key_file(self.key_file)
        if len(key) != MASTER_KEY_BYTES:
            raise ValueError("JEJAK_MASTER_KEY must be base64 of exactly 32 bytes")
        return key


def _load_or_create_key_file(path: Path) -> bytes:
    if path.exists():
        return base64.b64decode(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(MASTER_KEY_BYTES)
    # Created with owner-only permissions before the key is written, so it is never readable
    # by others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
    return key
