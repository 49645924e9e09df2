"""Evidence bundles: what an auditor takes away and can check alone (ADR 0018).

A bundle is a zip of: the events exactly as stored; a readable form (personal data masked
unless the auditor asked, and that request is logged); the chain segment from the first event
to a signed checkpoint; the checkpoint and the public key; the documents the events cite,
checked against their hashes; a PDF summary; the standalone verifier; and a manifest of every
file's SHA-256, signed with the programme's key, so that changing any byte is detected.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent as LibraryStoredEvent
from sqlalchemy import Engine, select

from projections.beneficiary_status import beneficiary_status
from projections.chain import GENESIS, StoredEvent
from projections.entitlement_status import entitlement_status
from projections.event_chain import event_chain
from service.errors import NotFound
from service.files.documents import DocumentNotFound, DocumentStore
from service.files.exports.model import Column, Kind, Report, Table
from service.files.exports.pdf_export import to_pdf
from service.queries.history import event_as_dict
from service.queries.reveal import Reveal
from service.security.checkpoints import Checkpoint, Checkpoints
from service.security.integrity import RawEventLog

VERIFIER = Path(__file__).with_name("verify_bundle.py")
BUNDLE_FORMAT = "jejak-bundle-v1"
WITHHELD = "withheld.json"
# Fixed zip timestamps: the same evidence gives the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Scope:
    """What a bundle covers: one beneficiary, one site, a business period, or everything."""

    kind: str
    subject_id: UUID | None = None
    start: date | None = None
    end: date | None = None

    def describe(self) -> str:
        """The scope in words, for the summary and the manifest."""
        if self.kind == "period":
            return f"period {self.start} to {self.end}"
        if self.subject_id is not None:
            return f"{self.kind} {self.subject_id}"
        return self.kind


@dataclass(frozen=True)
class Bundle:
    """A built bundle and what it holds."""

    content: bytes
    events: int
    documents: int
    checkpoint: Checkpoint
    masked: bool = True
    withheld: int = 0


class EvidenceBundler:
    """Builds bundles from the raw log, the chain, the checkpoints and the document store."""

    def __init__(
        self,
        engine: Engine,
        log: RawEventLog,
        checkpoints: Checkpoints,
        documents: DocumentStore,
        decode: Any,
    ) -> None:
        self._engine = engine
        self._log = log
        self._checkpoints = checkpoints
        self._documents = documents
        # The application's mapper: stored bytes to domain events, for the readable form.
        self._decode = decode

    def build(self, scope: Scope, reveal: Reveal, now: datetime | None = None) -> Bundle:
        """The bundle for `scope`; the chain must already cover the events (catch up first)."""
        generated_at = now or datetime.now(UTC)
        selected = self._events_in(scope)
        if not selected:
            raise NotFound("events of", scope.describe())
        events = [stored for stored, _ in selected]
        decoded = [event for _, event in selected]
        checkpoint = self._checkpoint_covering(events[-1].position, generated_at)
        previous, segment = self._segment(events[0].position, checkpoint.position)
        files: dict[str, bytes] = {
            "events.jsonl": _events_jsonl(events),
            "readable.json": _readable(events, decoded, reveal),
            "proof.json": _json(
                {
                    "format": BUNDLE_FORMAT,
                    "previous_link": previous.hex(),
                    "segment": segment,
                    "checkpoint": checkpoint.as_dict(),
                }
            ),
            "public_key.pem": self._checkpoints.signer.public_key_pem().encode(),
            "verify_bundle.py": VERIFIER.read_bytes(),
        }
        cited, withheld = self._documents_cited(decoded, reveal)
        files.update({f"documents/{sha}": content for sha, content in cited.items()})
        if withheld:
            files[WITHHELD] = _json(
                {
                    "note": "documents the events cite that the requester may not see: their"
                    " SHA-256 stay, their contents are not in this bundle",
                    "documents": withheld,
                }
            )
        files["summary.pdf"] = _summary_pdf(
            scope, events, decoded, checkpoint, (len(cited), len(withheld)), generated_at
        )
        manifest = _json(
            {
                "format": BUNDLE_FORMAT,
                "scope": scope.describe(),
                "generated_at": generated_at.isoformat(),
                "masked": not reveal.full,
                "withheld_documents": len(withheld),
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
            }
        )
        files["manifest.json"] = manifest
        files["manifest.sig"] = self._checkpoints.signer.sign_bytes(manifest).encode()
        return Bundle(
            _zip(files), len(events), len(cited), checkpoint, not reveal.full, len(withheld)
        )

    def _decoded(self, event: StoredEvent) -> Any:
        """The domain event, or None when the stored bytes no longer decode (a tampered row:
        the bundle still carries it as stored, and the verifier reports the break)."""
        try:
            decoded = self._decode(_library_record(event))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return decoded if hasattr(decoded, "occurred_on") else None

    def _events_in(self, scope: Scope) -> list[tuple[StoredEvent, Any]]:
        """The scope's events as stored, each with its decoded form (decoded once)."""
        if scope.kind == "period":
            assert scope.start is not None and scope.end is not None
            # A business period is known only once each event is decoded.
            pairs = ((e, self._decoded(e)) for e in self._all_events())
            return [
                (stored, event)
                for stored, event in pairs
                if event is not None and scope.start <= event.occurred_on <= scope.end
            ]
        if scope.kind == "programme":
            chosen = list(self._all_events())
        else:
            chosen = self._events_of(self._aggregates_of(scope))
        return [(stored, self._decoded(stored)) for stored in chosen]

    def _aggregates_of(self, scope: Scope) -> set[str]:
        subject = str(scope.subject_id)
        with self._engine.connect() as conn:
            if scope.kind == "beneficiary":
                owned = conn.execute(
                    select(entitlement_status.c.entitlement_id).where(
                        entitlement_status.c.subject_id == subject
                    )
                )
                return {subject, *(r for (r,) in owned)}
            if scope.kind == "site":
                people = conn.execute(
                    select(beneficiary_status.c.beneficiary_id).where(
                        beneficiary_status.c.site_id == subject
                    )
                )
                money = conn.execute(
                    select(entitlement_status.c.entitlement_id).where(
                        entitlement_status.c.site_id == subject
                    )
                )
                return {subject, *(r for (r,) in people), *(r for (r,) in money)}
        raise ValueError(f"unknown scope {scope.kind}")

    def _events_of(self, aggregates: set[str]) -> list[StoredEvent]:
        with self._engine.connect() as conn:
            positions = sorted(
                p
                for (p,) in conn.execute(
                    select(event_chain.c.position).where(
                        event_chain.c.originator_id.in_(sorted(aggregates))
                    )
                )
            )
        return self._log.read_positions(positions)

    def _all_events(self, after: int = -(2**63)) -> Iterable[StoredEvent]:
        while True:
            page = self._log.read(after, 5000)
            if not page:
                return
            yield from page
            after = page[-1].position

    def _checkpoint_covering(self, position: int, now: datetime) -> Checkpoint:
        covering = [c for c in self._checkpoints.all() if c.position >= position]
        if covering:
            return covering[0]
        signed = self._checkpoints.sign_head(now)
        if signed is None or signed.position < position:
            raise LookupError("the chain does not reach these events yet; run the projections")
        return signed

    def _segment(self, first: int, last: int) -> tuple[bytes, list[dict[str, Any]]]:
        c = event_chain.c
        with self._engine.connect() as conn:
            before = conn.execute(
                select(c.link_hash).where(c.position < first).order_by(c.position.desc()).limit(1)
            ).scalar()
            rows = conn.execute(
                select(c.position, c.originator_id, c.originator_version, c.topic, c.state_sha256)
                .where(c.position >= first, c.position <= last)
                .order_by(c.position)
            ).all()
        segment = [
            {
                "position": p,
                "originator_id": o,
                "originator_version": v,
                "topic": t,
                "state_sha256": s,
            }
            for p, o, v, t, s in rows
        ]
        return (bytes.fromhex(before) if before else GENESIS), segment

    def _documents_cited(
        self, decoded: Sequence[Any], reveal: Reveal
    ) -> tuple[dict[str, bytes], list[dict[str, str]]]:
        """The cited documents the requester may see, by hash, and those withheld from them
        (a file cannot be masked: ADR 0030)."""
        found: dict[str, bytes] = {}
        withheld: dict[str, str] = {}
        for event in decoded:
            sha = getattr(getattr(event, "document", None), "sha256", None)
            if not sha or sha in found or sha in withheld:
                continue
            try:
                kind = self._documents.info(sha).kind.value
                if not reveal.shows_document(kind):
                    withheld[sha] = kind
                    continue
                found[sha] = self._documents.get(sha)
            except DocumentNotFound:
                continue  # cited by hash but never uploaded: the summary says so
        return found, [{"sha256": sha, "kind": kind} for sha, kind in sorted(withheld.items())]


