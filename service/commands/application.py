"""The command side as one object: the programme's event store (`CommandBase`) and, composed on
it, one handler per feature (ADR 0039).

A caller names the feature and the command: `app.money.approve_batch(...)`,
`app.beneficiaries.verify_identity(...)`. Each handler loads the aggregates it needs, lets them
(or a domain service) decide, and saves all their new events in one atomic save through the
base. Handlers never import each other; `app.site(...)`, `app.entitlement(...)` and the other
typed getters read the current aggregates.
"""

from __future__ import annotations

from domain.rules import ProgrammeRules
from service.commands.audit_checks import AuditCheckCommands
from service.commands.audit_register import AuditRegisterCommands
from service.commands.base import CommandBase, KeepsDocuments
from service.commands.beneficiaries import BeneficiaryCommands
from service.commands.breaches import BreachCommands
from service.commands.corrections import CorrectionCommands
from service.commands.erasures import ErasureCommands
from service.commands.grants import AssignmentCommands, StaffCommands
from service.commands.money import MoneyCommands
from service.commands.processing import ProcessingCommands
from service.commands.reports import ReportCommands
from service.commands.retention import RetentionCommands
from service.commands.sites import SiteCommands
from service.commands.subject_requests import SubjectRequestCommands
from service.commands.units import UnitCommands
from service.security.vault import Vault
from service.store.db import APPLICATION_NAME


class ProgrammeApplication(CommandBase):
    """Sites, beneficiaries and their money, in one event store with one log order."""

    # Pinned again: the library names every subclass after itself unless it says otherwise,
    # and the store's table names derive from the name (ADR 0002).
    name = APPLICATION_NAME

    def __init__(
        self,
        env: dict[str, str],
        vault: Vault,
        rules: ProgrammeRules,
        documents: KeepsDocuments | None = None,
    ) -> None:
        super().__init__(env=env, vault=vault, rules=rules, documents=documents)
        self.sites = SiteCommands(self)
        self.beneficiaries = BeneficiaryCommands(self)
        self.money = MoneyCommands(self)
        self.corrections = CorrectionCommands(self)
        self.audit_register = AuditRegisterCommands(self)
        self.audit_checks = AuditCheckCommands(self)
        self.reports = ReportCommands(self)
        self.units = UnitCommands(self)
        self.staff = StaffCommands(self)
        self.assignments = AssignmentCommands(self)
        self.erasures = ErasureCommands(self)
        self.subject_requests = SubjectRequestCommands(self)
        self.retention = RetentionCommands(self)
        self.processing = ProcessingCommands(self)
        self.breaches = BreachCommands(self)
