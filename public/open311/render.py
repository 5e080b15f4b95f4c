"""The GeoReport v2 wire format: one payload, two encodings.

JSON is the spec's "Spark convention" mapping of its XML: a list of items for a collection, an
object for a single resource. XML is built with ElementTree: the collection's element (`services`,
`service_requests`, …) holds one element per item (`service`, `request`, …), an empty value is an
empty element (`<account_id/>`), booleans are `true`/`false`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The spec's element for one item of each collection.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def is_format(fmt: str) -> bool:
    return fmt in CONTENT_TYPES


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM_TAGS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, payload)
    # The spec asks for the declaration with encoding="utf-8" in front of the root element.
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode()


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def respond(payload: Any, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`payload` in `fmt`; `root` names the XML root element (`services`, `service_definition`, …)."""
    body = to_xml(root, payload) if fmt == "xml" else to_json(payload)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(descriptions: list[str], *, status: int, fmt: str = "json") -> HttpResponse:
    """The spec's error list: one `{code, description}` per problem, the code being the HTTP status."""
    errors = [{"code": status, "description": description} for description in descriptions]
    return respond(errors, fmt=fmt if is_format(fmt) else "json", root="errors", status=status)
