"""A stateful emulator of Amazon's Selling Partner API, on 127.0.0.1.

It serves the Login with Amazon token endpoint and the SP-API operations the connector
uses, keeps the seller's orders, records what it receives, enforces per-operation usage
plans (429 with ``x-amzn-RateLimit-Limit``) and can be told to misbehave (5xx, slow or
non-JSON answers, expired tokens, throttling, rejections).

Tests drive it in-process (:class:`SpApiEmulator`); a person can run it standalone with a
demo scenario::

    python3 emulator/server.py --port 8765

and point an Amazon account's "SP-API endpoint" and "LWA endpoint" overrides at it.
"""

if __name__ == "__main__" and not __package__:  # run as a script: make the package importable
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    __package__ = "emulator"
    import emulator  # noqa: F401

import copy
import gzip
import json
import logging
import random
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from . import fba, settlements
from . import feeds as feeds_api
from . import fulfillment as mcf
from . import orders as orders_api
from . import reports as reports_api
from .common import ApiError, iso, parse_iso, utcnow  # noqa: F401 - parse_iso: re-exported (fulfillment.py)
from .models import FeedSchemas
from .orders import INCLUDED_DATA_FIELDS  # noqa: F401 - re-exported (tests import it from here)

_logger = logging.getLogger(__name__)

# Documented usage plans (rate per second, burst); a test may change them.
DEFAULT_PLANS = {
    **orders_api.PLANS,
    **feeds_api.PLANS,
    "getMarketplaceParticipations": (0.016, 15),
    "listTransactions": (0.5, 10),
    **reports_api.PLANS,
    **mcf.PLANS,
    **fba.PLANS,
}


class Bucket:
    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Seller:
    def __init__(self, seller_id, client_id, client_secret, refresh_token, participations):
        self.seller_id = seller_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.participations = participations
        self.orders = {}
        self.junk = {}  # key -> anything: served as is among searchOrders results
        self.junk_times = {}  # key -> naive UTC time it counts as updated
        self.listings = {}  # SKU -> {"productType", "quantity" (merchant-fulfilled), "attributes"}
        self.reports = []  # Report dicts (+ private keys), oldest first
        self.invoices = []  # UPLOAD_VAT_INVOICE documents accepted (emulator/feeds.py)


