"""Reads of Open311 GeoReport v2: the service list (our level-3 matter categories, 问题分类), a
service definition, and service requests (our demands, 诉求) as the spec's fields.

Privacy: a service request never carries the caller's name or phone, and mobile numbers written
into the free text are masked. Confidential demands (保密) are not published at all."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.choices import REPLIED_STATUSES, Role, Status
from dispatch.models import WorkOrder
from hotline.core.exceptions import InvalidInput, NotFound
from hotline.core.models import Category
from intake.choices import DemandType, Disposition, Urgency
from intake.models import Demand
from intake.selectors import mask_name, mask_phone

HOTLINE_NAME = "北京市12345市民服务热线"
PATH_SEPARATOR = " › "
SERVICE_LEVEL = 3  # only the leaves of the category tree are services a citizen can report
DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec's default, and the widest span a query may ask for
MAX_RESULTS = 1000  # the spec's "first 1000 requests"

# A request is closed when the hotline finished it at intake, or when its lead order has replied.
CLOSED_DISPOSITIONS = (Disposition.ANSWERED, Disposition.REFUSED)
# Replied, accepted by the hotline, or closed after the callback: the unit has answered.
CLOSED_ORDER_STATUSES = REPLIED_STATUSES
STATUSES = ("open", "closed")

# A mainland mobile number (11 digits starting with 1), also written with +86 or separators.
# 7 or more digits, possibly broken by dashes, spaces or an area code in brackets.
LONG_NUMBER = re.compile(r"(?:\(\d{3,4}\)\s?)?\d(?:[\d\-\s]{5,}\d)")
# 2单元501, 501室, 5层 (after a building number): the household, which the public does not need.
DWELLING = re.compile(r"\d+\s*单元\s*\d*\s*(?:室|号)?|\d+\s*(?:室|户)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1\d{2})[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")


# --- services ---------------------------------------------------------------------------------


def _service_categories() -> QuerySet[Category]:
    return Category.objects.filter(level=SERVICE_LEVEL, is_active=True).select_related("parent__parent")


def _service(category: Category) -> dict:
    group, subgroup = category.parent.parent, category.parent
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": PATH_SEPARATOR.join((group.name, subgroup.name, category.name)),
        # Every service has the definition below (demand type, urgency).
        "metadata": True,
        "type": "realtime",
        "keywords": f"{subgroup.name}, {group.name}",
        "group": group.name,
    }


def service_list() -> list[dict]:
    return [_service(category) for category in _service_categories().order_by("code")]


def service_category(service_code: str) -> Category:
    """The category a service code names; 404 for anything but an active level-3 category."""
    category = _service_categories().filter(code=service_code).first()
    if category is None:
        raise NotFound(_("Service code %(code)s was not found.") % {"code": service_code}, code="service_not_found")
    return category


def _choices_attribute(*, code: str, order: int, description: str, choices) -> dict:
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": order,
        "description": description,
        "values": [{"key": value, "name": str(label)} for value, label in choices],
    }


def service_definition(service_code: str) -> dict:
    category = service_category(service_code)
    return {
        "service_code": category.code,
        "attributes": [
            _choices_attribute(
                code="demand_type",
                order=1,
                description=_("Demand type (诉求类型). A complaint when not given."),
                choices=DemandType.choices,
            ),
            _choices_attribute(
                code="urgency",
                order=2,
                description=_("Urgency: it sets how soon the request must be dispatched. Normal when not given."),
                choices=Urgency.choices,
            ),
        ],
    }


# --- service requests -------------------------------------------------------------------------


def _lead(field: str):
    """The lead order's `field` (主办, role main, not re-dispatched away, the latest), the same rule as
    dispatch.selectors.main_order, in SQL. A merged demand (重复件) follows the lead order of the demand
    it was merged into."""

    def of(demand_ref) -> Subquery:
        orders = WorkOrder.objects.filter(demand=demand_ref, role=Role.MAIN).exclude(status=Status.TRANSFERRED)
        return Subquery(orders.order_by("-id").values(field)[:1])

    return Case(
        When(
            disposition=Disposition.MERGED,
            then=Coalesce(of(OuterRef("merge__order__demand_id")), F(f"merge__order__{field}")),
        ),
        default=of(OuterRef("pk")),
    )


def _with_lead_id() -> QuerySet[Demand]:
    return Demand.objects.select_related("category").annotate(lead_id=_lead("id"))


def _published() -> QuerySet[Demand]:
    """What the public may list: not confidential (保密), not a report about people (举报), and not
    refused (110/119/120/122 transfers, litigation, 信访, 纪检监察 are none of the public's business)…"""
    return (
        _with_lead_id()
        .filter(confidential=False)
        .exclude(demand_type=DemandType.REPORT)
        # …and not imported history (历史导入): it was never a request of this system.
        .exclude(disposition__in=[Disposition.REFUSED, Disposition.IMPORTED])
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class RequestQuery:
    """What GET requests asks for. `numbers`, when given, overrides every other filter (the spec)."""

    numbers: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()


def _split(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (raw or "").split(",") if part.strip()))


def parse_w3c_datetime(raw: str, *, name: str) -> dt.datetime:
    """A W3C datetime (2010-01-01T00:00:00Z, …+08:00, or a date). Without an offset it is Beijing time."""
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.strip())
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("%(name)s must be a W3C datetime such as 2026-01-01T00:00:00+08:00.") % {"name": name},
            code="invalid_datetime",
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_request_query(params) -> RequestQuery:
    """Check the query string of GET requests: 400 for a date or status the spec does not allow."""
    numbers = _split(params.get("service_request_id", ""))
    if numbers:
        return RequestQuery(numbers=numbers[:MAX_RESULTS])
    start = parse_w3c_datetime(params["start_date"], name="start_date") if params.get("start_date") else None
    end = parse_w3c_datetime(params["end_date"], name="end_date") if params.get("end_date") else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if start > end:
        raise InvalidInput(_("start_date must not be later than end_date."), code="invalid_range")
    if end - start > DEFAULT_WINDOW:
        raise InvalidInput(_("start_date and end_date may not span more than 90 days."), code="invalid_range")
    statuses = tuple(s.lower() for s in _split(params.get("status", "")))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InvalidInput(
            _("Unknown status %(status)s: use open or closed.") % {"status": ", ".join(unknown)}, code="invalid_status"
        )
    return RequestQuery(service_codes=_split(params.get("service_code", "")), start=start, end=end, statuses=statuses)


