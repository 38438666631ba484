"""Question banks: shipped in two languages, never repeated until used up."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.rituals.banks import BANKS, choose, shipped
from bot.rituals.records import Question


def bank(size: int) -> list[Question]:
    return [Question(f"q{n}", {"en": f"Question {n}?"}) for n in range(size)]


def test_every_shipped_question_is_in_english_and_french_once() -> None:
    for name in BANKS:
        questions = shipped(name)
        assert len(questions) >= 10
        assert len({q.key for q in questions}) == len(questions)
        for question in questions:
            assert set(question.texts) == {"en", "fr"}
            assert question.text("fr") != question.text("en")
            assert question.text("de") == question.text("en")


@given(size=st.integers(1, 40), rounds=st.integers(1, 4), seed=st.integers(0, 2**32))
def test_no_question_comes_back_before_the_bank_is_used_up(
    size: int, rounds: int, seed: int
) -> None:
    questions = bank(size)
    rng = random.Random(seed)
    asked: set[str] = set()
    drawn: list[str] = []
    for _ in range(size * rounds):
        chosen, fresh_cycle = choose(questions, asked, rng)
        if fresh_cycle:
            asked.clear()
        asked |= {q.key for q in chosen}
        drawn += [q.key for q in chosen]
    for start in range(0, len(drawn), size):
        cycle = drawn[start : start + size]
        assert sorted(cycle) == sorted(q.key for q in questions)


@given(size=st.integers(3, 30), count=st.integers(1, 3), seed=st.integers(0, 2**32))
def test_several_questions_at_once_are_different_and_fresh_while_any_are_left(
    size: int, count: int, seed: int
) -> None:
    questions = bank(size)
    rng = random.Random(seed)
    asked = {q.key for q in questions[: size // 2]}
    chosen, fresh_cycle = choose(questions, asked, rng, count=count)
    keys = [q.key for q in chosen]
    assert len(keys) == len(set(keys)) == min(count, size)
    left = size - len(asked)
    assert fresh_cycle is (count > left)
    assert all(k not in asked for k in keys[:left])


def test_questions_added_by_admins_join_the_current_cycle() -> None:
    questions = bank(3)
    asked = {"q0", "q1", "q2"}
    added = [*questions, Question("c1", {"": "Cats or dogs?"})]

    chosen, fresh_cycle = choose(added, asked, random.Random(1))

    assert [q.key for q in chosen] == ["c1"]
    assert fresh_cycle is False
    assert chosen[0].text("fr") == "Cats or dogs?"
