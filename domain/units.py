"""The units that work the programme, the regions they answer for, and what each one sees.

A unit is an office with a place in the region tree (ADR 0044): the ministry answers for the
whole country, a province's social-affairs office for its province, a kabupaten's or kota's
Dinas Sosial for its own region, a training centre for the women in training there, and an
audit body for nothing until it is assigned an audit. Units are recorded as events, so the
organisation the programme ran under on any date can be read back.

Sites belong to the unit of their region; a case to the unit responsible for her now, which
her events decide (`Custody`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.recording import Actor, DocumentRef, Provenance, Role

UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")
# A Kemendagri region code: the province (2 digits), then kabupaten/kota, kecamatan, desa.
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
FACILITY_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
MAX_UNIT_NAME_LENGTH = 200


class UnitKind(StrEnum):
    """What kind of office a unit is, which decides how much of the programme it answers for."""

    # Kementerian Sosial: the programme's owner, over every province.
    MINISTRY = "ministry"
    # A province's social-affairs office (Dinsosnakertrans Provinsi), which runs the programme.
    PROVINCE = "province"
    # A kabupaten's or kota's Dinas Sosial: the sites and the women of its own region.
    REGENCY = "regency"
    # A residential training centre (UPTD PSKW): the women while they train there.
    TRAINING_CENTRE = "training_centre"
    # An audit body (BPK Perwakilan): sees what an assignment gives its examiners, nothing else.
    AUDIT_BODY = "audit_body"


# The province and the ministry oversee the programme: they see every site and every case.
OVERSEEING = frozenset({UnitKind.MINISTRY, UnitKind.PROVINCE})


@dataclass(frozen=True)
class UnitInfo:
    """A unit as the directory knows it."""

    code: str
    name: str
    kind: UnitKind
    # The Kemendagri code of the region it answers for; "" for the ministry (the country).
    region: str
    # The training facilities it runs (`domain.rules.TrainingFacility.facility_id`).
    facilities: tuple[str, ...] = ()

    def covers_region(self, code: str) -> bool:
        """Whether the region `code` (a province, kabupaten, kecamatan or desa) lies in its own."""
        return not self.region or code == self.region or code.startswith(self.region + ".")


@dataclass(frozen=True)
class Scope:
    """What one account sees and acts on: everything, or the things of some units."""

    everything: bool
    units: frozenset[str] = frozenset()

    def covers(self, unit: str | None) -> bool:
        """Whether a thing held by `unit` (None: held by no unit below the province) is in it."""
        return self.everything or (unit is not None and unit in self.units)

    @property
    def nothing(self) -> bool:
        """True when it covers no unit at all (an examiner between assignments)."""
        return not self.everything and not self.units


EVERYTHING = Scope(everything=True)
NOTHING = Scope(everything=False)


class Directory:
    """The units in the system, and which of them answers for a region or a facility."""

    def __init__(self, units: Iterable[UnitInfo]) -> None:
        self._units: Mapping[str, UnitInfo] = MappingProxyType({u.code: u for u in units})

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def all(self) -> tuple[UnitInfo, ...]:
        """Every unit, by code."""
        return tuple(sorted(self._units.values(), key=lambda u: u.code))

    def get(self, code: str) -> UnitInfo | None:
        """The unit with this code, if it is in the system."""
        return self._units.get(code)

    def unit_for_region(self, code: str) -> str | None:
        """The kabupaten's or kota's unit for a place, else its province's, else None.

        A province's unit answers for a place whose own kabupaten has no unit in the system.
        """
        regency = self._most_specific(code, (UnitKind.REGENCY,))
        return regency or self._most_specific(code, (UnitKind.PROVINCE,))

    def province_for_region(self, code: str) -> str | None:
        """The province's unit for a place, or None when that province is not in the system."""
        return self._most_specific(code, (UnitKind.PROVINCE,))

    def unit_for_facility(self, facility_id: str) -> str | None:
        """The unit that runs a training facility, if it is in the system."""
        return next((u.code for u in self._units.values() if facility_id in u.facilities), None)

    def oversees(self, code: str | None) -> bool:
        """Whether the unit sees everything (the province and the ministry)."""
        unit = self._units.get(code or "")
        return unit is not None and unit.kind in OVERSEEING

    def scope_of_unit(self, code: str) -> Scope:
        """What a member of the unit sees by belonging to it (assignments add to an auditor's).

        An audit body sees nothing by itself: its examiners see what an assignment gives them.
        A unit not in the system sees nothing.
        """
        unit = self._units.get(code)
        if unit is None or unit.kind is UnitKind.AUDIT_BODY:
            return NOTHING
        if unit.kind in OVERSEEING:
            return EVERYTHING
        return Scope(everything=False, units=frozenset({unit.code}))

    def _most_specific(self, code: str, kinds: tuple[UnitKind, ...]) -> str | None:
        matching = [u for u in self._units.values() if u.kind in kinds and u.covers_region(code)]
        if not matching:
            return None
        return max(matching, key=lambda u: (len(u.region), u.code)).code


