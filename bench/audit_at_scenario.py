"""The automatic audit checks' findings at random past cuts, over a national-scale log.

Setup (untimed) runs real commands once for one site (registered, a sosialisasi, a roster of
people registered, the closure decreed and the site closed before funds arrived, which the
checks flag once its payment deadline passes), then copies those stored events under fresh
ids and site codes until the log holds `sizes.audit_events` events. Each copy's business dates
are moved on by a few days over the programme's years, and every tenth copy is entered
`LATE_DAYS` late, after copies dated later: the events the as-at cut must fold again. Only
the audit checks' projection is caught up; its tables and version histories are the fold's
own (ADR 0028).

Timed, alternating rounds: `findings_at` as known at a random position, as at a random date and
at both, beside a raw baseline on a plain driver connection doing the reads the cut needs: each
finding's latest version at the start position, found the same way (the clock's versions for an
as-at cut, the late events' positions, and those events' stored rows, which ours folds on top).
At every known-at cut both sides must list the same findings with the same status. Both find
each finding's version through the history's primary key, driven from the live table (which
holds every finding ever raised), rather than grouping every version.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import random
import re
import uuid
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.integrity_scenario import insert_stored_in_chunks
from bench.scenarios import (
    ACTOR,
    KELURAHAN,
    TIME_TRAVEL_AUDIT,
    Progress,
    ScenarioResult,
    Sizes,
    _roster,
    _site_code,
)
from bench.stores import FreshStore, Target, connect_postgres, connect_sqlite, fresh_store
from bench.time_travel_scenario import CUT_KINDS, ROUNDS, analyze, measure_cuts, random_cut
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.site import FundingStatus
from projections.audit_findings import AuditFindings
from projections.runner import ProjectionRunner
from service.queries.audit_checks import findings_at
from service.queries.time_travel import Cut
from service.store.event_log import ApplicationEventSource
from service.system import Jejak

CHUNK = 20_000
UNIT_PEOPLE = 200
TEMPLATE = "AT"
COPIES = "AC"
FIRST_DAY = date(2016, 3, 1)
# The template's own story is dated a year before the copies', so that it is over before they
# begin and its dates hold no copy back.
TEMPLATE_DAY = FIRST_DAY - timedelta(days=365)
YEARS = 3
LATE_DAYS = 30
SUPERVISOR = Actor(user_id="bench.sup", role=Role.SUPERVISOR, org_unit="Dinas Sosial (benchmark)")
DATE = re.compile(rb'"_type_":"date","_data_":"(\d{4}-\d{2}-\d{2})"')
OCCURRED_ON = re.compile(rb'"occurred_on":\{"_type_":"date","_data_":"(\d{4}-\d{2}-\d{2})"')
# A cut's findings as both sides give them: finding id -> status.
Listing = dict[str, str]


def audit_at(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """The findings at random cuts, beside the same reads on the plain driver."""
    with fresh_store(target, workdir) as store:
        jejak = store.jejak
        progress(f"{target.label}: {TIME_TRAVEL_AUDIT}: writing {sizes.audit_events:,} events")
        _extend_log(store, _template(jejak), sizes.audit_events)
        progress(f"{target.label}: {TIME_TRAVEL_AUDIT}: folding the audit checks")
        audit = next(p for p in jejak.runner.projections if isinstance(p, AuditFindings))
        ProjectionRunner(
            ApplicationEventSource(jejak.app), jejak.engine, [audit], sizes.batch
        ).catch_up()
        analyze(store)
        head = jejak.app.position()
        rng = random.Random(29)
        cuts = [
            random_cut(rng, head, kind, FIRST_DAY)
            for _ in range(sizes.time_travel_queries)
            for kind in CUT_KINDS
        ]
        raw = _RawReads(store)
        try:
            details: dict[str, float | int | str] = {**raw.counts(), "log_events": head}
            details["late_events_folded_per_date_cut"] = _late_per_date_cut(raw, cuts)
            progress(f"{target.label}: {TIME_TRAVEL_AUDIT}: {len(cuts)} cuts x {ROUNDS} rounds")

            def ours(cut: Cut, _site: str) -> Listing:
                return {r["finding_id"]: r["status"] for r in findings_at(jejak, cut).items}

            # The raw side does not fold the events entered late: only a cut by position alone
            # lists what ours does.
            result = measure_cuts(
                target,
                TIME_TRAVEL_AUDIT,
                cuts,
                [""] * len(cuts),
                ours,
                raw.findings,
                details,
                compared=lambda cut: cut.as_at is None,
            )
            return [result]
        finally:
            raw.close()


def _late_per_date_cut(raw: _RawReads, cuts: list[Cut]) -> float:
    """How many events entered late a date cut folds, on average."""
    dated = [cut for cut in cuts if cut.as_at is not None]
    folded = 0
    for cut in dated:
        raw.findings(cut, "")
        folded += len(raw.late)
    return round(folded / max(len(dated), 1), 1)


# --- the log ---------------------------------------------------------------------------------

Stored = tuple[uuid.UUID, int, str, bytes]


@dataclass(frozen=True)
class Template:
    """One site's stored events, to be copied, with each event's business date."""

    site_id: str
    site_code: str
    events: list[Stored]
    dates: list[date]


def _template(jejak: Jejak) -> Template:
    """One site's story by real commands."""
    app = jejak.app
    start = app.position()
    code = _site_code(TEMPLATE, 0)
    site = app.sites.register_site(
        code=code,
        name=f"Lokalisasi {code}",
        aliases=("Eks lokalisasi",),
        kelurahan=KELURAHAN,
        headcount_at_pendataan=UNIT_PEOPLE,
        provenance=Provenance(actor=ACTOR, occurred_on=TEMPLATE_DAY),
    ).aggregate_id
    app.sites.hold_sosialisasi(
        site,
        venue="Balai Kelurahan",
        attendance=60,
        facilitators=("Pekerja Sosial Dinsos",),
        provenance=_with_document(ACTOR, TEMPLATE_DAY + timedelta(days=20), "notulen"),
    )
    app.beneficiaries.register_roster(
        site,
        _roster(code, UNIT_PEOPLE, 0),
        provenance=Provenance(actor=ACTOR, occurred_on=TEMPLATE_DAY + timedelta(days=25)),
    )
    app.sites.decree_closure(
        site,
        decree_number="BENCH/SK/1",
        signing_authority="Wali Kota",
        provenance=_with_document(SUPERVISOR, TEMPLATE_DAY + timedelta(days=200), "decree"),
    )
    app.sites.close_site(
        site,
        declared_headcount=UNIT_PEOPLE - 10,
        funding_status=FundingStatus.NOT_IN_PLACE,
        provenance=_with_document(ACTOR, TEMPLATE_DAY + timedelta(days=210), "berita_acara"),
    )
    events = [
        (uuid.UUID(str(n.originator_id)), n.originator_version, n.topic, bytes(n.state))
        for n in app.recorder.select_notifications(start, limit=10_000, inclusive_of_start=False)
    ]
    dates = [_occurred_on(state) for _, _, _, state in events]
    return Template(str(site), code, events, dates)