def _filtered(query: RequestQuery) -> QuerySet[Demand]:
    demands = _published()
    if query.numbers:
        return demands.filter(number__in=query.numbers)
    demands = demands.filter(received_at__gte=query.start, received_at__lte=query.end)
    if query.service_codes:
        demands = demands.filter(category__code__in=query.service_codes)
    if len(set(query.statuses)) == 1:
        closed = Q(disposition__in=CLOSED_DISPOSITIONS) | Q(lead_status__in=CLOSED_ORDER_STATUSES)
        # alias(), not annotate(): the expressions go into WHERE only, not into the selected columns.
        demands = (
            demands.alias(lead_status=_lead("status"))
            .alias(is_closed=Case(When(closed, then=Value(True)), default=Value(False), output_field=BooleanField()))
            .filter(is_closed=query.statuses[0] == "closed")
        )
    return demands


def _with_leads(demands: list[Demand]) -> list[tuple[Demand, WorkOrder | None]]:
    """Each demand with its lead order, fetched in one query for the whole page (no N+1)."""
    ids = {d.lead_id for d in demands if d.lead_id}
    leads = {
        order.pk: order
        for order in WorkOrder.objects.filter(pk__in=ids)
        .select_related("unit")
        .annotate(last_event_at=Max("events__at"))
        .order_by()
    }
    return [(d, leads.get(d.lead_id)) for d in demands]


def service_requests(query: RequestQuery) -> list[dict]:
    """The requests a query asks for, newest first, at most 1000."""
    return [request_fields(d, lead) for d, lead in _with_leads(list(_filtered(query)[:MAX_RESULTS]))]


def service_request(number: str) -> dict:
    """One published request; 404 for an unknown or confidential one."""
    found = _with_leads(list(_published().filter(number=number)))
    if not found:
        raise NotFound(_("Service request %(id)s was not found.") % {"id": number}, code="request_not_found")
    return request_fields(*found[0])


def created_request(demand: Demand) -> dict:
    """The answer to POST requests: the new request's number and what happens next."""
    fresh, lead = _with_leads(list(_with_lead_id().filter(pk=demand.pk)))[0]
    return {"service_request_id": fresh.number, "service_notice": service_notice(fresh, lead), "account_id": None}


# --- one request as the spec's fields ---------------------------------------------------------


