"""Timing and memory sampling, the same way for every engine.

Times are wall-clock (``time.perf_counter``) medians of repeated samples taken after a
warm-up: the median ignores the odd sample that the operating system interrupted, and
interleaving the engines sample by sample (A, B, C, A, B, C, ...) spreads any slow
period of the machine over all of them, so that their ratios stay fair.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from typing import Callable


def time_calls(function: Callable[[], object], number: int) -> float:
    """Seconds per call of ``function``, averaged over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def calls_per_sample(function: Callable[[], object], min_seconds: float) -> int:
    """How many calls make one sample last at least ``min_seconds`` (timer resolution and
    the loop itself then cost a negligible fraction of a sample)."""
    number = 1
    while True:
        elapsed = time_calls(function, number) * number
        if elapsed >= min_seconds:
            return number
        # Aim a little past the target from the rate just measured, at most 10x more.
        number = max(
            number + 1, min(10 * number, int(1.2 * number * min_seconds / max(elapsed, 1e-9)))
        )


def interleaved_samples(
    functions: dict[str, Callable[[], object]],
    repeats: int,
    min_seconds: float,
    warmup_calls: int,
) -> dict[str, list[float]]:
    """``repeats`` samples (seconds per call) of every function, taken in turn.

    Garbage is collected before each sample, not during it, so that one engine does not
    pay for the cycles another one left behind; the collector stays on while timing,
    because an engine whose graphs need it pays that cost in real use too.
    """
    numbers = {}
    for name, function in functions.items():
        for _ in range(warmup_calls):
            function()
        numbers[name] = calls_per_sample(function, min_seconds)
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            gc.collect()
            samples[name].append(time_calls(function, numbers[name]))
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def resident_bytes() -> int | None:
    """The process's resident set size now, from /proc/self/statm (Linux); None elsewhere.

    The second field of statm is the number of resident pages. Unlike ``ru_maxrss``, this
    can go down as well as up, so sampling it shows whether memory keeps growing.
    """
    try:
        with open("/proc/self/statm") as statm:
            resident_pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")
