"""Destruction: four eyes on destroying personal data whose retention period has ended.

One officer (the DPO or a supervisor) proposes the people and categories due on a date;
another supervisor approves. The approval is judged again on the day: anyone a legal hold or an
open audit finding now holds, or who is no longer due, is withheld and named with the reason.
What the approval lets through is then destroyed by destroying the data keys (crypto-shredding,
ADR 0005), and the act is recorded with its berita acara pemusnahan as the document
(domain research 6.5: destruction only at the end of the JRA period, with a berita acara).

Nothing of the ledger is destroyed: amounts, dates, case numbers and the events stay, so the
ledger stays provable; only what the destroyed keys sealed becomes unreadable.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.guards import require_document, require_reason
from domain.lifecycle import SUPERVISOR_ONLY, Lifecycle, StateSpec, Transition
from domain.privacy.categories import RetentionCategory
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role

MAX_ITEMS = 5000
PROPOSER_ROLES: tuple[Role, ...] = (Role.DPO, Role.SUPERVISOR)


@dataclass(frozen=True)
class DestructionItem:
    """One category of one person's data, due for destruction since `ends_on`."""

    beneficiary_id: UUID
    case_number: str
    category: str
    ends_on: date


@dataclass(frozen=True)
class WithheldItem:
    """An item the approval did not let through, and why (hold references, or not due)."""

    beneficiary_id: UUID
    case_number: str
    category: str
    reasons: tuple[str, ...]


NOT_DUE = "not_due"
MEMOS: tuple[DocumentKind, ...] = (DocumentKind.NOTA_DINAS,)

DESTRUCTION_LIFECYCLE = Lifecycle(
    aggregate="Destruction",
    states=(
        StateSpec(
            "PROPOSED",
            "Proposed; awaiting another supervisor's approval",
            next_action="approve_destruction",
        ),
        StateSpec(
            "APPROVED",
            "Approved; the keys are being destroyed",
            next_action="carry_out_destruction",
        ),
        StateSpec(
            "CARRIED_OUT",
            "The keys were destroyed; the berita acara pemusnahan records it",
            terminal=True,
        ),
        StateSpec("REJECTED", "Not approved; nothing was destroyed", terminal=True),
    ),
    transitions=(
        Transition(
            "propose_destruction",
            "DestructionProposed",
            None,
            "PROPOSED",
            roles=PROPOSER_ROLES,
            guards=(
                "NOTHING_DUE: at least one item whose retention period has ended",
                "NOT_DUE: every item named is due on the proposal's date",
                "LEGAL_HOLD: no item named is held by a legal hold or an open audit finding",
                "DOCUMENT_REQUIRED: the proposal memo (nota dinas)",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
            documents=MEMOS,
        ),
        Transition(
            "approve_destruction",
            "DestructionApproved",
            ("PROPOSED",),
            "APPROVED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "SAME_PERSON_APPROVES: another account than the one that proposed it",
                "LEGAL_HOLD: something is still due and not held on the approval's date",
                "DOCUMENT_REQUIRED: the approval memo (nota dinas)",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
            documents=MEMOS,
        ),
        Transition(
            "reject_destruction",
            "DestructionRejected",
            ("PROPOSED",),
            "REJECTED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "REASON_REQUIRED: why it is not approved",
                "DOCUMENT_REQUIRED: the decision memo (nota dinas)",
                "PERSONAL_DATA_IN_TEXT: no identifier-like number or e-mail address in the reason",
            ),
            documents=MEMOS,
        ),
        # Recorded by the approval's own command once the keys are destroyed; repeated by a
        # supervisor only if that command stopped in between (the keys' destruction is
        # idempotent).
        Transition(
            "carry_out_destruction",
            "DestructionCarriedOut",
            ("APPROVED",),
            "CARRIED_OUT",
            roles=SUPERVISOR_ONLY,
            guards=("DOCUMENT_REQUIRED: the berita acara pemusnahan",),
            documents=(DocumentKind.BERITA_ACARA,),
        ),
    ),
)


class NothingDue(RuleViolation):
    """Raised when a destruction is proposed with nothing due to destroy."""

    code = "NOTHING_DUE"


class NotDue(RuleViolation):
    """Raised when a destruction names an item whose retention period has not ended."""

    code = "NOT_DUE"


class LegalHoldBlocks(RuleViolation):
    """Raised when a destruction would reach data a legal hold or an open audit finding
    holds."""

    code = "LEGAL_HOLD"


class SamePersonApproves(RuleViolation):
    """Raised when the account that proposed a destruction tries to approve it (four eyes)."""

    code = "SAME_PERSON_APPROVES"


def number_of(destruction_id: UUID, proposed_on: date) -> str:
    """The destruction's number, as the berita acara and the page show it."""
    return f"PMS-{proposed_on.year}-{destruction_id.hex[:8].upper()}"


def _key(item: DestructionItem | WithheldItem) -> tuple[UUID, str]:
    return item.beneficiary_id, item.category


