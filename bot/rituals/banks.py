"""Question banks: shipped in English and French, extended by admins, never repeated.

A bank's questions are asked in a random order, each once, before any is
asked again: the store remembers which were asked since the bank was last
used up. Questions admins add join the bank at once (and the current cycle).
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Collection, Sequence
from pathlib import Path

from bot.rituals.records import Question

QUESTIONS = Path(__file__).parent / "questions"
WATERCOOLER = "watercooler"
SPOTLIGHT = "spotlight"
BANKS = (WATERCOOLER, SPOTLIGHT)


@functools.cache
def shipped(bank: str) -> tuple[Question, ...]:
    """The questions Hearth ships for a bank (`questions/<bank>.json`)."""
    entries = json.loads((QUESTIONS / f"{bank}.json").read_text(encoding="utf-8"))
    return tuple(
        Question(entry["key"], {k: v for k, v in entry.items() if k != "key"}) for entry in entries
    )


def custom_key(question_id: int) -> str:
    return f"c{question_id}"


def choose(
    questions: Sequence[Question], asked: Collection[str], rng: random.Random, *, count: int = 1
) -> tuple[list[Question], bool]:
    """`count` questions not asked yet, and whether the bank was used up on the way.

    When fewer than `count` are left, the rest come from a fresh cycle: the
    caller then forgets what was asked before (`fresh_cycle`).
    """
    pool = [q for q in questions if q.key not in asked]
    picked: list[Question] = []
    fresh_cycle = False
    while len(picked) < count:
        if not pool:
            taken = {q.key for q in picked}
            pool = [q for q in questions if q.key not in taken]
            if not pool or fresh_cycle:
                break
            fresh_cycle = True
        choice = rng.choice(pool)
        pool.remove(choice)
        picked.append(choice)
    return picked, fresh_cycle
