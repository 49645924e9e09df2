"""Restating read models: rebuild side by side, show what changes, switch, and keep the record.

`prepare` builds new versions of read models next to the live ones from the whole log;
`compare` brings them level with the live ones and lists every row added, removed or changed;
`switch` does the same inside the transaction that swaps the tables, stores the rows it changed
in `restatement_diffs` and then records a `Restatement` event (ADR 0020).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, desc, func, insert, select, update

from domain.restatement import Restatement
from projections.base import Projection, settings_changed
from projections.side_by_side import (
    LiveMoved,
    TableDiff,
    apply_to,
    as_json,
    building,
    create_shadows,
    diff_table,
    fold_into_shadows,
    folded_settings,
    lock_positions,
    pairs,
    refuse_a_changed_chain,
    supports,
)
from projections.side_by_side import (
    drop_previous as drop_previous_tables,
)
from projections.side_by_side import switch as switch_tables
from service.provenance import code_version, provenance, today_wita
from service.security.accounts import Account
from service.store.schema import restatement_diffs, restatements
from service.system import Jejak

# The deployment sets it (e.g. from `git rev-parse HEAD`); a wheel does not know its commit.
ATTEMPTS = 5


@dataclass
class Rebuild:
    """Read models rebuilt into shadow tables, folded up to `position`."""

    jejak: Jejak
    projections: list[Projection]
    builders: list[Projection]
    position: int
    # The last comparison and the position it was made at: a switch at the same position
    # stores those differences instead of comparing every table again.
    compared: tuple[int, list[TableDiff]] | None = None

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]


@dataclass(frozen=True)
class Switched:
    """What a switch did: the record's id, the position the read models were rebuilt to and
    the differences it put in place."""

    restatement_id: UUID
    position: int
    event_position: int
    diffs: list[TableDiff]


def side_by_side_names(jejak: Jejak) -> list[str]:
    """The read models that can be rebuilt side by side, in the runner's order."""
    return [p.name for p in jejak.runner.projections if supports(p)]


def prepare(
    jejak: Jejak,
    names: Sequence[str],
    on_total: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    replace: Callable[[str], Projection] | None = None,
) -> Rebuild:
    """Fold the whole log into fresh shadow tables of the named read models.

    The live read models are brought up to date first, so a fold that reads another live read
    model (case numbers, `projections.cases`) finds every registration it needs. `replace`
    gives the projection to rebuild in place of a live one (a corrected fold; tests use it).
    """
    unknown = set(names) - {p.name for p in jejak.runner.projections}
    if unknown:
        raise ValueError(f"no read model named {', '.join(sorted(unknown))}")
    live = [p for p in jejak.runner.projections if p.name in names]
    for projection in live:
        if not supports(projection):
            raise ValueError(f"{projection.name} has no tables to rebuild side by side")
    corrected = [replace(p.name) if replace else p for p in live]
    builders = [building(p) for p in corrected]
    jejak.runner.catch_up()
    head = jejak.runner.source.head()
    if on_total is not None:
        on_total(head)
    with jejak.engine.begin() as conn:
        create_shadows(conn, builders)
    reached = fold_into_shadows(
        jejak.engine.begin,
        jejak.runner.source,
        builders,
        0,
        head,
        jejak.runner.batch_size,
        on_batch,
    )
    return Rebuild(jejak, live, builders, reached)


def compare(rebuild: Rebuild) -> list[TableDiff]:
    """The differences between the live read models and their rebuilt versions, both at the
    same log position."""
    for _ in range(ATTEMPTS):
        try:
            with rebuild.jejak.engine.begin() as conn:
                position = _level(conn, rebuild)
                diffs = _diffs(conn, rebuild)
            rebuild.position = position
            rebuild.compared = (position, diffs)
            return diffs
        except LiveMoved:
            rebuild.jejak.runner.catch_up()
    raise LiveMoved("the live read models kept moving; try again")


class ShownDiffStale(RuntimeError):
    """Raised when a switch is confirmed on differences taken at another log position than the
    one the read models stand at now: what was shown is not what would be switched."""

    code = "DIFF_STALE"