class Destruction(LifecycleAggregate):
    """A proposed destruction of due personal data, its approval and its carrying out."""

    lifecycle = DESTRUCTION_LIFECYCLE

    class DestructionProposed(LifecycleAggregate.Created):
        """These items were due on `occurred_on` and proposed for destruction, on the
        proposal memo (the document)."""

        number: str
        items: tuple[DestructionItem, ...]

    class DestructionApproved(LifecycleAggregate.Event):
        """Another supervisor approved, on the approval memo (the document): `approved` will be
        destroyed, `withheld` will not."""

        approved: tuple[DestructionItem, ...]
        withheld: tuple[WithheldItem, ...]

    class DestructionRejected(LifecycleAggregate.Event):
        """Not approved, on the decision memo (the document); nothing is destroyed."""

    class DestructionCarriedOut(LifecycleAggregate.Event):
        """The keys of `destroyed` were destroyed; the document is the berita acara."""

        destroyed: tuple[DestructionItem, ...]

    @classmethod
    def propose(
        cls,
        *,
        destruction_id: UUID,
        due: Sequence[DestructionItem],
        held: Mapping[UUID, Sequence[str]],
        provenance: Provenance,
        chosen: Collection[tuple[UUID, RetentionCategory]] | None = None,
    ) -> Destruction:
        """Propose the `due` items not held (or exactly the `chosen` ones, which must be due
        and not held), as due on the provenance's date, on the proposal memo."""
        require_document(
            provenance,
            "the proposal memo",
            DESTRUCTION_LIFECYCLE.documents_for("propose_destruction"),
        )
        if chosen is None:
            items = [i for i in due if i.beneficiary_id not in held]
        else:
            by_key = {_key(i): i for i in due}
            wanted = list(dict.fromkeys((b, RetentionCategory(c).value) for b, c in chosen))
            missing = [k for k in wanted if k not in by_key]
            if missing:
                raise NotDue(
                    f"{len(missing)} of the items named are not due on {provenance.occurred_on}",
                    field="items",
                )
            if any(b in held for b, _ in wanted):
                raise LegalHoldBlocks(
                    "an item named is held by a legal hold or an open audit finding",
                    field="items",
                )
            items = [by_key[k] for k in wanted]
        if not items:
            raise NothingDue("nothing is due and free of holds on this date", field="items")
        if len(items) > MAX_ITEMS:
            raise InvalidValue(f"at most {MAX_ITEMS} items at a time", field="items")
        return cls._start(
            cls.DestructionProposed,
            destruction_id,
            number=number_of(destruction_id, provenance.occurred_on),
            items=tuple(items),
            **provenance.event_fields(),
        )

    @event(DestructionProposed)
    def __init__(
        self,
        number: str,
        items: tuple[DestructionItem, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.number = number
        self.items = tuple(items)
        self.proposed_by = actor.user_id
        self.approved: tuple[DestructionItem, ...] = ()
        self.withheld: tuple[WithheldItem, ...] = ()
        self.destroyed: tuple[DestructionItem, ...] = ()

    def approve(
        self,
        *,
        still_due: Collection[tuple[UUID, str]],
        held: Mapping[UUID, Sequence[str]],
        provenance: Provenance,
    ) -> None:
        """Approve as another supervisor; what is held or no longer due on the approval's date
        is withheld, with its reasons."""
        self._allowed("approve_destruction")
        if provenance.actor.user_id == self.proposed_by:
            raise SamePersonApproves(
                "a destruction is approved by another account than the one that proposed it",
                field="actor",
            )
        require_document(
            provenance,
            "the approval memo",
            DESTRUCTION_LIFECYCLE.documents_for("approve_destruction"),
        )
        approved: list[DestructionItem] = []
        withheld: list[WithheldItem] = []
        for item in self.items:
            reasons = tuple(held.get(item.beneficiary_id, ()))
            if _key(item) not in still_due:
                reasons = (NOT_DUE, *reasons)
            if reasons:
                withheld.append(
                    WithheldItem(item.beneficiary_id, item.case_number, item.category, reasons)
                )
            else:
                approved.append(item)
        if not approved:
            raise LegalHoldBlocks(
                "every item is now held or no longer due; nothing would be destroyed",
                field="items",
            )
        self._approved(
            approved=tuple(approved), withheld=tuple(withheld), **provenance.event_fields()
        )

    @event(DestructionApproved)
    def _approved(
        self,
        approved: tuple[DestructionItem, ...],
        withheld: tuple[WithheldItem, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.approved = tuple(approved)
        self.withheld = tuple(withheld)

    def reject(self, *, provenance: Provenance) -> None:
        """Refuse the proposal; nothing is destroyed."""
        self._allowed("reject_destruction")
        require_reason(provenance)
        require_document(
            provenance,
            "the decision memo",
            DESTRUCTION_LIFECYCLE.documents_for("reject_destruction"),
        )
        self._rejected(**provenance.event_fields())

    @event(DestructionRejected)
    def _rejected(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def carry_out(self, *, provenance: Provenance) -> None:
        """Record that the approved items' keys were destroyed, with the berita acara."""
        self._allowed("carry_out_destruction")
        require_document(
            provenance,
            "the berita acara pemusnahan",
            DESTRUCTION_LIFECYCLE.documents_for("carry_out_destruction"),
        )
        self._carried_out(destroyed=self.approved, **provenance.event_fields())

    @event(DestructionCarriedOut)
    def _carried_out(
        self,
        destroyed: tuple[DestructionItem, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.destroyed = tuple(destroyed)
