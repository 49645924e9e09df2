"""The catch-up baseline's fold: the read models' rows, worked out by hand in plain Python.

The baseline copies site_status, beneficiary_status, programme_dashboard (with its
programme_dashboard_members table and its sums of moves, ADR 0026) and worklist, which the
benchmark's own log (sosialisasi and rosters) reaches, and the version histories of the three
that keep one (ADR 0023): one version per event that changes a row, as the event left it. It
leaves out the money read models (entitlement_status, payment_ledger, budget_position), which
that log never touches; entitlements and payment batches of a log that has them (the demo's)
are followed onto the worklist.

The baseline must do that same read-model work with no framework, so this module folds a batch
of decoded events into plain dicts of rows, one dict per table, and hands back what to upsert
and delete. The driver work (one SELECT per table per batch, executemany writes, the commit) is
in `bench.baselines.RawStore.catch_up`.

The only domain knowledge taken from the project is its lifecycle declarations, turned once into
flat lookup tables (event and state -> next state, state -> next action, state -> deadlines);
per event the fold does dict lookups and assignments and nothing else. Counts on the dashboard
are kept incrementally (a member's move is one decrement and one increment) rather than
recounted, which is what a hand-written read model would do.

Values are held in each store's own storage form, so rows read back from a baseline table and
rows folded here mix freely: on SQLite dates are ISO text; on PostgreSQL they are the Python
objects psycopg adapts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Table

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import BATCH_LIFECYCLE, ENTITLEMENT_LIFECYCLE
from domain.sealed import sealed_to_json
from domain.site import SITE_LIFECYCLE
from projections.beneficiary_status import beneficiary_status
from projections.dashboard import dashboard_members, programme_dashboard
from projections.dashboard_counts import (
    dashboard_counts_dated,
    dashboard_counts_known,
    dashboard_move_tallies,
    dashboard_moves,
)
from projections.schema import VERSION_COLUMNS, VERSION_POSITION
from projections.site_status import site_status
from projections.tables import HISTORIES
from projections.worklist import worklist

Row = dict[str, Any]
Version = tuple[Any, ...]
Load = Callable[["BaselineTable", Sequence[str]], dict[str, Row]]

PREFIX = "baseline_"


@dataclass(frozen=True)
class BaselineTable:
    """A read-model table and its baseline copy (same columns, same indexes, another name)."""

    source: Table
    key: str

    @property
    def real(self) -> str:
        """The projection's own table."""
        return self.source.name

    @property
    def name(self) -> str:
        """The baseline's copy."""
        return PREFIX + self.source.name

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in table order."""
        return tuple(c.name for c in self.source.columns)

    @property
    def order(self) -> str:
        """The ORDER BY that lists the rows the same way on both sides."""
        if VERSION_POSITION in self.source.c:
            return f"{self.key}, {VERSION_POSITION}"
        return self.key

    @property
    def history(self) -> BaselineTable | None:
        """The copy of this table's version history, if the read model keeps one."""
        found = HISTORIES.get(self.source.name)
        return None if found is None else BaselineTable(found, self.key)


SITES = BaselineTable(site_status, "site_id")
BENEFICIARIES = BaselineTable(beneficiary_status, "beneficiary_id")
MEMBERS = BaselineTable(dashboard_members, "beneficiary_id")
DASHBOARD = BaselineTable(programme_dashboard, "site_id")
WORKLIST = BaselineTable(worklist, "subject_id")
TABLES = (SITES, BENEFICIARIES, MEMBERS, DASHBOARD, WORKLIST)
HISTORY_TABLES = tuple(h for t in TABLES if (h := t.history) is not None)
# The dashboard's sums of moves (ADR 0026), kept by `bench.dashboard_sums`; a composite key is
# named as its ORDER BY and ON CONFLICT list.
MOVES = BaselineTable(dashboard_moves, "position")
TALLIES = BaselineTable(dashboard_move_tallies, "bucket, month_end")
KNOWN = BaselineTable(dashboard_counts_known, "position, site_id, state")
DATED = BaselineTable(dashboard_counts_dated, "month_end, site_id, state")
SUM_TABLES = (MOVES, TALLIES, KNOWN, DATED)
EXIT_EVENTS = frozenset(
    {
        "ReferredToChildProtection",
        "CaseClosed",
        "BeneficiaryWithdrew",
        "BeneficiaryDied",
        "TrainingDroppedOut",
    }
)
OUT_OF_PROGRAMME = frozenset({"EXCLUDED", "REFERRED_CHILD_PROTECTION", "WITHDRAWN", "DECEASED"})


