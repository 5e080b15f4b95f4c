"""Domain errors that services raise and every interface turns into a clear answer: the API into
`{"code", "detail"}` with the status below, the browser into a message next to the form."""


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.extra = extra or {}  # more of the answer, for a client that can act on it (the API adds it)


class InvalidInput(DomainError):
    """400: the input cannot be used as given."""


class Forbidden(DomainError):
    """403: this user's role may not do this."""

    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Unprocessable(DomainError):
    """422: well formed, but it contradicts what was sent before (an Idempotency-Key reused with another body)."""

    status_code = 422
    default_code = "unprocessable"


class StateConflict(DomainError):
    """409: not allowed in the object's current state, or lost to a concurrent change."""

    status_code = 409
    default_code = "state_conflict"
