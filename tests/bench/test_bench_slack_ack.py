"""The Slack acknowledgement benchmark still runs: its smoke mode, in real processes."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_slack_ack_benchmark_loses_and_doubles_nothing_and_prints_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.slack_ack", "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert (figures["events"], figures["lost"], figures["doubled"]) == (200, 0, 0)
    assert figures["hearth"]["non_200"] == 0
    assert {"p50_ms", "p99_ms"} <= set(figures["hearth"]) & set(figures["bare_bolt"])
