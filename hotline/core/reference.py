"""Reference data read on every intake and dispatch, kept in memory per process.

Routing a demand reads the matter category and its ancestors, the street and its district, the
active dispatch catalogue (派单目录) and its rules, the time-limit policies and the working-day
calendar: about ten queries of data that change a few times a year. `reference()` returns one
immutable snapshot of all of them (core's units, categories and calendar; what the apps above add
through `register()` from their AppConfig.ready(), e.g. dispatch's catalogue and policies), loaded once per process and reloaded when the database's
`ReferenceStamp` differs from the one it was loaded under.

The stamp is a random value written in the same transaction as the change (signals on every save and
delete of those models; `reference_changed()` after bulk writes), so a change is seen by every
process at its next check, a rolled-back change is never taken for current, and a transaction that
changed reference data reads its own change. Within one HTTP request the stamp is checked once per
transaction (and savepoint); outside requests (tasks, commands, tests) at every call. Code that
writes watched tables without signals (bulk_create, update) calls `reference_changed()` before it
reads `reference()` again."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save

from .choices import UnitLevel
from .workdays import WorkCalendar

WATCHED = ["core.Unit", "core.Category", "core.CalendarDay", "core.CalendarYear"]
# name -> loader(units, categories) -> value: the parts the apps above core add to the snapshot.
LOADERS: dict[str, Callable[[dict, dict], object]] = {}


def register(name: str, loader: Callable[[dict, dict], object], *, watched: tuple[str, ...] = ()) -> None:
    """Add `reference().<name>`: `loader(units, categories)` builds it (with the snapshot's shared units and
    categories) at every reload; a save or delete of a `watched` model ("app.Model") makes a new stamp.
    Called from an AppConfig.ready(), so that core never imports the apps above it."""
    LOADERS[name] = loader
    for sender in watched:
        if sender not in WATCHED:
            WATCHED.append(sender)
            _watch(sender)


@dataclass(frozen=True)
class Reference:
    """A snapshot. Its model instances are shared: read them, never save them."""

    stamp: str
    units: dict = field(repr=False)  # id -> Unit, parents linked
    unit_by_code: dict = field(repr=False)
    categories: dict = field(repr=False)  # id -> Category, parents linked
    category_by_code: dict = field(repr=False)
    calendar: WorkCalendar = field(default_factory=WorkCalendar, repr=False)
    parts: dict = field(default_factory=dict, repr=False)  # what register() added, by name

    def __getattr__(self, name: str):
        try:
            return self.__dict__["parts"][name]
        except KeyError:
            raise AttributeError(name) from None

    def street(self, code: str):
        unit = self.unit_by_code.get(code)
        return unit if unit is not None and unit.level == UnitLevel.STREET else None

    def district_of(self, unit):
        """The unit's district (Unit.district) from the snapshot; a unit it does not hold asks the database."""
        known = self.units.get(unit.pk)
        return known.district if known is not None else unit.district


_lock = threading.Lock()
_current: Reference | None = None
# (stamp, the atomic blocks it was read in): a savepoint or transaction that ends invalidates it.
_checked: ContextVar[tuple | None] = ContextVar("reference_checked", default=None)
_in_request: ContextVar[bool] = ContextVar("reference_in_request", default=False)


def _stamp() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stamp FROM core_referencestamp WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def _load(stamp: str) -> Reference:
    from .models import Category, Unit

    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        Unit.parent.field.set_cached_value(unit, units.get(unit.parent_id))
    categories = {c.pk: c for c in Category.objects.all()}
    for category in categories.values():
        Category.parent.field.set_cached_value(category, categories.get(category.parent_id))
    return Reference(
        stamp=stamp,
        units=units,
        unit_by_code={u.code: u for u in units.values()},
        categories=categories,
        category_by_code={c.code: c for c in categories.values()},
        calendar=WorkCalendar.load(),
        parts={name: loader(units, categories) for name, loader in LOADERS.items()},
    )


_serials = itertools.count(1)


def _blocks() -> tuple:
    """The open atomic blocks, each by a serial number of its own (an id() could be reused by the
    next block once one has ended)."""
    key = []
    for block in connection.atomic_blocks:
        serial = getattr(block, "_reference_serial", None)
        if serial is None:
            serial = block._reference_serial = next(_serials)
        key.append(serial)
    return tuple(key)


def _trusted(checked: tuple | None, stamp: str) -> bool:
    """The stamp was read in this transaction (in the same atomic blocks, or in blocks that are still open
    around the current ones): a deeper savepoint reads what its transaction read. A read outside any
    transaction is trusted only there: a transaction begun after it may see a newer stamp."""
    if checked is None or checked[0] != stamp:
        return False
    blocks, current = checked[1], _blocks()
    return blocks == current or (bool(blocks) and current[: len(blocks)] == blocks)


def reference() -> Reference:
    """The current snapshot (see the module's docstring for when it is reloaded)."""
    global _current
    current = _current
    if current is not None and _in_request.get() and _trusted(_checked.get(), current.stamp):
        return current
    stamp = _stamp()
    if current is None or current.stamp != stamp:
        with _lock:
            current = _current
            if current is None or current.stamp != stamp:
                current = _current = _load(stamp)
    if _in_request.get():
        # Trusted again only within the same transaction and savepoints: after a rollback the stamp
        # is read again, so a rolled-back change is never taken for current.
        _checked.set((stamp, _blocks()))
    return current


def reference_changed(**_kwargs) -> None:
    """Give the reference data a new stamp (in the caller's transaction) and drop this process's copy."""
    global _current
    stamp = uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_referencestamp SET stamp = %s WHERE id = 1", [stamp])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO core_referencestamp (id, stamp) VALUES (1, %s)", [stamp])
    _current = None
    _checked.set(None)


def _request_started(**_kwargs) -> None:
    _in_request.set(True)
    _checked.set(None)


def _request_finished(**_kwargs) -> None:
    _in_request.set(False)
    _checked.set(None)


def _watch(sender: str) -> None:
    post_save.connect(reference_changed, sender=sender, dispatch_uid=f"reference:{sender}:save")
    post_delete.connect(reference_changed, sender=sender, dispatch_uid=f"reference:{sender}:delete")


def connect() -> None:
    for sender in WATCHED:
        _watch(sender)
    request_started.connect(_request_started, dispatch_uid="reference:request_started")
    request_finished.connect(_request_finished, dispatch_uid="reference:request_finished")