class SpApiEmulator(orders_api.OrdersEmulator, reports_api.ReportsEmulator, feeds_api.FeedsEmulator, fba.FbaEmulator):
    """The emulator: state plus an HTTP server. Use as a context manager or start()/stop()."""

    def __init__(self, host="127.0.0.1", port=0, validator=None, token_lifetime=3600):
        self.host = host
        self.port = port
        self.validator = validator
        self.token_lifetime = token_lifetime
        self.lock = threading.RLock()
        self.sellers = {}  # refresh token -> Seller
        # website authorization workflow: registered applications and the codes they were given
        self.applications = {}  # application id -> {"client_id", "client_secret", "seller_id", "deny"}
        self.auth_codes = {}  # code -> (application id, seller id, expires_at monotonic)
        self.token_clients = {}  # refresh token issued to an application -> its client id
        self.access_tokens = {}  # access token -> (Seller, expires_at monotonic)
        self.issued_tokens = []  # every access token ever issued (tests check none is logged)
        self.plans = dict(DEFAULT_PLANS)
        self.buckets = {}
        self.faults = []
        self.requests = []  # every request received, in order
        self.validation_errors = []
        self.confirmations = []  # confirmShipment bodies accepted
        self.feed_documents = {}  # id -> {"content": bytes|None, "content_type": str}
        self.feeds = {}  # id -> feed dict (+ private keys)
        self.pagination = {}  # token -> (order ids, offset, filters)
        self.storm_rate = 0.0  # share of calls that misbehave at random (see storm())
        self._feed_schemas = None
        self.mcf = mcf.Fulfillment(self)  # Multi-Channel Fulfillment (emulator/fulfillment.py)
        self.fba_reset()
        self.server = None
        self.thread = None

    # ------------------------------------------------------------------ lifecycle

    def start(self):
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="spapi-emulator", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def lwa_url(self):
        return f"{self.url}/auth/o2/token"

    # ------------------------------------------------------------------ state API

    def add_seller(self, seller_id, client_id, client_secret, refresh_token, participations=None):
        """Register an authorization. ``participations``: list of (marketplace id,
        name, country code, currency code, domain) or ready dicts."""
        parts = []
        for entry in participations or []:
            if isinstance(entry, dict):
                parts.append(entry)
                continue
            mp_id, name, country, currency, domain = entry
            parts.append(
                {
                    "marketplace": {
                        "id": mp_id,
                        "name": name,
                        "countryCode": country,
                        "defaultCurrencyCode": currency,
                        "defaultLanguageCode": "en_US",
                        "domainName": domain,
                    },
                    "participation": {"isParticipating": True, "hasSuspendedListings": False},
                    "storeName": f"{seller_id} store",
                }
            )
        with self.lock:
            seller = Seller(seller_id, client_id, client_secret, refresh_token, parts)
            self.sellers[refresh_token] = seller
            # a seller registered again starts afresh: its former access tokens are revoked
            self.access_tokens = {
                token: entry for token, entry in self.access_tokens.items() if entry[0].refresh_token != refresh_token
            }
            return seller

    def add_application(self, application_id, client_id, client_secret, seller_id, deny=False, draft=False):
        """Register a public SP-API application: on its consent page, seller ``seller_id``
        authorizes it (or, with ``deny``, refuses). A ``draft`` application (not published)
        is only offered with ``version=beta``, as on Amazon."""
        with self.lock:
            self.applications[application_id] = {
                "client_id": client_id,
                "client_secret": client_secret,
                "seller_id": seller_id,
                "deny": deny,
                "draft": draft,
            }

    def consent(self, query):
        """Seller Central's consent page, answered at once as the registered seller would:
        a redirect to ``redirect_uri`` with ``state``, ``selling_partner_id`` and
        ``spapi_oauth_code`` (valid 5 minutes, once), or with ``error`` when refused.

        :returns: (status, location or message)
        """
        application_id = (query.get("application_id") or [""])[0]
        state = (query.get("state") or [""])[0]
        redirect_uri = (query.get("redirect_uri") or [""])[0]
        application = self.applications.get(application_id)
        if not application or not redirect_uri:
            return 400, "Unknown application or missing redirect_uri."
        if application["draft"] and (query.get("version") or [""])[0] != "beta":
            return 400, "This application is not published: a draft is authorized with version=beta."
        if application["deny"]:
            params = {"state": state, "error": "access_denied", "error_description": "The seller declined."}
        else:
            code = "ANDx" + secrets.token_urlsafe(18)
            with self.lock:
                self.auth_codes[code] = (application_id, application["seller_id"], time.monotonic() + 300)
            params = {"state": state, "selling_partner_id": application["seller_id"], "spapi_oauth_code": code}
        separator = "&" if "?" in redirect_uri else "?"
        return 302, redirect_uri + separator + urlencode(params)

    def _authorization_code_grant(self, form):
        """LWA ``grant_type=authorization_code``: a consent's code, once, for the
        application it was given to -> a refresh token of the seller for that application."""
        with self.lock:
            application_id, seller_id, expires_at = self.auth_codes.pop(form.get("code"), (None, None, 0))
        application = self.applications.get(application_id)
        if (
            not application
            or time.monotonic() >= expires_at
            or application["client_id"] != form.get("client_id")
            or application["client_secret"] != form.get("client_secret")
        ):
            return 400, {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : code",
            }
        seller = self.seller(seller_id)
        refresh_token = "Atzr|" + secrets.token_urlsafe(24)
        with self.lock:
            self.sellers[refresh_token] = seller
            self.token_clients[refresh_token] = application["client_id"]
        return self._grant_access(seller, refresh_token)

    def _grant_access(self, seller, refresh_token):
        """A new access token of ``seller``: LWA's answer to a grant."""
        token = "Atza|" + secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[token] = (seller, time.monotonic() + self.token_lifetime)
            self.issued_tokens.append(token)
        return 200, {
            "access_token": token,
            "refresh_token": refresh_token,
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
        }

    def seller(self, seller_id):
        for seller in self.sellers.values():
            if seller.seller_id == seller_id:
                return seller
        raise KeyError(seller_id)

    def put_order(self, seller_id, order):
        """Add or replace an order (a full v2026-01-01 ``Order`` dict)."""
        with self.lock:
            self.seller(seller_id).orders[order["orderId"]] = copy.deepcopy(order)

    def put_junk(self, seller_id, entry, updated=None):
        """Serve ``entry`` (anything: a malformed order, a string, None...) among the
        searchOrders results of the window containing ``updated`` (default: minutes ago).
        Such answers break Amazon's model on purpose: the emulator records them as
        validation errors, which the test that asked for them clears."""
        with self.lock:
            seller = self.seller(seller_id)
            key = f"junk-{len(seller.junk)}"
            seller.junk[key] = copy.deepcopy(entry)
            seller.junk_times[key] = updated or utcnow() - timedelta(minutes=5)
            return key

    def order(self, seller_id, order_id):
        return self.seller(seller_id).orders[order_id]

    def put_listing(self, seller_id, sku, product_type="PRODUCT", quantity=None):
        """Add or replace a listing of the seller (what Seller Central shows for ``sku``)."""
        with self.lock:
            self.seller(seller_id).listings[sku] = {"productType": product_type, "quantity": quantity, "attributes": {}}

    def quantity(self, seller_id, sku):
        """The merchant-fulfilled quantity Amazon has for ``sku`` (None: never set; KeyError:
        no such listing)."""
        return self.seller(seller_id).listings[sku]["quantity"]

    def put_report(
        self,
        seller_id,
        report_type,
        content,
        *,
        compress=False,
        created=None,
        start=None,
        end=None,
        marketplace_ids=None,
    ):
        """Make a finished report available to getReports (newest first) and its document
        to getReportDocument, GZIP-compressed when ``compress``; ``marketplace_ids`` default
        to the seller's first marketplace. :returns: the report id"""
        with self.lock:
            seller = self.seller(seller_id)
            document_id = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}"
            self.feed_documents[document_id] = {
                "content": gzip.compress(content) if compress else content,
                "content_type": "text/tab-separated-values",
                "compression": "GZIP" if compress else None,
            }
            report_id = str(70000000000 + sum(len(s.reports) for s in self.sellers.values()) + 1)
            created = created or utcnow()
            report = {
                "reportId": report_id,
                "reportType": report_type,
                "createdTime": iso(created),
                "processingStatus": "DONE",
                "processingStartTime": iso(created),
                "processingEndTime": iso(created),
                "reportDocumentId": document_id,
                "marketplaceIds": list(marketplace_ids or [p["marketplace"]["id"] for p in seller.participations][:1]),
                "_created": created,
            }
            if start and end:
                report["dataStartTime"], report["dataEndTime"] = iso(start), iso(end)
            seller.reports.append(report)
            return report_id

    def put_settlement(self, seller_id, settlement_id, orders=(), *, compress=True, created=None, **options):
        """A settlement report of ``orders`` (ids or order dicts of this seller), their
        fees, and the refunds, reserves and other rows of ``options`` (see
        :func:`settlements.settlement_rows`). :returns: (report id, Decimal total)"""
        seller = self.seller(seller_id)
        orders = [seller.orders[o] if isinstance(o, str) else o for o in orders]
        # reimbursements and MCF orders by id: the rows of this emulator's reports and orders
        if options.get("reimbursements"):
            wanted = set(options["reimbursements"])
            options["reimbursements"] = [
                row
                for _date, row in self.fba_events.get((seller_id, fba.REIMBURSEMENTS), [])
                if isinstance(row, dict) and row.get("reimbursement-id") in wanted
            ]
        if options.get("mcf_orders"):
            options["mcf_orders"] = [self.mcf.order(seller_id, ref) for ref in options["mcf_orders"]]
        rows, total = settlements.settlement_rows(settlement_id, orders, **options)
        head = rows[0]
        report_id = self.put_report(
            seller_id,
            "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
            settlements.settlement_document(rows),
            compress=compress,
            created=created,
            start=datetime.strptime(head["settlement-start-date"], "%Y-%m-%d %H:%M:%S UTC"),
            end=datetime.strptime(head["settlement-end-date"], "%Y-%m-%d %H:%M:%S UTC"),
            marketplace_ids=sorted({o["salesChannel"]["marketplaceId"] for o in orders}) or None,
        )
        return report_id, total

    @property
    def feed_schemas(self):
        """Amazon's JSON listings feed schemas, loaded on first use."""
        if self._feed_schemas is None:
            self._feed_schemas = FeedSchemas(self.validator.directory if self.validator else None)
        return self._feed_schemas

    def set_status(self, seller_id, order_id, status, updated=None):
        """Change an order's fulfillment status (and its lastUpdatedTime)."""
        with self.lock:
            order = self.order(seller_id, order_id)
            order.setdefault("fulfillment", {})["fulfillmentStatus"] = status
            order["lastUpdatedTime"] = iso(updated or utcnow() - timedelta(minutes=5))

    def set_item_quantity(self, seller_id, order_id, item, quantity, updated=None, cancelled_by="BUYER"):
        """Change the ordered quantity of one item of an order, as Amazon does when a buyer
        cancels an item (``quantity`` 0) out of an order that goes on.

        The item's proceeds follow: every breakdown is scaled by new / old quantity (0: all
        zero), its ``proceedsTotal`` and the order's ``proceeds`` are summed again, what
        remains to ship follows, and an item canceled to 0 says who canceled it.

        :param item: the item's ``orderItemId`` or seller SKU
        """
        with self.lock:
            order = self.order(seller_id, order_id)
            [entry] = [
                i for i in order["orderItems"] if item in (i["orderItemId"], (i.get("product") or {}).get("sellerSku"))
            ]
            old = entry["quantityOrdered"]
            ratio = Decimal(quantity) / Decimal(old) if old else Decimal(0)

            def scaled(money):
                amount = Decimal(money["amount"])
                return dict(money, amount=str((amount * ratio).quantize(Decimal(1).scaleb(amount.as_tuple().exponent))))

            proceeds = entry.get("proceeds")
            delta = {}  # proceeds type -> change, for the order's totals
            for breakdown in (proceeds or {}).get("breakdowns") or []:
                before = Decimal(breakdown["subtotal"]["amount"])
                breakdown["subtotal"] = scaled(breakdown["subtotal"])
                delta[breakdown["type"]] = (
                    delta.get(breakdown["type"], 0) + Decimal(breakdown["subtotal"]["amount"]) - before
                )
                for detail in breakdown.get("detailedBreakdowns") or []:
                    detail["value"] = scaled(detail["value"])
            if proceeds and proceeds.get("proceedsTotal"):
                total = sum((Decimal(b["subtotal"]["amount"]) for b in proceeds.get("breakdowns") or []), Decimal(0))
                proceeds["proceedsTotal"] = dict(proceeds["proceedsTotal"], amount=str(total))
            entry["quantityOrdered"] = quantity
            fulfillment = entry.setdefault("fulfillment", {})
            fulfillment["quantityUnfulfilled"] = max(0, quantity - fulfillment.get("quantityFulfilled", 0))
            if quantity == 0:
                entry["cancellation"] = {
                    "cancellationExecution": {"cancelledBy": cancelled_by, "cancelReason": "BUYER_CANCELED"}
                }
            order_proceeds = order.get("proceeds") or {}
            for breakdown in order_proceeds.get("breakdowns") or []:
                change = delta.get(breakdown["type"], 0)
                breakdown["subtotal"] = dict(
                    breakdown["subtotal"], amount=str(Decimal(breakdown["subtotal"]["amount"]) + change)
                )
            if order_proceeds.get("grandTotal"):
                grand = Decimal(order_proceeds["grandTotal"]["amount"]) + sum(delta.values(), Decimal(0))
                order_proceeds["grandTotal"] = dict(order_proceeds["grandTotal"], amount=str(grand))
            order["lastUpdatedTime"] = iso(updated or utcnow() - timedelta(minutes=5))
            return entry

    def set_plan(self, operation, rate, burst):
        with self.lock:
            self.plans[operation] = (rate, burst)
            self.buckets = {k: v for k, v in self.buckets.items() if k[1] != operation}

    def inject(self, operation, kind, times=1, **options):
        """Make the next ``times`` calls of ``operation`` misbehave.

        kinds: ``server_error`` (500 JSON), ``unavailable`` (503 HTML), ``non_json``
        (200 with an HTML body), ``empty`` (200 without a body), ``slow`` (sleep
        ``delay`` seconds, then answer normally), ``throttle`` (429), ``expire_token``
        (every access token expires now), ``reject`` (400 with ``code``/``message``;
        ``match`` limits it to paths containing that text), ``call`` (run ``function()``
        before answering normally: what another user does while a request is under way).
        """
        with self.lock:
            self.faults.append({"operation": operation, "kind": kind, "times": times, **options})

    def calls(self, operation=None):
        """Operations received (names), optionally only those of one operation."""
        return [r for r in self.requests if operation is None or r["operation"] == operation]

    def reset(self):
        """Forget everything: sellers, orders, tokens, faults, logs, usage."""
        with self.lock:
            self.sellers.clear()
            self.applications.clear()
            self.auth_codes.clear()
            self.token_clients.clear()
            self.access_tokens.clear()
            self.issued_tokens.clear()
            self.plans = dict(DEFAULT_PLANS)
            self.buckets.clear()
            self.faults.clear()
            self.requests.clear()
            self.validation_errors.clear()
            self.confirmations.clear()
            self.feed_documents.clear()
            self.feeds.clear()
            self.pagination.clear()
            self.storm_rate = 0.0
            self.mcf.reset()
            self.fba_reset()

    def expire_tokens(self):
        with self.lock:
            self.access_tokens = {}

    # ------------------------------------------------------------------ internals

    def storm(self, rate, kinds=("throttle", "server_error", "unavailable", "slow"), delay=6.0, seed=None):
        """From now on, a share ``rate`` of all SP-API calls misbehaves (a random kind of
        ``kinds``; ``slow`` answers after ``delay`` seconds). ``storm(0)`` ends it."""
        with self.lock:
            self.storm_rate = rate
            self.storm_kinds = list(kinds)
            self.storm_delay = delay
            self.storm_random = random.Random(seed)

    def _take_fault(self, operation, path):
        with self.lock:
            for fault in self.faults:
                if fault["operation"] == operation and fault.get("match", "") in path:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.faults.remove(fault)
                    return fault
            if self.storm_rate and operation not in ("lwa_token", "processFeed"):
                if self.storm_random.random() < self.storm_rate:
                    kind = self.storm_random.choice(self.storm_kinds)
                    return {"operation": operation, "kind": kind, "times": 1, "delay": self.storm_delay}
        return None

    def _authenticate(self, headers):
        token = headers.get("x-amz-access-token")
        with self.lock:
            seller, expires_at = self.access_tokens.get(token, (None, 0))
        if not seller:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
            )
        if time.monotonic() >= expires_at:
            raise ApiError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
            )
        return seller

    def _throttle(self, seller, operation):
        rate, burst = self.plans.get(operation, (1.0, 10))
        with self.lock:
            bucket = self.buckets.get((seller.seller_id, operation))
            if bucket is None:
                bucket = self.buckets[(seller.seller_id, operation)] = Bucket(rate, burst)
            if not bucket.take():
                raise ApiError(
                    429,
                    "QuotaExceeded",
                    "You exceeded your quota for the requested resource.",
                    headers={"x-amzn-RateLimit-Limit": str(rate)},
                )

    def validate(self, model, operation, status, body):
        if self.validator is None or model is None:
            return
        errors = self.validator.response_errors(model, operation, status, body)
        if errors:
            with self.lock:
                self.validation_errors.append((operation, status, errors))

    def validate_request(self, model, operation, body):
        """Validate a request body; a body Amazon's model refuses is a 400 like Amazon's."""
        if self.validator is None:
            return
        errors = self.validator.request_errors(model, operation, body)
        if errors:
            raise ApiError(400, "InvalidInput", "Request body does not match the model.", "; ".join(errors)[:900])

    # ------------------------------------------------------------------ LWA

    def lwa_token(self, form):
        grant = form.get("grant_type")
        refresh_token = form.get("refresh_token")
        seller = self.sellers.get(refresh_token)
        client_ok = any(
            s.client_id == form.get("client_id") and s.client_secret == form.get("client_secret")
            for s in self.sellers.values()
        ) or any(
            a["client_id"] == form.get("client_id") and a["client_secret"] == form.get("client_secret")
            for a in self.applications.values()
        )
        if not client_ok:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        if grant == "authorization_code":
            return self._authorization_code_grant(form)
        client_id = self.token_clients.get(refresh_token) or (seller and seller.client_id)
        if grant != "refresh_token" or not seller or client_id != form.get("client_id"):
            return 400, {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            }
        return self._grant_access(seller, refresh_token)

    # ------------------------------------------------------------------ Sellers

    def participations(self, seller):
        return 200, {"payload": copy.deepcopy(seller.participations)}


