"""What a unit did beyond answering its orders, as the monthly assessment counts it (主动治理: a verified
未诉先办 action, a governance topic evaluated by its measured effect).

Those records are governance's and the scoring is assessment's, and the two apps stand on the same floor:
neither imports the other. So governance registers here, in its AppConfig.ready, a source of credits per
kind; the freeze (assessment.scoring) asks every source for the month's credits and applies the points
its scheme gives each kind, capped. A new mechanism earns points by registering a source and a scheme
field, not by being imported by the scoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    kind: str  # the registered source's kind (the scheme names its points by it)
    unit_id: int  # who earns it
    ref: int  # the record's id in its own app
    title: str
    at: dt.datetime  # when it became creditable (verified, evaluated): the month it counts in
    url: str = ""  # the record's page (the scorecard links each credit)
    # A measured figure the scheme may ask for (a topic's relative change of demands: -0.4 = 40 % fewer).
    change: float | None = None


# (start, end, unit ids or None for all) -> the credits that became creditable in [start, end)
Source = Callable[[dt.datetime, dt.datetime, Sequence[int] | None], Iterable[Credit]]

_SOURCES: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    _SOURCES[kind] = source


def kinds() -> list[str]:
    return list(_SOURCES)


def credits(start: dt.datetime, end: dt.datetime, unit_ids: Sequence[int] | None = None) -> list[Credit]:
    """Every registered source's credits in [start, end), oldest first."""
    found: list[Credit] = []
    for source in _SOURCES.values():
        found.extend(source(start, end, unit_ids))
    found.sort(key=lambda c: (c.at, c.kind, c.ref))
    return found
