"""One way in and out of Amazon's Selling Partner API.

:class:`SpApiSession` takes plain values (credentials, region, optional endpoint
overrides) and returns plain dicts. Every request goes through :meth:`SpApiSession._call`,
which refreshes the LWA access token when needed, paces the call with the operation's
token bucket, sends it through python-amazon-sp-api with a timeout, classifies the answer
into :mod:`.exceptions`, retries what is retryable with bounded backoff, and logs without
secrets or buyer data.
"""

import copy
import gzip
import hashlib
import json
import logging
import random
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sp_api.api import Feeds, FulfillmentOutbound, Orders, Reports, Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth.access_token_response import AccessTokenResponse
from sp_api.base import Marketplaces

from .. import const
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
from .pacing import BUCKETS

_logger = logging.getLogger(__name__)

# python-amazon-sp-api logs request headers (with the access token) at DEBUG level.
# Those records must never be emitted, whatever the root logger's level.
logging.getLogger("sp_api").setLevel(logging.INFO)
# httpx (and its transport, httpcore) log every request URL at INFO, presigned document
# URLs with their signature included: keep them to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = 30.0
TOKEN_EXPIRY_MARGIN = 60  # seconds: refresh an access token a minute before it expires
MIN_REQUEST_SECONDS = 2.0  # a run with less time left than this sends nothing more
MAX_ERROR_TEXT = 500  # characters of Amazon's error message kept (logs, records)


@dataclass(frozen=True)
class Credentials:
    """What one selling partner authorization is made of (plain values, no record)."""

    seller_id: str
    lwa_client_id: str
    lwa_client_secret: str
    refresh_token: str
    region: str
    sp_api_endpoint: str = ""
    lwa_endpoint: str = ""

    def __repr__(self):  # never show secrets, even by accident
        return f"Credentials(seller_id={self.seller_id!r}, region={self.region!r})"

    @property
    def endpoint(self):
        return (self.sp_api_endpoint or const.SP_API_ENDPOINTS.get(self.region, "")).rstrip("/")

    @property
    def token_url(self):
        return self.lwa_endpoint or const.LWA_TOKEN_URL

    @property
    def key(self):
        """A stable, secret-free identifier of this authorization (pacing, token cache)."""
        digest = hashlib.sha256(
            "\x00".join((self.token_url, self.lwa_client_id, self.refresh_token)).encode()
        ).hexdigest()[:16]
        return f"{self.endpoint}|{self.seller_id}|{digest}"

    def check(self):
        missing = [
            label
            for label, value in (
                ("Seller ID", self.seller_id),
                ("LWA Client ID", self.lwa_client_id),
                ("LWA Client Secret", self.lwa_client_secret),
                ("Refresh Token", self.refresh_token),
            )
            if not value
        ]
        if missing:
            raise AmazonConfigurationError("Missing credentials: " + ", ".join(missing))
        if not self.endpoint:
            raise AmazonConfigurationError(f"Unknown SP-API region {self.region!r}")


