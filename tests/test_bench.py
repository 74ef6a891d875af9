"""The benchmark (bench/): it runs, it reports every workload, and the engines it times
compute the same thing from the same weights.

Timings are never asserted: they depend on the machine and on what else it is doing. What
is asserted are facts that could be wrong: the losses and gradients the engines compute,
the chain's gradient, the structure of the JSON that chapter 10 reads, and the logic that
turns medians into PASS/FAIL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

from bench import benchmark, workloads  # noqa: E402
from bench.engines import ENGINE_NAMES, load_engines  # noqa: E402
from bench.engines.numpy_by_hand import NumpyByHandEngine, NumpyTrainer  # noqa: E402

WORKLOADS = ("per_op", "two_moons_100", "two_moons_1000", "large_mlp", "chain", "memory")
# The learner's versions of the small workloads, run by the engines with PyTorch's API only.
LEARNER_WORKLOADS = ("per_op_learner", "two_moons_100_learner", "two_moons_1000_learner")
TIMED = ("per_op", "two_moons_100", "two_moons_1000", "large_mlp", "chain")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict]:
    """``bench/benchmark.py --quick`` run as a user runs it, in its own process."""
    path = tmp_path_factory.mktemp("bench") / "quick.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "benchmark.py"), "--quick", "--json", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert path.exists(), completed.stderr
    return completed, json.loads(path.read_text())


def installed(report: dict, name: str) -> bool:
    return report["engines"][name]["status"] == "ok"


def require(report: dict, name: str) -> None:
    """Skip when an optional engine is not installed; an engine that is installed but
    fails to load is a failure, not a skip."""
    status = report["engines"][name]["status"]
    if status == "not installed":
        pytest.skip(f"{name} is not installed")
    assert status == "ok", f"{name} failed to load: {status}"


# -- the quick run, end to end ---------------------------------------------------------


def test_quick_run_succeeds_and_prints_the_table(quick_run):
    completed, report = quick_run
    # Exit status 0 means every agreement check passed (targets only count with --check).
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for heading in (
        "per-op",
        "two moons n=100",
        "MLP 784-256-128-10",
        "chain of 10,000 ops",
        "learner: per-op ((a*b + c)**2).mean() f64",
        "learner: two moons n=100, hinge, f64",
        "learner: two moons n=1000, hinge, f64",
        "learner's final loss / accuracy, n=100",
    ):
        assert heading in completed.stdout
    for section in ("ratios:", "\ntargets\n", "checks (the engines compute the same thing)"):
        assert section in completed.stdout
    assert "issue" not in completed.stdout  # targets, not the tracker's history
    assert all(check["status"] == "PASS" for check in report["checks"]), report["checks"]
    assert report["meta"]["quick"] is True
    assert report["meta"]["threads_pinned_before_numpy_import"] is True
    assert set(report["meta"]["threads"].values()) == {"1"}


def test_json_has_every_workload_and_every_engine(quick_run):
    _, report = quick_run
    assert set(report["workloads"]) == set(WORKLOADS + LEARNER_WORKLOADS)
    assert set(report["engines"]) == set(ENGINE_NAMES)
    assert installed(report, "numpy")  # the limit is always there: NumPy is required
    for key in WORKLOADS + LEARNER_WORKLOADS:
        results = report["workloads"][key]["results"]
        assert set(results) == set(ENGINE_NAMES), key
        for name, result in results.items():
            if not installed(report, name):
                assert result["status"] == report["engines"][name]["status"]
    for key in TIMED + LEARNER_WORKLOADS:
        workload = report["workloads"][key]
        assert workload["title"] and workload["unit"], key
        timed = {n: r["median_s"] for n, r in workload["results"].items() if "median_s" in r}
        assert ("numpy" in timed) == (key in TIMED), key
        for name, median in timed.items():
            samples = workload["results"][name]["samples_s"]
            assert min(samples) <= median <= max(samples)
        # ratios[a][b] is a's median over b's: a square table, reciprocal across the diagonal.
        ratios = workload["ratios"]
        assert set(ratios) == set(timed)
        for a in timed:
            assert ratios[a][a] == pytest.approx(1.0)
            for b in timed:
                assert ratios[a][b] == pytest.approx(timed[a] / timed[b])
                assert ratios[a][b] * ratios[b][a] == pytest.approx(1.0)


def test_tensor_engines_run_the_tensor_workloads_and_micrograd_the_scalar_ones(quick_run):
    _, report = quick_run
    for name in ("numpy", "torch", "minigrad"):
        if installed(report, name):
            for key in ("per_op", "two_moons_100", "two_moons_1000", "large_mlp", "chain"):
                assert report["workloads"][key]["results"][name]["status"] == "ok", (name, key)
    if installed(report, "micrograd"):
        results = {key: w["results"]["micrograd"] for key, w in report["workloads"].items()}
        assert results["per_op"]["status"] == "ok"
        assert results["two_moons_100"]["status"] == "ok"
        assert results["two_moons_1000"]["status"].startswith("not run")
        assert results["large_mlp"]["status"] == benchmark.SCALAR_ONLY
        assert results["memory"]["status"] == benchmark.SCALAR_ONLY


def test_only_minigrad_and_torch_run_the_learner_workloads(quick_run):
    # They are PyTorch programs: NumPy by hand and micrograd have no such API.
    _, report = quick_run
    for key in LEARNER_WORKLOADS:
        results = report["workloads"][key]["results"]
        for name in ("minigrad", "torch"):
            if installed(report, name):
                assert results[name]["status"] == "ok", (name, key)
        for name in ("numpy", "micrograd"):
            if installed(report, name):
                assert results[name]["status"] == benchmark.PYTORCH_ONLY, (name, key)


@pytest.mark.parametrize("n", [100, 1000])
def test_installed_tensor_engines_train_to_the_same_loss_and_accuracy(quick_run, n):
    _, report = quick_run
    results = report["workloads"][f"two_moons_{n}"]["results"]
    reference = results["numpy"]
    assert reference["steps"] == benchmark.QUICK.two_moons_steps
    assert reference["final_loss"] < reference["losses"][0]  # it did learn something
    for name in ("torch", "minigrad"):
        if not installed(report, name):
            continue
        result = results[name]
        assert result["steps"] == reference["steps"]
        assert result["final_loss"] == pytest.approx(reference["final_loss"], rel=1e-3, abs=1e-5)
        assert result["losses"] == pytest.approx(reference["losses"], rel=1e-3, abs=1e-5)
        assert result["accuracy"] == reference["accuracy"]


@pytest.mark.parametrize("n", [100, 1000])
def test_the_learner_trains_and_minigrad_and_torch_agree_in_float64(quick_run, n):
    _, report = quick_run
    workload = report["workloads"][f"two_moons_{n}_learner"]
    assert workload["n"] == n
    minigrad_result = workload["results"]["minigrad"]
    assert minigrad_result["steps"] == benchmark.QUICK.two_moons_steps
    # The hinge loss starts near 1 (every point inside the margin) and goes down.
    assert 0.9 < minigrad_result["losses"][0] < 1.0
    assert minigrad_result["final_loss"] < 0.5 * minigrad_result["losses"][0]
    assert minigrad_result["accuracy"] > 0.8
    require(report, "torch")
    torch_result = workload["results"]["torch"]
    # The same program in float64: the same losses to ~1e-16, far below float32's 1e-7.
    assert minigrad_result["losses"] == pytest.approx(torch_result["losses"], rel=1e-12, abs=1e-15)
    assert minigrad_result["accuracy"] == torch_result["accuracy"]
    checks = {c["name"]: c["status"] for c in report["checks"] if ", learner:" in c["name"]}
    assert checks[f"two moons n={n}, learner: minigrad losses match torch"] == "PASS"
    assert checks[f"two moons n={n}, learner: minigrad gradients match torch"] == "PASS"
    assert checks["per-op, learner: minigrad gradients match torch"] == "PASS"


def test_the_learner_checks_name_torch_so_chapter_10_lists_them_with_the_other_engines(
    quick_run,
):
    # Chapter 10 prints the checks without "torch" or "micrograd" in their name as minigrad
    # against NumPy by hand, in an output the notebook checker compares: the learner's
    # checks (minigrad against PyTorch) must not appear there.
    _, report = quick_run
    learner_checks = [c["name"] for c in report["checks"] if ", learner:" in c["name"]]
    assert all("torch" in name for name in learner_checks)
    if installed(report, "torch") and installed(report, "minigrad"):
        assert len(learner_checks) == 5


def test_micrograd_follows_the_same_losses_from_the_same_weights(quick_run):
    _, report = quick_run
    require(report, "micrograd")
    results = report["workloads"]["two_moons_100"]["results"]
    losses = results["micrograd"]["losses"]
    assert len(losses) == benchmark.QUICK.micrograd_steps
    assert losses == pytest.approx(results["numpy"]["losses"][: len(losses)], rel=1e-5)


def test_the_chain_gradient_is_right_and_micrograd_hits_its_recursion_limit(quick_run):
    _, report = quick_run
    chain = report["workloads"]["chain"]
    n = chain["steps"]
    assert chain["ops"] == 2 * n == 2 * benchmark.QUICK.chain_steps
    for name in ("numpy", "torch", "minigrad"):
        if installed(report, name):
            assert chain["results"][name]["gradient"] == pytest.approx(1.0001**n, rel=5e-3)
    if installed(report, "micrograd"):
        assert chain["results"]["micrograd"]["status"] == "RecursionError"


def test_the_chain_succeeds_for_minigrad(quick_run):
    _, report = quick_run
    require(report, "minigrad")
    result = report["workloads"]["chain"]["results"]["minigrad"]
    assert result["status"] == "ok"
    chain_target = next(
        t for t in report["targets"] if t["name"].startswith("chain: minigrad diff")
    )
    assert chain_target["status"] == "PASS"


def test_memory_stays_flat_for_the_tensor_engines(quick_run):
    _, report = quick_run
    memory = report["workloads"]["memory"]
    assert memory["steps"] == benchmark.QUICK.memory_steps
    for name in ("numpy", "torch", "minigrad"):
        if installed(report, name):
            result = memory["results"][name]
            assert result["peak_growth_bytes"] >= 0
            assert result["flat"], f"{name}'s memory grew by {result['peak_growth_bytes']} bytes"


# -- the pieces, in this process -------------------------------------------------------


def numerical_gradients(trainer: NumpyTrainer, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences (L(w + eps) - L(w - eps)) / 2 eps of the loss, entry by entry."""
    gradients = []
    for parameter in trainer.parameters:
        gradient = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            parameter[index] = original + eps
            loss_plus, _ = trainer.loss_and_gradients()
            parameter[index] = original - eps
            loss_minus, _ = trainer.loss_and_gradients()
            parameter[index] = original
            gradient[index] = (loss_plus - loss_minus) / (2 * eps)
        gradients.append(gradient)
    return gradients


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_numpy_by_hand_backward_matches_finite_differences(loss):
    # Small float64 problems of both kinds: the hand-written backward is the reference the
    # benchmark compares every engine with, so it is checked against the definition.
    if loss == "bce":
        X, targets = workloads.two_moons(20)
        sizes = (2, 5, 4, 1)
    else:
        X, targets = workloads.random_classification(8, 6, 3)
        sizes = (6, 5, 4, 3)
    X = X.astype(np.float64)
    targets = targets.astype(np.float64) if loss == "bce" else targets
    weights = [w.astype(np.float64) for w in workloads.init_mlp(sizes, seed=1)]
    trainer = NumpyTrainer(weights, X, targets, loss, lr=0.0)
    _, analytical = trainer.loss_and_gradients()
    for got, expected in zip(analytical, numerical_gradients(trainer)):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-8)


