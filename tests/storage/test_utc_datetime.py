from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from storage.base import UtcDateTime

DIALECTS = [sqlite.dialect(), postgresql.dialect()]
zones = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones
)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@given(instant=instants)
def test_any_aware_time_comes_back_as_the_same_instant_in_utc(
    dialect: Dialect, instant: datetime
) -> None:
    column = UtcDateTime()

    back = column.process_result_value(column.process_bind_param(instant, dialect), dialect)

    assert back == instant
    assert back is not None
    assert back.tzinfo is UTC


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_a_time_without_a_zone_is_refused_before_it_reaches_the_database(
    dialect: Dialect,
) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UtcDateTime().process_bind_param(datetime(2025, 1, 1, 9, 0), dialect)


def test_sqlite_stores_utc_without_a_zone_so_stored_times_sort_as_text() -> None:
    paris = timezone(timedelta(hours=1))

    stored = UtcDateTime().process_bind_param(
        datetime(2025, 1, 1, 10, tzinfo=paris), sqlite.dialect()
    )

    assert stored == datetime(2025, 1, 1, 9, 0)