class _TokenCache:
    """LWA access tokens, shared by all sessions of the process, keyed by authorization."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}

    def get(self, key, now):
        with self._lock:
            token, expires_at = self._tokens.get(key, (None, 0))
            return token if token and now < expires_at else None

    def peek(self, key):
        """The token held for ``key``, expired or not (to mask it)."""
        with self._lock:
            return self._tokens.get(key, (None, 0))[0]

    def put(self, key, token, expires_at):
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def drop(self, key):
        with self._lock:
            self._tokens.pop(key, None)

    def clear(self):
        with self._lock:
            self._tokens.clear()


TOKENS = _TokenCache()


class _SessionTokenAuth(AccessTokenClient):
    """Hands python-amazon-sp-api the token our session already holds.

    The session refreshes tokens itself (paced, retried, classified, through the one
    transport), so the library never talks to LWA on its own.
    """

    session = None

    def get_auth(self):
        return AccessTokenResponse(access_token=self.session._ensure_token(), expires_in=0)


class _Transport:
    """The only object that touches the wire. Classifies every HTTP answer.

    It replaces python-amazon-sp-api's transport, so that a 5xx or a non-JSON body
    becomes an exception instead of an empty response, and so that timeouts apply.
    """

    def __init__(self, timeout, mask):
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))
        self._mask = mask
        self.operation = None
        self.timeout = None  # this request's timeout when shorter than the client's (run deadline)

    def close(self):
        self._client.close()

    def request(self, method, url, *, params=None, data=None, content=None, headers=None):
        operation = self.operation
        options = {}
        if self.timeout is not None:
            options["timeout"] = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        try:
            response = self._client.request(
                method, url, params=params, data=data, content=content, headers=headers, **options
            )
        except httpx.TimeoutException as exc:
            raise AmazonNetworkError(
                f"Amazon did not answer in time ({type(exc).__name__})", operation=operation
            ) from None
        except httpx.TransportError as exc:
            raise AmazonNetworkError(
                f"Could not reach Amazon: {self._mask(str(exc)) or type(exc).__name__}",
                operation=operation,
            ) from None
        self._classify(response, operation)
        return response

    def _classify(self, response, operation):
        status = response.status_code
        request_id = response.headers.get(const.REQUEST_ID_HEADER)
        common = {"operation": operation, "status": status, "request_id": request_id}
        body = response.content
        payload = None
        if body:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        if 200 <= status < 300:
            if status != 204 and self.expects_json and not isinstance(payload, dict | list):
                raise AmazonServerError("Amazon answered without a usable JSON body", **common)
            return
        code, message = self._error_of(payload)
        code = self._mask(code)
        message = self._mask(message) or self._mask(response.reason_phrase) or "no message"
        if status == const.THROTTLED_STATUS:
            rate = response.headers.get(const.RATE_LIMIT_HEADER)
            retry_after = None
            try:
                retry_after = 1.0 / float(rate) if rate else None
            except (ValueError, ZeroDivisionError):
                retry_after = None
            raise AmazonThrottledError(message, code=code or "QuotaExceeded", retry_after=retry_after, **common)
        if status >= 500 or payload is None:
            raise AmazonServerError(message, code=code, **common)
        if status in (401, 403) or code in const.LWA_AUTH_ERRORS:
            # An SP-API 401/403 refuses the access token (expired, revoked): a fresh
            # token may help once. LWA's own refusals concern the credentials.
            raise AmazonAuthorizationError(
                message,
                code=code,
                token_rejected=status in (401, 403) and code not in const.LWA_AUTH_ERRORS,
                **common,
            )
        raise AmazonPermanentError(message, code=code, **common)

    @staticmethod
    def _error_of(payload):
        """Amazon's (code, message) from an SP-API ``errors`` list or an LWA error."""
        if not isinstance(payload, dict):
            return None, ""
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code, message = first.get("code"), str(first.get("message") or "")
            if first.get("details"):
                message = f"{message} {first['details']}".strip()
        elif payload.get("error"):
            code, message = payload["error"], str(payload.get("error_description") or "")
        else:
            return None, ""
        code = str(code)[:100] if code else None
        return code, message[:MAX_ERROR_TEXT]

    expects_json = True


