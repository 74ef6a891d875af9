"""Where does an engine spend its time? One benchmark workload under pyinstrument.

    python bench/profile_engine.py [--engine minigrad] [--workload per_op] [--seconds 3]
                                   [--html PATH]

Runs the workload (after a warm-up) again and again for about ``--seconds`` seconds with
the statistical profiler pyinstrument (``pip install pyinstrument``; optional, not a course
requirement) and prints its call tree, or writes it as an HTML page with ``--html``. The
workloads are built exactly as in ``bench/benchmark.py``.
"""

# ruff: noqa: E402 (the repository root must be on sys.path before bench is imported)

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# benchmark comes first: importing it pins the BLAS threads before anything loads NumPy.
from bench import benchmark, workloads
from bench.engines import ENGINE_NAMES, Engine, load_engines

WORKLOADS = (
    "per_op",
    "two_moons_100",
    "two_moons_1000",
    "large_mlp",
    "chain",
    "per_op_learner",
    "two_moons_100_learner",
    "two_moons_1000_learner",
)


def build(engine: Engine, workload: str, chain_steps: int) -> Callable[[], object]:
    """The function that runs one repetition of ``workload`` on ``engine``."""
    if workload == "per_op":
        return engine.per_op()
    if workload == "per_op_learner":
        return engine.learner_per_op()
    if workload.startswith("two_moons_") and workload.endswith("_learner"):
        X, y = workloads.two_moons(int(workload.split("_")[2]))
        weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
        return engine.learner_trainer(weights, X, y, benchmark.LEARNING_RATE).step
    if workload.startswith("two_moons_"):
        X, y = workloads.two_moons(int(workload.rsplit("_", 1)[1]))
        weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
        return engine.trainer(weights, X, y, "bce", benchmark.LEARNING_RATE).step
    if workload == "large_mlp":
        sizes = workloads.LARGE_MLP_SIZES
        X, labels = workloads.random_classification(workloads.LARGE_MLP_BATCH, sizes[0], sizes[-1])
        weights = workloads.init_mlp(sizes)
        return engine.trainer(weights, X, labels, "ce", benchmark.LEARNING_RATE).step
    if workload == "chain":
        return lambda: engine.chain(chain_steps)
    raise ValueError(f"unknown workload {workload!r}; expected one of {', '.join(WORKLOADS)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="minigrad", choices=ENGINE_NAMES)
    parser.add_argument("--workload", default="per_op", choices=WORKLOADS)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to profile")
    parser.add_argument("--chain-steps", type=int, default=10_000, help="steps of the chain")
    parser.add_argument("--html", type=Path, help="write an HTML page instead of printing")
    args = parser.parse_args(argv)

    try:
        from pyinstrument import Profiler
    except ModuleNotFoundError:
        print("pyinstrument is not installed: .venv/bin/pip install pyinstrument", file=sys.stderr)
        return 1
    engines, missing = load_engines((args.engine,))
    if args.engine not in engines:
        print(f"{args.engine}: {missing[args.engine]}", file=sys.stderr)
        return 1
    if args.workload.endswith("_learner") and not engines[args.engine].pytorch_api:
        print(f"{args.engine}: {benchmark.PYTORCH_ONLY}", file=sys.stderr)
        return 1
    function = build(engines[args.engine], args.workload, args.chain_steps)
    for _ in range(3):  # warm-up, outside the profile
        function()

    # A 0.1 ms sampling interval resolves the per-op workload's ~100 µs calls.
    profiler = Profiler(interval=1e-4)
    calls = 0
    profiler.start()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        function()
        calls += 1
    profiler.stop()
    print(f"{args.engine}, {args.workload}: {calls} calls profiled", file=sys.stderr)
    if args.html:
        args.html.write_text(profiler.output_html())
        print(f"profile written to {args.html}", file=sys.stderr)
    else:
        print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