# (method, path prefix/pattern, operation, model) - resolved by _Handler._route
ROUTES = [
    ("POST", "/auth/o2/token", "lwa_token", None),
    ("GET", "/apps/authorize/consent", "consent", None),
    *orders_api.ROUTES,
    ("GET", "/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations", "sellers"),
    *reports_api.ROUTES,
    *feeds_api.ROUTES,
    *mcf.ROUTES,
    *fba.ROUTES,
]


def _match(pattern, path):
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        return None
    found = None
    for w, g in zip(want, got, strict=True):
        if w == "{id}":
            found = g
        elif w != g:
            return None
    return found if found is not None else ""


class _Handler(BaseHTTPRequestHandler):
    emulator = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        _logger.debug("emulator: " + format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def _route(self, method, path):
        for route_method, pattern, operation, model in ROUTES:
            if route_method != method:
                continue
            found = _match(pattern, path)
            if found is not None:
                return operation, model, found
        return None, None, None

    def _dispatch(self, method):
        emulator = self.emulator
        split = urlsplit(self.path)
        query = {}
        for key, values in parse_qs(split.query, keep_blank_values=True).items():
            query[key] = [part for value in values for part in value.split(",") if part]
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        operation, model, path_id = self._route(method, split.path)
        record = {"operation": operation, "method": method, "path": split.path, "query": query}
        with emulator.lock:
            emulator.requests.append(record)
        if operation is None:
            return self._send(404, {"errors": [{"code": "NotFound", "message": "Resource not found."}]}, record)
        fault = emulator._take_fault(operation, self.path)
        if fault and fault["kind"] == "slow":
            time.sleep(fault.get("delay", 2.0))
            fault = None
        if fault and fault["kind"] == "expire_token":
            emulator.expire_tokens()
            fault = None
        if fault and fault["kind"] == "call":  # something happens elsewhere meanwhile (tests)
            fault["function"]()
            fault = None
        try:
            if fault:
                return self._fault(fault, record)
            if operation == "consent":
                status, answer = emulator.consent(parse_qs(split.query))
                if status == 302:
                    return self._send_raw(302, b"", "text/plain", record, {"location": answer})
                return self._send_raw(status, answer.encode(), "text/plain", record)
            if operation == "lwa_token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                status, body = emulator.lwa_token(form)
                return self._send(status, body, record)
            if operation == "uploadFeedDocument":
                status, content = emulator.upload_document(path_id, raw, self.headers.get("content-type"))
                return self._send_raw(status, content, "application/xml", record)
            if operation == "downloadFeedDocument":
                status, content = emulator.download_document(path_id)
                return self._send_raw(status, content, "text/xml; charset=UTF-8", record)
            seller = emulator._authenticate(self.headers)
            emulator._throttle(seller, operation)
            body = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "InvalidInput", "The request body is not JSON.") from None
            record["body"] = body
            status, answer = self._operation(emulator, seller, operation, path_id, query, body)
        except ApiError as exc:
            emulator.validate(model, operation, exc.status, exc.body)
            return self._send(exc.status, exc.body, record, exc.headers)
        emulator.validate(model, operation, status, answer)
        rate = emulator.plans.get(operation, (None,))[0]
        return self._send(status, answer, record, {"x-amzn-RateLimit-Limit": str(rate)} if rate else None)

    @staticmethod
    def _operation(emulator, seller, operation, path_id, query, body):
        if operation == "searchOrders":
            return emulator.search_orders(seller, query)
        if operation == "getOrder":
            return emulator.get_order(seller, path_id, query)
        if operation == "confirmShipment":
            return emulator.confirm_shipment(seller, path_id, body or {})
        if operation == "getMarketplaceParticipations":
            return emulator.participations(seller)
        if operation == "createFeedDocument":
            return emulator.create_feed_document(body or {})
        if operation == "createFeed":
            return emulator.create_feed(seller, body or {})
        if operation == "getFeed":
            return emulator.get_feed(seller, path_id)
        if operation == "getFeedDocument":
            return emulator.get_feed_document(path_id)
        if operation == "getReports":
            return emulator.get_reports(seller, query)
        if operation == "getReportDocument":
            return emulator.get_report_document(seller, path_id)
        if operation in mcf.OPERATIONS:
            return emulator.mcf.handle(seller, operation, path_id, query, body)
        return emulator.fba_operation(seller, operation, path_id, query, body)

    def _fault(self, fault, record):
        kind = fault["kind"]
        if kind == "server_error":
            return self._send(
                500, {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}, record
            )
        if kind == "unavailable":
            return self._send_raw(503, b"<html><body>Service Unavailable</body></html>", "text/html", record)
        if kind == "non_json":
            return self._send_raw(200, b"<html><body>Oops</body></html>", "text/html", record)
        if kind == "empty":
            return self._send_raw(200, b"", "application/json", record)
        if kind == "throttle":
            rate = self.emulator.plans.get(record["operation"], (1.0,))[0]
            return self._send(
                429,
                {
                    "errors": [
                        {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}
                    ]
                },
                record,
                {"x-amzn-RateLimit-Limit": str(rate)},
            )
        if kind == "reject":
            return self._send(
                fault.get("status", 400),
                {"errors": [{"code": fault.get("code", "InvalidInput"), "message": fault.get("message", "Rejected.")}]},
                record,
            )
        raise ValueError(f"unknown fault {kind}")

    def _send(self, status, body, record, headers=None):
        payload = b"" if body is None else json.dumps(body).encode()
        return self._send_raw(status, payload, "application/json", record, headers)

    def _send_raw(self, status, payload, content_type, record, headers=None):
        record["status"] = status
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            record["client_gone"] = True  # the client gave up (timeout): like Amazon, carry on


def main(argv=None):
    import argparse  # noqa: PLC0415

    from .scenarios import DEMO_CREDENTIALS, load_demo  # noqa: PLC0415

    parser = argparse.ArgumentParser(description="Run the SP-API emulator with a demo scenario.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    emulator = SpApiEmulator(host=args.host, port=args.port)
    load_demo(emulator)
    emulator.start()
    # pylint: disable=print-used  # the command line's banner, for a person
    print(f"SP-API emulator on {emulator.url}")  # noqa: T201
    print("Configure an Amazon account with (developer mode):")  # noqa: T201
    print(f"  SP-API endpoint: {emulator.url}")  # noqa: T201
    print(f"  LWA endpoint:    {emulator.lwa_url}")  # noqa: T201
    for label, value in DEMO_CREDENTIALS.items():
        print(f"  {label}: {value}")  # noqa: T201
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