def load(name: str):
    engines, missing = load_engines((name,))
    if name not in engines:
        if missing[name] == "not installed":
            pytest.skip(f"{name} is not installed")
        pytest.fail(f"{name} failed to load: {missing[name]}")
    return engines[name]


@pytest.mark.parametrize(
    "name, problem",
    [
        ("minigrad", "two moons"),
        ("minigrad", "large MLP"),
        pytest.param("torch", "two moons", marks=pytest.mark.torch),
        pytest.param("torch", "large MLP", marks=pytest.mark.torch),
        ("micrograd", "two moons"),  # a scalar engine: the scalar workload only
    ],
)
def test_engine_gradients_match_the_numpy_backward_written_by_hand(name, problem):
    engine = load(name)
    if problem == "two moons":
        X, targets = workloads.two_moons(50)
        weights, loss = workloads.init_mlp(workloads.TWO_MOONS_SIZES), "bce"
    else:
        X, targets = workloads.random_classification(32, 784, 10)
        weights, loss = workloads.init_mlp(workloads.LARGE_MLP_SIZES), "ce"
    expected = NumpyByHandEngine().gradients(weights, X, targets, loss)
    got = engine.gradients(weights, X, targets, loss)
    assert len(got) == len(expected) == len(weights)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4 * float(np.max(np.abs(e))))


