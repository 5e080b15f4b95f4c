"""Writes of intake (信息发现): numbering and creating demands, then handing them to dispatch."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput
from hotline.core.models import Category, Unit, User

from .choices import Channel, DemandType, Disposition, Urgency
from .models import DailyCounter, Demand


def next_number(*, scope: str, day: dt.date) -> int:
    """The next sequential number of `scope` on `day`. The counter row is updated in place, so
    concurrent callers queue on its row lock and never get the same number."""
    with transaction.atomic():
        updated = DailyCounter.objects.filter(scope=scope, day=day).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    DailyCounter.objects.create(scope=scope, day=day, value=1)
                    return 1
            except IntegrityError:  # another caller created the day's row first
                DailyCounter.objects.filter(scope=scope, day=day).update(value=F("value") + 1)
        return DailyCounter.objects.get(scope=scope, day=day).value


def demand_number(received_at: dt.datetime) -> str:
    day = timezone.localdate(received_at)
    return f"{day:%Y%m%d}{next_number(scope='demand', day=day):05d}"


@transaction.atomic
def demand_create(
    *,
    channel: str,
    demand_type: str,
    category: Category,
    content: str,
    caller_phone: str,
    caller_name: str = "",
    confidential: bool = False,
    address: str = "",
    street: Unit | None = None,
    urgency: str = Urgency.NORMAL,
    received_at: dt.datetime | None = None,
    by: User | None = None,
) -> Demand:
    """Record a demand and route it: direct dispatch (直派) or the dispatcher's queue."""
    from dispatch.services import demand_route

    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), code="invalid_channel")
    if demand_type not in DemandType.values:
        raise InvalidInput(_("Unknown demand type."), code="invalid_demand_type")
    if urgency not in Urgency.values:
        raise InvalidInput(_("Unknown urgency."), code="invalid_urgency")
    if street is not None and street.level != UnitLevel.STREET:
        raise InvalidInput(_("The street must be a street or township."), code="invalid_street")
    if not content.strip():
        raise InvalidInput(_("Describe the demand."), code="content_required")
    received_at = received_at or timezone.now()
    demand = Demand.objects.create(
        number=demand_number(received_at),
        channel=channel,
        demand_type=demand_type,
        category=category,
        content=content.strip(),
        caller_name=caller_name.strip(),
        caller_phone=caller_phone.strip(),
        confidential=confidential,
        address=address.strip(),
        street=street,
        urgency=urgency,
        received_at=received_at,
        disposition=Disposition.PENDING_DISPATCH,
        created_by=by if getattr(by, "pk", None) else None,
    )
    demand_route(demand=demand, by=by, at=received_at)
    demand.refresh_from_db()
    return demand
