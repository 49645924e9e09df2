"""custody: the units in the system, and which of them holds each site and each case now.

Every read and every command is filtered by these tables (`service.scope`, ADR 0044): a site
belongs to the unit of its region, a case to the unit her events make responsible for her
(`domain.units.Custody`), and to the unit a hand-over to her awaits acceptance from.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, Select, String, Table, Text, select

from domain.beneficiary import Beneficiary
from domain.site import Site
from domain.units import Custody, Directory, Unit, UnitInfo, UnitKind
from projections.base import PositionedEvent, Projection, Row, key_in, replace_rows
from projections.schema import metadata

units = Table(
    "units",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("region", String(16), nullable=False),
    # JSON list of the training facilities the unit runs.
    Column("facilities", Text, nullable=False),
    Column("established_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""Every unit in the system."""

site_units = Table(
    "site_units",
    metadata,
    Column("site_id", String(36), primary_key=True),
    Column("kelurahan", String(32), nullable=False),
    # None: no unit in the system answers for its region (only the overseeing units see it).
    Column("unit", String(32), index=True),
)
"""The unit each site belongs to."""

case_units = Table(
    "case_units",
    metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("site_id", String(36), nullable=False),
    Column("unit", String(32), index=True),
    # The unit a hand-over to her awaits acceptance from, if any.
    Column("incoming_unit", String(32), index=True),
    # Where her assessment placed her home: where she is handed over to on her return.
    Column("home_region", String(32)),
)
"""The unit responsible for each case now, and the unit a hand-over awaits."""

CASE_EVENTS = (
    Beneficiary.BeneficiaryRegistered,
    Beneficiary.Assessed,
    Beneficiary.SentToTraining,
    Beneficiary.ReturnedHome,
    Beneficiary.StayedLocally,
    Beneficiary.HandOverAccepted,
)
CUSTODY_EVENTS = (
    Unit.UnitEstablished,
    Site.SiteRegistered,
    Site.SiteDetailsCorrected,
    *CASE_EVENTS,
)


def directory_of(conn: Connection, table: Table = units) -> Directory:
    """The units in the system, as the read model holds them."""
    rows = conn.execute(select(table)).mappings()
    return Directory(
        UnitInfo(
            r["code"],
            r["name"],
            UnitKind(r["kind"]),
            r["region"],
            tuple(json.loads(r["facilities"])),
        )
        for r in rows
    )


@dataclass
class _Batch:
    """The rows a batch touches, folded in memory and written once."""

    directory: Directory
    unit_rows: list[Row] = field(default_factory=list)
    sites: dict[str, Row] = field(default_factory=dict)
    cases: dict[str, Row] = field(default_factory=dict)