@dataclass(frozen=True)
class StateMap:
    """One lifecycle flattened into lookups: moves, next actions and running deadlines."""

    events: frozenset[str]
    moves: dict[tuple[str, str | None], str]
    next_action: dict[str, str | None]
    terminal: frozenset[str]
    # state -> [(setting, clock-starting events, days)], in declaration order.
    deadlines: dict[str, list[tuple[str, tuple[str, ...], int]]]

    @classmethod
    def of(cls, lifecycle: Lifecycle, days: Mapping[str, int]) -> StateMap:
        """The lookups for `lifecycle`, with deadline durations overridden by `days`."""
        moves: dict[tuple[str, str | None], str] = {}
        for t in lifecycle.transitions:
            if t.sources is None:
                moves.setdefault((t.event, None), t.target or lifecycle.initial)
            for source in t.sources or ():
                # The first declared transition wins, as in Lifecycle.target_after.
                moves.setdefault((t.event, source), t.target or source)
        # A correction is allowed in every state and moves none (ADR 0022).
        for c in lifecycle.corrections:
            moves.update({(c.event, s.name): s.name for s in lifecycle.states})
        return cls(
            events=frozenset(
                (
                    *(t.event for t in lifecycle.transitions),
                    *(c.event for c in lifecycle.corrections),
                )
            ),
            moves=moves,
            next_action={s.name: None if s.terminal else s.next_action for s in lifecycle.states},
            terminal=frozenset(s.name for s in lifecycle.states if s.terminal),
            deadlines={
                s.name: [
                    (d.setting, d.clock_starts, days.get(d.setting, d.default_days))
                    for d in lifecycle.deadlines
                    if s.name in d.states
                ]
                for s in lifecycle.states
            },
        )


@dataclass
class BatchWrites:
    """What one batch changes: rows to upsert per table, worklist rows to delete, the
    versions to append to each history (tuples in the history's column order), and the
    dashboard members' moves (position, date, site, state left or None, state entered)."""

    upserts: dict[BaselineTable, list[Row]] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    versions: dict[BaselineTable, list[Version]] = field(default_factory=dict)
    moves: list[tuple[int, Any, str, str | None, str]] = field(default_factory=list)


class VersionMaker:
    """A history's version rows: the stored columns it keeps (sealed ones are not), then the
    event's position and date and whether the row is gone."""

    def __init__(self, table: BaselineTable) -> None:
        history = table.history
        assert history is not None, f"{table.real} keeps no history"
        self.history = history
        kept = history.columns[: -len(VERSION_COLUMNS)]
        assert history.columns[len(kept) :] == VERSION_COLUMNS, history.columns
        self.pick = itemgetter(*kept)
        self.key_at = kept.index(history.key)
        self.removed_values: list[Any] = [None] * len(kept)

    def of(self, key: str, row: Row | None, position: int, day: Any) -> Version:
        """The version `row` (stored form; None: removed) of `key` after the event."""
        if row is None:
            values = list(self.removed_values)
            values[self.key_at] = key
            return (*values, position, day, True)
        return (*self.pick(row), position, day, False)


