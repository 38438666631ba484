"""The Discord interaction benchmark still runs: its smoke mode, in real processes.

Only the shape of its figures and its bookkeeping are checked, never the
timings: those belong to the machine, not to the code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_discord_benchmark_answers_every_interaction_once_and_prints_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.discord_interactions", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["benchmark"] == "discord_interactions"
    assert figures["smoke"] is True
    assert (figures["interactions"], figures["answered"]) == (50, 50)
    assert (figures["kudos"], figures["lost"], figures["doubled"]) == (50, 0, 0)
    assert figures["refused_callbacks"] == 0  # a replayed interaction is never answered twice
    assert {"p50_ms", "p99_ms", "max_ms"} <= set(figures)
