"""Notifications (通知): the staff's inbox and the outgoing channels that send a copy.

`notify()` writes the inbox rows in the caller's transaction, once per (user, key): a step that happens
once (the sweep's reminder, a 督办单) tells each person once, however often it is retried. After the commit
a task hands each new row to the configured channels (`HOTLINE_NOTIFY_CHANNELS`, dotted paths): the
channels are hotline.core.channels."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

# The outgoing channels live in hotline.core.channels (the task sends through them); a setting that names
# the old path hotline.core.notify.LogChannel keeps working.
from .channels import LogChannel  # noqa: E402,F401

log = logging.getLogger(__name__)


def notify(
    *,
    users: Iterable,
    kind: str,
    data: dict,
    key: str,
    url: str = "",
    at: dt.datetime | None = None,
) -> list[int]:
    """Put one notification in each user's inbox (in the caller's transaction), unless the user was already
    told of `key`. Returns the ids of the new rows; their copies leave by the channels after the commit."""
    return notify_many([(user_id, kind, data, key, url) for user_id in _ids(users)], at=at)


def notify_many(rows: Iterable[tuple], *, at: dt.datetime | None = None) -> list[int]:
    """Many notifications in one statement: rows of (user id, kind, data, key, url). The sweep tells the
    units of a whole batch this way."""
    import json

    from .models import Notification

    rows = list(rows)
    if not rows:
        return []
    at = at or timezone.now()
    table = Notification._meta.db_table
    users, kinds, datas, keys, urls = zip(*rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, kind, data, key, url, at) "
            "SELECT u, k, d, y, l, %s FROM unnest(%s::bigint[], %s::text[], %s::jsonb[], %s::text[], %s::text[]) "
            "AS t(u, k, d, y, l) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [
                at,
                list(users),
                list(kinds),
                [json.dumps(d, ensure_ascii=False, default=str) for d in datas],
                list(keys),
                list(urls),
            ],
        )
        created = [row[0] for row in cursor.fetchall()]
    if created:
        transaction.on_commit(partial(_send_later, created))
    return created


def _ids(users: Iterable) -> list[int]:
    return sorted({getattr(user, "pk", user) for user in users if getattr(user, "pk", user) is not None})


def _send_later(ids: list[int]) -> None:
    from .tasks import notifications_send

    try:
        notifications_send.delay(ids=ids)
    except Exception:  # the broker is down: the inbox has them; the copies are lost, and said so
        log.warning("outgoing copies of notifications %s not queued: the broker is unreachable", ids)
