"""The outgoing channels of notifications (通知): after the commit, a task (hotline.core.tasks) hands each
new inbox row to every channel named in `HOTLINE_NOTIFY_CHANNELS` (dotted paths). The default
`LogChannel` sends nothing and records what a gateway would send (`OutboundMessage`, and the log); a
text-message or e-mail gateway is a class with the same `send()`, named in the setting."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def channels() -> list:
    return [import_string(path)() for path in settings.HOTLINE_NOTIFY_CHANNELS]


def send(ids: Iterable[int]) -> int:
    """Hand each notification to every channel (the task's work). A failing channel is logged and does
    not stop the others."""
    from .models import Notification

    sent = 0
    for notification in Notification.objects.filter(pk__in=list(ids)).select_related("user"):
        for channel in channels():
            try:
                channel.send(notification)
                sent += 1
            except Exception:
                log.exception("channel %s failed for notification %s", type(channel).__name__, notification.pk)
    return sent


class LogChannel:
    """The default channel: the text message a gateway would send to the person's mobile (else their
    e-mail), in the platform's language, recorded in the database and the log."""

    name = "log"

    def send(self, notification) -> None:
        from .models import OutboundMessage

        user = notification.user
        with translation.override(settings.LANGUAGE_CODE):
            text = f"[12345] {notification.text}"
        OutboundMessage.objects.create(
            channel=self.name,
            notification=notification,
            user=user,
            address=user.phone or user.email,
            text=text,
            at=timezone.now(),
        )
        log.info("notification %s to %s: %s", notification.pk, user.username, text)