def switch(
    rebuild: Rebuild, account: Account, reason: str, shown_position: int | None = None
) -> Switched:
    """Put the rebuilt read models in place of the live ones and record the restatement.

    `shown_position` is the position of the differences the person confirming was shown (a
    confirmation from a browser comes back later): the switch is refused, nothing changed,
    when the read models have since moved on.

    One transaction levels the shadows with the live read models, lists the differences,
    stores them, renames the tables and sets the position. The Restatement event follows: the
    event store has its own connection, so the event cannot share that transaction; if it
    fails, the switch stands and its row says so (`event_position` NULL).
    """
    Restatement.check_reason(reason)
    version, commit = code_version()
    restatement_id = uuid4()
    for _ in range(ATTEMPTS):
        try:
            with rebuild.jejak.engine.begin() as conn:
                position = _level(conn, rebuild)
                if shown_position is not None and position != shown_position:
                    raise ShownDiffStale(
                        f"the differences shown were taken at position {shown_position};"
                        f" the read models now stand at {position}"
                    )
                # Nothing moved since the comparison (the positions are locked, and only the
                # runner writes the live read models, with its position): it still holds.
                compared = rebuild.compared
                if compared is not None and compared[0] == position:
                    diffs = compared[1]
                else:
                    diffs = _diffs(conn, rebuild)
                refuse_a_changed_chain(diffs)
                switch_tables(conn, rebuild.projections, position, rebuild.builders)
                conn.execute(
                    insert(restatements).values(
                        restatement_id=str(restatement_id),
                        switched_at=datetime.now(UTC),
                        actor_id=account.username,
                        actor_role=account.role.value,
                        reason=reason,
                        code_version=version,
                        git_commit=commit,
                        projections=json.dumps(_versions(rebuild), sort_keys=True),
                        summary=json.dumps(summary(diffs), sort_keys=True),
                        log_position=position,
                        settings_changed=json.dumps(settings_of(diffs), sort_keys=True),
                    )
                )
                _store_rows(conn, restatement_id, diffs)
            rebuild.position = position
            break
        except LiveMoved:
            rebuild.jejak.runner.catch_up()
    else:
        raise LiveMoved("the live read models kept moving; try again")
    recorded = rebuild.jejak.app.audit_register.record_restatement(
        restatement_id=restatement_id,
        projections=_versions(rebuild),
        code_version=version,
        commit=commit,
        log_position=rebuild.position,
        summary=summary(diffs),
        settings_changed=settings_of(diffs),
        provenance=provenance(account, today_wita(), None, reason),
    )
    with rebuild.jejak.engine.begin() as conn:
        conn.execute(
            update(restatements)
            .where(restatements.c.restatement_id == str(restatement_id))
            .values(event_position=recorded.position)
        )
    rebuild.jejak.runner.notify()
    return Switched(restatement_id, rebuild.position, recorded.position, diffs)


def summary(diffs: Sequence[TableDiff]) -> dict[str, dict[str, int]]:
    """Rows added, removed and changed, and rows rebuilt, per table (and the chain's
    checkpoints checked)."""
    return {d.table: d.summary() for d in diffs}


def _level(conn: Connection, rebuild: Rebuild) -> int:
    """Fold the shadows up to the live read models' position, which stays locked meanwhile;
    returns it. The caller records it in `rebuild` once the transaction has committed."""
    live = set(lock_positions(conn, rebuild.names).values())
    if len(live) != 1 or (target := live.pop()) < rebuild.position:
        raise LiveMoved("the live read models are behind their rebuild; catching up")
    source, size = rebuild.jejak.runner.source, rebuild.jejak.runner.batch_size
    position = rebuild.position
    while position < target:
        events = [e for e in source.read_after(position, size) if e.position <= target]
        if not events:
            break
        apply_to(conn, rebuild.builders, events)
        position = events[-1].position
    return position


def _diffs(conn: Connection, rebuild: Rebuild) -> list[TableDiff]:
    changed = _settings_changed(conn, rebuild)
    diffs = []
    for live, builder in zip(rebuild.projections, rebuild.builders, strict=True):
        for table, shadow in pairs(live, builder):
            diff = diff_table(conn, table, shadow)
            diff.settings = changed.get(live.name, {})
            diffs.append(diff)
    return diffs


def _settings_changed(conn: Connection, rebuild: Rebuild) -> dict[str, dict[str, dict[str, Any]]]:
    """Read model -> the settings its rebuild folded with that its live version was not."""
    before = folded_settings(conn, rebuild.names)
    found = {b.name: settings_changed(before[b.name], b.settings) for b in rebuild.builders}
    return {name: changes for name, changes in found.items() if changes}


