"""Plain-Python access to Amazon's Selling Partner API. Never receives an Odoo record."""

from .exceptions import (
    AmazonAuthorizationError,
    AmazonConfigurationError,
    AmazonDocumentError,
    AmazonError,
    AmazonNetworkError,
    AmazonPermanentError,
    AmazonRetryableError,
    AmazonServerError,
    AmazonThrottledError,
)
from .session import TOKENS, Credentials, SpApiSession
from .pacing import BUCKETS