def _occurred_on(state: bytes) -> date:
    found = OCCURRED_ON.search(state)
    if found is None:
        raise ValueError("every event records when it happened")
    return date.fromisoformat(found.group(1).decode())


def _with_document(actor: Actor, day: date, kind: str) -> Provenance:
    document = DocumentRef(kind=kind, number=f"BENCH/{kind}/1", issued_on=day, issuer="Dinsos")
    return Provenance(actor=actor, occurred_on=day, document=document)


def _extend_log(store: FreshStore, template: Template, total: int) -> None:
    """Copies of the template until the log holds `total` events: each copy's story starts a
    little later than the one before, the copies' events are entered in the order of their
    dates (interleaved, as a programme's many sites are), and every tenth copy's events are
    entered `LATE_DAYS` after their dates."""
    position = store.jejak.app.position()
    copies = -(-(total - position) // len(template.events))
    step = YEARS * 365 / max(copies, 1)
    lead = (FIRST_DAY - TEMPLATE_DAY).days
    entered = heapq.merge(*(_copy(template, n, lead + int(n * step)) for n in range(1, copies + 1)))
    numbered = (
        (at, *stored)
        for at, (_entered_on, _copy_number, _index, stored) in enumerate(
            entered, start=position + 1
        )
    )
    insert_stored_in_chunks(store, itertools.islice(numbered, max(total - position, 0)), CHUNK)


def _copy(template: Template, number: int, days: int) -> Iterator[tuple[date, int, int, Stored]]:
    """One copy's events, dated `days` later than the template's, with the day each is
    entered (`LATE_DAYS` after its date for every tenth copy), in the order they are entered."""
    shift = timedelta(days=days)
    late = timedelta(days=LATE_DAYS if number % 10 == 0 else 0)
    new_site = uuid.uuid4()
    renamed = {uuid.UUID(template.site_id): new_site}
    code = _site_code(COPIES, number).encode()
    for index, (occurred_on, (originator, version, topic, state)) in enumerate(
        zip(template.dates, template.events, strict=True)
    ):
        new_id = renamed.setdefault(originator, uuid.uuid4())
        state = state.replace(template.site_id.encode(), str(new_site).encode())
        state = state.replace(template.site_code.encode(), code)
        state = DATE.sub(functools.partial(_shifted, shift=shift), state)
        yield occurred_on + shift + late, number, index, (new_id, version, topic, state)


def _shifted(match: re.Match[bytes], shift: timedelta) -> bytes:
    day = date.fromisoformat(match.group(1).decode()) + shift
    return b'"_type_":"date","_data_":"' + day.isoformat().encode() + b'"'


# --- the raw side ----------------------------------------------------------------------------


class _RawReads:
    """The same reads as `findings_at`, written by hand on the plain driver."""

    def __init__(self, store: FreshStore) -> None:
        self.kind = store.target.kind
        self.connection: Any = (
            connect_sqlite(store.config)
            if self.kind == "sqlite"
            else connect_postgres(store.config)
        )
        self.events_table = store.jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
        self.position_column = "rowid" if self.kind == "sqlite" else "notification_id"
        self.late: list[int] = []

    def close(self) -> None:
        self.connection.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.kind == "sqlite":
            return list(self.connection.execute(sql, tuple(params)).fetchall())
        with self.connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))
            return list(cursor.fetchall())

    def counts(self) -> dict[str, int]:
        """How much history the cuts read."""
        tables = ("audit_findings_history", "audit_dossiers_history", "audit_late_events")
        return {
            table.removeprefix("audit_"): int(self._rows(f"SELECT count(*) FROM {table}")[0][0])
            for table in tables
        }

    def findings(self, cut: Cut, _site: str) -> Listing:
        base = cut.known_at if cut.known_at is not None else 2**62
        self.late = []
        if cut.as_at is not None:
            passes = self._clock_passes(cut.as_at)
            if passes is not None and passes <= base:
                base = passes - 1
                self.late = self._late(cut.as_at, base, cut.known_at)
                self._stored(self.late)
        rows = self._rows(
            "SELECT h.finding_id, h.status FROM audit_findings f"
            " JOIN audit_findings_history h ON h.finding_id = f.finding_id"
            " WHERE h.version_position = (SELECT max(e.version_position)"
            "  FROM audit_findings_history e"
            "  WHERE e.finding_id = f.finding_id AND e.version_position <= ?)",
            (base,),
        )
        return {str(f): str(s) for f, s in rows}

    def _clock_passes(self, day: date) -> int | None:
        rows = self._rows(
            "SELECT version_position, facts_zlib FROM audit_dossiers_history"
            " WHERE dossier_id = 'log' ORDER BY version_position"
        )
        for position, facts in rows:
            clock = json.loads(zlib.decompress(bytes(facts)))["clock"]
            if clock is not None and date.fromisoformat(clock) > day:
                return int(position)
        return None

    def _late(self, day: date, after: int, up_to: int | None) -> list[int]:
        longest = self._rows("SELECT max(days_late) FROM audit_late_events")[0][0] or 0
        sql = (
            "SELECT position FROM audit_late_events WHERE position > ? AND occurred_on <= ?"
            " AND clock_before > ? AND occurred_on >= ?"
        )
        params: list[Any] = [after, self._day(day), self._day(day)]
        params.append(self._day(day - timedelta(days=int(longest))))
        if up_to is not None:
            sql += " AND position <= ?"
            params.append(up_to)
        return [int(p) for (p,) in self._rows(sql + " ORDER BY position", params)]

    def _stored(self, positions: list[int]) -> None:
        for start in range(0, len(positions), 500):
            chunk = positions[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            self._rows(
                f"SELECT {self.position_column}, originator_id, originator_version, topic, state"
                f" FROM {self.events_table} WHERE {self.position_column} IN ({marks})",
                chunk,
            )

    def _day(self, day: date) -> Any:
        return day.isoformat() if self.kind == "sqlite" else day