def w3c(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def scrub(text: str, demand: Demand) -> str:
    """Free text as the public may see it: mobile numbers masked (138****5678), and the caller's own
    phone and name masked wherever they were written."""
    text = MOBILE.sub(lambda m: mask_phone("".join(m.groups())), text)
    # Landlines and any other long number (010-6512 3456, (010)65123456, ID numbers): all but the last 4.
    text = LONG_NUMBER.sub(lambda m: _mask_digits(m.group()), text)
    # Flat and room numbers: the building is enough to find the place, not the household.
    text = DWELLING.sub("", text)
    phone, name = demand.caller_phone.strip(), demand.caller_name.strip()
    if len(phone) >= 5:
        text = text.replace(phone, mask_phone(phone))
    if name:
        text = text.replace(name, mask_name(name) if len(name) > 1 else "*")
    return text


def _mask_digits(run: str) -> str:
    digits = [i for i, ch in enumerate(run) if ch.isdigit()]
    keep = set(digits[-4:])
    return "".join("*" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(run))


def is_closed(demand: Demand, lead: WorkOrder | None) -> bool:
    return demand.disposition in CLOSED_DISPOSITIONS or (lead is not None and lead.status in CLOSED_ORDER_STATUSES)


def status_notes(demand: Demand, lead: WorkOrder | None) -> str:
    """The disposition in words (受理结果), the refusal reason for a refused demand. Once dispatched,
    the lead order's status says more (已派单 → 已签收 → 办理中 → 已办结反馈); a merged demand
    (重复件) keeps its disposition in front of it."""
    if demand.disposition == Disposition.REFUSED and demand.refusal_reason:
        return demand.get_refusal_reason_display()
    if lead is None:
        return demand.get_disposition_display()
    if demand.disposition == Disposition.MERGED:
        return _("%(disposition)s: %(status)s") % {
            "disposition": demand.get_disposition_display(),
            "status": lead.get_status_display(),
        }
    return lead.get_status_display()


def service_notice(demand: Demand, lead: WorkOrder | None) -> str:
    """What happens next, and by when."""
    if demand.disposition == Disposition.ANSWERED:
        return _("Answered by the hotline when it was received.")
    if demand.disposition == Disposition.REFUSED:
        return _("Not accepted by the hotline: %(reason)s.") % {"reason": status_notes(demand, lead)}
    if demand.disposition == Disposition.PENDING_DISPATCH or lead is None:
        if demand.dispatch_due_at:
            return _("Waiting for a dispatcher: to be dispatched by %(due)s.") % {"due": _local(demand.dispatch_due_at)}
        return _("Waiting for a dispatcher.")
    if lead.status in CLOSED_ORDER_STATUSES:
        return _("%(unit)s has replied; the hotline calls the citizen back to check the result.") % {
            "unit": lead.unit.name
        }
    if demand.disposition == Disposition.MERGED:
        return _(
            "Joined an open request on the same matter, handled by %(unit)s: a reply is expected by %(deadline)s."
        ) % {"unit": lead.unit.name, "deadline": _local(lead.deadline)}
    return _("Dispatched to %(unit)s: a reply is expected by %(deadline)s.") % {
        "unit": lead.unit.name,
        "deadline": _local(lead.deadline),
    }


def _agency(demand: Demand, lead: WorkOrder | None) -> str | None:
    if lead is not None:
        return lead.unit.name
    if demand.disposition in (Disposition.PENDING_DISPATCH, *CLOSED_DISPOSITIONS):
        return HOTLINE_NAME
    return None


def _expected(demand: Demand, lead: WorkOrder | None) -> dt.datetime | None:
    if lead is not None:
        return lead.deadline
    if demand.disposition == Disposition.PENDING_DISPATCH:
        return demand.dispatch_due_at
    return None


def _updated(demand: Demand, lead: WorkOrder | None) -> dt.datetime:
    last_event = getattr(lead, "last_event_at", None)
    return max(demand.received_at, last_event) if last_event else demand.received_at


PUBLIC_COORDINATE_PLACES = 3  # about 100 m: a pin (the portal's "use my location") can be a citizen's door


def _coordinate(value: Decimal | None) -> float | None:
    """A location as the public may see it: to the block, not the doorstep (like the address, whose flat and
    room numbers are dropped). The full pin stays for staff."""
    return round(float(value), PUBLIC_COORDINATE_PLACES) if value is not None else None


def request_fields(demand: Demand, lead: WorkOrder | None) -> dict:
    """A demand as a GeoReport service request: every field of the spec, null when unknown."""
    return {
        "service_request_id": demand.number,
        "status": "closed" if is_closed(demand, lead) else "open",
        "status_notes": status_notes(demand, lead),
        "service_name": demand.category.name,
        "service_code": demand.category.code,
        "description": scrub(demand.content, demand) or None,
        "agency_responsible": _agency(demand, lead),
        "service_notice": service_notice(demand, lead),
        "requested_datetime": w3c(demand.received_at),
        "updated_datetime": w3c(_updated(demand, lead)),
        "expected_datetime": w3c(_expected(demand, lead)),
        "address": scrub(demand.address, demand) or None,
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(demand.lat),
        "long": _coordinate(demand.long),
        "media_url": demand.media_url or None,
    }
