"""How fast is minigrad? Every engine on the same workloads, in one process.

    python bench/benchmark.py [--quick] [--check] [--json PATH] [--engines minigrad,numpy,...]

Engines: minigrad; NumPy with the backward written by hand (the limit for an engine on
NumPy); PyTorch and micrograd when they are installed (micrograd on the scalar workloads
only). Workloads:

1. per-op overhead: forward+backward of ``(a*b + c).sum()`` on three-element tensors;
2. two moons, a 2-16-16-1 ReLU MLP with binary cross-entropy, full-batch SGD, n=100 and
   n=1000: time per step, and the final loss and accuracy, which must agree between
   engines since all start from the same weights;
3. an MLP 784-256-128-10 with softmax cross-entropy on a random batch of 256: time per step;
4. a chain of 50,000 ``x = x*1.0001 + 0.0001`` (100,000 ops) and its backward;
5. memory: resident memory over 1,000 training steps of workload 2 (n=100) must stay flat;
6. the learner's versions of workloads 1 and 2 (``engines/learner.py``), for minigrad and
   PyTorch only, which run the very same lines: float64, ``((a*b + c) ** 2).mean()``
   for per-op, and for two moons a tanh MLP written with ``@``, ``+`` and ``.tanh()``, the
   hinge loss ``(1 - y * s).relu().mean()`` and the update ``p -= lr * p.grad`` under
   ``no_grad``.

Times are medians of repeated samples after a warm-up; the table shows them with the
ratio of every engine to every other, then the targets (PASS/FAIL) and the checks that the
engines computed the same thing. The results go to ``bench/results/latest.json`` (or
``--json PATH``). The exit status is 1 when the engines disagree, and also when a target
is missed if ``--check`` is given.
"""

# ruff: noqa: E402 (the thread variables below must be set before NumPy is imported)

import os
import sys

# One thread for everyone. BLAS libraries size their thread pools from these variables
# when they are loaded, i.e. when NumPy (or PyTorch) is first imported, so they must be set
# before any import of NumPy. When this module is imported into a process that already
# loaded NumPy (a test, a notebook), setting them would change nothing for NumPy and only
# leak into child processes, so they are left alone and the report says so.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
NUMPY_IMPORTED_BEFORE_PINNING = "numpy" in sys.modules
if not NUMPY_IMPORTED_BEFORE_PINNING:
    for _variable in THREAD_VARIABLES:
        os.environ[_variable] = "1"

import argparse
import dataclasses
import datetime
import gc
import importlib.metadata
import json
import math
import platform
import time
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script, only bench/ itself is on the path
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np

from bench import timing, workloads
from bench.engines import ENGINE_NAMES, Engine, load_engines

DEFAULT_JSON = REPO_ROOT / "bench" / "results" / "latest.json"

# Memory is "flat" when the resident set never grows by more than this between the first
# sample (after the allocator has warmed up) and the end. One leaked graph of the n=100
# MLP holds ~30 kB of saved tensors, so a leak of one graph per step would exceed it
# within ~70 steps, while the noise of the allocator stays well below it.
MEMORY_GROWTH_LIMIT_BYTES = 2 * 1024 * 1024

# Engines agree when their losses differ by at most LOSS_ATOL + LOSS_RTOL * |loss|: float32
# sums in different orders drift apart by a few units in the 7th digit over 500 steps.
LOSS_RTOL, LOSS_ATOL = 1e-3, 1e-5
# Gradients agree when max |g - g_ref| <= GRADIENT_RTOL * max |g_ref| (float32 rounding).
GRADIENT_RTOL = 1e-4
# The chain's gradient is 1.0001^n in exact arithmetic; float32 rounds 1.0001 itself by
# 1.7e-8, which compounds to ~1e-3 relative over 50,000 steps.
CHAIN_RTOL = 5e-3
# The learner's workloads are float64 and run the same program in minigrad and PyTorch:
# their losses and gradients differ only by the order of float64 sums (~1e-16 relative;
# measured: 3e-16 after 500 steps of two moons), so a much tighter tolerance holds.
FLOAT64_RTOL, FLOAT64_ATOL = 1e-9, 1e-12

LEARNING_RATE = 0.1
MICROGRAD_POINTS = 100  # micrograd (~1 s per step at n=100) runs two moons at n=100 only


