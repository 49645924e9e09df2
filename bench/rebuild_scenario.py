"""A side-by-side rebuild of every read model from a log of a million events, beside a raw
rebuild of the same read models, and the rebuild's peak memory at a tenth of the log and at all
of it.

Setup (untimed) runs real commands once for one site (registered, a sosialisasi held, a roster
of people registered), then copies those stored events in bulk under fresh aggregate ids, site
codes and case numbers until the log holds the events asked for, and brings the live read
models up to date with it. Every copy decodes and folds like the original, so the rebuild does
the work a real log of that many sites and people would ask of it.

Timed: `jejak rebuild --all`'s work (`service.commands.restatements`: fold the whole log into shadow
tables, compare every table with the live one, switch and record), in a child process whose
peak resident memory growth is the rebuild's own. The raw side streams the same event rows out
with the plain driver, decodes them with the application's mapper, folds them by hand and
bulk-writes the rows (`bench.baselines.RawStore.rebuild_streamed`).
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.baselines import RawStore
from bench.integrity_scenario import insert_stored_in_chunks
from bench.scenarios import (
    ACTOR,
    PENDATAAN,
    REBUILD,
    Progress,
    ScenarioResult,
    Sizes,
    Tally,
    _roster,
    _site_code,
    _sosialisasi_provenance,
    mean_state_bytes,
    register_site,
    scenario_result,
)
from bench.stores import FreshStore, Target, fresh_store
from domain.recording import Provenance, Role
from service.security.accounts import Account
from service.settings import Settings

UNIT_PEOPLE = 200
TEMPLATE = "RT"
COPIES = "RB"
CHUNK = 20_000
BENCH_SUPERVISOR = Account(
    username="bench.supervisor",
    role=Role.SUPERVISOR,
    org_unit="Dinas Sosial (benchmark)",
    display_name="Benchmark supervisor",
    active=True,
)


@dataclass(frozen=True)
class Template:
    """One site's stored events, to be copied: (originator id, version, topic, state)."""

    site_id: str
    site_code: str
    events: list[tuple[uuid.UUID, int, str, bytes]]


@dataclass(frozen=True)
class Measured:
    """What the child process reports of one rebuild."""

    events: int
    seconds: float
    peak_bytes: int
    changed_rows: int


