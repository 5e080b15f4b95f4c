"""The keys of the work order's API answer that the apps above dispatch add, as a registry they fill from
their `AppConfig.ready()` (feedback: `reply`, `evaluation`). Each part is the latest row of one of the
app's models for the order, as a JSON object; it is read in the order's own query, both where the
answer is built from one SQL statement (detail.py) and where the serializer builds it, from one
description, so the two cannot drift apart."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class DetailPart:
    """`name` in the answer: the latest row (by `order_by`) of `model` for the order, among those whose
    boolean columns `only_true` are set, as {field: value} of `fields`; null when there is none. The
    model has a foreign key `order` to the work order. `schema` documents it in the OpenAPI schema."""

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    order_by: tuple[str, ...]
    only_true: tuple[str, ...] = ()
    schema: object = None

    def annotation(self) -> Subquery:
        rows = self.model._default_manager.filter(order=OuterRef("pk"), **{f: True for f in self.only_true})
        answer = JSONObject(**{f: f for f in self.fields})
        return Subquery(rows.order_by(*self.order_by).values(answer=answer)[:1], output_field=JSONField())

    def sql(self, order_alias: str) -> str:
        """The part as one SQL expression over the order's table alias (jsonb, as Django's JSONObject
        builds it on PostgreSQL: the keys then come in the same order)."""
        columns = ", ".join(f"'{f}', p.{self._column(f)}" for f in self.fields)
        where = "".join(f" AND p.{self._column(f)}" for f in self.only_true)
        order = ", ".join(
            f"p.{self._column(f.lstrip('-'))}{' DESC' if f.startswith('-') else ''}" for f in self.order_by
        )
        return (
            f"(SELECT jsonb_build_object({columns}) FROM {self.model._meta.db_table} p "
            f"WHERE p.order_id = {order_alias}.id{where} ORDER BY {order} LIMIT 1)"
        )

    def _column(self, name: str) -> str:
        return self.model._meta.get_field(name).column

    def load(self, value) -> dict | None:
        """JSON gives moments as text and flags as JSON booleans: moments back to aware datetimes."""
        if value is None:
            return None
        if isinstance(value, str):  # jsonb through a raw cursor arrives as text
            value = json.loads(value)
        for name in self.fields:
            field = self.model._meta.get_field(name)
            if isinstance(field, models.DateTimeField) and value.get(name) is not None:
                moment = parse_datetime(value[name].replace(" ", "T"))
                value[name] = moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)
        return value

    def read(self, order) -> dict | None:
        """The part of one order: from its annotation when the order was read with it, else one query."""
        attribute = f"part_{self.name}"
        if hasattr(order, attribute):
            return self.load(getattr(order, attribute))
        row = (
            self.model._default_manager.filter(order=order, **{f: True for f in self.only_true})
            .order_by(*self.order_by)
            .values(*self.fields)
            .first()
        )
        return row


PARTS: dict[str, DetailPart] = {}


def register(*parts: DetailPart) -> None:
    for part in parts:
        PARTS[part.name] = part


def registered() -> Iterable[DetailPart]:
    return PARTS.values()


def with_parts(orders):
    """The registered parts as annotations of the orders' own query (no query per part)."""
    return orders.annotate(**{f"part_{p.name}": p.annotation() for p in PARTS.values()})
