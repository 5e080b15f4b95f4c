"""The beat scheduler (`celery beat --scheduler hotline.core.beat:GuardedDatabaseScheduler`, also the
CELERY_BEAT_SCHEDULER setting, so `worker -B` uses it).

Two guarantees django-celery-beat's DatabaseScheduler does not give:

* **One schedule, however many beats.** The schedule runs only in the beat that holds a lock: a
  PostgreSQL session advisory lock on a connection of its own (released by PostgreSQL the moment that
  beat's process or connection dies). A second beat — scaled by mistake, or an old container still stopping during a deploy — stands by and
  takes over within `STANDBY_SECONDS` of the first one going away. (A PgBouncer in transaction mode
  would not keep a session lock: point the beat at PostgreSQL directly.)
* **Admins' edits survive a restart.** The entries of `hotline.schedules` are created when missing and
  otherwise left as the admin last saved them (time, arguments, enabled). To return an entry to the
  code's default, delete it in the admin and restart the beat.
"""

from __future__ import annotations

import datetime
import logging

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

log = logging.getLogger(__name__)

LOCK_KEY = (4517, 1)  # pg_advisory_lock(classid, objid): the beat's schedule
STANDBY_SECONDS = 15


class BeatLock:
    """Held for as long as this process is the active beat."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._wrapper: BaseDatabaseWrapper | None = None

    def acquire(self) -> bool:
        """True when this process holds the lock (checked each time: a lost connection loses it)."""
        return self._acquire_postgresql()

    def _acquire_postgresql(self) -> bool:
        if self._wrapper is not None:
            try:
                with self._wrapper.cursor() as cursor:
                    cursor.execute("SELECT 1")
                return True
            except Exception:
                log.warning("beat: the connection holding the schedule lock was lost; taking it again")
                self.release()
        wrapper = connections.create_connection(self.alias)
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(LOCK_KEY))
                held = cursor.fetchone()[0]
        except Exception:
            log.warning("beat: PostgreSQL is unreachable; the schedule waits", exc_info=True)
            wrapper.close()
            return False
        if not held:
            wrapper.close()
            return False
        self._wrapper = wrapper
        return True

    def release(self) -> None:
        if self._wrapper is not None:
            try:
                self._wrapper.close()  # ends the session: PostgreSQL releases the advisory lock
            except Exception:
                pass
            self._wrapper = None


class GuardedDatabaseScheduler(DatabaseScheduler):
    def __init__(self, *args, **kwargs):
        self._lock = BeatLock()
        self._active = None
        super().__init__(*args, **kwargs)

    # -- one schedule -------------------------------------------------------------------------------
    def is_active(self) -> bool:
        active = self._lock.acquire()
        if active != self._active:
            if active:
                log.info("beat: holding the schedule lock; this beat runs the schedule")
                if self._active is False:  # taking over: read the last-run times the other beat stored
                    self._last_full_sync = datetime.datetime.min
            else:
                log.warning(
                    "beat: another beat holds the schedule lock; standing by (checking every %s s)", STANDBY_SECONDS
                )
            self._active = active
        return active

    def tick(self, *args, **kwargs):
        if not self.is_active():
            return STANDBY_SECONDS
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            if self._active:
                super().close()  # the final sync of last-run times, by the beat that ran them
        finally:
            self._lock.release()

    # -- admins' edits survive ----------------------------------------------------------------------
    def update_from_dict(self, mapping):
        """Install the code's entries that are missing; keep the stored ones as the admin left them."""
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        missing = {name: fields for name, fields in mapping.items() if name not in existing}
        for name in missing:
            log.info("beat: installing the schedule entry %s", name)
        # The stored entries are already in the schedule (DatabaseScheduler reads them from the table).
        super().update_from_dict(missing)
