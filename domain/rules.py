"""Programme settings the domain reads: deadlines and entitlement policies, with defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ADULT_AGE = 18


@dataclass(frozen=True)
class TrainingFacility:
    """A registered residential or local training facility."""

    facility_id: str
    name: str
    region_code: str


DEFAULT_FACILITIES: tuple[TrainingFacility, ...] = (
    # The 2016 plan sent the women to Kalimantan Timur; the provincial women's rehabilitation
    # centre in Samarinda is the likely facility (domain research, open question 2).
    TrainingFacility("KTM-PSKW-HM", "UPTD PSKW Harapan Mulia, Samarinda", "64.72"),
    # Nunukan reported local, non-residential training.
    TrainingFacility("NNK-LOCAL", "Pelatihan lokal Dinas Sosial Kabupaten Nunukan", "65.03"),
)


@dataclass(frozen=True)
class ProgrammeRules:
    """Policies that vary by programme and batch; passed into commands, never read globally.

    `deadline_days` overrides the lifecycle deadlines' defaults by setting name.
    `dropout_keeps_grant` decides whether someone who left training early keeps the grant.
    `programme_code` is the remark on every transfer the bank makes.
    """

    dropout_keeps_grant: bool = False
    deadline_days: Mapping[str, int] = field(default_factory=dict)
    facilities: tuple[TrainingFacility, ...] = DEFAULT_FACILITIES
    # The neutral label bank files carry: never a word that marks the recipients.
    programme_code: str = "BANSOS-REHSOS"

    def facility(self, facility_id: str) -> TrainingFacility | None:
        """The registered facility with this id, if any."""
        return next((f for f in self.facilities if f.facility_id == facility_id), None)