@dataclass(frozen=True)
class Custody:
    """Which unit is responsible for a case now, and which one a hand-over awaits.

    A hand-over between two units in the system takes effect when the receiving unit records
    its acceptance; until then the sending unit stays responsible and both see the case. A
    hand-over to the province (her home region's unit is not in the system) takes effect at
    once: the province sees every case anyway.
    """

    unit: str | None
    incoming: str | None = None

    def handed_to(self, target: str | None, directory: Directory) -> Custody:
        """The custody once her events send her to `target` (None: no unit answers)."""
        if target is None or target == self.unit:
            return Custody(self.unit, None)
        if self.unit is None or directory.oversees(target) or directory.oversees(self.unit):
            return Custody(target, None)
        return Custody(self.unit, target)

    def accepted(self) -> Custody:
        """The custody once the receiving unit accepted the hand-over."""
        return Custody(self.incoming or self.unit, None)

    def units(self) -> frozenset[str]:
        """The units that see the case: the responsible one and one a hand-over awaits."""
        return frozenset(u for u in (self.unit, self.incoming) if u is not None)


class UnitUnknown(InvalidValue):
    """Raised when a command names a unit that is not in the system."""

    code = "UNIT_UNKNOWN"


UNIT_LIFECYCLE = Lifecycle(
    aggregate="Unit",
    states=(StateSpec("ESTABLISHED", "In the system: its members see what it answers for"),),
    transitions=(
        # Units are set up with the accounts, by the administrators.
        Transition(
            "establish_unit",
            "UnitEstablished",
            None,
            "ESTABLISHED",
            roles=(Role.ADMIN,),
            guards=("UNIT_CODE: an upper-case code", "REGION_CODE: a Kemendagri region code"),
        ),
    ),
)


class Unit(LifecycleAggregate):
    """One unit; its id derives from its code, so a code is established once."""

    lifecycle = UNIT_LIFECYCLE

    class UnitEstablished(LifecycleAggregate.Created):
        """The unit was set up in the system on `occurred_on`."""

        code: str
        name: str
        kind: str
        region: str
        facilities: tuple[str, ...]

        def info(self) -> UnitInfo:
            """The unit as the directory knows it."""
            return UnitInfo(
                self.code, self.name, UnitKind(self.kind), self.region, tuple(self.facilities)
            )

    @staticmethod
    def create_id(code: str) -> UUID:
        """Deterministic id, so a code can be established only once."""
        return uuid5(NAMESPACE_URL, "jejak:unit:" + code)

    @classmethod
    def establish(cls, info: UnitInfo, *, provenance: Provenance) -> Unit:
        """Set up a unit; raises InvalidValue naming the field that breaks its rule."""
        checked = checked_unit(info)
        return cls._start(
            cls.UnitEstablished,
            cls.create_id(checked.code),
            code=checked.code,
            name=checked.name,
            kind=checked.kind.value,
            region=checked.region,
            facilities=checked.facilities,
            **provenance.event_fields(),
        )

    @event(UnitEstablished)
    def __init__(
        self,
        code: str,
        name: str,
        kind: str,
        region: str,
        facilities: tuple[str, ...],
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.info = UnitInfo(code, name, UnitKind(kind), region, tuple(facilities))


def checked_unit(info: UnitInfo) -> UnitInfo:
    """The unit's details, trimmed, or InvalidValue naming the field that breaks a rule."""
    if not UNIT_CODE.fullmatch(info.code):
        raise InvalidValue(
            "a unit code is 2 to 32 upper-case letters, digits or '-', starting with a letter",
            field="code",
        )
    name = info.name.strip()
    if not name or len(name) > MAX_UNIT_NAME_LENGTH:
        raise InvalidValue(f"name must be 1 to {MAX_UNIT_NAME_LENGTH} characters", field="name")
    kind = UnitKind(info.kind)
    if kind is UnitKind.MINISTRY:
        if info.region:
            raise InvalidValue("the ministry answers for the country: no region", field="region")
    elif not REGION_CODE.fullmatch(info.region):
        raise InvalidValue("a Kemendagri region code such as 65 or 65.71", field="region")
    if kind is UnitKind.PROVINCE and "." in info.region:
        raise InvalidValue("a province's region is a two-digit code", field="region")
    for facility in info.facilities:
        if not FACILITY_ID.fullmatch(facility):
            raise InvalidValue("facility ids are upper-case codes", field="facilities")
    return UnitInfo(info.code, name, kind, info.region, tuple(info.facilities))