def test_the_shared_weights_are_not_modified_by_training():
    # Every engine starts from the same arrays; an engine updating them in place would
    # hand the next engine trained weights instead of the initial ones.
    X, y = workloads.two_moons(30)
    weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
    copies = [w.copy() for w in weights]
    trainer = NumpyByHandEngine().trainer(weights, X, y, "bce", lr=0.5)
    losses = [trainer.step() for _ in range(5)]
    assert losses[-1] < losses[0]
    for w, c in zip(weights, copies):
        np.testing.assert_array_equal(w, c)


def test_two_moons_are_seeded_balanced_and_float32():
    X, y = workloads.two_moons(101)
    X2, y2 = workloads.two_moons(101)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (101, 2) and y.shape == (101, 1)
    assert X.dtype == y.dtype == np.float32
    assert int(y.sum()) == 51  # n - n // 2 points in the lower moon
    assert set(np.unique(y)) == {0.0, 1.0}


# -- the learner's programs -------------------------------------------------------------


def hinge_loss(parameters: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """The learner's loss in plain float64 NumPy: a tanh MLP's scores s, then
    mean(max(0, 1 - y s)) with labels y in {-1, +1}."""
    h = X
    for i in range(0, len(parameters), 2):
        h = h @ parameters[i] + parameters[i + 1]
        if i < len(parameters) - 2:
            h = np.tanh(h)
    return float(np.mean(np.maximum(0.0, 1.0 - y * h)))


def hinge_gradients_by_finite_differences(weights, X, y, eps=1e-6) -> list[np.ndarray]:
    parameters = [w.astype(np.float64) for w in weights]
    X, labels = X.astype(np.float64), 2.0 * y.astype(np.float64) - 1.0
    gradients = []
    for parameter in parameters:
        gradient = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            parameter[index] = original + eps
            plus = hinge_loss(parameters, X, labels)
            parameter[index] = original - eps
            minus = hinge_loss(parameters, X, labels)
            parameter[index] = original
            gradient[index] = (plus - minus) / (2 * eps)
        gradients.append(gradient)
    return gradients


LEARNER_ENGINES = ["minigrad", pytest.param("torch", marks=pytest.mark.torch)]


@pytest.mark.parametrize("name", LEARNER_ENGINES)
def test_learner_per_op_gradients_are_the_derivative_of_the_mean_square(name):
    # d/da mean((a*b + c)^2) = 2 (a*b + c) b / 3, d/db = 2 (a*b + c) a / 3,
    # d/dc = 2 (a*b + c) / 3, in float64, after one forward+backward.
    a, b, c = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), np.array([7.0, 8.0, 9.0])
    inner = a * b + c
    expected = [2 * inner * b / 3, 2 * inner * a / 3, 2 * inner / 3]
    got = load(name).learner_per_op_gradients()
    assert len(got) == 3
    for g, e in zip(got, expected):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, e, rtol=1e-15)