class HandFold:
    """Folds batches of decoded events into the read models' rows."""

    def __init__(self, *, text_dates: bool, deadline_days: Mapping[str, int]) -> None:
        self.site = StateMap.of(SITE_LIFECYCLE, deadline_days)
        self.person = StateMap.of(BENEFICIARY_LIFECYCLE, deadline_days)
        # Entitlements and batches reach only the worklist among the tables copied here.
        self.entitlement = StateMap.of(ENTITLEMENT_LIFECYCLE, deadline_days)
        self.batch = StateMap.of(BATCH_LIFECYCLE, deadline_days)
        self.day: Callable[[date], Any] = date.isoformat if text_dates else _same
        self.site_versions = VersionMaker(SITES)
        self.person_versions = VersionMaker(BENEFICIARIES)
        self.work_versions = VersionMaker(WORKLIST)

    def fold(self, events: Sequence[tuple[int, Any]], load: Load) -> BatchWrites:
        """The writes that bring the tables from their stored rows to after `events`."""
        site_keys: dict[str, None] = {}
        person_keys: dict[str, None] = {}
        money_keys: dict[str, None] = {}
        new_people_sites: set[str] = set()
        for _, e in events:
            name = type(e).__name__
            if name in self.site.events:
                site_keys[str(e.originator_id)] = None
            elif name in self.person.events:
                person_keys[str(e.originator_id)] = None
                if name == "BeneficiaryRegistered":
                    new_people_sites.add(str(e.site_id))
            elif name in self.entitlement.events or name in self.batch.events:
                money_keys[str(e.originator_id)] = None
                if name == "EntitlementPlanned":
                    # Her case number labels the entitlement.
                    person_keys[str(e.subject_id)] = None

        sites = load(SITES, list(site_keys))
        for stored_site in sites.values():
            stored_site["dated_events"] = json.loads(stored_site["dated_events"] or "{}")
        people = load(BENEFICIARIES, list(person_keys))
        members = load(MEMBERS, list(person_keys))
        work: dict[str, Row | None] = dict(load(WORKLIST, [*site_keys, *person_keys, *money_keys]))
        stored_work = set(work)
        for row in work.values():
            assert row is not None
            row["milestones"] = json.loads(row["milestones"])
            row["milestone_versions"] = json.loads(row["milestone_versions"] or "{}")
        dashboard_keys = {*site_keys, *new_people_sites, *(m["site_id"] for m in members.values())}
        dashboard = load(DASHBOARD, sorted(dashboard_keys))
        for row in dashboard.values():
            row["counts_by_state"] = json.loads(row["counts_by_state"])
        touched_sites: dict[str, None] = {}
        site_versions: list[Version] = []
        person_versions: list[Version] = []
        work_versions: list[Version] = []

        writes = BatchWrites()
        for position, e in events:
            name = type(e).__name__
            oid = str(e.originator_id)
            day = self.day(e.occurred_on)
            if name in self.site.events:
                self._site(sites, name, oid, e, position, day)
                stored_site = _site_stored(sites[oid])
                site_versions.append(self.site_versions.of(oid, stored_site, position, day))
                self._dashboard_site(dashboard, name, oid, e, position, day)
                touched_sites[oid] = None
                self._worklist(work, self.site, name, oid, e, position, day)
            elif name in self.person.events:
                self._person(people, name, oid, e, position, day)
                person_versions.append(self.person_versions.of(oid, people[oid], position, day))
                site_id = self._member(members, dashboard, name, oid, e, position, day, writes)
                touched_sites[site_id] = None
                self._worklist(work, self.person, name, oid, e, position, day)
            elif name in self.entitlement.events:
                if name == "EntitlementPlanned":
                    person = people.get(str(e.subject_id))
                    case = person["case_number"] if person else e.decree_number
                    label = f"{case} {str(e.component).upper()}-{e.tranche}"
                    site = str(e.site_id) if e.site_id else None
                    work[oid] = _new_work(oid, "entitlement", label, site)
                self._worklist(work, self.entitlement, name, oid, e, position, day)
            elif name in self.batch.events:
                if name == "BatchCreated":
                    work[oid] = _new_work(oid, "batch", e.batch_number, None)
                self._worklist(work, self.batch, name, oid, e, position, day)
            else:
                continue
            # Every worklist event leaves a version, a removal included (also of a row that
            # was already gone), as the projection's history does.
            still = work.get(oid)
            stored = None if still is None else _worklist_stored(still)
            work_versions.append(self.work_versions.of(oid, stored, position, day))

        writes.upserts[SITES] = [_site_stored(sites[k]) for k in site_keys]
        # People loaded only to label an entitlement are written back unchanged.
        writes.upserts[BENEFICIARIES] = [people[k] for k in person_keys if k in people]
        writes.upserts[MEMBERS] = [members[k] for k in person_keys if k in members]
        writes.upserts[DASHBOARD] = [
            _dashboard_stored(dashboard[k]) for k in touched_sites if k in dashboard
        ]
        writes.upserts[WORKLIST] = [_worklist_stored(r) for r in work.values() if r is not None]
        writes.deletes = [k for k in stored_work if work[k] is None]
        writes.versions = {
            self.site_versions.history: site_versions,
            self.person_versions.history: person_versions,
            self.work_versions.history: work_versions,
        }
        return writes

    # --- site_status --------------------------------------------------------------------------

    def _site(
        self, sites: dict[str, Row], name: str, oid: str, e: Any, position: int, day: Any
    ) -> None:
        if name == "SiteRegistered":
            row: Row = {
                "site_id": oid,
                "code": e.code,
                "name": e.name,
                "aliases": json.dumps(list(e.aliases)),
                "kelurahan_scheme": e.kelurahan.scheme,
                "kelurahan_code": e.kelurahan.code,
                "state": self.site.moves[(name, None)],
                "pendataan_on": day,
                "headcount_at_pendataan": e.headcount_at_pendataan,
                "sosialisasi_count": 0,
                "last_sosialisasi_on": None,
                "decree_number": None,
                "decreed_on": None,
                "closed_on": None,
                "declared_headcount": None,
                "funding_status": None,
                "last_inspection_on": None,
                "last_inspection_outcome": None,
                "dated_events": {},
            }
            sites[oid] = row
        else:
            row = sites[oid]
            row["state"] = self.site.moves[(name, row["state"])]
            if name == "SosialisasiHeld":
                row["sosialisasi_count"] += 1
                last = row["last_sosialisasi_on"]
                row["last_sosialisasi_on"] = day if last is None or day > last else last
            elif name == "ClosureDecreed":
                row["decree_number"] = e.decree_number
                row["decreed_on"] = day
            elif name == "SiteClosed":
                row["closed_on"] = day
                row["declared_headcount"] = e.declared_headcount
                row["funding_status"] = str(e.funding_status)
            elif name == "PostClosureInspected":
                row["last_inspection_on"] = day
                row["last_inspection_outcome"] = str(e.outcome)
            elif name == "SiteDetailsCorrected":
                corrected = e.corrected
                row["name"] = corrected.name
                row["aliases"] = json.dumps(list(corrected.aliases))
                row["kelurahan_scheme"] = corrected.kelurahan.scheme
                row["kelurahan_code"] = corrected.kelurahan.code
                row["headcount_at_pendataan"] = corrected.headcount_at_pendataan
            elif name == "SiteDocumentCorrected" and e.corrected_event == "ClosureDecreed":
                row["decree_number"] = e.corrected_document.number
            elif name == "SiteDateCorrected":
                dated = row["dated_events"]
                dated[str(e.corrects_version)] = [e.corrected_event, e.corrected_date.isoformat()]
                self._redate(row, dated)
        # Every event's date by version, which a correction of a date folds over.
        if not name.endswith("Corrected"):
            row["dated_events"][str(e.originator_version)] = [name, e.occurred_on.isoformat()]
        row["version"] = e.originator_version
        row["last_event"] = name
        row["last_position"] = position
        row["last_occurred_on"] = day

    def _redate(self, row: Row, dated: dict[str, list[str]]) -> None:
        """The date columns from every event's date as corrected (those of a kind no event
        has stay as they are)."""
        by_kind: dict[str, list[str]] = {}
        for _, (kind, on) in sorted(dated.items(), key=lambda item: int(item[0])):
            by_kind.setdefault(kind, []).append(on)
        for column, kind, pick in (
            ("pendataan_on", "SiteRegistered", _last),
            ("last_sosialisasi_on", "SosialisasiHeld", max),
            ("decreed_on", "ClosureDecreed", _last),
            ("closed_on", "SiteClosed", _last),
            ("last_inspection_on", "PostClosureInspected", _last),
        ):
            if kind in by_kind:
                row[column] = self.day(date.fromisoformat(pick(by_kind[kind])))

    # --- beneficiary_status -------------------------------------------------------------------

    def _person(
        self, people: dict[str, Row], name: str, oid: str, e: Any, position: int, day: Any
    ) -> None:
        if name == "BeneficiaryRegistered":
            row: Row = {
                "beneficiary_id": oid,
                "case_number": e.case_number,
                "site_id": str(e.site_id),
                "state": self.person.moves[(name, None)],
                "pendataan_on": day,
                "name_sealed": sealed_to_json(e.name),
                "nik_sealed": None,
                "nik_region_known": None,
                "nik_birth_digits_consistent": None,
                "synthetic_nik": None,
                "home_region_code": None,
                "path": None,
                "facility_id": None,
                "training_completed": False,
                "bank_account_recorded": False,
                "account_holder_matches": None,
                "aid_decreed": 0,
                "exit_reason": None,
            }
            people[oid] = row
        else:
            row = people[oid]
            row["state"] = self.person.moves[(name, row["state"])]
            if name == "IdentityVerified":
                checks = e.checks
                row["nik_sealed"] = sealed_to_json(e.nik)
                row["nik_region_known"] = checks.nik_region_known
                row["nik_birth_digits_consistent"] = (
                    checks.nik_birth_digits_consistent and checks.nik_sex_digit_consistent
                )
                row["synthetic_nik"] = checks.synthetic_nik
            elif name == "Assessed":
                row["home_region_code"] = e.home_region.code
                row["path"] = str(e.path)
            elif name == "SentToTraining":
                row["facility_id"] = e.facility_id
            elif name == "TrainingCompleted":
                row["training_completed"] = True
            elif name == "BankAccountRecorded":
                row["bank_account_recorded"] = True
                row["account_holder_matches"] = e.holder_name_matches
            elif name == "AidDecreed":
                row["aid_decreed"] += len(e.entitlement_ids)
            elif name == "BeneficiaryExcluded":
                row["exit_reason"] = f"{e.exclusion}: {e.reason}"
            elif name in EXIT_EVENTS:
                row["exit_reason"] = e.reason or row["exit_reason"]
        row["version"] = e.originator_version
        row["last_event"] = name
        row["last_position"] = position
        row["last_occurred_on"] = day

    # --- programme_dashboard and its members --------------------------------------------------

    def _dashboard_site(
        self, dashboard: dict[str, Row], name: str, oid: str, e: Any, position: int, day: Any
    ) -> None:
        if name == "SiteRegistered":
            row: Row = {
                "site_id": oid,
                "site_code": e.code,
                "site_name": e.name,
                "site_state": self.site.moves[(name, None)],
                "headcount_at_pendataan": e.headcount_at_pendataan,
                "declared_headcount_at_closure": None,
                "funding_status_at_closure": None,
                "counts_by_state": {},
            }
            dashboard[oid] = row
        else:
            row = dashboard[oid]
            row["site_state"] = self.site.moves[(name, row["site_state"])]
            if name == "SiteClosed":
                row["declared_headcount_at_closure"] = e.declared_headcount
                row["funding_status_at_closure"] = str(e.funding_status)
            elif name == "SiteDetailsCorrected":
                row["site_name"] = e.corrected.name
                row["headcount_at_pendataan"] = e.corrected.headcount_at_pendataan
        row["last_event"] = name
        row["last_position"] = position
        row["last_occurred_on"] = day

    def _member(
        self,
        members: dict[str, Row],
        dashboard: dict[str, Row],
        name: str,
        oid: str,
        e: Any,
        position: int,
        day: Any,
        writes: BatchWrites,
    ) -> str:
        """Fold the member row, move the site's counts along with it and note her move;
        returns the site."""
        if name == "BeneficiaryRegistered":
            old_state = None
            row: Row = {
                "beneficiary_id": oid,
                "site_id": str(e.site_id),
                "state": self.person.moves[(name, None)],
                "dated_up_to": day,
                "out_of_order_from": None,
                "out_of_order_until": None,
            }
            members[oid] = row
        else:
            row = members[oid]
            old_state = row["state"]
            row["state"] = self.person.moves[(name, old_state)]
            # Dated before an event of hers recorded earlier: a date cut between the two
            # falls where her events are out of date order.
            latest = row["dated_up_to"]
            if day >= latest:
                row["dated_up_to"] = day
            else:
                start, end = row["out_of_order_from"], row["out_of_order_until"]
                row["out_of_order_from"] = day if start is None or day < start else start
                row["out_of_order_until"] = latest if end is None or latest > end else end
        row["last_event"] = name
        row["last_position"] = position
        row["last_occurred_on"] = day
        if row["state"] != old_state:
            writes.moves.append((position, day, row["site_id"], old_state, row["state"]))
        site = dashboard.get(row["site_id"])
        if site is not None:
            counts: dict[str, int] = site["counts_by_state"]
            if old_state is not None:
                counts[old_state] -= 1
            counts[row["state"]] = counts.get(row["state"], 0) + 1
            site["last_event"] = name
            site["last_position"] = position
            site["last_occurred_on"] = day
        site_id: str = row["site_id"]
        return site_id

    # --- worklist ------------------------------------------------------------------------------

    def _worklist(
        self,
        work: dict[str, Row | None],
        lifecycle: StateMap,
        name: str,
        oid: str,
        e: Any,
        position: int,
        day: Any,
    ) -> None:
        row = work.get(oid)
        if row is None:
            if name == "SiteRegistered":
                row = _new_work(oid, "site", e.code, oid)
            elif name == "BeneficiaryRegistered":
                row = _new_work(oid, "beneficiary", e.case_number, str(e.site_id))
            else:
                return  # off the worklist for good: nothing follows a terminal state
        state = lifecycle.moves[(name, row["state"])]
        milestones: dict[str, str] = row["milestones"]
        milestones[name] = e.occurred_on.isoformat()
        row["milestone_versions"][name] = e.originator_version
        if state in lifecycle.terminal:
            work[oid] = None
            return
        # A state without a next action (an order awaiting the bank) keeps its row.
        action = lifecycle.next_action[state]
        deadline, due = None, None
        for setting, clock_starts, days in lifecycle.deadlines[state]:
            started = [milestones[s] for s in clock_starts if s in milestones]
            if started:
                falls = date.fromisoformat(max(started)) + timedelta(days=days)
                if due is None or falls < due:
                    deadline, due = setting, falls
        row["state"] = state
        row["next_action"] = action
        row["deadline"] = deadline
        row["due_on"] = None if due is None else self.day(due)
        row["last_event"] = name
        row["last_position"] = position
        row["last_occurred_on"] = day
        work[oid] = row


