"""Who mentors a newcomer: the load spreads evenly and nobody passes the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.mentorship.domain import Pairing, choose_mentor

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def pairing(newcomer: str, mentor: str, day: int, *, ended: bool = False) -> Pairing:
    start = T0 + timedelta(days=day)
    return Pairing(newcomer, mentor, start, start + timedelta(days=90) if ended else None)


def test_the_volunteer_with_the_fewest_mentees_is_chosen() -> None:
    pairings = [pairing("n1", "kai", 0), pairing("n2", "kai", 1), pairing("n3", "zoe", 2)]
    assert choose_mentor(["kai", "zoe", "ana"], pairings, newcomer="n4", limit=3) == "ana"
    assert choose_mentor(["kai", "zoe"], pairings, newcomer="n4", limit=3) == "zoe"


def test_among_equals_the_one_who_waited_longest_since_a_newcomer_is_chosen() -> None:
    pairings = [pairing("n1", "kai", 5, ended=True), pairing("n2", "zoe", 1, ended=True)]
    assert choose_mentor(["kai", "zoe"], pairings, newcomer="n3", limit=3) == "zoe"
    assert choose_mentor(["zoe", "bob"], pairings, newcomer="n3", limit=3) == "bob"


def test_nobody_past_the_limit_and_never_the_newcomer_themselves() -> None:
    pairings = [pairing("n1", "kai", 0), pairing("n2", "kai", 1)]
    assert choose_mentor(["kai"], pairings, newcomer="n3", limit=2) is None
    assert choose_mentor(["n3"], [], newcomer="n3", limit=2) is None


@given(
    volunteers=st.lists(st.sampled_from("abcdefg"), unique=True, min_size=1),
    newcomers=st.integers(min_value=1, max_value=30),
    limit=st.integers(min_value=1, max_value=4),
)
def test_pairing_newcomers_one_by_one_never_exceeds_the_limit_and_stays_balanced(
    volunteers: list[str], newcomers: int, limit: int
) -> None:
    pairings: list[Pairing] = []
    for n in range(newcomers):
        mentor = choose_mentor(volunteers, pairings, newcomer=f"n{n}", limit=limit)
        if mentor is None:
            assert len(pairings) == len(volunteers) * limit, "refused while someone was free"
            continue
        pairings.append(pairing(f"n{n}", mentor, n))
    loads = [sum(1 for p in pairings if p.mentor == v) for v in volunteers]
    assert max(loads) <= limit
    assert max(loads) - min(loads) <= 1