@pytest.mark.parametrize("name", LEARNER_ENGINES)
def test_learner_hinge_gradients_match_finite_differences(name):
    X, y = workloads.two_moons(40)
    weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
    trainer = load(name).learner_trainer(weights, X, y, lr=0.1)
    got = trainer.gradients()
    expected = hinge_gradients_by_finite_differences(weights, X, y)
    assert trainer.loss().item() == pytest.approx(
        hinge_loss([w.astype(np.float64) for w in weights], X, 2.0 * y - 1.0), rel=1e-14
    )
    assert len(got) == len(expected) == len(weights)
    for g, e in zip(got, expected):
        assert g.shape == e.shape and g.dtype == np.float64
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", LEARNER_ENGINES)
def test_a_learner_step_subtracts_lr_times_the_gradient_and_zeroes_it(name):
    X, y = workloads.two_moons(30)
    weights = workloads.init_mlp(workloads.TWO_MOONS_SIZES)
    engine = load(name)
    gradients = engine.learner_trainer(weights, X, y, lr=0.5).gradients()
    trainer = engine.learner_trainer(weights, X, y, lr=0.5)
    trainer.step()
    for parameter, w, g in zip(trainer.parameters, weights, gradients):
        np.testing.assert_allclose(parameter.detach().numpy(), w - 0.5 * g, rtol=1e-12, atol=1e-15)
        assert not parameter.grad.numpy().any()
        assert parameter.requires_grad and parameter.grad_fn is None  # still a leaf