def _new_work(oid: str, kind: str, label: str, site_id: str | None) -> Row:
    return {
        "subject_id": oid,
        "subject_kind": kind,
        "label": label,
        "site_id": site_id,
        "state": None,
        "milestones": {},
        "milestone_versions": {},
    }


def _dashboard_stored(row: Row) -> Row:
    counts: dict[str, int] = row["counts_by_state"]
    present = {state: n for state, n in sorted(counts.items()) if n}
    return row | {
        "registered": sum(present.values()),
        "in_programme_now": sum(n for s, n in present.items() if s not in OUT_OF_PROGRAMME),
        "counts_by_state": json.dumps(present),
    }


def _worklist_stored(row: Row) -> Row:
    milestones: dict[str, str] = row["milestones"]
    versions: dict[str, int] = row["milestone_versions"]
    return row | {
        "milestones": json.dumps(dict(sorted(milestones.items()))),
        "milestone_versions": json.dumps(dict(sorted(versions.items()))),
    }


def _site_stored(row: Row) -> Row:
    dated: dict[str, list[str]] = row["dated_events"]
    in_order = sorted(dated.items(), key=lambda item: int(item[0]))
    return row | {"dated_events": json.dumps(dict(in_order))}


def _same(value: Any) -> Any:
    return value


def _last(values: list[str]) -> str:
    return values[-1]
