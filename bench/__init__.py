"""The minigrad benchmark: every engine on the same workloads, in one process.

Run it with ``python bench/benchmark.py`` (or ``make bench``); chapter 10 runs the short
version with ``--quick`` and plots ``bench/results/latest.json``.
"""
