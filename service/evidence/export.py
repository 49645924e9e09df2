"""Building an evidence bundle for a person at the system's boundary: roles, logging, catch-up."""

from __future__ import annotations

from service.accounts import Account
from service.evidence.bundle import Bundle, EvidenceBundler, Scope
from service.queries import Reveal
from service.system import Jejak


def export_bundle(jejak: Jejak, viewer: Account, scope: Scope, *, in_clear: bool) -> Bundle:
    """The bundle for `scope`, the chain brought up to date first; every export is logged with
    whether personal data was asked for in clear."""
    jejak.runner.catch_up()
    reveal = Reveal(jejak.vault, viewer, asked_in_clear=in_clear)
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
        f"{bundle.events} events, personal data {'in clear' if reveal.full else 'masked'}",
    )
    return bundle