class WrongLearnerEngine:
    """minigrad, except that its learner trains with another learning rate: what an engine
    computing something else looks like to the learner's checks."""

    def __init__(self, engine):
        self.engine = engine
        self.scalar_only, self.pytorch_api = False, True

    def learner_per_op(self):
        return self.engine.learner_per_op()

    def learner_per_op_gradients(self):
        return [2 * g for g in self.engine.learner_per_op_gradients()]

    def learner_trainer(self, weights, X, y, lr):
        return self.engine.learner_trainer(weights, X, y, lr * 1.01)


def test_the_learner_checks_compare_with_torch_and_see_a_disagreement():
    # minigrad stands in for PyTorch here, so that this runs without PyTorch installed.
    settings = benchmark.dataclasses.replace(
        benchmark.QUICK, repeats=1, min_sample_seconds=0.0, two_moons_steps=10, two_moons_chunks=2
    )
    minigrad_engine = load("minigrad")
    engines = {
        "minigrad": minigrad_engine,
        "torch": minigrad_engine,
        "wrong": WrongLearnerEngine(minigrad_engine),
    }
    bench = benchmark.Benchmark(engines, {"numpy": "not installed"}, settings)
    per_op = bench.per_op_learner()
    two_moons = bench.two_moons_learner(50)
    assert set(per_op["results"]) == set(two_moons["results"]) == set(engines) | {"numpy"}
    assert two_moons["results"]["numpy"]["status"] == "not installed"
    assert two_moons["results"]["minigrad"]["steps"] == 10
    status = {check["name"]: check["status"] for check in bench.checks}
    assert status == {
        "per-op, learner: minigrad gradients match torch": "PASS",
        "per-op, learner: wrong gradients match torch": "FAIL",
        "two moons n=50, learner: minigrad losses match torch": "PASS",
        "two moons n=50, learner: wrong losses match torch": "FAIL",
        "two moons n=50, learner: minigrad gradients match torch": "PASS",
        # The gradients of the first step do not depend on the learning rate.
        "two moons n=50, learner: wrong gradients match torch": "PASS",
    }


