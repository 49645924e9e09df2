"""Case numbers of the people money is planned for, for read models that label money by case.

Only `BeneficiaryRegistered` carries a case number. A money read model takes it from the
registration when that is in the same batch, and otherwise from beneficiary_status, which the
runner applies earlier in the same transaction (ADR 0004). A case number never changes, so a
rebuild of the money read models alone finds the same numbers.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from types import MappingProxyType

from sqlalchemy import Connection, select

from domain.beneficiary import Beneficiary
from domain.entitlement import Entitlement
from projections.base import Fold, PositionedEvent, Row, RowProjection, key_in
from projections.beneficiary_status import beneficiary_status

# beneficiary id -> case number; a compensation payee has none.
CaseNumbers = Mapping[str, str]
NO_CASES: CaseNumbers = MappingProxyType({})


def registered_in(events: Iterable[PositionedEvent]) -> dict[str, str]:
    """The case numbers registered by `events`."""
    return {
        str(e.originator_id): e.case_number
        for e in (p.event for p in events)
        if isinstance(e, Beneficiary.BeneficiaryRegistered)
    }


def case_numbers(conn: Connection | None, events: Sequence[PositionedEvent]) -> dict[str, str]:
    """Case numbers of everyone an `EntitlementPlanned` in `events` names.

    With no connection, `events` is the whole log and its registrations are all there is.
    """
    known = registered_in(events)
    planned = (e.event for e in events if isinstance(e.event, Entitlement.EntitlementPlanned))
    wanted = {str(e.subject_id) for e in planned}
    missing = sorted(wanted - known.keys())
    if conn is not None and missing:
        query = select(beneficiary_status.c.beneficiary_id, beneficiary_status.c.case_number)
        for bid, case_number in conn.execute(
            query.where(key_in(conn, beneficiary_status.c.beneficiary_id, missing))
        ):
            known[bid] = case_number
    return {k: v for k, v in known.items() if k in wanted}


class CaseNumberedProjection(RowProjection):
    """A row projection whose fold reads the case numbers of the people money is planned for."""

    def batch_fold(self, conn: Connection | None, events: Sequence[PositionedEvent]) -> Fold:
        return partial(self.fold, cases=case_numbers(conn, events))

    @abstractmethod
    def fold(
        self, row: Row | None, event: PositionedEvent, cases: CaseNumbers = NO_CASES
    ) -> Row | None:
        """The row after the event, given the case numbers (pure)."""
