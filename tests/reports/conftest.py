import random

import pytest

from tests.reports.test_build import CATEGORIES, CHANNELS, DAY, STREETS, TYPES, demand


@pytest.fixture
def city(reference):
    """Demands over the report day, the day before, the week before and the days around them, in two
    districts, across channels, types and categories; one that could not be located."""
    import datetime as dt

    rng = random.Random(20261118)
    random.seed(7)
    for offset in (0, 1, 2, 3, 4, 5, 6, 7, 9):
        day = DAY - dt.timedelta(days=offset)
        for i in range(rng.randint(4, 9)):
            demand(
                day,
                street=rng.choice(STREETS),
                category=rng.choice(CATEGORIES),
                channel=rng.choice(CHANNELS),
                demand_type=rng.choice(TYPES),
                hour=8 + i,
            )
    demand(DAY, street=None, address="", hour=23)  # not located: the city counts it, no district does