def settings_of(diffs: Sequence[TableDiff]) -> dict[str, dict[str, dict[str, Any]]]:
    """The settings changes behind `diffs`, by table (each read model's on each of its tables)."""
    return {d.table: d.settings for d in diffs if d.settings}


def _versions(rebuild: Rebuild) -> dict[str, int]:
    return {b.name: b.version for b in rebuild.builders}


def _store_rows(conn: Connection, restatement_id: UUID, diffs: Sequence[TableDiff]) -> None:
    rows = [
        {
            "restatement_id": str(restatement_id),
            "seq": seq,
            "table_name": change.table,
            "kind": change.kind,
            "row_key": change.key,
            "before": as_json(change.before),
            "after": as_json(change.after),
            "positions": json.dumps(change.positions),
        }
        for seq, change in enumerate(c for d in diffs for c in d.changes)
    ]
    if rows:
        conn.execute(insert(restatement_diffs), rows)


def explaining_events(jejak: Jejak, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The events at `positions`, named as a reader of a diff needs them: which event, of
    which aggregate, at which version (from the stored record; nothing is decrypted)."""
    wanted = sorted(set(positions))
    return {
        e.position: {
            "position": e.position,
            "event": e.topic.rpartition(".")[2].rpartition(":")[2],
            "aggregate_id": str(e.originator_id),
            "version": e.originator_version,
        }
        for e in jejak.raw_log().read_positions(wanted)
    }


class Restatements:
    """The record of restatements, as auditors read it."""

    def __init__(self, jejak: Jejak) -> None:
        self.jejak = jejak
        self.engine = jejak.engine

    def list(self, limit: int, offset: int) -> dict[str, Any]:
        """Every switch, newest first."""
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(restatements)).scalar_one()
            rows = conn.execute(
                select(restatements)
                .order_by(desc(restatements.c.switched_at))
                .limit(limit)
                .offset(offset)
            ).mappings()
            items = [_restatement(dict(r)) for r in rows]
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    def one(self, restatement_id: UUID, limit: int, offset: int) -> dict[str, Any] | None:
        """One switch with the rows it changed (a page of them)."""
        key = str(restatement_id)
        with self.engine.connect() as conn:
            found = conn.execute(
                select(restatements).where(restatements.c.restatement_id == key)
            ).mappings()
            row = found.one_or_none()
            if row is None:
                return None
            rows = conn.execute(
                select(restatement_diffs)
                .where(restatement_diffs.c.restatement_id == key)
                .order_by(restatement_diffs.c.seq)
                .limit(limit)
                .offset(offset)
            ).mappings()
            diffs = [_diff_row(dict(r)) for r in rows]
        # Each row names the events that explain it, not only their positions, and the
        # settings changes behind its table, which are then the cause (ADR 0036).
        events = explaining_events(self.jejak, (p for d in diffs for p in d["positions"]))
        restatement = _restatement(dict(row))
        for diff in diffs:
            diff["events"] = [events[p] for p in diff["positions"] if p in events]
            diff["settings"] = setting_causes(restatement["settings_changed"].get(diff["table"]))
        return restatement | {"rows": diffs, "limit": limit, "offset": offset}


def _restatement(row: dict[str, Any]) -> dict[str, Any]:
    return row | {
        "projections": json.loads(row["projections"]),
        "summary": json.loads(row["summary"]),
        # Restatements recorded before ADR 0036 did not compare settings.
        "settings_changed": json.loads(row["settings_changed"] or "{}"),
    }


def setting_causes(changes: dict[str, dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Setting changes as a list a reader can show: [{setting, before, after}]."""
    return [{"setting": name} | change for name, change in sorted((changes or {}).items())]


def _diff_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": row["table_name"],
        "kind": row["kind"],
        "key": row["row_key"],
        "before": json.loads(row["before"]) if row["before"] else None,
        "after": json.loads(row["after"]) if row["after"] else None,
        "positions": json.loads(row["positions"]),
    }


def drop_previous(jejak: Jejak, names: Sequence[str]) -> list[str]:
    """Drop the previous versions kept by earlier switches (of `names`, or of every read
    model); returns the tables dropped."""
    chosen = [p for p in jejak.runner.projections if not names or p.name in names]
    with jejak.engine.begin() as conn:
        return drop_previous_tables(conn, chosen)