@dataclasses.dataclass(frozen=True)
class Settings:
    quick: bool
    repeats: int  # timed samples per engine (per-op, large MLP)
    min_sample_seconds: float  # a sample repeats the call until it lasts this long
    warmup_calls: int
    two_moons_steps: int  # training steps for workload 2, timed in chunks
    two_moons_chunks: int
    micrograd_steps: int  # micrograd trains this many steps only, each one timed
    chain_steps: int  # each step is two ops
    chain_repeats: int
    memory_steps: int
    memory_first_sample: int  # the step after which the reference RSS is read


FULL = Settings(
    quick=False,
    repeats=31,
    min_sample_seconds=0.05,
    warmup_calls=5,
    two_moons_steps=500,
    two_moons_chunks=10,
    micrograd_steps=4,
    chain_steps=50_000,
    chain_repeats=7,
    memory_steps=1000,
    memory_first_sample=100,
)
QUICK = Settings(
    quick=True,
    repeats=5,
    min_sample_seconds=0.005,
    warmup_calls=2,
    two_moons_steps=100,
    two_moons_chunks=5,
    micrograd_steps=2,
    chain_steps=5_000,
    chain_repeats=2,
    memory_steps=300,
    memory_first_sample=50,
)

SCALAR_ONLY = "not run: scalar engine (scalar workloads only)"
PYTORCH_ONLY = "not run: a PyTorch program (engines with PyTorch's API only)"


def runs(engine: Engine, only: str | None) -> bool:
    """Whether ``engine`` runs a workload meant for ``only`` = None (every engine),
    ``"tensor"`` (all but the scalar engine) or ``"pytorch"`` (the learner's programs)."""
    if only == "tensor":
        return not engine.scalar_only
    if only == "pytorch":
        return engine.pytorch_api
    return True


def error_status(error: BaseException) -> str:
    return f"error: {type(error).__name__}: {error}"


