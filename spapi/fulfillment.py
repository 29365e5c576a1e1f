"""Multi-Channel Fulfillment: Amazon ships an order of another channel from the seller's FBA
stock (Fulfillment Outbound API 2020-07-01, ``shared/spapi-models/fulfillmentOutbound_2020-07-01.json``).

Plain Python: the functions take an :class:`~.session.SpApiSession` and plain values
(:class:`McfOrder`, :class:`McfAddress`, :class:`McfLine`) and return plain dicts; every
request goes through the session's one entry point (:meth:`SpApiSession.request_json`).
Amounts stay Decimal strings as Amazon sends them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

from .. import const
from .exceptions import AmazonPermanentError, AmazonServerError
from .session import SpApiSession


@dataclass(frozen=True)
class McfAddress:
    """Where Amazon delivers (Amazon's ``Address``)."""

    name: str
    line1: str
    postal_code: str
    country_code: str
    line2: str = ""
    city: str = ""
    state: str = ""
    phone: str = ""

    def as_amazon(self):
        address = {
            "name": self.name,
            "addressLine1": self.line1,
            "postalCode": self.postal_code,
            "countryCode": self.country_code,
        }
        for key, value in (
            ("addressLine2", self.line2),
            ("city", self.city),
            ("stateOrRegion", self.state),
            ("phone", self.phone),
        ):
            if value:
                address[key] = value
        return address


@dataclass(frozen=True)
class McfLine:
    """One SKU of a fulfillment order; ``item_id`` is unique within the order."""

    item_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class McfOrder:
    """What :func:`create_order` sends (``order_id`` is the seller's reference: idempotent)."""

    order_id: str
    displayable_id: str
    date: datetime
    comment: str
    speed: str
    address: McfAddress
    lines: tuple
    policy: str = "FillOrKill"
    marketplace_id: str = ""
    features: tuple = field(default_factory=tuple)  # featureConstraints names, all Required
    emails: tuple = field(default_factory=tuple)


def _check_lines(lines):
    if not lines:
        raise ValueError("A fulfillment order needs at least one item")
    for line in lines:
        if not line.sku:
            raise ValueError(f"Item {line.item_id} has no SKU")
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity < 1:
            raise ValueError(f"Quantity of SKU {line.sku} must be a whole number of 1 or more")


def build_preview_request(address, lines, speeds=None, marketplace_id=""):
    """The body of ``getFulfillmentPreview`` (pure)."""
    _check_lines(lines)
    body = {
        "address": address.as_amazon(),
        "items": [
            {"sellerSku": x.sku, "quantity": x.quantity, "sellerFulfillmentOrderItemId": x.item_id} for x in lines
        ],
    }
    if speeds:
        body["shippingSpeedCategories"] = list(speeds)
    if marketplace_id:
        body["marketplaceId"] = marketplace_id
    return body


def build_create_request(order):
    """The body of ``createFulfillmentOrder`` for an :class:`McfOrder` (pure)."""
    _check_lines(order.lines)
    body = {
        "sellerFulfillmentOrderId": order.order_id,
        "displayableOrderId": order.displayable_id,
        "displayableOrderDate": _format_time(order.date),
        "displayableOrderComment": order.comment,
        "shippingSpeedCategory": order.speed,
        "destinationAddress": order.address.as_amazon(),
        "fulfillmentAction": const.MCF_ACTION_SHIP,
        "fulfillmentPolicy": order.policy,
        "items": [
            {"sellerSku": x.sku, "sellerFulfillmentOrderItemId": x.item_id, "quantity": x.quantity} for x in order.lines
        ],
    }
    if order.marketplace_id:
        body["marketplaceId"] = order.marketplace_id
    if order.features:
        body["featureConstraints"] = [
            {"featureName": name, "featureFulfillmentPolicy": const.MCF_FEATURE_REQUIRED} for name in order.features
        ]
    if order.emails:
        body["notificationEmails"] = list(order.emails)
    return body


def _format_time(value):
    return SpApiSession.format_time(value)


def _order_path(order_id):
    # Amazon reads "+" in the path as a space: quote everything but the safe characters
    return f"{const.MCF_PATH}/fulfillmentOrders/{quote(order_id, safe='')}"


# ---------------------------------------------------------------------------- operations


def get_preview(session, address, lines, speeds=None, marketplace_id=""):
    """``getFulfillmentPreview``: per shipping speed, whether Amazon can ship the lines,
    its fees and dates.

    :returns: list of dicts ``speed``, ``fulfillable`` (bool), ``fees`` (list of (name,
        Decimal string, currency)), ``total_fee`` (Decimal string or None), ``currency``,
        ``ship_date``, ``arrival_from``, ``arrival_to`` (naive UTC datetimes or None),
        ``reasons`` (Amazon's reasons the order or its items cannot ship)
    """
    body = build_preview_request(address, lines, speeds, marketplace_id)
    payload = session.request_json(
        "getFulfillmentPreview", "POST", f"{const.MCF_PATH}/fulfillmentOrders/preview", body=body
    )
    previews = payload.get("fulfillmentPreviews")
    if not isinstance(previews, list):
        raise AmazonServerError("getFulfillmentPreview answered without previews", operation="getFulfillmentPreview")
    result = []
    for preview in previews:
        fees = [
            (fee["name"], str(fee["amount"]["value"]), fee["amount"].get("currencyCode"))
            for fee in preview.get("estimatedFees") or []
        ]
        shipments = preview.get("fulfillmentPreviewShipments") or []
        reasons = list(preview.get("orderUnfulfillableReasons") or [])
        for item in preview.get("unfulfillablePreviewItems") or []:
            why = ", ".join(item.get("itemUnfulfillableReasons") or []) or "unfulfillable"
            reasons.append(f"{item.get('sellerSku')}: {why}")
        result.append(
            {
                "speed": preview.get("shippingSpeedCategory"),
                "fulfillable": bool(preview.get("isFulfillable")),
                "fees": fees,
                "total_fee": str(sum((Decimal(value) for _n, value, _c in fees), Decimal(0))) if fees else None,
                "currency": fees[0][2] if fees else None,
                "ship_date": min(
                    filter(None, (session.parse_time(s.get("earliestShipDate")) for s in shipments)), default=None
                ),
                "arrival_from": min(
                    filter(None, (session.parse_time(s.get("earliestArrivalDate")) for s in shipments)), default=None
                ),
                "arrival_to": max(
                    filter(None, (session.parse_time(s.get("latestArrivalDate")) for s in shipments)), default=None
                ),
                "reasons": reasons,
            }
        )
    return result


def create_order(session, order):
    """``createFulfillmentOrder``, idempotent on the seller's order id: when Amazon answers
    that the id exists already (a retry, or a crash before our commit), the order it has is
    read back and returned as created.

    :returns: ``"created"`` or ``"existing"``
    :raises AmazonPermanentError: Amazon refused the order (its message says why)
    """
    body = build_create_request(order)
    try:
        session.request_json("createFulfillmentOrder", "POST", f"{const.MCF_PATH}/fulfillmentOrders", body=body)
        return "created"
    except AmazonPermanentError as exc:
        if not is_duplicate(exc):
            raise
    get_order(session, order.order_id)  # proves Amazon has it; raises when it does not
    return "existing"


def is_duplicate(exc):
    """Amazon's answer to a ``sellerFulfillmentOrderId`` it already has."""
    text = str(exc).lower()
    return exc.status == 400 and any(marker in text for marker in const.MCF_DUPLICATE_MARKERS)


def get_order(session, order_id):
    """``getFulfillmentOrder``.

    :returns: dict ``status``, ``status_date``, ``items`` (dict item id -> dict ``sku``,
        ``quantity``, ``cancelled``, ``unfulfillable``), ``shipments`` (list of dicts
        ``status``, ``shipped`` (datetime), ``items`` (dict item id -> quantity), ``packages``
        (list of dicts ``number``, ``carrier``, ``tracking``))
    """
    payload = session.request_json("getFulfillmentOrder", "GET", _order_path(order_id))
    order = payload.get("fulfillmentOrder")
    if not isinstance(order, dict):
        raise AmazonServerError("getFulfillmentOrder answered without an order", operation="getFulfillmentOrder")
    items = {
        item["sellerFulfillmentOrderItemId"]: {
            "sku": item.get("sellerSku"),
            "quantity": item.get("quantity") or 0,
            "cancelled": item.get("cancelledQuantity") or 0,
            "unfulfillable": item.get("unfulfillableQuantity") or 0,
        }
        for item in payload.get("fulfillmentOrderItems") or []
    }
    shipments = []
    for shipment in payload.get("fulfillmentShipments") or []:
        quantities = {}
        for item in shipment.get("fulfillmentShipmentItem") or []:
            key = item["sellerFulfillmentOrderItemId"]
            quantities[key] = quantities.get(key, 0) + (item.get("quantity") or 0)
        shipments.append(
            {
                "id": shipment.get("amazonShipmentId"),
                "status": shipment.get("fulfillmentShipmentStatus"),
                "shipped": session.parse_time(shipment.get("shippingDate")),
                "items": quantities,
                "packages": [
                    {
                        "number": package.get("packageNumber"),
                        "carrier": package.get("carrierCode"),
                        "tracking": package.get("trackingNumber"),
                    }
                    for package in shipment.get("fulfillmentShipmentPackage") or []
                ],
            }
        )
    return {
        "order_id": order.get("sellerFulfillmentOrderId"),
        "status": order.get("fulfillmentOrderStatus"),
        "status_date": session.parse_time(order.get("statusUpdatedDate")),
        "items": items,
        "shipments": shipments,
    }


def list_orders(session, query_start=None, next_token=None):
    """``listAllFulfillmentOrders``: one page of the orders changed since ``query_start``.

    :returns: dict ``orders`` (list of dicts ``order_id``, ``status``, ``status_date``) and
        ``next_token``
    """
    params = {"nextToken": next_token} if next_token else {}
    if query_start and not next_token:
        params["queryStartDate"] = session.format_time(query_start)
    payload = session.request_json(
        "listAllFulfillmentOrders", "GET", f"{const.MCF_PATH}/fulfillmentOrders", params=params
    )
    orders = payload.get("fulfillmentOrders")
    if orders is None:
        orders = []
    if not isinstance(orders, list):
        raise AmazonServerError(
            "listAllFulfillmentOrders answered without an order list", operation="listAllFulfillmentOrders"
        )
    return {
        "orders": [
            {
                "order_id": order.get("sellerFulfillmentOrderId"),
                "status": order.get("fulfillmentOrderStatus"),
                "status_date": session.parse_time(order.get("statusUpdatedDate")),
            }
            for order in orders
            if isinstance(order, dict)
        ],
        "next_token": payload.get("nextToken") or None,
    }


def get_tracking(session, package_number):
    """``getPackageTrackingDetails``: dict ``carrier``, ``tracking``, ``status``, ``link``."""
    payload = session.request_json(
        "getPackageTrackingDetails",
        "GET",
        f"{const.MCF_PATH}/tracking",
        params={"packageNumber": package_number},
    )
    return {
        "carrier": payload.get("carrierCode"),
        "tracking": payload.get("trackingNumber"),
        "status": payload.get("currentStatus"),
        "link": payload.get("customerTrackingLink"),
    }


def cancel_order(session, order_id):
    """``cancelFulfillmentOrder``.

    :raises AmazonPermanentError: Amazon refused (the order shipped, or is being shipped)
    """
    session.request_json("cancelFulfillmentOrder", "PUT", f"{_order_path(order_id)}/cancel")