class LeakyEngine(NumpyByHandEngine):
    """NumPy by hand, plus 256 kB kept alive per step: what an engine that never frees its
    graphs looks like to the memory check."""

    def trainer(self, weights, X, targets, loss, lr):
        trainer = super().trainer(weights, X, targets, loss, lr)
        kept: list[np.ndarray] = []
        step = trainer.step

        def leaky_step() -> float:
            kept.append(np.ones(64 * 1024, dtype=np.float32))  # written, so it is resident
            return step()

        trainer.step = leaky_step
        return trainer


def test_the_memory_check_sees_a_leak_and_passes_a_flat_engine():
    if benchmark.timing.resident_bytes() is None:
        pytest.skip("/proc/self/statm is not available on this system")
    settings = benchmark.dataclasses.replace(
        benchmark.QUICK, memory_steps=60, memory_first_sample=10
    )
    engines = {"numpy": NumpyByHandEngine(), "minigrad": LeakyEngine()}
    result = benchmark.Benchmark(engines, {}, settings).memory()["results"]
    # 50 steps x 256 kB = 12.5 MiB kept (the allocator may first reuse pages that are
    # already resident, so the measured growth can be smaller), far above 2 MiB.
    assert result["minigrad"]["peak_growth_bytes"] > benchmark.MEMORY_GROWTH_LIMIT_BYTES
    assert result["minigrad"]["flat"] is False
    assert result["numpy"]["flat"] is True


def synthetic_workloads(minigrad: dict, torch: dict, numpy: dict, memory_growth: int) -> dict:
    """Workload results as ``run`` returns them, with chosen medians (None: not installed)."""

    def result(median):
        return (
            {"status": "not installed"} if median is None else {"status": "ok", "median_s": median}
        )

    workloads_ = {}
    for key in TIMED + LEARNER_WORKLOADS:
        workloads_[key] = {
            "results": {
                "minigrad": result(minigrad.get(key)),
                "torch": result(torch.get(key)),
                "numpy": result(numpy.get(key)),
            }
        }
    workloads_["memory"] = {
        "steps": 1000,
        "limit_bytes": benchmark.MEMORY_GROWTH_LIMIT_BYTES,
        "results": {
            "minigrad": {
                "status": "ok",
                "peak_growth_bytes": memory_growth,
                "flat": memory_growth < benchmark.MEMORY_GROWTH_LIMIT_BYTES,
            }
        },
    }
    return workloads_


def test_targets_compare_the_right_engines_with_the_right_limits():
    keys = TIMED + LEARNER_WORKLOADS
    # minigrad at 1.12x torch and 1.12x numpy on everything: per-op, n=100 and the chain
    # (limit 1.0) and the learner's workloads (1.1) fail; n=1000 (1.2) and the MLP (1.15) pass.
    targets = benchmark.evaluate_targets(
        synthetic_workloads(
            minigrad={k: 1.12 for k in keys},
            torch={k: 1.0 for k in keys},
            numpy={k: 1.0 for k in keys},
            memory_growth=0,
        )
    )
    status = {t["name"].split(":")[0]: t["status"] for t in targets if "<=" in t["name"]}
    assert status == {
        "per-op": "FAIL",
        "two moons n=100": "FAIL",
        "two moons n=1000": "PASS",
        "MLP 784-256-128-10": "PASS",
        "chain": "FAIL",
        "per-op, learner": "FAIL",
        "two moons n=100, learner": "FAIL",
        "two moons n=1000, learner": "FAIL",
    }
    ratios = [t["ratio"] for t in targets if t["ratio"] is not None]
    assert ratios == pytest.approx([1.12] * 8)
    by_name = {t["name"]: t for t in targets}
    assert by_name["chain: minigrad differentiates it"]["status"] == "PASS"
    memory = next(t for t in targets if t["name"].startswith("memory"))
    assert memory["status"] == "PASS"


