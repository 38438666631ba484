"""The throughput benchmark still runs: its smoke mode, in a real process."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_kudos_throughput_benchmark_prints_its_figures_as_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.kudos_throughput", "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["kudos"] == 300
    assert {"kudos_per_second", "sqlite3_rows_per_second", "meets_target"} <= set(figures)
