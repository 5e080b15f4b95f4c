"""What a citizen reads about their demand (查询进度): the state and the steps of the order in plain words,
never the hotline's own terms or notes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dispatch.choices import EventKind, Status

STATUS_WORDS = {
    Status.DISPATCHED: _("Passed to the unit that handles it"),
    Status.SIGNED: _("Being handled"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.LONG_PENDING: _("Takes longer to resolve: followed until it is done"),
    Status.REPLIED: _("The unit has replied"),
    Status.ACCEPTED: _("The unit has replied; we will call you back"),
    Status.RETURNED: _("Being passed to the right unit"),
    Status.REOPENED: _("Being handled again (正在重新办理)"),
    Status.TRANSFERRED: _("Being passed to the right unit"),
    Status.CLOSED: _("Completed"),
}

# The steps a citizen is told about, and how; every other event (internal checks, notes) is not shown.
EVENT_WORDS = {
    EventKind.DISPATCHED: _("Passed to %(unit)s"),
    EventKind.SIGNED: _("%(unit)s took it on"),
    EventKind.STARTED: _("%(unit)s started working on it"),
    EventKind.RETURNED: _("Being passed to the right unit"),
    EventKind.REDISPATCHED: _("Passed to another unit"),
    EventKind.EXTENSION_APPROVED: _("More time given to resolve it"),
    EventKind.LONG_PENDING: _("Needs longer to resolve: followed until it is done"),
    EventKind.SUPERVISED: _("The hotline is supervising the handling"),
    EventKind.REPLIED: _("%(unit)s replied"),
    EventKind.REOPENED: _("Being handled again (正在重新办理)"),
    EventKind.CALLBACK_ATTEMPT: _("We called you back but could not reach you"),
    EventKind.EVALUATED: _("Your evaluation was recorded"),
    EventKind.CLOSED: _("Completed"),
}


def status_words(order) -> str:
    return str(STATUS_WORDS.get(order.status, order.get_status_display()))


# Steps about the first caller only (their callback, their evaluation): not told to a caller merged in.
FIRST_CALLERS_STEPS = {EventKind.CALLBACK_ATTEMPT, EventKind.EVALUATED}


def timeline(demand, order, *, merged: bool = False) -> list[dict]:
    """Received, then the steps of the order since the citizen's call, oldest first; the same step twice
    in a row is said once. A caller merged into the order (重复件) is not told the first caller's callback."""
    steps = [{"at": demand.received_at, "text": str(_("We received your demand"))}]
    if order is None:
        return steps
    kinds = [k for k in EVENT_WORDS if not (merged and k in FIRST_CALLERS_STEPS)]
    events = order.events.filter(kind__in=kinds, at__gte=demand.received_at).order_by("at", "id")
    for event in events:
        text = str(EVENT_WORDS[event.kind]) % {"unit": order.unit.name}
        if steps[-1]["text"] != text:
            steps.append({"at": event.at, "text": text})
    return steps
