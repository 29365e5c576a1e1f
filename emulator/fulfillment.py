"""Multi-Channel Fulfillment in the emulator (Fulfillment Outbound API 2020-07-01).

The seller's FBA stock, its fulfillment orders and their shipments. Tests move an order
along as Amazon's fulfillment center would (:meth:`Fulfillment.advance`, :meth:`ship`).
Every body is validated against ``fulfillmentOutbound_2020-07-01.json`` by the server.
"""

import copy
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import unquote

MODEL = "fulfillmentOutbound_2020-07-01"
BASE = "/fba/outbound/2020-07-01"
ROUTES = [
    ("POST", f"{BASE}/fulfillmentOrders/preview", "getFulfillmentPreview", MODEL),
    ("GET", f"{BASE}/fulfillmentOrders", "listAllFulfillmentOrders", MODEL),
    ("POST", f"{BASE}/fulfillmentOrders", "createFulfillmentOrder", MODEL),
    ("GET", f"{BASE}/fulfillmentOrders/{{id}}", "getFulfillmentOrder", MODEL),
    ("PUT", f"{BASE}/fulfillmentOrders/{{id}}/cancel", "cancelFulfillmentOrder", MODEL),
    ("GET", f"{BASE}/tracking", "getPackageTrackingDetails", MODEL),
]
OPERATIONS = {operation for _method, _path, operation, _model in ROUTES}
# 2 requests per second, burst 30 for every operation of the API
PLANS = dict.fromkeys(OPERATIONS, (2.0, 30))
SPEEDS = ("Standard", "Expedited", "Priority")
# per unit fulfillment fee by speed, and days to deliver (from, to)
FEES = {"Standard": Decimal("6.50"), "Expedited": Decimal("9.75"), "Priority": Decimal("14.20")}
DAYS = {"Standard": (3, 5), "Expedited": (2, 2), "Priority": (1, 1)}
CANCELLABLE = ("New", "Received", "Planning")


def _error(status, code, message):
    from .server import ApiError  # noqa: PLC0415 - the server imports this module

    return ApiError(status, code, message)


