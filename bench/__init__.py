"""Jejak's benchmark: each scenario beside a raw-driver baseline measured in the same run.

Run it with `python -m bench` (or `make bench`). See `bench.scenarios` for what is measured
and `bench.baselines` for what it is compared with.
"""

from bench.run import BenchmarkRun, run_benchmark
from bench.scenarios import SCENARIOS, ScenarioResult, Sizes

__all__ = ["SCENARIOS", "BenchmarkRun", "ScenarioResult", "Sizes", "run_benchmark"]
