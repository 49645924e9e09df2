"""The read side's current-state questions, by feature, built once from the store's parts.

Each feature's queries live in their own module (`sites`, `beneficiaries`, `worklist`, `money`,
`dashboard`, `history`, `search`); this only composes them for the routes, pages and command
line.
Current-state questions read the read-model tables only; the event store is read for a single
aggregate's history, which is its own question.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.units import Scope
from service.queries.beneficiaries import BeneficiaryQueries
from service.queries.dashboard import DashboardQueries
from service.queries.history import Histories
from service.queries.money import MoneyQueries
from service.queries.reveal import FieldReveals
from service.queries.search import CaseSearch
from service.queries.sites import SiteQueries
from service.queries.worklist import WorklistQueries
from service.system import Jejak


@dataclass(frozen=True)
class ReadModels:
    """The questions the programme team, supervisors and auditors ask, by feature."""

    dashboard: DashboardQueries
    sites: SiteQueries
    beneficiaries: BeneficiaryQueries
    worklist: WorklistQueries
    money: MoneyQueries
    history: Histories
    search: CaseSearch
    # Not a question of the read models but an act on her events: one field in clear, logged.
    reveals: FieldReveals

    @classmethod
    def of(cls, jejak: Jejak, scope: Scope) -> ReadModels:
        """The queries over `jejak`'s read models and log, each held to `scope`: the caller's
        (`service.security.scope`), so that every answer leaves out what lies outside it."""
        beneficiaries = BeneficiaryQueries(jejak.engine, jejak.vault, jejak.access_log, scope)
        return cls(
            dashboard=DashboardQueries(jejak.engine, scope),
            sites=SiteQueries(jejak.engine, scope),
            beneficiaries=beneficiaries,
            worklist=WorklistQueries(jejak.engine, scope),
            money=MoneyQueries(jejak.engine, beneficiaries, scope),
            history=Histories(jejak.app, jejak.engine, jejak.vault, jejak.access_log, scope),
            search=CaseSearch(jejak.engine, jejak.vault, jejak.access_log, scope),
            reveals=FieldReveals(jejak.app, jejak.engine, jejak.vault, jejak.access_log, scope),
        )
