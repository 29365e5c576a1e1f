"""The connector's small exception taxonomy for everything that crosses the network.

* :class:`AmazonRetryableError`: try again later (throttling, 5xx, network, timeouts,
  unusable bodies). Subclasses say why.
* :class:`AmazonPermanentError`: Amazon refused the request (4xx). Carries Amazon's
  error code and message; retrying the same request will fail the same way.
* :class:`AmazonAuthorizationError`: credentials or grants are wrong (LWA refused the
  refresh token or client, or SP-API answered 401/403).
* :class:`AmazonDocumentError`: a document Amazon produced (a report, a feed result,
  or its GZIP compression) cannot be read. Fetching it again gives the same bytes.
* :class:`AmazonConfigurationError`: we cannot even build the request (missing
  credentials, unknown region, ...). Nothing was sent.
"""


class AmazonError(Exception):
    """Base class. ``str()`` is safe to show to a user and to log (no secrets)."""

    retryable = False

    def __init__(self, message, *, operation=None, status=None, code=None, request_id=None):
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.status = status
        self.code = code
        self.request_id = request_id

    def __str__(self):
        parts = []
        if self.code:
            parts.append(f"[{self.code}]")
        parts.append(self.message or self.__class__.__name__)
        if self.operation:
            parts.append(f"({self.operation}")
            parts[-1] += f", HTTP {self.status})" if self.status else ")"
        return " ".join(parts)


class AmazonRetryableError(AmazonError):
    """A failure that may pass by itself: retry with backoff."""

    retryable = True


class AmazonThrottledError(AmazonRetryableError):
    """Amazon answered 429, or waiting for quota would exceed the caller's time budget.

    ``retry_after`` is the number of seconds after which a new call should pass.
    """

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AmazonServerError(AmazonRetryableError):
    """5xx, or a body that is empty or not JSON where JSON was due."""


class AmazonNetworkError(AmazonRetryableError):
    """Connection refused/reset, DNS failure or timeout: nothing usable came back."""


class AmazonPermanentError(AmazonError):
    """Amazon rejected the request (4xx) with its own code and message."""


class AmazonAuthorizationError(AmazonPermanentError):
    """Credentials, grant or access token refused.

    ``token_rejected`` is True when SP-API refused the *access token* itself (expired or
    revoked), in which case a fresh token may be fetched once and the call repeated.
    """

    def __init__(self, message, *, token_rejected=False, **kwargs):
        super().__init__(message, **kwargs)
        self.token_rejected = token_rejected


class AmazonDocumentError(AmazonError):
    """A document Amazon produced (a report, a feed result, or its GZIP compression)
    cannot be read. Fetching it again gives the same bytes: not retryable."""


class AmazonConfigurationError(AmazonError):
    """The request cannot be built from the configuration given. Nothing was sent."""
