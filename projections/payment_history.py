"""payment_history: every request, approval, payment and reversal of a grant, in log order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from domain.sealed import sealed_to_json
from projections.base import PositionedEvent, Projection, Row, key_in
from projections.tables import beneficiary_status, payment_history

PAYMENT_EVENTS = frozenset({"GrantRequested", "GrantApproved", "GrantPaid", "GrantPaymentReversed"})


class PaymentHistory(Projection):
    """Append-only: one row per money event, never updated."""

    name = "payment_history"
    tables = (payment_history,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        money = [e for e in events if e.name in PAYMENT_EVENTS]
        if not money:
            return
        cases = self._cases(conn, {str(e.event.originator_id) for e in money}, events)
        conn.execute(payment_history.insert(), [payment_row(e, cases) for e in money])

    @staticmethod
    def _cases(
        conn: Connection, ids: set[str], batch: Sequence[PositionedEvent]
    ) -> dict[str, tuple[str, str]]:
        # Case number and site come from the registration event, which may be in this very
        # batch or already folded into beneficiary_status (which is applied before us).
        cases = {
            str(e.event.originator_id): (e.event.case_number, str(e.event.site_id))
            for e in batch
            if e.name == "BeneficiaryRegistered"
        }
        missing = sorted(ids - cases.keys())
        if missing:
            query = select(
                beneficiary_status.c.beneficiary_id,
                beneficiary_status.c.case_number,
                beneficiary_status.c.site_id,
            ).where(key_in(conn, beneficiary_status.c.beneficiary_id, missing))
            for bid, case_number, site_id in conn.execute(query):
                cases[bid] = (case_number, site_id)
        return cases


def payment_row(event: PositionedEvent, cases: dict[str, tuple[str, str]]) -> Row:
    """The payment_history row for one money event (pure)."""
    e = event.event
    case_number, site_id = cases[str(e.originator_id)]
    account = getattr(e, "account", None)
    return {
        "position": event.position,
        "beneficiary_id": str(e.originator_id),
        "case_number": case_number,
        "site_id": site_id,
        "event": event.name,
        "amount": e.amount,
        "occurred_on": e.occurred_on,
        "channel": str(e.channel) if event.name == "GrantPaid" else None,
        "bank_reference": getattr(e, "bank_reference", None),
        "account_sealed": sealed_to_json(account) if account is not None else None,
        "actor_id": e.actor.user_id,
        "actor_role": str(e.actor.role),
        "document_kind": e.document.kind if e.document else None,
        "document_number": e.document.number if e.document else None,
        "reason": e.reason,
        "recorded_at": event.recorded_at,
    }
