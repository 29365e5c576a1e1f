"""What every part of the emulator shares: Amazon's timestamps and its error answer.

The server and its concern mixins (orders, reports, feeds...) import these from here;
:mod:`.server` re-exports them for the code that imports them from there.
"""

from datetime import UTC, datetime


def iso(value):
    """Naive-UTC or aware datetime -> ``YYYY-MM-DDTHH:MM:SSZ``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def parse_iso(value):
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(tzinfo=None)


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


class ApiError(Exception):
    """An answer with Amazon's ``errors`` list."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.body = {"errors": [{"code": code, "message": message}]}
        if details:
            self.body["errors"][0]["details"] = details
        self.headers = headers or {}