class Fulfillment:
    """MCF state of every seller of one emulator."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.page_size = 50
        self.reset()

    def reset(self):
        self.stock = {}  # (seller id, sku) -> units Amazon holds
        self.orders = {}  # (seller id, sellerFulfillmentOrderId) -> dict
        self.tokens = {}  # nextToken -> (seller id, ids, offset)
        self.package_numbers = {}  # package number -> (seller id, order id)
        self.next_package = 1001

    # ------------------------------------------------------------------ driven by tests

    def put_stock(self, seller_id, sku, quantity):
        with self.emulator.lock:
            self.stock[(seller_id, sku)] = quantity

    def order(self, seller_id, order_id):
        return self.orders[(seller_id, order_id)]

    def advance(self, seller_id, order_id, status):
        """Amazon moves the order on (Planning, Processing, Unfulfillable...)."""
        with self.emulator.lock:
            order = self.order(seller_id, order_id)
            order["fulfillmentOrderStatus"] = status
            order["statusUpdatedDate"] = self._now()
            if status == "Unfulfillable":
                for item in order["_items"]:
                    item["unfulfillableQuantity"] = item["quantity"]

    def ship(self, seller_id, order_id, quantities=None, carrier="UPS", tracking=None):
        """Amazon ships ``quantities`` (SKU -> units; default everything) in one package;
        what is not shipped becomes unfulfillable. Status: Complete, or CompletePartialled."""
        from .server import iso, utcnow  # noqa: PLC0415

        with self.emulator.lock:
            order = self.order(seller_id, order_id)
            quantities = quantities or {item["sellerSku"]: item["quantity"] for item in order["_items"]}
            number = self.next_package
            self.next_package += 1
            tracking = tracking or f"1Z{uuid.uuid4().hex[:14].upper()}"
            shipped_items = []
            for item in order["_items"]:
                shipped = min(quantities.get(item["sellerSku"], 0), item["quantity"])
                item["unfulfillableQuantity"] = item["quantity"] - shipped
                item["_shipped"] = shipped
                if shipped:
                    shipped_items.append(
                        {
                            "sellerSku": item["sellerSku"],
                            "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                            "quantity": shipped,
                            "packageNumber": number,
                        }
                    )
                key = (seller_id, item["sellerSku"])
                self.stock[key] = max(0, self.stock.get(key, 0) - shipped)
            order["_shipments"].append(
                {
                    "amazonShipmentId": f"T{uuid.uuid4().hex[:8].upper()}",
                    "fulfillmentCenterId": "PHX7",
                    "fulfillmentShipmentStatus": "SHIPPED",
                    "shippingDate": iso(utcnow()),
                    "fulfillmentShipmentItem": shipped_items,
                    "fulfillmentShipmentPackage": [
                        {"packageNumber": number, "carrierCode": carrier, "trackingNumber": tracking}
                    ],
                }
            )
            self.package_numbers[number] = (seller_id, order_id, carrier, tracking)
            complete = all(item["unfulfillableQuantity"] == 0 for item in order["_items"])
            self.advance(seller_id, order_id, "Complete" if complete else "CompletePartialled")
            return number

    # ------------------------------------------------------------------ operations

    def handle(self, seller, operation, path_id, query, body):
        """Answer one operation: (status, body)."""
        path_id = unquote(path_id) if path_id else path_id
        if operation == "getFulfillmentPreview":
            return self.preview(seller, body)
        if operation == "createFulfillmentOrder":
            return self.create_order(seller, body)
        if operation == "getFulfillmentOrder":
            return self.get(seller, path_id)
        if operation == "listAllFulfillmentOrders":
            return self.list_orders(seller, query)
        if operation == "getPackageTrackingDetails":
            return self.tracking(seller, query)
        if operation == "cancelFulfillmentOrder":
            return self.cancel(seller, path_id, body)
        raise _error(404, "NotFound", "Resource not found.")

    def _now(self):
        from .server import iso, utcnow  # noqa: PLC0415

        return iso(utcnow())

    def _currency(self, seller):
        return seller.participations[0]["marketplace"]["defaultCurrencyCode"] if seller.participations else "USD"

    def _marketplace(self, seller):
        return seller.participations[0]["marketplace"]["id"] if seller.participations else "ATVPDKIKX0DER"

    def preview(self, seller, body):
        self.emulator.validate_request(MODEL, "getFulfillmentPreview", body)
        from .server import iso, utcnow  # noqa: PLC0415

        previews = []
        for speed in body.get("shippingSpeedCategories") or SPEEDS:
            fees = Decimal(0)
            missing = []
            for item in body["items"]:
                available = self.stock.get((seller.seller_id, item["sellerSku"]))
                if available is None:
                    missing.append((item, ["InvalidSKU"]))
                elif available < item["quantity"]:
                    missing.append((item, ["InventoryUnavailable"]))
                fees += FEES[speed] * item["quantity"] if speed in FEES else 0
            preview = {
                "shippingSpeedCategory": speed,
                "isFulfillable": not missing and speed in FEES,
                "isCODCapable": False,
                "marketplaceId": body.get("marketplaceId") or self._marketplace(seller),
            }
            if missing or speed not in FEES:
                preview["unfulfillablePreviewItems"] = [
                    {
                        "sellerSku": item["sellerSku"],
                        "quantity": item["quantity"],
                        "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                        "itemUnfulfillableReasons": reasons,
                    }
                    for item, reasons in missing
                ]
                preview["orderUnfulfillableReasons"] = [] if missing else ["ShippingSpeedNotAvailable"]
            else:
                low, high = DAYS[speed]
                now = utcnow()
                preview["estimatedFees"] = [
                    {
                        "name": "FBAPerUnitFulfillmentFee",
                        "amount": {"currencyCode": self._currency(seller), "value": str(fees)},
                    }
                ]
                preview["fulfillmentPreviewShipments"] = [
                    {
                        "earliestShipDate": iso(now + timedelta(hours=4)),
                        "latestShipDate": iso(now + timedelta(hours=20)),
                        "earliestArrivalDate": iso(now + timedelta(days=low)),
                        "latestArrivalDate": iso(now + timedelta(days=high)),
                        "fulfillmentPreviewItems": [
                            {
                                "sellerSku": item["sellerSku"],
                                "quantity": item["quantity"],
                                "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                            }
                            for item in body["items"]
                        ],
                    }
                ]
            previews.append(preview)
        return 200, {"payload": {"fulfillmentPreviews": previews}}

    def create_order(self, seller, body):
        self.emulator.validate_request(MODEL, "createFulfillmentOrder", body)
        key = (seller.seller_id, body["sellerFulfillmentOrderId"])
        with self.emulator.lock:
            if key in self.orders:
                # what Amazon answers to a sellerFulfillmentOrderId it already has
                raise _error(
                    400,
                    "InvalidInput",
                    f"Fulfillment order with sellerFulfillmentOrderId {body['sellerFulfillmentOrderId']} "
                    "already exists.",
                )
            for item in body["items"]:
                if (seller.seller_id, item["sellerSku"]) not in self.stock:
                    raise _error(
                        400,
                        "InvalidInput",
                        f"the SellerSKU for Item Id: {item['sellerFulfillmentOrderItemId']} is invalid.",
                    )
            now = self._now()
            order = {
                key_: copy.deepcopy(value)
                for key_, value in body.items()
                if key_ not in ("items", "featureConstraints", "notificationEmails")
            }
            order.update(
                marketplaceId=body.get("marketplaceId") or self._marketplace(seller),
                receivedDate=now,
                statusUpdatedDate=now,
                fulfillmentOrderStatus="Received",
                fulfillmentPolicy=body.get("fulfillmentPolicy", "FillOrKill"),
            )
            if body.get("featureConstraints"):
                order["featureConstraints"] = copy.deepcopy(body["featureConstraints"])
            order["_items"] = [
                {
                    "sellerSku": item["sellerSku"],
                    "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                    "quantity": item["quantity"],
                    "cancelledQuantity": 0,
                    "unfulfillableQuantity": 0,
                }
                for item in body["items"]
            ]
            order["_shipments"] = []
            self.orders[key] = order
        return 200, {}

    def _public(self, order):
        return {key: copy.deepcopy(value) for key, value in order.items() if not key.startswith("_")}

    def get(self, seller, order_id):
        order = self.orders.get((seller.seller_id, order_id))
        if order is None:
            raise _error(404, "NotFound", f"Fulfillment order {order_id} was not found.")
        items = [{k: v for k, v in item.items() if not k.startswith("_")} for item in order["_items"]]
        payload = {
            "fulfillmentOrder": self._public(order),
            "fulfillmentOrderItems": items,
            "fulfillmentShipments": copy.deepcopy(order["_shipments"]),
            "returnItems": [],
            "returnAuthorizations": [],
        }
        return 200, {"payload": payload}

    def list_orders(self, seller, query):
        from .server import parse_iso  # noqa: PLC0415

        token = (query.get("nextToken") or [None])[0]
        with self.emulator.lock:
            if token:
                entry = self.tokens.pop(token, None)
                if entry is None or entry[0] != seller.seller_id:
                    raise _error(400, "InvalidInput", "Invalid nextToken.")
                _seller, ids, offset = entry
            else:
                start = (query.get("queryStartDate") or [None])[0]
                since = parse_iso(start) if start else None
                ids = [
                    order_id
                    for (seller_id, order_id), order in sorted(
                        self.orders.items(), key=lambda entry: entry[1]["statusUpdatedDate"]
                    )
                    if seller_id == seller.seller_id
                    and (since is None or parse_iso(order["statusUpdatedDate"]) >= since)
                ]
                offset = 0
            page = ids[offset : offset + self.page_size]
            payload = {"fulfillmentOrders": [self._public(self.orders[(seller.seller_id, i)]) for i in page]}
            if offset + self.page_size < len(ids):
                new_token = uuid.uuid4().hex
                self.tokens[new_token] = (seller.seller_id, ids, offset + self.page_size)
                payload["nextToken"] = new_token
        return 200, {"payload": payload}

    def tracking(self, seller, query):
        try:
            number = int((query.get("packageNumber") or [""])[0])
        except ValueError:
            raise _error(400, "InvalidInput", "packageNumber must be an integer.") from None
        entry = self.package_numbers.get(number)
        if entry is None or entry[0] != seller.seller_id:
            raise _error(404, "NotFound", f"Package {number} was not found.")
        _seller, _order_id, carrier, tracking = entry
        return 200, {
            "payload": {
                "packageNumber": number,
                "trackingNumber": tracking,
                "carrierCode": carrier,
                "shipDate": self._now(),
                "currentStatus": "IN_TRANSIT",
            }
        }

    def cancel(self, seller, order_id, body):
        if body not in (None, {}):
            raise _error(400, "InvalidInput", "cancelFulfillmentOrder takes no body.")
        with self.emulator.lock:
            order = self.orders.get((seller.seller_id, order_id))
            if order is None:
                raise _error(404, "NotFound", f"Fulfillment order {order_id} was not found.")
            status = order["fulfillmentOrderStatus"]
            if status == "Cancelled":
                return 200, {}
            if status not in CANCELLABLE:
                raise _error(
                    400,
                    "InvalidInput",
                    f"Fulfillment order {order_id} cannot be cancelled: its status is {status}.",
                )
            for item in order["_items"]:
                item["cancelledQuantity"] = item["quantity"]
            self.advance(seller.seller_id, order_id, "Cancelled")
        return 200, {}