def full_rebuild(target: Target, sizes: Sizes, workdir: Any, progress: Progress) -> ScenarioResult:
    """Rebuild every read model side by side at a tenth of `sizes.rebuild_events` events and
    at all of them (timed, with peak memory), then the raw rebuild of the whole log."""
    large = sizes.rebuild_events
    small = max(1, large // 10)
    with fresh_store(target, workdir) as store:
        template = _template(store)
        progress(f"{target.label}: {REBUILD}: writing {small:,} events")
        copies = _extend_log(store, template, small, 0)
        store.jejak.runner.catch_up()
        progress(f"{target.label}: {REBUILD}: rebuilding at {small:,} events")
        at_small = _rebuild_in_child(store.jejak.settings)
        progress(f"{target.label}: {REBUILD}: writing up to {large:,} events")
        _extend_log(store, template, large, copies)
        store.jejak.runner.catch_up()
        progress(f"{target.label}: {REBUILD}: rebuilding at {large:,} events")
        at_large = _rebuild_in_child(store.jejak.settings)
        if at_small.changed_rows or at_large.changed_rows:
            raise RuntimeError("an unchanged fold must rebuild to the same rows")
        progress(f"{target.label}: {REBUILD}: raw rebuild")
        raw = RawStore(store)
        try:
            gc.collect()
            base = Tally()
            base.add(*raw.rebuild_streamed(store, sizes.batch))
            mismatches = raw.read_model_mismatches()
            if mismatches:
                raise RuntimeError(
                    "baseline and rebuilt read models differ: " + "; ".join(mismatches)
                )
            rows = raw.read_model_rows()
        finally:
            raw.close()
        payload = mean_state_bytes(store.jejak.app, 0)
    ours = Tally()
    ours.add(at_large.events, at_large.seconds)
    return scenario_result(
        target,
        REBUILD,
        ours,
        base,
        payload,
        {
            "log_events": at_large.events,
            "small_log_events": at_small.events,
            "peak_mib_small": round(at_small.peak_bytes / 2**20, 1),
            "peak_mib_large": round(at_large.peak_bytes / 2**20, 1),
            "peak_ratio": round(at_large.peak_bytes / max(at_small.peak_bytes, 1), 2),
            "read_model_rows": sum(rows.values()),
        },
    )


def _template(store: FreshStore) -> Template:
    """One site's life so far, made by real commands: what every copy repeats."""
    app = store.jejak.app
    start = app.position()
    site = register_site(app, TEMPLATE, 0)
    app.sites.hold_sosialisasi(
        site,
        venue="Balai Kelurahan Karang Anyar Pantai",
        attendance=60,
        facilitators=("Pekerja Sosial Dinsos", "Penyuluh Kelurahan"),
        provenance=_sosialisasi_provenance(),
    )
    code = _site_code(TEMPLATE, 0)
    app.beneficiaries.register_roster(
        site,
        _roster(code, UNIT_PEOPLE, 0),
        provenance=Provenance(actor=ACTOR, occurred_on=PENDATAAN),
    )
    events = []
    position = start
    while notifications := app.recorder.select_notifications(
        position, limit=1000, inclusive_of_start=False
    ):
        for n in notifications:
            originator = n.originator_id
            events.append(
                (
                    originator if isinstance(originator, uuid.UUID) else uuid.UUID(str(originator)),
                    n.originator_version,
                    n.topic,
                    bytes(n.state),
                )
            )
        position = notifications[-1].id
    return Template(str(site), code, events)


def _extend_log(store: FreshStore, template: Template, total: int, copies: int) -> int:
    """Append copies of the template until the log holds `total` events (the last copy may
    stop part-way through its roster, which is still a valid log); returns the copies made."""
    made = [copies]
    insert_stored_in_chunks(
        store, _copies(template, store.jejak.app.position(), total, made), CHUNK
    )
    return made[0]


def _copies(
    template: Template, position: int, total: int, made: list[int]
) -> Iterator[tuple[int, uuid.UUID, int, str, bytes]]:
    """The copies' stored events from `position` on, counting the copies in `made`."""
    site = template.site_id.encode()
    code = template.site_code.encode()
    while position < total:
        made[0] += 1
        new_site = str(uuid.uuid4()).encode()
        new_code = _site_code(COPIES, made[0]).encode()
        renamed = {template.site_id: uuid.UUID(new_site.decode())}
        for originator, version, topic, state in template.events:
            if position >= total:
                return
            position += 1
            new_id = renamed.setdefault(str(originator), uuid.uuid4())
            state = state.replace(site, new_site).replace(code, new_code)
            yield position, new_id, version, topic, state


def _rebuild_in_child(settings: Settings) -> Measured:
    """Run `rebuild_every_read_model` in a fresh process, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        result: Measured = pool.apply(rebuild_every_read_model, (settings,))
    return result


def rebuild_every_read_model(settings: Settings) -> Measured:
    """What `jejak rebuild --all --yes` does, timed, with how far its peak resident memory
    rose above the memory the process held when it began."""
    from service.commands import restatements
    from service.system import Jejak

    jejak = Jejak.start(settings)
    try:
        gc.collect()
        before = _reset_peak()
        read = [0]
        started = time.perf_counter()
        rebuilt = restatements.prepare(
            jejak,
            restatements.side_by_side_names(jejak),
            on_batch=lambda n: read.__setitem__(0, read[0] + n),
        )
        diffs = restatements.compare(rebuilt)
        restatements.switch(rebuilt, BENCH_SUPERVISOR, "Benchmark: every read model rebuilt")
        seconds = time.perf_counter() - started
        peak = _peak()
        changed = sum(len(d.changes) for d in diffs)
        # Drop the kept versions, so the next rebuild's disk use is the same as this one's.
        restatements.drop_previous(jejak, [])
    finally:
        jejak.close()
    return Measured(read[0], seconds, max(peak - before, 0), changed)


def _reset_peak() -> int:
    """Forget the start-up's peak (Linux: `clear_refs` 5 resets VmHWM); the resident bytes now.

    Without the reset, a start-up peak higher than the rebuild's would hide the rebuild's own.
    """
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return _status_bytes("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _peak() -> int:
    """The peak resident bytes since `_reset_peak`."""
    try:
        return _status_bytes("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _status_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # reported in kB
    raise OSError(f"no {field} in /proc/self/status")
