"""Kudos as CSV or JSON lines: one row per recipient, reversed kudos left out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC

from bot.kudos.domain import Kudos

FIELDS = (
    "platform",
    "workspace",
    "giver",
    "receiver",
    "reason",
    "values",
    "badge",
    "channel",
    "given_at",
)


def _row(kudos: Kudos) -> dict[str, str]:
    return {
        "platform": kudos.workspace.platform.value,
        "workspace": kudos.workspace.workspace_id,
        "giver": kudos.giver,
        "receiver": kudos.receiver,
        "reason": "" if kudos.private else kudos.reason,  # private words stay private
        "values": " ".join(f"#{v}" for v in kudos.values),
        "badge": kudos.badge or "",
        "channel": kudos.channel or "",
        "given_at": kudos.given_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }


def rows(kudos: Iterable[Kudos]) -> list[dict[str, str]]:
    return [_row(k) for k in kudos if k.reversed_at is None]


def _inert(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def as_csv(kudos: Iterable[Kudos]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _inert(v) for k, v in row.items()} for row in rows(kudos))
    return out.getvalue()


def as_jsonl(kudos: Iterable[Kudos]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows(kudos))
