"""The OpenAPI schema tells the truth about errors: every operation declares the answers the platform
gives (CONTRACT.md: `{"code", "detail"}` with 400, 401, 403, 404, 409, 415, 422, 429, 503), so that a client
generated from the schema handles them (a drf-spectacular postprocessing hook)."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: a machine-readable code and a human message; validation errors add `errors`.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "detail": {"type": "string"},
        "errors": {"description": "Per field (or per item) messages of a validation error."},
    },
    "required": ["code", "detail"],
}
DESCRIPTIONS = {
    "400": "Invalid input (`invalid`, `invalid_input`, or a domain code).",
    "401": "Not authenticated, or the token is invalid or expired (`token_expired`).",
    "403": "Not allowed for this user (`permission_denied`, `otp_required`).",
    "404": "Not found, not visible to this user, or an invalid pagination cursor.",
    "409": "Not allowed in the object's current state (`state_conflict`).",
    "415": "The body's Content-Type is not one the operation accepts, or the body cannot be parsed as it (`unsupported_media_type`).",
    "422": "An Idempotency-Key reused with a different body (`idempotency_mismatch`).",
    "429": "Too many requests (`throttled`, `locked_out`, `too_many_failures`).",
    "503": "The database is briefly unreachable (`database_unavailable`); see Retry-After.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for _path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # 404 on lists too: an invalid pagination cursor is answered as DRF does, 404 invalid cursor.
            codes = ["400", "401", "403", "404", "429", "503"]
            if method != "get":
                codes += ["409", "415", "422"] if method == "post" else ["409", "415"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": DESCRIPTIONS[code], "content": error})
    return result