class SpApiSession:
    """An SP-API conversation on behalf of one selling partner.

    :param credentials: :class:`Credentials`
    :param timeout: seconds before a request is abandoned (connect and read)
    :param max_retries: retries of a retryable failure before it is raised
    :param backoff: first backoff in seconds (doubled on each retry, capped)
    :param deadline: ``time.monotonic()`` value after which no new wait starts; waiting
        for quota beyond it raises :class:`AmazonThrottledError` so the caller can save
        its progress and resume later
    :param sleep, clock: injectable for tests
    """

    MAX_BACKOFF = 60.0

    def __init__(
        self,
        credentials,
        *,
        timeout=DEFAULT_TIMEOUT,
        max_retries=4,
        backoff=1.0,
        deadline=None,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        credentials.check()
        self.credentials = credentials
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.deadline = deadline
        self._sleep = sleep
        self._clock = clock
        self._transport = _Transport(timeout, self.mask)
        self._clients = {}

    # ------------------------------------------------------------------ plumbing

    def close(self):
        self._transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def mask(self, text):
        """``text`` with every secret of this session replaced by ``***``."""
        if not text:
            return text
        text = str(text)
        cred = self.credentials
        secrets = [cred.lwa_client_secret, cred.refresh_token]
        token = TOKENS.peek(cred.key)
        if token:
            secrets.append(token)
        for secret in secrets:
            if secret and len(secret) >= 6:
                text = text.replace(secret, "***")
        return text

    def _client(self, api, **kwargs):
        key = (api, tuple(sorted(kwargs.items())))
        client = self._clients.get(key)
        if client is None:
            cred = self.credentials
            client = api(
                Marketplaces.US,
                refresh_token=cred.refresh_token,
                credentials={"lwa_app_id": cred.lwa_client_id, "lwa_client_secret": cred.lwa_client_secret},
                auth_token_client_class=_SessionTokenAuth,
                timeout=self.timeout,
                **kwargs,
            )
            client._auth.session = self
            client._transport.close()
            client._transport = self._transport
            client.endpoint = cred.endpoint
            self._clients[key] = client
        return client

    def _bucket(self, operation):
        plan = const.USAGE_PLANS.get(operation, (1.0, 1))
        return BUCKETS.get(self.credentials.key, operation, plan, self._clock)

    def _wait(self, seconds, operation, bucket=None):
        """Sleep ``seconds``, unless that would cross the deadline."""
        if seconds <= 0:
            return
        if self.deadline is not None and self._clock() + seconds > self.deadline:
            if bucket is not None:
                bucket.cancel()
            raise AmazonThrottledError(
                f"Waiting {seconds:.1f}s for Amazon's quota would exceed this run's time budget",
                operation=operation,
                code=const.TIME_BUDGET_EXHAUSTED,
                retry_after=seconds,
            )
        self._sleep(seconds)

    def _call(self, operation, send, *, expects_json=True):
        """The single entry point: pace, send, classify, retry.

        :param operation: the SP-API operation name (a key of ``const.USAGE_PLANS``)
        :param send: callable taking no argument that performs the request through a
            client built by :meth:`_client` (or through ``self._transport``) and
            returns the library's response
        :returns: whatever ``send`` returns
        :raises AmazonError: the classified failure once retries are exhausted
        """
        bucket = self._bucket(operation)
        attempt = 0
        token_refreshed = False
        while True:
            if operation != "lwa_token":
                self._ensure_token()
            self._wait(bucket.reserve(), operation, bucket)
            self._transport.timeout = self._request_timeout(operation, bucket)
            self._transport.operation = operation
            self._transport.expects_json = expects_json
            started = self._clock()
            try:
                response = send()
            except AmazonAuthorizationError as exc:
                self._log_failure(operation, exc, started)
                if exc.token_rejected and not token_refreshed and operation != "lwa_token":
                    TOKENS.drop(self.credentials.key)
                    token_refreshed = True
                    continue
                raise
            except AmazonRetryableError as exc:
                self._log_failure(operation, exc, started)
                attempt += 1
                if attempt > self.max_retries:
                    raise
                delay = min(self.MAX_BACKOFF, self.backoff * (2 ** (attempt - 1)))
                delay *= 0.5 + random.random() / 2  # jitter, keeps workers apart
                if isinstance(exc, AmazonThrottledError):
                    # Amazon's bucket is empty: so is ours, and the next reservation waits
                    # for a token at the announced rate. A repeated 429 means other clients
                    # share the quota: back off on top.
                    bucket.drain()
                    if exc.retry_after:
                        bucket.observe_rate(1.0 / exc.retry_after)
                    if attempt > 1:
                        self._wait(delay, operation)
                    continue
                if self.deadline is not None and self._clock() + delay + MIN_REQUEST_SECONDS > self.deadline:
                    raise  # out of time while Amazon fails: report the failure, not a pause
                self._wait(delay, operation)
                continue
            except AmazonError as exc:
                self._log_failure(operation, exc, started)
                raise
            headers = getattr(response, "headers", None) or {}
            if headers.get(const.RATE_LIMIT_HEADER):
                bucket.observe_rate(headers[const.RATE_LIMIT_HEADER])
            _logger.debug(
                "SP-API %s ok in %.0f ms (request %s)",
                operation,
                (self._clock() - started) * 1000,
                headers.get(const.REQUEST_ID_HEADER, "-"),
            )
            return response

    def _request_timeout(self, operation, bucket):
        """This request's timeout: the session's, shortened so that it ends by the deadline.

        :raises AmazonThrottledError: (``TIME_BUDGET_EXHAUSTED``) when too little time is
            left to send a request at all; nothing was sent
        """
        if self.deadline is None:
            return None
        left = self.deadline - self._clock()
        if left < MIN_REQUEST_SECONDS:
            bucket.cancel()
            raise AmazonThrottledError(
                "No time left in this run for another request",
                operation=operation,
                code=const.TIME_BUDGET_EXHAUSTED,
                retry_after=0.0,
            )
        return min(self.timeout, left)

    def _log_failure(self, operation, exc, started):
        _logger.info(
            "SP-API %s failed after %.0f ms: %s",
            operation,
            (self._clock() - started) * 1000,
            self.mask(str(exc)),
        )

    def request_json(self, operation, method, path, *, body=None, params=None, api=FulfillmentOutbound):
        """One SP-API operation through :meth:`_call`, its request built anew for each try.

        python-amazon-sp-api's ``Client._request`` pops ``"method"`` from the dict it is
        given: a retry that reused the dict of the first try would go out as a GET. Every
        try therefore gets fresh ``data`` / ``params`` dicts made from the plain values here.

        :param operation: the SP-API operation name (pacing, logs, errors)
        :param method: ``GET``, ``POST``, ``PUT``...
        :param path: the operation's path (its identifiers already quoted)
        :param body: the JSON body (a dict), for POST and PUT
        :param params: the query parameters, for GET
        :returns: Amazon's ``payload`` (a dict; ``{}`` when the answer has none)
        """
        client = self._client(api)
        body = copy.deepcopy(body) if body is not None else None
        params = dict(params or {})

        def send():
            if method == "GET":
                return client._request(path, params=dict(params, method=method), add_marketplace=False)
            return client._request(
                path, data=dict(copy.deepcopy(body or {}), method=method), params=dict(params), add_marketplace=False
            )

        payload = self._call(operation, send).payload
        return payload if isinstance(payload, dict) else {}

    # ------------------------------------------------------------------ LWA

    def _lwa_grant(self, grant):
        """POST a grant to Login with Amazon with this session's client credentials.

        :returns: LWA's JSON answer
        """
        cred = self.credentials

        def send():
            return self._transport.request(
                "POST",
                cred.token_url,
                data=dict(grant, client_id=cred.lwa_client_id, client_secret=cred.lwa_client_secret),
                headers={"content-type": "application/x-www-form-urlencoded;charset=UTF-8"},
            )

        return self._call("lwa_token", send).json()

    def _ensure_token(self):
        """Return a valid access token, refreshing it through LWA when needed."""
        cred = self.credentials
        token = TOKENS.get(cred.key, time.time())
        if token:
            return token

        payload = self._lwa_grant({"grant_type": "refresh_token", "refresh_token": cred.refresh_token})
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not token:
            raise AmazonServerError("Login with Amazon answered without an access token", operation="lwa_token")
        expires_in = int(payload.get("expires_in") or 3600)
        TOKENS.put(cred.key, token, time.time() + max(0, expires_in - TOKEN_EXPIRY_MARGIN))
        _logger.info("SP-API: new access token for seller %s", cred.seller_id)
        return token

    def exchange_authorization_code(self, redirect_uri):
        """Website authorization workflow: exchange the LWA authorization code Amazon gave
        (carried as this session's ``refresh_token``) for the seller's refresh token
        (``grant_type=authorization_code``; a code is valid five minutes, once).

        :returns: the refresh token
        :raises AmazonAuthorizationError: Amazon refused the code or the client
        """
        payload = self._lwa_grant(
            {"grant_type": "authorization_code", "code": self.credentials.refresh_token, "redirect_uri": redirect_uri}
        )
        refresh_token = payload.get("refresh_token") if isinstance(payload, dict) else None
        if not refresh_token:
            raise AmazonServerError("Login with Amazon answered without a refresh token", operation="lwa_token")
        return refresh_token

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def format_time(value):
        """ISO 8601 in UTC with a ``Z``, as Amazon wants it. Naive datetimes are UTC."""
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"

    @staticmethod
    def parse_time(value):
        """Amazon's ISO 8601 timestamp -> naive UTC datetime (Odoo's convention)."""
        if not value:
            return None
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed

    @staticmethod
    def latest_allowed_before(now=None):
        """The latest ``*Before`` value Amazon accepts: two minutes ago (naive UTC)."""
        now = now or datetime.now(UTC).replace(tzinfo=None)
        return (now - timedelta(seconds=const.MIN_BEFORE_DELAY_SECONDS)).replace(microsecond=0)

    # ------------------------------------------------------------------ operations

    def check_connection(self):
        """Refresh a token and make one cheap read.

        :returns: list of marketplace participations (see
            :meth:`get_marketplace_participations`)
        """
        TOKENS.drop(self.credentials.key)
        return self.get_marketplace_participations()

    def get_marketplace_participations(self):
        """Sellers API getMarketplaceParticipations.

        :returns: list of dicts with ``marketplace_id``, ``name``, ``country_code``,
            ``currency_code``, ``domain``, ``store_name``, ``participating``
        """
        client = self._client(Sellers)
        response = self._call("getMarketplaceParticipations", client.get_marketplace_participation)
        result = []
        for entry in response.payload or []:
            market = entry.get("marketplace") or {}
            participation = entry.get("participation") or {}
            result.append(
                {
                    "marketplace_id": market.get("id"),
                    "name": market.get("name"),
                    "country_code": market.get("countryCode"),
                    "currency_code": market.get("defaultCurrencyCode"),
                    "domain": market.get("domainName"),
                    "store_name": entry.get("storeName"),
                    "participating": bool(participation.get("isParticipating")),
                }
            )
        return result

    def search_orders(
        self,
        *,
        marketplace_ids,
        last_updated_after=None,
        last_updated_before=None,
        pagination_token=None,
        fulfillment_statuses=None,
        fulfilled_by=None,
        included_data=None,
        page_size=const.SEARCH_ORDERS_PAGE_SIZE,
    ):
        """Orders API v2026-01-01 searchOrders: one page.

        With ``pagination_token`` the other filters must be those of the first page;
        Amazon ignores them but we resend them, as the documentation asks.

        :returns: dict with ``orders`` (list of Amazon order dicts), ``next_token``
            (str or None) and ``last_updated_before`` (naive UTC datetime or None)
        """
        params = {
            "marketplaceIds": list(marketplace_ids),
            "includedData": list(included_data or const.ORDER_INCLUDED_DATA),
            "maxResultsPerPage": page_size,
        }
        if last_updated_after:
            params["lastUpdatedAfter"] = self.format_time(last_updated_after)
        if last_updated_before:
            before = min(last_updated_before, self.latest_allowed_before())
            params["lastUpdatedBefore"] = self.format_time(before)
        if fulfillment_statuses:
            params["fulfillmentStatuses"] = list(fulfillment_statuses)
        if fulfilled_by:
            params["fulfilledBy"] = list(fulfilled_by)
        if pagination_token:
            params["paginationToken"] = pagination_token
        client = self._client(Orders, version=const.ORDERS_API_VERSION)
        response = self._call("searchOrders", lambda: client.search_orders(**params))
        payload = response.payload or {}
        orders = payload.get("orders")
        if not isinstance(orders, list):
            raise AmazonServerError("searchOrders answered without an order list", operation="searchOrders")
        return {
            "orders": orders,
            # python-amazon-sp-api lifts "pagination" out of the payload
            "next_token": response.next_token,
            "last_updated_before": self.parse_time(payload.get("lastUpdatedBefore")),
        }

    def get_order(self, order_id, included_data=None):
        """Orders API v2026-01-01 getOrder.

        :returns: the Amazon order dict
        :raises AmazonPermanentError: unknown order (404) or refused request
        """
        client = self._client(Orders, version=const.ORDERS_API_VERSION)
        included = list(included_data or const.ORDER_INCLUDED_DATA)
        response = self._call("getOrder", lambda: client.get_order(order_id, includedData=included))
        order = (response.payload or {}).get("order")
        if not isinstance(order, dict):
            raise AmazonServerError("getOrder answered without an order", operation="getOrder")
        return order

    def get_order_packages(self, order_id):
        """The packages Amazon already has for an order (getOrder with ``PACKAGES``).

        :returns: list of Amazon ``OrderPackage`` dicts (``packageReferenceId``,
            ``trackingNumber``, ``packageItems``...)
        """
        order = self.get_order(order_id, included_data=[const.INCLUDED_PACKAGES])
        packages = order.get("packages")
        return [p for p in packages if isinstance(p, dict)] if isinstance(packages, list) else []

    def confirm_shipment(self, order_id, marketplace_id, package):
        """Orders API v0 confirmShipment (one package).

        :param package: dict shaped like Amazon's ``PackageDetail``
        """
        client = self._client(Orders, version="v0")
        self._call(
            "confirmShipment",
            lambda: client.confirm_shipment(order_id, marketplaceId=marketplace_id, packageDetail=package),
            expects_json=False,
        )

    def quota_wait(self, operation):
        """Seconds before ``operation`` may be called without waiting for Amazon's quota
        (0: now). Nothing is reserved: a caller that must not wait stops before it starts
        a piece of work it could not finish."""
        return self._bucket(operation).wait_time()

    def submit_feed(
        self, feed_type, marketplace_ids, content, content_type="text/xml; charset=UTF-8", feed_options=None
    ):
        """Feeds API 2021-06-30: createFeedDocument, upload, createFeed.

        :param content: the feed document as ``bytes`` (UTF-8 for XML feeds)
        :param feed_options: dict of str -> str, the feed's ``feedOptions`` (``UPLOAD_VAT_INVOICE``)
        :returns: dict with ``feed_id`` and ``feed_document_id``
        """
        if not isinstance(content, bytes):
            raise AmazonConfigurationError("Feed content must be bytes (UTF-8 encoded)")
        client = self._client(Feeds)
        # python-amazon-sp-api's helpers add stray keys to these bodies; send them as the model says.
        document = self._call(
            "createFeedDocument",
            lambda: client._request(
                "/feeds/2021-06-30/documents",
                data={"contentType": content_type, "method": "POST"},
                add_marketplace=False,
            ),
        ).payload
        self._call(
            "uploadFeedDocument",
            lambda: self._transport.request(
                "PUT", document["url"], content=content, headers={"Content-Type": content_type}
            ),
            expects_json=False,
        )
        body = {
            "feedType": feed_type,
            "marketplaceIds": list(marketplace_ids),
            "inputFeedDocumentId": document["feedDocumentId"],
        }
        if feed_options:
            body["feedOptions"] = {str(key): str(value) for key, value in feed_options.items()}
        feed = self._call(
            "createFeed",
            lambda: client._request("/feeds/2021-06-30/feeds", data=dict(body, method="POST"), add_marketplace=False),
        ).payload
        return {"feed_id": feed["feedId"], "feed_document_id": document["feedDocumentId"]}

    def get_feed(self, feed_id):
        """Feeds API getFeed: dict with ``processing_status`` and ``result_document_id``."""
        client = self._client(Feeds)
        feed = self._call("getFeed", lambda: client.get_feed(feed_id)).payload
        return {
            "feed_id": feed.get("feedId"),
            "processing_status": feed.get("processingStatus"),
            "result_document_id": feed.get("resultFeedDocumentId"),
        }

    def get_feed_document(self, document_id):
        """Feeds API getFeedDocument followed by the download: the document's bytes."""
        client = self._client(Feeds)
        info = self._call(
            "getFeedDocument",
            lambda: client._request(f"/feeds/2021-06-30/documents/{document_id}", params={}, add_marketplace=False),
        ).payload
        response = self._call(
            "downloadFeedDocument",
            lambda: self._transport.request("GET", info["url"]),
            expects_json=False,
        )
        return self._decompress(response.content, info.get("compressionAlgorithm"))

    def get_reports(self, report_types=None, *, created_since=None, next_token=None, page_size=100):
        """Reports API 2021-06-30 getReports: one page of the seller's reports, newest first.

        With ``next_token`` the token is the only parameter sent, as Amazon asks.

        :param report_types: list of report types (e.g. the settlement report)
        :param created_since: naive UTC datetime (Amazon keeps reports 90 days)
        :returns: dict with ``reports`` (list of dicts: ``report_id``, ``report_type``,
            ``processing_status``, ``document_id``, ``created``, ``data_start``, ``data_end``,
            ``marketplace_ids``) and ``next_token`` (str or None)
        """
        if next_token:
            params = {"nextToken": next_token}
        else:
            params = {"reportTypes": ",".join(report_types), "pageSize": page_size, "processingStatuses": "DONE"}
            if created_since:
                params["createdSince"] = self.format_time(created_since)
        client = self._client(Reports)
        payload = self._call(
            "getReports",
            lambda: client._request("/reports/2021-06-30/reports", params=dict(params), add_marketplace=False),
        ).payload
        reports = payload.get("reports") if isinstance(payload, dict) else None
        if not isinstance(reports, list):
            raise AmazonServerError("getReports answered without a report list", operation="getReports")
        return {
            "reports": [
                {
                    "report_id": report.get("reportId"),
                    "report_type": report.get("reportType"),
                    "processing_status": report.get("processingStatus"),
                    "document_id": report.get("reportDocumentId"),
                    "created": self.parse_time(report.get("createdTime")),
                    "data_start": self.parse_time(report.get("dataStartTime")),
                    "data_end": self.parse_time(report.get("dataEndTime")),
                    "marketplace_ids": report.get("marketplaceIds") or [],
                }
                for report in reports
                if isinstance(report, dict)
            ],
            "next_token": payload.get("nextToken") or None,
        }

    def download_report_document(self, document_id):
        """Reports API getReportDocument followed by the download, as Amazon sends it: a
        big report is expanded by the caller as a stream (``settlement.open_document``).

        :returns: (the downloaded bytes, Amazon's ``compressionAlgorithm`` or None)
        """
        client = self._client(Reports)
        info = self._call(
            "getReportDocument",
            lambda: client._request(f"/reports/2021-06-30/documents/{document_id}", params={}, add_marketplace=False),
        ).payload
        response = self._call(
            "downloadReportDocument",
            lambda: self._transport.request("GET", info["url"]),
            expects_json=False,
        )
        return response.content, info.get("compressionAlgorithm")

    @staticmethod
    def _decompress(content, algorithm):
        """A downloaded document's bytes, decompressed when Amazon compressed it.

        :raises AmazonDocumentError: when the GZIP data is corrupt or cut short: fetching
            it again gives the same bytes
        """
        if algorithm == "GZIP":
            try:
                return gzip.decompress(content)
            except (OSError, EOFError, zlib.error) as exc:
                raise AmazonDocumentError(f"Amazon's GZIP document cannot be read: {exc}") from None
        return content


__all__ = ["TOKENS", "AmazonError", "AmazonPermanentError", "Credentials", "SpApiSession"]
