"""Processes the benchmarks start: `hearth run` and its baselines, on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(arguments: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`python ARGUMENTS` with `env` over this process's environment."""
    return subprocess.Popen(
        [sys.executable, *arguments], env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
