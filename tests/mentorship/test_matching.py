"""Who meets whom in a peer pairing round: everyone once, pairs, and few repeats."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from bot.mentorship.matching import Round, last_met, match

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@given(
    size=st.integers(min_value=0, max_value=41),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    rounds=st.integers(min_value=0, max_value=4),
)
def test_everyone_is_in_exactly_one_group_of_two_or_one_group_of_three(
    size: int, seed: int, rounds: int
) -> None:
    people = [f"u{n}" for n in range(size)]
    history: list[Round] = []
    for n in range(rounds):
        groups = match(people, history, random.Random(seed + n))
        history.insert(0, Round(n, T0 + timedelta(weeks=n), tuple(groups)))
    groups = match(people, history, random.Random(seed))
    placed = [user for group in groups for user in group]
    if size < 2:
        assert groups == []
        return
    assert sorted(placed) == sorted(people)
    assert all(len(g) in (2, 3) for g in groups)
    assert sum(1 for g in groups if len(g) == 3) == size % 2


def test_ten_people_meet_someone_new_each_round_for_five_rounds() -> None:
    people = [f"u{n}" for n in range(10)]
    history: list[Round] = []
    met: set[frozenset[str]] = set()
    rng = random.Random(7)
    for n in range(5):
        groups = match(people, history, rng)
        pairs = {frozenset(g) for g in groups}
        assert not pairs & met, f"round {n} repeated a pair"
        met |= pairs
        history.insert(0, Round(n, T0 + timedelta(weeks=2 * n), tuple(groups)))


def test_with_four_people_the_last_round_is_never_repeated() -> None:
    people = ["a", "b", "c", "d"]
    last = Round(1, T0, (("a", "b"), ("c", "d")))
    for seed in range(20):
        groups = match(people, [last], random.Random(seed))
        assert {frozenset(g) for g in groups}.isdisjoint({frozenset("ab"), frozenset("cd")})


def test_the_same_seed_gives_the_same_round() -> None:
    people = [f"u{n}" for n in range(9)]
    assert match(people, [], random.Random(3)) == match(people, [], random.Random(3))


def test_last_met_counts_rounds_from_the_newest() -> None:
    rounds = [Round(2, T0, (("a", "b", "c"),)), Round(1, T0, (("a", "b"),))]
    ago = last_met(rounds)
    assert ago[frozenset("ab")] == 0
    assert ago[frozenset("bc")] == 0
    assert {frozenset(p) for p in combinations("abc", 2)} == set(ago)
