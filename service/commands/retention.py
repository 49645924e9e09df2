"""Retention commands: set a category's period, place and lift legal holds, propose, approve,
reject and carry out destructions.

What is due and who is held are read models' answers (`service.queries.retention`), read
after the projections have caught up with the log, so a hold placed a moment ago holds. The
aggregates decide with them. Approving a destruction saves the approval first, then destroys
the keys, then records the berita acara: a crash in between leaves an approved destruction
whose keys may be partly destroyed, and carrying it out again completes it (a key's
destruction is idempotent). Keys are never destroyed without an approval recorded first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID, uuid4

from domain.beneficiary import Beneficiary
from domain.privacy.categories import DEFAULT_RETENTION, CountedFrom, RetentionCategory
from domain.privacy.destruction import Destruction
from domain.privacy.legal_hold import HoldKind, LegalHold
from domain.privacy.retention import RetentionPolicy
from domain.recording import DocumentKind, DocumentRef, Provenance
from service.commands.base import CommandBase, CommandResult
from service.files.berita_acara import berita_acara
from service.files.documents import StoredDocument
from service.files.letters import letter_pdf
from service.provenance import WITA
from service.queries.retention import DueRow, HoldReason, Period


class RetentionReads(Protocol):
    """The read side the commands decide with, caught up with the log before each answer."""

    def due(self, as_of: date) -> list[DueRow]:
        """What is due on `as_of`, with its holds."""
        ...

    def held(self, beneficiary_ids: Collection[UUID]) -> dict[UUID, tuple[HoldReason, ...]]:
        """Who among them is held, and why."""
        ...

    def periods(self) -> dict[RetentionCategory, Period]:
        """The period in force per category."""
        ...


class RetentionCommands:
    """Retention periods, legal holds and destructions."""

    def __init__(self, app: CommandBase) -> None:
        self.app = app
        # Set by the composition root (service.system); the commands that need it say so.
        self.reads: RetentionReads | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(WITA)

    def _reads(self) -> RetentionReads:
        if self.reads is None:
            raise RuntimeError("retention commands need the read side (service.system wires it)")
        return self.reads

    # --- periods ----------------------------------------------------------------------------

    def set_retention_period(
        self,
        *,
        category: RetentionCategory,
        years: int,
        provenance: Provenance,
        counted_from: CountedFrom | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Set the category's period (first time) or change it; counted from the category's
        default fact unless another is given."""
        category = RetentionCategory(category)
        fact = counted_from or DEFAULT_RETENTION[category].counted_from
        policy_id = RetentionPolicy.create_id(category)
        if not self.app.exists(policy_id):
            made = RetentionPolicy.set_first(
                category=category, years=years, counted_from=fact, provenance=provenance
            )
            return self.app.saved(made, what=f"the retention period of {category.value}")
        return self.app.update(
            RetentionPolicy,
            policy_id,
            expected_version,
            lambda p: p.change(years=years, counted_from=fact, provenance=provenance),
        )

    # --- legal holds ------------------------------------------------------------------------

    def place_legal_hold(
        self, *, kind: HoldKind, beneficiary_ids: Sequence[UUID], provenance: Provenance
    ) -> CommandResult:
        """Place a hold on the people named; each must exist."""
        for person in beneficiary_ids:
            self.app.load(Beneficiary, person)
        hold = LegalHold.place(
            hold_id=uuid4(), kind=kind, beneficiary_ids=beneficiary_ids, provenance=provenance
        )
        return self.app.saved(hold)

    def lift_legal_hold(
        self, hold_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Lift a hold on the paper that ends the matter."""
        return self.app.update(
            LegalHold, hold_id, expected_version, lambda h: h.lift(provenance=provenance)
        )

    # --- destructions -----------------------------------------------------------------------

    def propose_destruction(
        self,
        *,
        provenance: Provenance,
        chosen: Collection[tuple[UUID, RetentionCategory]] | None = None,
    ) -> CommandResult:
        """Propose what is due on the provenance's date and not held (or the `chosen` items)."""
        reads = self._reads()
        due = reads.due(provenance.occurred_on)
        destruction = Destruction.propose(
            destruction_id=uuid4(),
            due=[row.as_item() for row in due],
            held={row.beneficiary_id: _texts(row.held_by) for row in due if row.held},
            chosen=chosen,
            provenance=provenance,
        )
        return self.app.saved(destruction)

    def reject_destruction(
        self, destruction_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Refuse a proposal; nothing is destroyed."""
        return self.app.update(
            Destruction, destruction_id, expected_version, lambda d: d.reject(provenance=provenance)
        )

    def approve_destruction(
        self, destruction_id: UUID, *, provenance: Provenance, expected_version: int | None = None
    ) -> CommandResult:
        """Approve (another supervisor), destroy the keys of what the approval lets through,
        and record it with the berita acara."""
        reads = self._reads()
        still_due = {
            (row.beneficiary_id, row.category.value) for row in reads.due(provenance.occurred_on)
        }

        def approve(destruction: Destruction) -> None:
            people = {item.beneficiary_id for item in destruction.items}
            held = {b: _texts(r) for b, r in reads.held(people).items()}
            destruction.approve(still_due=still_due, held=held, provenance=provenance)

        self.app.update(Destruction, destruction_id, expected_version, approve)
        return self.carry_out_destruction(destruction_id, provenance=provenance)

    def carry_out_destruction(
        self, destruction_id: UUID, *, provenance: Provenance
    ) -> CommandResult:
        """Destroy the approved items' keys and record it, with the berita acara as the
        document (after an approval; again only if that command stopped half-way)."""
        destruction = self.app.load(Destruction, destruction_id)
        destruction._allowed("carry_out_destruction")
        for item in destruction.approved:
            purpose = DEFAULT_RETENTION[RetentionCategory(item.category)].key_purpose
            self.app.vault.erase(item.beneficiary_id, [purpose])
        paper = self._berita_acara(destruction, provenance)
        carried = Provenance(provenance.actor, provenance.occurred_on, paper, provenance.reason)
        return self.app.update(
            Destruction, destruction_id, None, lambda d: d.carry_out(provenance=carried)
        )

    def _berita_acara(self, destruction: Destruction, provenance: Provenance) -> DocumentRef:
        """Make the berita acara, keep it by its hash, and name it as a document."""
        periods = {
            category.value: f"{period.years} tahun ({_counted(period.counted_from)})"
            for category, period in self._reads().periods().items()
        }
        letter = berita_acara(
            destruction,
            written_at=self.clock(),
            periods=periods,
            proposed_by=destruction.proposed_by,
            approved_by=provenance.actor.user_id,
            approved_on=provenance.occurred_on,
        )
        content = letter_pdf(letter)
        sha256: str | None = None
        if self.app.documents is not None:
            stored = self.app.documents.put(
                content,
                media_type="application/pdf",
                filename=f"berita-acara-{destruction.number}.pdf",
                kind=DocumentKind.BERITA_ACARA,
                uploaded_by=provenance.actor,
            )
            if isinstance(stored, StoredDocument):
                sha256 = stored.sha256
        return DocumentRef(
            DocumentKind.BERITA_ACARA.value,
            destruction.number,
            provenance.occurred_on,
            provenance.actor.org_unit,
            sha256,
        )


def _texts(reasons: Sequence[HoldReason]) -> tuple[str, ...]:
    return tuple(r.text for r in reasons)


def _counted(fact: CountedFrom) -> str:
    return {
        CountedFrom.LAST_PAYMENT: "sejak pembayaran terakhir",
        CountedFrom.CASE_ENDED: "sejak kasus selesai",
    }[fact]