def timed_results(samples: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    return {
        name: {"status": "ok", "median_s": timing.median(values), "samples_s": values}
        for name, values in samples.items()
    }


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """ratios[a][b] = median time of engine a / median time of engine b (a is x times b)."""
    medians = {name: r["median_s"] for name, r in results.items() if "median_s" in r}
    return {a: {b: medians[a] / medians[b] for b in medians} for a in medians}


def agree(value: float, reference: float, rtol: float = LOSS_RTOL, atol: float = LOSS_ATOL) -> bool:
    return math.isfinite(value) and abs(value - reference) <= atol + rtol * abs(reference)


class Benchmark:
    """Runs the workloads one after the other and collects results and checks."""

    def __init__(
        self, engines: dict[str, Engine], missing: dict[str, str], settings: Settings
    ) -> None:
        self.engines = engines
        self.missing = missing
        self.settings = settings
        self.checks: list[dict[str, Any]] = []

    def log(self, message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append({"name": name, "status": "PASS" if passed else "FAIL", "detail": detail})

    def base_results(self, only: str | None = None) -> dict[str, dict[str, Any]]:
        """The results of the engines that will not run this workload, with the reason."""
        results = {name: {"status": reason} for name, reason in self.missing.items()}
        for name, engine in self.engines.items():
            if not runs(engine, only):
                results[name] = {"status": PYTORCH_ONLY if only == "pytorch" else SCALAR_ONLY}
        return results

    def prepare(
        self, make: Callable[[Engine], Callable[[], object]], results: dict, only: str | None
    ) -> dict[str, Callable[[], object]]:
        """Build each engine's function and warm it up; an engine that fails is reported."""
        functions = {}
        for name, engine in self.engines.items():
            if not runs(engine, only):
                continue
            try:
                function = make(engine)
                for _ in range(self.settings.warmup_calls):
                    function()
            except Exception as error:
                results[name] = {"status": error_status(error)}
                continue
            functions[name] = function
        return functions

    # -- workload 1 ---------------------------------------------------------------------
    def per_op(self) -> dict[str, Any]:
        self.log("per-op overhead: (a*b + c).sum() forward+backward")
        results = self.base_results()
        functions = self.prepare(lambda engine: engine.per_op(), results, only=None)
        s = self.settings
        results.update(
            timed_results(timing.interleaved_samples(functions, s.repeats, s.min_sample_seconds, 0))
        )
        return {
            "title": "per-op: (a*b + c).sum() forward+backward, 3 elements",
            "unit": "seconds per forward+backward",
            "results": results,
            "ratios": ratios(results),
        }

    # -- workload 2 ---------------------------------------------------------------------
    def two_moons(self, n: int) -> dict[str, Any]:
        self.log(f"two moons n={n}: 2-16-16-1 MLP, full-batch SGD")
        s = self.settings
        X, y = workloads.two_moons(n)
        weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
        results = self.base_results()
        tensor_engines = {name: e for name, e in self.engines.items() if not e.scalar_only}
        scalar_engines = {name: e for name, e in self.engines.items() if e.scalar_only}

        trainers = {}
        for name, engine in tensor_engines.items():
            try:
                warmup = engine.trainer(weights, X, y, "bce", LEARNING_RATE)
                for _ in range(s.warmup_calls):
                    warmup.step()
                trainers[name] = engine.trainer(weights, X, y, "bce", LEARNING_RATE)
            except Exception as error:
                results[name] = {"status": error_status(error)}

        losses = self.train_in_chunks(trainers, results, y)

        # micrograd: a few steps only, each timed, after a warm-up step on a few points.
        for name, engine in scalar_engines.items():
            if n > MICROGRAD_POINTS:
                results[name] = {"status": f"not run: scalar engine runs n={MICROGRAD_POINTS} only"}
                continue
            try:
                engine.trainer(weights, X[:10], y[:10], "bce", LEARNING_RATE).step()
                trainer = engine.trainer(weights, X, y, "bce", LEARNING_RATE)
                steps, step_samples = [], []
                for _ in range(s.micrograd_steps):
                    start = time.perf_counter()
                    steps.append(trainer.step())
                    step_samples.append(time.perf_counter() - start)
            except Exception as error:
                results[name] = {"status": error_status(error)}
                continue
            losses[name] = steps
            results[name] = {
                "status": "ok",
                "median_s": timing.median(step_samples),
                "samples_s": step_samples,
                "steps": len(steps),
                "final_loss": steps[-1],
                "accuracy": workloads.accuracy(trainer.logits(), y),
                "losses": steps,
            }

        self.check_two_moons(n, losses, weights, X, y)
        return {
            "title": f"two moons n={n}: 2-16-16-1 ReLU MLP, BCE with logits, one SGD step",
            "unit": "seconds per training step",
            "n": n,
            "learning_rate": LEARNING_RATE,
            "results": results,
            "ratios": ratios(results),
        }

    def train_in_chunks(self, trainers: dict, results: dict, y) -> dict[str, list[float]]:
        """Train every engine the same number of steps, interleaved chunk by chunk; the
        median over chunks of the time per step is the figure reported in ``results``.
        Returns each engine's losses, step by step (an engine that fails is reported as an
        error in ``results`` and left out)."""
        s = self.settings
        trainers = dict(trainers)
        losses: dict[str, list[float]] = {name: [] for name in trainers}
        samples: dict[str, list[float]] = {name: [] for name in trainers}
        steps_per_chunk = s.two_moons_steps // s.two_moons_chunks
        for _ in range(s.two_moons_chunks):
            for name, trainer in list(trainers.items()):
                gc.collect()
                start = time.perf_counter()
                try:
                    for _ in range(steps_per_chunk):
                        losses[name].append(trainer.step())
                except Exception as error:
                    results[name] = {"status": error_status(error)}
                    del trainers[name], losses[name]  # reported as an error, not compared
                    continue
                samples[name].append((time.perf_counter() - start) / steps_per_chunk)

        for name, trainer in trainers.items():
            results[name] = {
                "status": "ok",
                "median_s": timing.median(samples[name]),
                "samples_s": samples[name],
                "steps": len(losses[name]),
                "final_loss": losses[name][-1],
                "accuracy": workloads.accuracy(trainer.logits(), y),
                "losses": losses[name],
            }
        return losses

    def reference_engine(self, names) -> str | None:
        """The engine the others are compared with: NumPy by hand when it ran."""
        names = list(names)
        if "numpy" in names:
            return "numpy"
        return names[0] if names else None

    def check_two_moons(self, n: int, losses: dict[str, list[float]], weights, X, y) -> None:
        tensor_names = [name for name in losses if not self.engines[name].scalar_only]
        reference = self.reference_engine(tensor_names)
        if reference is None:
            return
        reference_losses = losses[reference]
        for name in tensor_names:
            if name == reference:
                continue
            final, expected = losses[name][-1], reference_losses[-1]
            self.check(
                f"two moons n={n}: {name} ends at the loss of {reference}",
                len(losses[name]) == len(reference_losses) and agree(final, expected),
                f"after {len(losses[name])} steps: {name} {final:.7g}, {reference} {expected:.7g}",
            )
        for name in losses:
            if not self.engines[name].scalar_only:
                continue
            steps = len(losses[name])
            worst = max(abs(a - b) for a, b in zip(losses[name], reference_losses[:steps]))
            self.check(
                f"two moons n={n}: {name} follows the losses of {reference}",
                all(agree(a, b) for a, b in zip(losses[name], reference_losses[:steps])),
                f"first {steps} steps, largest difference {worst:.2g}",
            )
        if n <= MICROGRAD_POINTS:
            self.check_gradients(f"two moons n={n}", weights, X, y, "bce")

    def check_gradients(self, label: str, weights, X, targets, loss: str) -> None:
        """Every engine's gradient of the loss agrees with the one written by hand."""
        gradients = {}
        for name, engine in self.engines.items():
            if engine.scalar_only and loss != "bce":
                continue
            try:
                gradients[name] = engine.gradients(weights, X, targets, loss)
            except Exception as error:
                self.check(f"{label}: {name} gradients", False, error_status(error))
        reference = self.reference_engine(gradients)
        for name, grads in gradients.items():
            if name == reference:
                continue
            errors = [
                float(np.max(np.abs(g - r)) / max(float(np.max(np.abs(r))), 1e-30))
                for g, r in zip(grads, gradients[reference])
            ]
            shapes_match = all(
                np.shape(g) == np.shape(r) for g, r in zip(grads, gradients[reference])
            )
            self.check(
                f"{label}: {name} gradients match {reference}",
                shapes_match
                and len(grads) == len(gradients[reference])
                and max(errors) <= GRADIENT_RTOL,
                f"largest relative difference {max(errors):.2g} (tolerance {GRADIENT_RTOL:g})",
            )

    # -- workload 3 ---------------------------------------------------------------------
    def large_mlp(self) -> dict[str, Any]:
        sizes = workloads.LARGE_MLP_SIZES
        self.log(
            f"MLP {'-'.join(map(str, sizes))}, softmax cross-entropy, "
            f"batch {workloads.LARGE_MLP_BATCH}"
        )
        X, labels = workloads.random_classification(workloads.LARGE_MLP_BATCH, sizes[0], sizes[-1])
        weights = workloads.init_mlp(sizes)
        self.check_gradients("MLP 784-256-128-10", weights, X, labels, "ce")
        results = self.base_results("tensor")
        functions = self.prepare(
            lambda engine: engine.trainer(weights, X, labels, "ce", LEARNING_RATE).step,
            results,
            only="tensor",
        )
        s = self.settings
        results.update(
            timed_results(timing.interleaved_samples(functions, s.repeats, s.min_sample_seconds, 0))
        )
        return {
            "title": f"MLP {'-'.join(map(str, sizes))}, softmax cross-entropy, "
            f"batch {workloads.LARGE_MLP_BATCH}, one SGD step",
            "unit": "seconds per training step",
            "results": results,
            "ratios": ratios(results),
        }

    # -- workload 4 ---------------------------------------------------------------------
    def chain(self) -> dict[str, Any]:
        n = self.settings.chain_steps
        self.log(f"chain of {n:,} steps x = x*1.0001 + 0.0001 ({2 * n:,} ops) and its backward")
        results = self.base_results()
        expected = 1.0001**n
        runnable = {}
        for name, engine in self.engines.items():
            try:
                engine.chain(200)  # warm-up, short enough for every engine
                runnable[name] = engine
            except Exception as error:
                results[name] = {"status": error_status(error)}
        samples: dict[str, list[float]] = {name: [] for name in runnable}
        gradients: dict[str, float] = {}
        for _ in range(self.settings.chain_repeats):
            for name, engine in list(runnable.items()):
                gc.collect()
                start = time.perf_counter()
                try:
                    gradients[name] = engine.chain(n)
                except RecursionError:
                    # micrograd's recursive topological sort: reported, not repeated.
                    seconds = time.perf_counter() - start
                    results[name] = {"status": "RecursionError", "seconds_to_failure": seconds}
                    del runnable[name]
                    continue
                except Exception as error:
                    results[name] = {"status": error_status(error)}
                    del runnable[name]
                    continue
                samples[name].append(time.perf_counter() - start)
        gc.collect()  # a failed engine may have left a long chain of cycles behind
        for name in runnable:
            results[name] = {
                "status": "ok",
                "median_s": timing.median(samples[name]),
                "samples_s": samples[name],
                "gradient": gradients[name],
            }
            self.check(
                f"chain: {name}'s gradient is 1.0001^{n}",
                agree(gradients[name], expected, rtol=CHAIN_RTOL, atol=0.0),
                f"{gradients[name]:.7g}, exact {expected:.7g}",
            )
        return {
            "title": f"chain of {n:,} steps x = x*1.0001 + 0.0001 ({2 * n:,} ops), "
            "forward+backward",
            "unit": "seconds per forward+backward",
            "steps": n,
            "ops": 2 * n,
            "results": results,
            "ratios": ratios(results),
        }

    # -- workload 5 ---------------------------------------------------------------------
    def memory(self) -> dict[str, Any]:
        s = self.settings
        self.log(f"memory: resident set over {s.memory_steps:,} steps of two moons n=100")
        X, y = workloads.two_moons(100)
        weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
        results = self.base_results("tensor")
        for name, engine in self.engines.items():
            if engine.scalar_only:
                continue
            gc.collect()
            try:
                trainer = engine.trainer(weights, X, y, "bce", LEARNING_RATE)
                resident = []
                for _ in range(s.memory_steps):
                    trainer.step()
                    resident.append(timing.resident_bytes())
            except Exception as error:
                results[name] = {"status": error_status(error)}
                continue
            if resident[0] is None:
                results[name] = {"status": "not measured: /proc/self/statm is not available"}
                continue
            first = resident[s.memory_first_sample - 1]
            growth = max(resident[s.memory_first_sample - 1 :]) - first
            results[name] = {
                "status": "ok",
                "rss_first_sample_bytes": first,
                "rss_end_bytes": resident[-1],
                "peak_growth_bytes": growth,
                "flat": growth < MEMORY_GROWTH_LIMIT_BYTES,
            }
        return {
            "title": "memory: peak resident-set growth "
            f"from step {s.memory_first_sample} to {s.memory_steps}",
            "unit": "bytes",
            "steps": s.memory_steps,
            "first_sample_step": s.memory_first_sample,
            "limit_bytes": MEMORY_GROWTH_LIMIT_BYTES,
            "results": results,
        }

    # -- workload 6: the learner's versions of workloads 1 and 2 ---------------------------
    def per_op_learner(self) -> dict[str, Any]:
        self.log("per-op, written by a learner: ((a*b + c) ** 2).mean() forward+backward, float64")
        results = self.base_results("pytorch")
        functions = self.prepare(lambda engine: engine.learner_per_op(), results, only="pytorch")
        s = self.settings
        results.update(
            timed_results(timing.interleaved_samples(functions, s.repeats, s.min_sample_seconds, 0))
        )
        gradients = {}
        for name in functions:
            try:
                gradients[name] = self.engines[name].learner_per_op_gradients()
            except Exception as error:
                label = f"per-op, learner: {name} gradients match torch"
                self.check(label, False, error_status(error))
        self.check_learner_gradients("per-op, learner", gradients)
        return {
            "title": "per-op, learner: ((a*b + c) ** 2).mean() forward+backward, "
            "3 elements, float64",
            "unit": "seconds per forward+backward",
            "results": results,
            "ratios": ratios(results),
        }

    def two_moons_learner(self, n: int) -> dict[str, Any]:
        self.log(f"two moons n={n}, written by a learner: tanh MLP, hinge loss, SGD by hand")
        s = self.settings
        X, y = workloads.two_moons(n)
        weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
        results = self.base_results("pytorch")
        trainers, gradients = {}, {}
        for name, engine in self.engines.items():
            if not runs(engine, "pytorch"):
                continue
            try:
                gradients[name] = engine.learner_trainer(weights, X, y, LEARNING_RATE).gradients()
                warmup = engine.learner_trainer(weights, X, y, LEARNING_RATE)
                for _ in range(s.warmup_calls):
                    warmup.step()
                trainers[name] = engine.learner_trainer(weights, X, y, LEARNING_RATE)
            except Exception as error:
                results[name] = {"status": error_status(error)}
                gradients.pop(name, None)
        losses = self.train_in_chunks(trainers, results, y)

        label = f"two moons n={n}, learner"
        reference = "torch" if "torch" in losses else None
        for name in losses:
            if reference is None or name == reference:
                continue
            pairs = list(zip(losses[name], losses[reference]))
            worst = max(abs(a - b) for a, b in pairs)
            self.check(
                f"{label}: {name} losses match {reference}",
                len(losses[name]) == len(losses[reference])
                and all(agree(a, b, FLOAT64_RTOL, FLOAT64_ATOL) for a, b in pairs),
                f"{len(pairs)} steps, largest difference {worst:.2g}",
            )
        self.check_learner_gradients(label, gradients)
        return {
            "title": f"two moons n={n}, learner: 2-16-16-1 tanh MLP, hinge loss, float64, "
            "SGD by hand",
            "unit": "seconds per training step",
            "n": n,
            "learning_rate": LEARNING_RATE,
            "results": results,
            "ratios": ratios(results),
        }

    def check_learner_gradients(self, label: str, gradients: dict[str, list[np.ndarray]]) -> None:
        """Every engine's gradient agrees with PyTorch's, in float64. The difference is
        measured against the largest gradient entry of all the weights: a gradient may be
        zero in exact arithmetic (the hinge's last bias on balanced classes) and come out as
        1e-17 in one engine and 0 in the other."""
        if "torch" not in gradients:
            return
        reference = gradients["torch"]
        scale = max(float(np.max(np.abs(r))) for r in reference) or 1.0  # all zero: absolute
        for name, grads in gradients.items():
            if name == "torch":
                continue
            same_shapes = len(grads) == len(reference) and all(
                np.shape(g) == np.shape(r) for g, r in zip(grads, reference)
            )
            difference = (
                max(float(np.max(np.abs(g - r))) for g, r in zip(grads, reference)) / scale
                if same_shapes
                else math.inf
            )
            self.check(
                f"{label}: {name} gradients match torch",
                difference <= FLOAT64_RTOL,
                f"largest difference {difference:.2g} of the largest entry "
                f"(tolerance {FLOAT64_RTOL:g})",
            )

# -- targets ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    workload: str
    label: str
    versus: str
    limit: float


TARGETS = (
    Target("per_op", "per-op", "torch", 1.0),
    Target("two_moons_100", "two moons n=100", "torch", 1.0),
    Target("two_moons_1000", "two moons n=1000", "torch", 1.2),
    Target("large_mlp", "MLP 784-256-128-10", "numpy", 1.15),
    Target("chain", "chain", "torch", 1.0),
    # Speed must not hang on one way of writing a program: the learner's versions too.
    Target("per_op_learner", "per-op, learner", "torch", 1.1),
    Target("two_moons_100_learner", "two moons n=100, learner", "torch", 1.1),
    Target("two_moons_1000_learner", "two moons n=1000, learner", "torch", 1.1),
)


def evaluate_targets(workload_results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets for minigrad: PASS, FAIL, or SKIP when the engine to compare with is not
    installed."""
    targets = []

    def add(
        name: str, status: str, detail: str, ratio: float | None = None, limit: float | None = None
    ):
        targets.append(
            {"name": name, "status": status, "detail": detail, "ratio": ratio, "limit": limit}
        )

    chain = workload_results["chain"]["results"].get("minigrad", {"status": "not run"})
    add(
        "chain: minigrad differentiates it",
        "PASS" if chain["status"] == "ok" else "FAIL",
        f"minigrad: {chain['status']}",
    )
    for target in TARGETS:
        name = f"{target.label}: minigrad <= {target.limit:.2f}x {target.versus}"
        results = workload_results[target.workload]["results"]
        mine = results.get("minigrad", {"status": "not run"})
        theirs = results.get(target.versus, {"status": "not run"})
        if "median_s" not in mine:
            add(name, "FAIL", f"minigrad: {mine['status']}", limit=target.limit)
        elif "median_s" not in theirs:
            add(name, "SKIP", f"{target.versus}: {theirs['status']}", limit=target.limit)
        else:
            ratio = mine["median_s"] / theirs["median_s"]
            add(
                name,
                "PASS" if ratio <= target.limit else "FAIL",
                f"{ratio:.2f}x",
                ratio,
                target.limit,
            )

    memory = workload_results["memory"]
    mine = memory["results"].get("minigrad", {"status": "not run"})
    limit_mib = memory["limit_bytes"] / 2**20
    name = f"memory: minigrad flat over {memory['steps']:,} steps (growth < {limit_mib:g} MiB)"
    if mine["status"] == "ok":
        add(
            name, "PASS" if mine["flat"] else "FAIL", f"{mine['peak_growth_bytes'] / 2**20:.2f} MiB"
        )
    elif mine["status"].startswith("not measured"):
        add(name, "SKIP", mine["status"])
    else:
        add(name, "FAIL", f"minigrad: {mine['status']}")
    return targets


# -- report -----------------------------------------------------------------------------


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def cell(result: dict[str, Any], memory: bool = False) -> str:
    if memory and result["status"] == "ok":
        return f"{result['peak_growth_bytes'] / 2**20:+.2f} MiB"
    if "median_s" in result:
        return format_seconds(result["median_s"])
    status = result["status"]
    if status.startswith("not run") or status == "not installed":
        return "-"
    return status.split(":")[0]


COLUMN = 16  # width of an engine's column in the table


def format_report(report: dict[str, Any]) -> str:
    names = [name for name in ENGINE_NAMES if name in report["engines"]]
    meta = report["meta"]
    lines = [
        f"minigrad benchmark ({'quick' if meta['quick'] else 'full'} run): "
        "one process, one thread, float32 (the learner's versions float64), "
        "medians after warm-up",
        "engines: "
        + ", ".join(
            f"{name} {info.get('version') or info['status']}"
            for name, info in report["engines"].items()
        ),
        "",
    ]
    width = 44
    lines.append("workload".ljust(width) + "".join(name.rjust(COLUMN) for name in names))
    rows = [
        ("per_op", "per-op (a*b + c).sum() fwd+bwd"),
        ("two_moons_100", "two moons n=100, per SGD step"),
        ("two_moons_1000", "two moons n=1000, per SGD step"),
        ("large_mlp", "MLP 784-256-128-10 CE b=256, per step"),
        ("chain", f"chain of {report['workloads']['chain']['ops']:,} ops, fwd+bwd"),
        ("per_op_learner", "learner: per-op ((a*b + c)**2).mean() f64"),
        ("two_moons_100_learner", "learner: two moons n=100, hinge, f64"),
        ("two_moons_1000_learner", "learner: two moons n=1000, hinge, f64"),
    ]
    workloads_ = report["workloads"]
    for key, label in rows:
        results = workloads_[key]["results"]
        lines.append(
            label.ljust(width)
            + "".join(cell(results.get(n, {"status": "-"})).rjust(COLUMN) for n in names)
        )
    two_moons_keys = ("two_moons_100", "two_moons_1000")
    for key in two_moons_keys + tuple(f"{key}_learner" for key in two_moons_keys):
        results = workloads_[key]["results"]
        whose = "learner's " if key.endswith("_learner") else ""
        label = f"  {whose}final loss / accuracy, n={workloads_[key]['n']}"
        cells = []
        for name in names:
            result = results.get(name, {})
            cells.append(
                f"{result['final_loss']:.4f}/{result['accuracy']:.0%}".rjust(COLUMN)
                if "final_loss" in result
                else "-".rjust(COLUMN)
            )
        steps = {results[n]["steps"] for n in names if "steps" in results.get(n, {})}
        lines.append(
            label.ljust(width)
            + "".join(cells)
            + f"   (after {'/'.join(map(str, sorted(steps)))} steps)"
        )
    memory = workloads_["memory"]
    lines.append(
        f"memory growth, steps {memory['first_sample_step']}-{memory['steps']}".ljust(width)
        + "".join(
            cell(memory["results"].get(n, {"status": "-"}), memory=True).rjust(COLUMN)
            for n in names
        )
    )

    lines += [
        "",
        "ratios: row engine's time / column engine's time (below 1 means the row is faster)",
    ]
    for key, label in rows:
        table = workloads_[key]["ratios"]
        present = [n for n in names if n in table]
        if len(present) < 2:
            continue
        lines.append(f"  {label}".ljust(width) + "".join(n.rjust(COLUMN) for n in present))
        for a in present:
            lines.append(
                f"    {a}".ljust(width)
                + "".join(f"{table[a][b]:.3g}x".rjust(COLUMN) for b in present)
            )

    lines += ["", "targets"]
    for target in report["targets"]:
        lines.append(f"  {target['status']:<5} {target['name']:<58} {target['detail']}")
    lines += ["", "checks (the engines compute the same thing)"]
    for check in report["checks"]:
        lines.append(f"  {check['status']:<5} {check['name']:<58} {check['detail']}")
    return "\n".join(lines)


# -- driver -----------------------------------------------------------------------------


def engine_info(name: str, engines: dict[str, Engine], missing: dict[str, str]) -> dict[str, Any]:
    if name in missing:
        return {"status": missing[name], "version": None}
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(sys.modules.get(name), "__version__", None)
    return {"status": "ok", "version": version, "scalar_only": engines[name].scalar_only}


def run(settings: Settings = FULL, engine_names: tuple[str, ...] = ENGINE_NAMES) -> dict[str, Any]:
    """Run every workload on every engine and return the report (a JSON-ready dict)."""
    engines, missing = load_engines(engine_names)
    bench = Benchmark(engines, missing, settings)
    started = time.perf_counter()
    workload_runs = {
        "per_op": bench.per_op,
        "two_moons_100": lambda: bench.two_moons(100),
        "two_moons_1000": lambda: bench.two_moons(1000),
        "large_mlp": bench.large_mlp,
        "chain": bench.chain,
        "memory": bench.memory,
        "per_op_learner": bench.per_op_learner,
        "two_moons_100_learner": lambda: bench.two_moons_learner(100),
        "two_moons_1000_learner": lambda: bench.two_moons_learner(1000),
    }
    workload_results = {}
    try:
        for key, run_workload in workload_runs.items():
            # PyTorch's modules hold ~300,000 long-lived objects, and every full garbage
            # collection would walk them all (~0.2 s: a cost of having PyTorch in the
            # process, not of any engine). Freezing what exists now moves it out of the
            # collector's sight, so that the collections between samples, and those that
            # happen while an engine runs, only see the objects of the workload.
            gc.collect()
            gc.freeze()
            workload_started = time.perf_counter()
            workload_results[key] = run_workload()
            workload_results[key]["seconds"] = time.perf_counter() - workload_started
    finally:
        gc.unfreeze()
    return {
        "meta": {
            "quick": settings.quick,
            "settings": dataclasses.asdict(settings),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "threads": {variable: os.environ.get(variable) for variable in THREAD_VARIABLES},
            "threads_pinned_before_numpy_import": not NUMPY_IMPORTED_BEFORE_PINNING,
            "dtype": "float32",
            "seconds": time.perf_counter() - started,
        },
        "engines": {name: engine_info(name, engines, missing) for name in engine_names},
        "workloads": workload_results,
        "targets": evaluate_targets(workload_results),
        "checks": bench.checks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a short run: fewer repeats, a shorter chain"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write the results ({DEFAULT_JSON})",
    )
    parser.add_argument(
        "--engines",
        default=",".join(ENGINE_NAMES),
        help=f"comma-separated engines to run (default: {','.join(ENGINE_NAMES)})",
    )
    args = parser.parse_args(argv)
    names = tuple(name.strip() for name in args.engines.split(",") if name.strip())
    unknown = [name for name in names if name not in ENGINE_NAMES]
    if unknown:
        parser.error(
            f"unknown engine(s) {', '.join(unknown)}; expected some of {', '.join(ENGINE_NAMES)}"
        )

    if NUMPY_IMPORTED_BEFORE_PINNING:
        print(
            "[bench] warning: NumPy was imported before the thread variables could be set, "
            "so its BLAS may use several threads",
            file=sys.stderr,
        )
    report = run(QUICK if args.quick else FULL, names)
    print(format_report(report))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nresults written to {args.json}")

    disagreements = [c for c in report["checks"] if c["status"] == "FAIL"]
    missed = [t for t in report["targets"] if t["status"] == "FAIL"]
    if disagreements:
        print(
            f"{len(disagreements)} check(s) failed: the engines do not compute the same thing",
            file=sys.stderr,
        )
        return 1
    if args.check and missed:
        print(f"{len(missed)} target(s) missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
