"""Writes of Open311 GeoReport v2: a partner channel's POST of a service request becomes a demand
(诉求) through the same intake service the agents use, under the channel of its API key."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.translation import gettext as _

from dispatch.services import demand_take
from hotline.core.exceptions import Forbidden, InvalidInput
from hotline.core.models import Category
from intake.choices import DemandType, Urgency
from intake.models import ApiKey, Demand
from intake.services import (
    api_key_authenticate,
    fingerprint,
    idempotent_create,
)

from .selectors import service_category

# The spec limits a description to 4,000 characters; the others are our columns' sizes.
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 255
MAX_NAME = 64
MAX_MEDIA_URL = 500
COORDINATE_PLACES = Decimal("0.000001")  # Demand.lat/long keep 6 decimal places


class InvalidRequest(InvalidInput):
    """400 listing every problem of a submitted request: the spec's error body is a list."""

    def __init__(self, descriptions: list[str]):
        super().__init__(" ".join(descriptions), code="invalid_request")
        self.descriptions = descriptions


@dataclass(frozen=True)
class Submission:
    """A GeoReport POST, checked, in the terms of dispatch.services.demand_take."""

    service_code: str
    demand_type: str
    urgency: str
    content: str
    caller_phone: str
    caller_name: str
    address: str
    lat: Decimal | None
    long: Decimal | None
    media_url: str


def api_key_check(raw: str) -> ApiKey:
    key = api_key_authenticate(raw.strip())
    if key is None:
        raise Forbidden(
            _("Missing or invalid api_key: a partner channel needs a key issued by the 12345 hotline."),
            code="invalid_api_key",
        )
    return key


def _coordinate(raw: str, *, name: str, limit: int, errors: list[str]) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        errors.append(
            _("%(name)s must be a WGS84 coordinate between -%(limit)s and %(limit)s.") % {"name": name, "limit": limit}
        )
        return None
    return value.quantize(COORDINATE_PLACES)


def _choice(data: QueryDict, code: str, choices: type, default: str, errors: list[str]) -> str:
    value = data.get(f"attribute[{code}]", "").strip()
    if not value:  # the spec's optional arguments: empty is the same as absent
        return default
    if value not in choices.values:
        errors.append(
            _("attribute[%(code)s] must be one of: %(values)s.") % {"code": code, "values": ", ".join(choices.values)}
        )
    return value


def submission_parse(data: QueryDict) -> Submission:
    """Check every field and report every problem at once (400); an unknown service code is 404."""
    errors: list[str] = []

    def field(name: str) -> str:
        return data.get(name, "").strip()

    service_code = field("service_code")
    if not service_code:
        errors.append(_("service_code is required: choose one from services.json or services.xml."))

    lat = long = None
    if field("lat") or field("long"):
        if not (field("lat") and field("long")):
            errors.append(_("lat and long must be sent together."))
        else:
            lat = _coordinate(field("lat"), name="lat", limit=90, errors=errors)
            long = _coordinate(field("long"), name="long", limit=180, errors=errors)
    # We keep no master address repository: an address_id alone is kept as the address text, so
    # the dispatcher still sees what the client sent.
    address = field("address_string") or field("address_id")
    if not (field("lat") or field("long") or address):
        errors.append(_("A location is required: lat and long, address_string or address_id."))
    elif len(address) > MAX_ADDRESS:
        errors.append(_("address_string is longer than %(n)s characters.") % {"n": MAX_ADDRESS})

    content = field("description")
    if not content:
        errors.append(_("description is required: describe the problem."))
    elif len(content) > MAX_DESCRIPTION:
        errors.append(_("description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION})

    phone = field("phone")
    if not phone:
        errors.append(_("phone is required: the 12345 hotline calls every citizen back about their request (回访)."))

    # 姓 + 名, the Chinese order, without a space.
    name = field("last_name") + field("first_name")
    if len(name) > MAX_NAME:
        errors.append(_("first_name and last_name together are longer than %(n)s characters.") % {"n": MAX_NAME})

    media_url = field("media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url must be an http or https URL."))
        if len(media_url) > MAX_MEDIA_URL:
            errors.append(_("media_url is longer than %(n)s characters.") % {"n": MAX_MEDIA_URL})

    demand_type = _choice(data, "demand_type", DemandType, DemandType.COMPLAINT, errors)
    urgency = _choice(data, "urgency", Urgency, Urgency.NORMAL, errors)
    if errors:
        raise InvalidRequest(errors)
    return Submission(
        service_code=service_code,
        demand_type=demand_type,
        urgency=urgency,
        content=content,
        caller_phone=phone,
        caller_name=name,
        address=address,
        lat=lat,
        long=long,
        media_url=media_url,
    )


def _fields(data: QueryDict) -> dict[str, list[str]]:
    """What was posted, for the idempotency fingerprint. The key itself is the scope already."""
    return {name: data.getlist(name) for name in sorted(data) if name != "api_key"}


def request_submit(*, data: QueryDict, idempotency_key: str = "") -> tuple[Demand, bool]:
    """POST requests: authenticate the partner's key (403), check the request (400, 404), record the
    demand under the key's channel. With an Idempotency-Key, a retry returns the first demand (and
    True); the same key with another body is 409."""
    key = api_key_check(data.get("api_key", ""))
    submission = submission_parse(data)
    category: Category = service_category(submission.service_code)
    return idempotent_create(
        scope=f"key:{key.pk}",
        key=idempotency_key.strip(),
        fingerprint=fingerprint(_fields(data)),
        create=lambda: demand_take(
            channel=key.channel,
            demand_type=submission.demand_type,
            category=category,
            content=submission.content,
            caller_phone=submission.caller_phone,
            caller_name=submission.caller_name,
            address=submission.address,
            lat=submission.lat,
            long=submission.long,
            media_url=submission.media_url,
            urgency=submission.urgency,
            api_key=key,
        ),
    )