def _library_record(event: StoredEvent) -> LibraryStoredEvent:
    return LibraryStoredEvent(
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        topic=event.topic,
        state=event.state,
    )


def _events_jsonl(events: Sequence[StoredEvent]) -> bytes:
    lines = [
        json.dumps(
            {
                "position": e.position,
                "originator_id": str(e.originator_id),
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": base64.b64encode(e.state).decode(),
            },
            separators=(",", ":"),
        )
        for e in events
    ]
    return ("\n".join(lines) + "\n").encode()


def _readable(events: Sequence[StoredEvent], decoded: Sequence[Any], reveal: Reveal) -> bytes:
    return _json(
        [
            {"position": stored.position, "aggregate_id": str(stored.originator_id)}
            | (event_as_dict(event, reveal) if event is not None else {"undecodable": True})
            for stored, event in zip(events, decoded, strict=True)
        ]
    )


def _summary_pdf(
    scope: Scope,
    events: Sequence[StoredEvent],
    decoded: Sequence[Any],
    checkpoint: Checkpoint,
    documents: tuple[int, int],
    generated_at: datetime,
) -> bytes:
    rows = [
        {
            "position": stored.position,
            "occurred_on": event.occurred_on if event else None,
            "event": type(event).__name__ if event else "(stored bytes do not decode)",
            "actor": f"{event.actor.user_id} ({event.actor.role})" if event else "",
            "document": (
                f"{event.document.kind} {event.document.number}" if event and event.document else ""
            ),
        }
        for stored, event in zip(events, decoded, strict=True)
    ]
    table = Table(
        "Peristiwa (events)",
        [
            Column("position", "Posisi", Kind.INTEGER),
            Column("occurred_on", "Tanggal", Kind.DATE),
            Column("event", "Peristiwa"),
            Column("actor", "Pelaku"),
            Column("document", "Dokumen"),
        ],
        rows,
    )
    report = Report(
        title="Bundel bukti (evidence bundle)",
        subtitle=scope.describe(),
        metadata=[
            ("Events", str(len(events))),
            ("Positions", f"{events[0].position} to {events[-1].position}"),
            ("Signed checkpoint", f"position {checkpoint.position}, key {checkpoint.key_id}"),
            ("Documents", str(documents[0])),
            ("Documents withheld (hash only)", str(documents[1])),
        ],
        sections=[table],
        footer_note="Check this bundle with verify_bundle.py (Python and cryptography only).",
        generated_at=generated_at,
    )
    return to_pdf(report)


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=1, sort_keys=True, default=str, ensure_ascii=False).encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, files[name])
    return out.getvalue()
