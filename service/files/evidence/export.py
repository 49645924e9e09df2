"""Building an evidence bundle for a person at the system's boundary: roles, logging, catch-up."""

from __future__ import annotations

from service.files.evidence.bundle import Bundle, EvidenceBundler, Scope
from service.queries.reveal import Reveal, log_bundle_reveals
from service.security.accounts import Account
from service.system import Jejak


def export_bundle(
    jejak: Jejak, viewer: Account, scope: Scope, *, clear_reason: str | None = None
) -> Bundle:
    """The bundle for `scope`, the chain brought up to date first. `clear_reason` is the
    checked reason an auditor gave for personal data in clear (`domain.access`). Every export
    is logged with whether personal data was in clear, and the reason if one was given; a
    bundle in clear for a reason is the reveal act (ADR 0046), logged once more for each case
    it unmasked, naming the fields, before a byte is handed out."""
    jejak.runner.catch_up()
    reveal = Reveal(jejak.vault, viewer, clear_reason=clear_reason)
    bundler = EvidenceBundler(
        jejak.engine,
        jejak.raw_log(),
        jejak.checkpoints,
        jejak.documents,
        jejak.app.mapper.to_domain_event,
    )
    bundle = bundler.build(scope, reveal)
    jejak.access_log.record(
        viewer.username,
        viewer.role,
        "export_evidence_bundle",
        scope.kind,
        scope.subject_id,
        f"{bundle.events} events, personal data {'in clear' if reveal.full else 'masked'}, "
        f"{bundle.withheld} documents withheld"
        + (f"; reason: {clear_reason}" if clear_reason else ""),
    )
    log_bundle_reveals(jejak.access_log, viewer, reveal)
    return bundle
