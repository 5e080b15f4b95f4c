"""包点: what a supervisor watches on their own streets (hotline.core.models.StreetAssignment).

The supervisor's page lives in dispatch, but some of what it shows belongs to a higher floor (批示 are
assessment's). So each app registers the figures it counts per street, in its AppConfig.ready, and the
page reads them from here: no floor imports one above it, and a new mechanism adds a column by
registering one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet


@dataclass(frozen=True)
class StreetFigure:
    key: str
    label: str
    # {street id: how many} for the given streets at `now` (one query for all of them: street_counts)
    count: Callable[[Sequence, dt.datetime], dict[int, int]]
    # The page that lists what the number counts, for one street (drill-down), or None.
    link: Callable[[object], str] | None = None
    alarm: bool = True  # a number above zero is shown in red


_FIGURES: dict[str, StreetFigure] = {}


def register(*figures_: StreetFigure) -> None:
    for figure in figures_:
        _FIGURES[figure.key] = figure


def figures() -> list[StreetFigure]:
    """The registered figures, in the order the apps registered them (the floors' order)."""
    return list(_FIGURES.values())


def street_counts(rows: QuerySet, streets: Sequence, *, unit_field: str = "unit") -> dict[int, int]:
    """{street id: rows whose unit lies in that street's subtree}: one query with one filtered count
    per street (a supervisor has a handful of streets)."""
    if not streets:
        return {}
    path = f"{unit_field}__path__startswith"
    area = Q()
    for street in streets:
        area |= Q(**{path: street.path})
    totals = rows.filter(area).aggregate(
        **{f"s{street.pk}": Count("pk", filter=Q(**{path: street.path})) for street in streets}
    )
    return {street.pk: totals[f"s{street.pk}"] for street in streets}


@dataclass(frozen=True)
class Cell:
    figure: StreetFigure
    n: int
    url: str


def board(streets: Sequence, now: dt.datetime) -> list[dict]:
    """One row per street: the street, its figures in registration order, and how many alarms it has
    (the streets that need the supervisor today come first)."""
    figures_ = figures()
    counted = {figure.key: figure.count(streets, now) for figure in figures_}
    rows = []
    for street in streets:
        cells = [
            Cell(figure, counted[figure.key].get(street.pk, 0), figure.link(street) if figure.link else "")
            for figure in figures_
        ]
        alarms = sum(cell.n for cell in cells if cell.figure.alarm)
        rows.append({"street": street, "cells": cells, "alarms": alarms})
    rows.sort(key=lambda row: (-row["alarms"], row["street"].path))
    return rows
