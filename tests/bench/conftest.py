"""Benchmark plumbing: record figures, merge them into bench-results.json, print them.

bench-results.json (at the repository root) is one flat object, figure name →
number. Each figure is merged into the file as soon as it is measured, so modules
that measure different things add up, and a module run on its own keeps the others'
last figures. The figures of this run are printed as a table at the end.
"""

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

RESULTS_FILE = Path(__file__).resolve().parents[2] / "bench-results.json"

_figures = pytest.StashKey[dict[str, float]]()


def read_results() -> dict[str, float]:
    try:
        return json.loads(RESULTS_FILE.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_results(figures: dict[str, float]) -> None:
    results = {**read_results(), **figures}
    temporary = RESULTS_FILE.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(
        json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    temporary.replace(RESULTS_FILE)


@pytest.fixture
def record_figures(request) -> Callable[..., None]:
    """``record_figures(home_p50_ms=12.3, ...)``: keep for the table, merge into
    bench-results.json."""
    config = request.config

    def record(**figures: float) -> None:
        figures = {
            name: value if isinstance(value, int) else round(float(value), 3)
            for name, value in figures.items()
        }
        config.stash.setdefault(_figures, {}).update(figures)
        write_results(figures)

    return record


def medians_ms(
    calls: dict[str, Callable[[], object]], *, runs: int = 50, warmup: int = 10
) -> dict[str, float]:
    """Median wall-clock milliseconds of each call, after ``warmup`` rounds.

    The calls take turns, so that a slow moment of the machine hits all of them
    alike and their ratio stays meaningful.
    """
    for _ in range(warmup):
        for call in calls.values():
            call()
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def pytest_terminal_summary(terminalreporter, config) -> None:
    figures = config.stash.get(_figures, {})
    if not figures:
        return
    width = max(len(name) for name in figures)
    terminalreporter.section("benchmarks")
    for name, value in sorted(figures.items()):
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.3f}"
        terminalreporter.write_line(f"{name:<{width}}  {shown:>12}")
    terminalreporter.write_line(f"written to {RESULTS_FILE}")
