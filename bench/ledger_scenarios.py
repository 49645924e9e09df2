"""The ledger scenarios: ordering, crediting and reconciling one batch of many lines.

All three share one store per run, because their setup (people ready to be paid, then an
ordered batch, then a credited one) is most of the work. A small warm-up batch goes through
every step first: it warms caches and code paths on both sides and gives the size of the
events each command writes, which the raw rows then carry.

Ordering and crediting run once each (a batch is ordered and credited once), so their raw
baseline runs just before and just after, and is compared with the mean of those two runs;
reconciling only reads, so both sides alternate for several rounds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from bench.ledger_baselines import LedgerBaselines
from bench.ledger_setup import APPROVER, SUPERVISOR, Payees, by, ready_to_pay
from bench.scenarios import (
    CREDITING,
    ORDERING,
    RECONCILING,
    Progress,
    ScenarioResult,
    Sizes,
    Tally,
    mean_state_bytes,
    scenario_result,
    side_order,
)
from bench.stores import FreshStore, Target, fresh_store
from projections.runner import ProjectionRunner
from service.commands.application import ProgrammeApplication
from service.files.bankfiles import ResultLine, render_result_file
from service.queries.reconciliation import Reconciliations

WARMUP_LINES = 20
RECONCILE_ROUNDS = 3
# The read models the reconciliation reads, and the one they look case numbers up in.
RECONCILED_MODELS = ("beneficiary_status", "entitlement_status", "statement_movements")
WITHDRAWN_AFTER = timedelta(days=12)
AS_OF = date(2019, 12, 31)


@dataclass(frozen=True)
class Batch:
    """A batch prepared for the scenarios, and the day the bank credits it."""

    batch_id: UUID
    number: str
    credited_on: date


def run_ledger(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """Ordering, crediting and reconciling one batch of `sizes.batch_lines` lines."""
    label = f"{target.label}: ledger"
    with fresh_store(target, workdir) as store:
        app = store.jejak.app
        raw = LedgerBaselines(store)
        try:
            progress(f"{label}: {sizes.batch_lines + WARMUP_LINES} people ready to be paid")
            payees = ready_to_pay(
                app, sizes.batch_lines + WARMUP_LINES, lambda m: progress(f"{label}: {m}")
            )
            warmup = _create(app, payees, "BENCH-WARM", slice(0, WARMUP_LINES), date(2019, 8, 5))
            batch = _create(app, payees, "BENCH-2019", slice(WARMUP_LINES, None), date(2019, 8, 9))
            progress(f"{label}: warm-up batch of {WARMUP_LINES} lines")
            order_payload, credit_payload = _warm_up(app, raw, warmup)
            progress(f"{label}: {ORDERING} {sizes.batch_lines} lines")
            ordering = _ordering(app, raw, batch, sizes.batch_lines, order_payload)
            progress(f"{label}: {CREDITING} {sizes.batch_lines} lines")
            crediting = _crediting(app, raw, batch, credit_payload)
            progress(f"{label}: statement and read models")
            _statement(app, [warmup, batch])
            _catch_up(store, sizes.batch)
            progress(f"{label}: {RECONCILING} {sizes.batch_lines} lines")
            reconciling = _reconciling(store, raw, batch, sizes.batch_lines)
            # What the scenarios left behind, read back for the report and the smoke test.
            checks: dict[str, int | str] = {
                "ordered_then_credited": _lines_in(app, batch, "CREDITED"),
                "batch_state": app.batch(batch.batch_id).state,
            }
            settings = raw.settings()
        finally:
            raw.close()
    details: dict[str, float | int | str] = {
        "batch_lines": sizes.batch_lines,
        **checks,
        **settings,
    }
    return [
        scenario_result(target, ORDERING, *ordering, details),
        scenario_result(target, CREDITING, *crediting, details),
        scenario_result(target, RECONCILING, *reconciling, {**details, "clean": "yes"}),
    ]


def _create(
    app: ProgrammeApplication, payees: Payees, number: str, lines: slice, credited_on: date
) -> Batch:
    batch_id = app.money.create_batch(
        batch_number=number,
        entitlement_ids=payees.entitlements[lines],
        provenance=by(SUPERVISOR, date(2019, 8, 1)),
    ).aggregate_id
    return Batch(batch_id, number, credited_on)


def _approve(app: ProgrammeApplication, batch: Batch) -> None:
    app.money.approve_batch(batch.batch_id, provenance=by(APPROVER, date(2019, 8, 2)))


def _result_file(app: ProgrammeApplication, batch: Batch) -> bytes:
    """The bank's result file: every line credited on the batch's day (made untimed)."""
    lines = [
        ResultLine(ref, line.amount, "CREDITED", _bank_reference(ref), batch.credited_on, None)
        for ref, line in app.batch(batch.batch_id).lines.items()
    ]
    return render_result_file(batch.number, lines)


def _warm_up(app: ProgrammeApplication, raw: LedgerBaselines, warmup: Batch) -> tuple[int, int]:
    """Order and credit the warm-up batch on both sides; the mean sizes of the events written."""
    head = app.position()
    _approve(app, warmup)
    order_payload = mean_state_bytes(app, head)
    seeded = raw.make_rows(WARMUP_LINES, order_payload)
    raw.seed(seeded)
    raw.ordering(seeded, order_payload)
    content = _result_file(app, warmup)
    # The export writes its own event first; the crediting's events are those after it.
    app.money.export_transfer_file(warmup.batch_id, provenance=by(SUPERVISOR, date(2019, 8, 3)))
    head = app.position()
    app.money.import_bank_result(
        warmup.batch_id, content=content, provenance=by(SUPERVISOR, warmup.credited_on)
    )
    credit_payload = mean_state_bytes(app, head)
    raw.crediting(content, credit_payload)
    return order_payload, credit_payload


def _once_between_baselines(
    ours: Callable[[], int], baseline: Callable[[], tuple[int, float]]
) -> tuple[Tally, Tally, int]:
    """Ours once, its baseline just before and just after; the baseline's tally holds the
    mean of its two runs (each does the whole batch's work), so a drift cancels out."""
    gc.collect()
    count, before = baseline()
    started = time.perf_counter()
    done = ours()
    mine = Tally()
    mine.add(done, time.perf_counter() - started)
    gc.collect()
    _, after = baseline()
    base = Tally()
    base.add(count, (before + after) / 2)
    return mine, base, done


def _ordering(
    app: ProgrammeApplication, raw: LedgerBaselines, batch: Batch, lines: int, payload: int
) -> tuple[Tally, Tally, int]:
    seeds = [raw.make_rows(lines, payload) for _ in range(2)]
    for rows in seeds:
        raw.seed(rows)

    def baseline() -> tuple[int, float]:
        return lines, raw.ordering(seeds.pop(), payload)

    def ours() -> int:
        _approve(app, batch)
        return lines

    mine, base, _ = _once_between_baselines(ours, baseline)
    ordered = _lines_in(app, batch, "ORDERED")
    if ordered != lines:
        raise RuntimeError(f"{ordered} of {lines} lines were ordered; results are invalid")
    return mine, base, payload


def _crediting(
    app: ProgrammeApplication, raw: LedgerBaselines, batch: Batch, payload: int
) -> tuple[Tally, Tally, int]:
    content = _result_file(app, batch)
    app.money.export_transfer_file(batch.batch_id, provenance=by(SUPERVISOR, date(2019, 8, 3)))

    def baseline() -> tuple[int, float]:
        return raw.crediting(content, payload)

    def ours() -> int:
        summary = app.money.import_bank_result(
            batch.batch_id, content=content, provenance=by(SUPERVISOR, batch.credited_on)
        )
        return summary.credited

    mine, base, _ = _once_between_baselines(ours, baseline)
    lines = len(app.batch(batch.batch_id).lines)
    credited = _lines_in(app, batch, "CREDITED")
    if credited != lines or app.batch(batch.batch_id).state != "SETTLED":
        raise RuntimeError(f"{credited} of {lines} lines were credited; results are invalid")
    return mine, base, payload


def _lines_in(app: ProgrammeApplication, batch: Batch, state: str) -> int:
    """How many of the batch's entitlements are in `state` (read back untimed)."""
    lines = app.batch(batch.batch_id).lines.values()
    return sum(app.entitlement(line.entitlement_id).state == state for line in lines)


def _statement(app: ProgrammeApplication, batches: list[Batch]) -> None:
    """The programme account's statement: every transfer, and its withdrawal 12 days later."""
    rows = ["value_date,bank_reference,amount,kind"]
    for batch in batches:
        withdrawn = batch.credited_on + WITHDRAWN_AFTER
        for ref, line in app.batch(batch.batch_id).lines.items():
            reference = _bank_reference(ref)
            rows.append(f"{batch.credited_on},{reference},{line.amount},TRANSFER_OUT")
            rows.append(f"{withdrawn},{reference},{line.amount},WITHDRAWAL")
    app.money.import_bank_statement(
        content="\n".join(rows).encode() + b"\n",
        account_label="Rekening penampung (benchmark)",
        provenance=by(SUPERVISOR, AS_OF, "bank_statement"),
    )


def _catch_up(store: FreshStore, batch_size: int) -> None:
    """Bring the reconciliation's read models up to the log's head (untimed).

    Only those: the other read models would triple the catch-up and are not read.
    """
    jejak = store.jejak
    chosen = [p for p in jejak.runner.projections if p.name in RECONCILED_MODELS]
    ProjectionRunner(jejak.runner.source, jejak.engine, chosen, batch_size).catch_up()


def _reconciling(
    store: FreshStore, raw: LedgerBaselines, batch: Batch, lines: int
) -> tuple[Tally, Tally, int]:
    reports = Reconciliations(store.jejak.engine, store.jejak.settings.deadline_days)
    # Warm-up: one report and one baseline join.
    reports.for_batch(batch.batch_id, AS_OF)
    raw.reconciling(batch.batch_id, batch.credited_on)
    mine, base = Tally(), Tally()
    for round_index in range(RECONCILE_ROUNDS):
        gc.collect()
        for side in side_order(round_index):
            if side == "ours":
                started = time.perf_counter()
                report = reports.for_batch(batch.batch_id, AS_OF)
                mine.add(len(report.result.matched), time.perf_counter() - started)
                if not report.clean or len(report.result.matched) != lines:
                    raise RuntimeError(
                        f"the reconciliation matched {len(report.result.matched)} of {lines} "
                        "lines and is not clean; results are invalid"
                    )
            else:
                matched, seconds = raw.reconciling(batch.batch_id, batch.credited_on)
                if matched != lines:
                    raise RuntimeError(f"the baseline matched {matched} of {lines} lines")
                base.add(matched, seconds)
    return _per_round(mine), _per_round(base), 0


def _per_round(tally: Tally) -> Tally:
    """The mean round: the batch's lines and the mean seconds (the rate is unchanged)."""
    return Tally(tally.count // RECONCILE_ROUNDS, tally.seconds / RECONCILE_ROUNDS, tally.slices)


def _bank_reference(transfer_ref: str) -> str:
    return f"BNK-{transfer_ref}"
