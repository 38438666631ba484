"""The ritual scheduling benchmark still runs: its smoke mode, in a real process.

Only the shape of its figures is checked, never the timings: those belong
to the machine, not to the code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {
    "jobs",
    "load_seconds",
    "startup_seconds",
    "process_startup_seconds",
    "rss_mb",
    "peak_rss_mb",
    "lag_min_seconds",
    "lag_p50_seconds",
    "lag_p99_seconds",
    "lag_max_seconds",
}


def test_the_ritual_scheduling_benchmark_prints_its_figures_as_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.rituals_schedule", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["benchmark"] == "rituals_schedule"
    assert figures["smoke"] is True
    assert figures["database"] == "sqlite"
    assert (figures["rituals"], figures["workspaces"], figures["due_together"]) == (200, 10, 50)
    assert figures["claimed"] == 50, "every ritual due at once was claimed"
    assert figures["jobs"] > figures["rituals"]  # some kinds have steps before or after
    assert all(isinstance(figures[name], int | float) for name in FIGURES)
    assert figures["lag_min_seconds"] <= figures["lag_p50_seconds"] <= figures["lag_max_seconds"]
    assert set(figures["targets"]) == {"startup_seconds", "rss_mb", "lag_p99_seconds"}
    assert isinstance(figures["meets_targets"], bool)
