"""The leaderboard benchmark still runs: its smoke mode, in a real process.

Only the shape of its figures is checked, never the timings: those belong
to the machine, not to the code. The PostgreSQL run needs
HEARTH_TEST_POSTGRES_URL (a server; the benchmark creates and drops a
database of its own there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = "HEARTH_TEST_POSTGRES_URL"
KEYS = {
    "benchmark",
    "smoke",
    "database",
    "rows",
    "members",
    "load_seconds",
    "results",
    "target_p95_ms",
    "meets_target",
    "verified",
}
QUERIES = {"board_month", "board_all", "rank_month"}
PERCENTILES = {"p50_ms", "p95_ms", "p99_ms", "max_ms"}


def smoke(*options: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.kudos_board", "--smoke", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert isinstance(figures, dict)
    return figures


def assert_shape(figures: dict[str, Any], *, phases: set[str]) -> None:
    assert set(figures) >= KEYS
    assert figures["benchmark"] == "kudos_board"
    assert figures["smoke"] is True
    assert figures["rows"] == {"A": 5_000, "B": 1_000}
    assert figures["members"] == {"A": 200, "B": 50}
    assert figures["target_p95_ms"] == 50
    assert isinstance(figures["meets_target"], bool)
    assert figures["verified"] is True
    assert set(figures["results"]) == phases
    for by_workspace in figures["results"].values():
        assert set(by_workspace) == {"A", "B"}
        for by_query in by_workspace.values():
            assert set(by_query) == QUERIES
            for measured in by_query.values():
                assert set(measured) == PERCENTILES


def test_the_leaderboard_benchmark_prints_its_figures_as_json_on_sqlite() -> None:
    figures = smoke()
    assert figures["database"] == "sqlite"
    assert_shape(figures, phases={"before_analyze", "after_analyze"})


@pytest.mark.postgres
def test_the_leaderboard_benchmark_prints_its_figures_as_json_on_postgres() -> None:
    server = os.environ.get(POSTGRES_URL)
    if not server:
        pytest.skip(f"set {POSTGRES_URL} to run the leaderboard benchmark on PostgreSQL")
    figures = smoke("--postgres", server)
    assert figures["database"] == "postgresql"
    assert_shape(figures, phases={"after_analyze"})