class CaseCustody(Projection):
    """Units, and the unit holding each site and case; a batch's rows are written once."""

    name = "custody"
    units = units
    site_units = site_units
    case_units = case_units
    tables = (units, site_units, case_units)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        relevant = [e for e in events if isinstance(e.event, CUSTODY_EVENTS)]
        if not relevant:
            return
        batch = _Batch(directory_of(conn, self.units))
        self._load(conn, batch, relevant)
        for positioned in relevant:
            self._fold(batch, positioned)
        if batch.unit_rows:
            conn.execute(self.units.insert(), batch.unit_rows)
        for table, key, rows in (
            (self.site_units, "site_id", batch.sites),
            (self.case_units, "beneficiary_id", batch.cases),
        ):
            if rows:
                keyed: dict[Hashable, Row] = {k: v for k, v in rows.items()}
                replace_rows(conn, table, key, list(keyed), keyed)

    def _load(self, conn: Connection, batch: _Batch, events: Sequence[PositionedEvent]) -> None:
        if any(isinstance(e.event, Unit.UnitEstablished) for e in events):
            # A new unit may take over the sites of its region and the cases still at them.
            batch.sites.update(_rows(conn, select(self.site_units), "site_id"))
            batch.cases.update(_rows(conn, select(self.case_units), "beneficiary_id"))
            return
        site_ids = {str(e.event.originator_id) for e in events if e.name.startswith("Site")}
        case_ids = {str(e.event.originator_id) for e in events if isinstance(e.event, CASE_EVENTS)}
        site_ids |= {
            str(e.event.site_id)
            for e in events
            if isinstance(e.event, Beneficiary.BeneficiaryRegistered)
        }
        if case_ids:
            cases = _rows(
                conn,
                select(self.case_units).where(
                    key_in(conn, self.case_units.c.beneficiary_id, sorted(case_ids))
                ),
                "beneficiary_id",
            )
            batch.cases.update(cases)
            site_ids |= {row["site_id"] for row in cases.values()}
        if site_ids:
            batch.sites.update(
                _rows(
                    conn,
                    select(self.site_units).where(
                        key_in(conn, self.site_units.c.site_id, sorted(site_ids))
                    ),
                    "site_id",
                )
            )

    def _fold(self, batch: _Batch, positioned: PositionedEvent) -> None:
        e = positioned.event
        directory = batch.directory
        match e:
            case Unit.UnitEstablished():
                info = e.info()
                batch.unit_rows.append(
                    {
                        "code": info.code,
                        "name": info.name,
                        "kind": info.kind.value,
                        "region": info.region,
                        "facilities": json.dumps(list(info.facilities)),
                        "established_on": e.occurred_on,
                        "position": positioned.position,
                    }
                )
                batch.directory = Directory((*directory.all(), info))
                _reassign_sites(batch)
            case Site.SiteRegistered():
                batch.sites[str(e.originator_id)] = {
                    "site_id": str(e.originator_id),
                    "kelurahan": e.kelurahan.code,
                    "unit": directory.unit_for_region(e.kelurahan.code),
                }
            case Site.SiteDetailsCorrected():
                site = batch.sites.get(str(e.originator_id))
                if site is not None:
                    site["kelurahan"] = e.corrected.kelurahan.code
                    _reassign_sites(batch)
            case Beneficiary.BeneficiaryRegistered():
                site = batch.sites.get(str(e.site_id))
                batch.cases[str(e.originator_id)] = new_case(e, site)
            case _:
                case = batch.cases[str(e.originator_id)]
                case_after(case, e, directory, batch.sites.get(case["site_id"]))


def new_case(registered: Beneficiary.BeneficiaryRegistered, site: Row | None) -> Row:
    """The custody row of a case just registered: she is held by her site's unit."""
    return {
        "beneficiary_id": str(registered.originator_id),
        "site_id": str(registered.site_id),
        "unit": None if site is None else site["unit"],
        "incoming_unit": None,
        "home_region": None,
    }


def case_after(case: Row, e: object, directory: Directory, site: Row | None) -> None:
    """Fold one of her events into her custody row (pure but for the row it changes).

    Shared by the read model and by the check of a command on her case, which folds her
    events itself so that it never judges by a read model that has not caught up.
    """
    match e:
        case Beneficiary.Assessed():
            case["home_region"] = e.home_region.code
        case Beneficiary.SentToTraining():
            target = directory.unit_for_facility(e.facility_id) or (
                directory.unit_for_region(e.facility_region)
            )
            _hand_over(case, target, directory)
        case Beneficiary.ReturnedHome():
            target = directory.unit_for_region(e.confirming_kelurahan.code) or (
                None if site is None else directory.province_for_region(site["kelurahan"])
            )
            _hand_over(case, target, directory)
        case Beneficiary.StayedLocally():
            _hand_over(case, None if site is None else site["unit"], directory)
        case Beneficiary.HandOverAccepted():
            custody = Custody(case["unit"], case["incoming_unit"]).accepted()
            case["unit"], case["incoming_unit"] = custody.unit, custody.incoming


def _hand_over(case: Row, target: str | None, directory: Directory) -> None:
    custody = Custody(case["unit"], case["incoming_unit"]).handed_to(target, directory)
    case["unit"], case["incoming_unit"] = custody.unit, custody.incoming


def _reassign_sites(batch: _Batch) -> None:
    """Give each site the unit its region has now; cases still held by a site's former unit
    (or by none) move with it."""
    for site in batch.sites.values():
        unit = batch.directory.unit_for_region(site["kelurahan"])
        if unit == site["unit"]:
            continue
        for case in batch.cases.values():
            if case["site_id"] == site["site_id"] and case["unit"] == site["unit"]:
                case["unit"] = unit
        site["unit"] = unit


def _rows(conn: Connection, query: Select[Any], key: str) -> dict[str, Row]:
    return {r[key]: dict(r) for r in conn.execute(query).mappings()}