def test_the_learner_targets_are_1_1x_torch():
    # Within the limit passes, past it fails, and the ratio is against PyTorch, not NumPy.
    keys = TIMED + LEARNER_WORKLOADS
    for ratio, expected in ((1.09, "PASS"), (1.11, "FAIL")):
        targets = benchmark.evaluate_targets(
            synthetic_workloads(
                minigrad={k: ratio for k in keys},
                torch={k: 1.0 for k in keys},
                numpy={k: 100.0 for k in keys},
                memory_growth=0,
            )
        )
        learner = [t for t in targets if ", learner:" in t["name"]]
        assert [t["name"] for t in learner] == [
            "per-op, learner: minigrad <= 1.10x torch",
            "two moons n=100, learner: minigrad <= 1.10x torch",
            "two moons n=1000, learner: minigrad <= 1.10x torch",
        ]
        assert [t["status"] for t in learner] == [expected] * 3
        assert [t["limit"] for t in learner] == [1.1] * 3
        assert [t["ratio"] for t in learner] == pytest.approx([ratio] * 3)


def test_targets_skip_without_torch_and_fail_without_minigrad():
    keys = TIMED + LEARNER_WORKLOADS
    no_torch = benchmark.evaluate_targets(
        synthetic_workloads(
            minigrad={k: 1.0 for k in keys},
            torch={},
            numpy={k: 2.0 for k in keys},
            memory_growth=3 * 2**20,
        )
    )
    versus_torch = [t for t in no_torch if t["name"].endswith("torch")]
    assert len(versus_torch) == 7 and all(t["status"] == "SKIP" for t in versus_torch)
    assert next(t for t in no_torch if "numpy" in t["name"])["status"] == "PASS"
    assert next(t for t in no_torch if t["name"].startswith("memory"))["status"] == "FAIL"

    no_minigrad = benchmark.evaluate_targets(
        synthetic_workloads(
            minigrad={}, torch={k: 1.0 for k in keys}, numpy={k: 1.0 for k in keys}, memory_growth=0
        )
    )
    assert all(t["status"] == "FAIL" for t in no_minigrad[:-1])


def fake_report(target_status: str, check_status: str) -> dict:
    return {
        "meta": {"quick": True},
        "engines": {"numpy": {"status": "ok", "version": np.__version__}},
        "workloads": {},
        "targets": [
            {"name": "per-op: minigrad <= 1.00x torch", "status": target_status, "detail": ""}
        ],
        "checks": [{"name": "losses agree", "status": check_status, "detail": ""}],
    }


@pytest.mark.parametrize(
    "target_status, check_status, flags, exit_status",
    [
        ("PASS", "PASS", ["--check"], 0),
        ("FAIL", "PASS", [], 0),  # a missed target only fails the run with --check
        ("FAIL", "PASS", ["--check"], 1),
        ("SKIP", "PASS", ["--check"], 0),  # PyTorch not installed is not a failure
        ("PASS", "FAIL", [], 1),  # engines that disagree always fail the run
    ],
)
def test_exit_status(monkeypatch, tmp_path, target_status, check_status, flags, exit_status):
    monkeypatch.setattr(
        benchmark, "run", lambda settings, names: fake_report(target_status, check_status)
    )
    monkeypatch.setattr(benchmark, "format_report", lambda report: "table")
    path = tmp_path / "out.json"
    assert benchmark.main(["--quick", "--json", str(path), *flags]) == exit_status
    assert json.loads(path.read_text())["targets"][0]["status"] == target_status


def test_unknown_engines_are_refused():
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--engines", "numpy,tensorflow"])
    assert exit_info.value.code == 2


def test_format_seconds_picks_a_readable_unit():
    assert benchmark.format_seconds(2.5) == "2.5 s"
    assert benchmark.format_seconds(0.0123) == "12.3 ms"
    assert benchmark.format_seconds(4.56e-6) == "4.56 µs"
    assert benchmark.format_seconds(7e-8) == "70 ns"
