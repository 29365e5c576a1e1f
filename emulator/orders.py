"""The Orders API in the emulator: searchOrders and getOrder (Orders v2026-01-01) and
confirmShipment (Orders v0), served from each seller's orders (``put_order``, ``put_junk``).
"""

import base64
import copy
import uuid
from datetime import timedelta

from .common import ApiError, iso, parse_iso, utcnow

PLANS = {
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
}

ROUTES = [
    ("GET", "/orders/2026-01-01/orders", "searchOrders", "orders_2026-01-01"),
    ("GET", "/orders/2026-01-01/orders/{id}", "getOrder", "orders_2026-01-01"),
    ("POST", "/orders/v0/orders/{id}/shipmentConfirmation", "confirmShipment", "ordersV0"),
]

INCLUDED_DATA_FIELDS = {
    # includedData value -> (order-level keys, item-level keys)
    "BUYER": (("buyer",), ()),
    "RECIPIENT": (("recipient",), ()),
    "PROCEEDS": (("proceeds",), ("proceeds",)),
    "EXPENSE": ((), ("expense",)),
    "PROMOTION": ((), ("promotion",)),
    "CANCELLATION": ((), ("cancellation",)),
    "FULFILLMENT": (("fulfillment",), ("fulfillment",)),
    "PACKAGES": (("packages",), ()),
    "TAX": (("tax",), ("tax",)),
    "PAYMENT": (("payment",), ()),
    "FULFILLMENT_ORDERS": (("fulfillmentOrders",), ()),
}
ALWAYS_KEPT = {
    "orderId",
    "orderAliases",
    "createdTime",
    "lastUpdatedTime",
    "programs",
    "associatedOrders",
    "salesChannel",
    "orderItems",
}
ITEM_ALWAYS_KEPT = {"orderItemId", "quantityOrdered", "measurement", "associatedOrderItems", "programs", "product"}


class OrdersEmulator:
    """Mixed into :class:`~.server.SpApiEmulator`: the Orders API's operations."""

    # ------------------------------------------------------------------ Orders v2026-01-01

    @staticmethod
    def _shape(order, included):
        """The order as returned with ``includedData`` = ``included``."""
        keep = set(ALWAYS_KEPT)
        keep_item = set(ITEM_ALWAYS_KEPT)
        for value in included:
            order_keys, item_keys = INCLUDED_DATA_FIELDS.get(value, ((), ()))
            keep.update(order_keys)
            keep_item.update(item_keys)
        shaped = {k: copy.deepcopy(v) for k, v in order.items() if k in keep}
        shaped["orderItems"] = [
            {k: copy.deepcopy(v) for k, v in item.items() if k in keep_item} for item in order["orderItems"]
        ]
        return shaped

    def search_orders(self, seller, query):
        included = query.get("includedData", [])
        token = (query.get("paginationToken") or [None])[0]
        if token:
            with self.lock:
                state = self.pagination.get(token)  # reusable, so an interrupted client can resume
            if state is None:
                raise ApiError(400, "InvalidInput", "Invalid paginationToken.")
            ids, offset, page_size, before = state
        else:
            ids, page_size, before = self._search(seller, query)
            offset = 0
        page = ids[offset : offset + page_size]
        orders = [
            self._shape(seller.orders[i], included) if i in seller.orders else copy.deepcopy(seller.junk[i])
            for i in page
            if i in seller.orders or i in seller.junk
        ]
        body = {"orders": orders, "lastUpdatedBefore": iso(before)}
        if offset + page_size < len(ids):
            next_token = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            with self.lock:
                self.pagination[next_token] = (ids, offset + page_size, page_size, before)
            body["pagination"] = {"nextToken": next_token}
        return 200, body

    def _search(self, seller, query):
        def one(name):
            return (query.get(name) or [None])[0]

        created_after, updated_after = one("createdAfter"), one("lastUpdatedAfter")
        if bool(created_after) == bool(updated_after):
            raise ApiError(400, "InvalidInput", "Exactly one of createdAfter and lastUpdatedAfter is required.")
        try:
            after = parse_iso(created_after or updated_after)
            before_raw = one("lastUpdatedBefore") or one("createdBefore")
            before = parse_iso(before_raw) if before_raw else None
        except ValueError as exc:
            raise ApiError(400, "InvalidInput", "Invalid date.", str(exc)) from None
        latest = utcnow() - timedelta(minutes=2)
        if before is None:
            before = latest
        elif before > latest:
            raise ApiError(400, "InvalidInput", "lastUpdatedBefore must be at least 2 minutes in the past.")
        if before <= after:
            raise ApiError(400, "InvalidInput", "lastUpdatedBefore must be later than lastUpdatedAfter.")
        try:
            page_size = int(one("maxResultsPerPage") or 100)
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= 100:
            raise ApiError(400, "InvalidInput", "maxResultsPerPage must be between 1 and 100.")
        marketplaces = set(query.get("marketplaceIds", []))
        statuses = set(query.get("fulfillmentStatuses", []))
        fulfilled_by = set(query.get("fulfilledBy", []))
        field = "createdTime" if created_after else "lastUpdatedTime"
        matches = []
        with self.lock:
            for order in seller.orders.values():
                moment = parse_iso(order[field])
                fulfillment = order.get("fulfillment") or {}
                if not after <= moment < before:
                    continue
                if marketplaces and order["salesChannel"].get("marketplaceId") not in marketplaces:
                    continue
                if statuses and fulfillment.get("fulfillmentStatus") not in statuses:
                    continue
                if fulfilled_by and fulfillment.get("fulfilledBy") not in fulfilled_by:
                    continue
                matches.append((moment, order["orderId"]))
            # malformed entries (tests of robustness) sit in the window at the time they were added
            matches += [(moment, key) for key, moment in seller.junk_times.items() if after <= moment < before]
        matches.sort(key=lambda match: match[0])
        return [order_id for _moment, order_id in matches], page_size, before

    def get_order(self, seller, order_id, query):
        order = seller.orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
        return 200, {"order": self._shape(order, query.get("includedData", []))}

    # ------------------------------------------------------------------ Orders v0

    def confirm_shipment(self, seller, order_id, body):
        self.validate_request("ordersV0", "confirmShipment", body)
        order = seller.orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
        fulfillment = order.get("fulfillment") or {}
        if fulfillment.get("fulfilledBy") != "MERCHANT":
            raise ApiError(400, "InvalidInput", "Only merchant-fulfilled orders can be confirmed.")
        if fulfillment.get("fulfillmentStatus") == "CANCELLED":
            raise ApiError(400, "InvalidInput", f"Order {order_id} is cancelled.")
        if body.get("marketplaceId") != order["salesChannel"].get("marketplaceId"):
            raise ApiError(400, "InvalidInput", "marketplaceId does not match the order.")
        package = body["packageDetail"]
        items = {item["orderItemId"]: item for item in order["orderItems"]}
        with self.lock:
            for line in package["orderItems"]:
                item = items.get(line["orderItemId"])
                if item is None:
                    raise ApiError(400, "InvalidInput", f"Unknown orderItemId {line['orderItemId']}.")
                done = (item.get("fulfillment") or {}).get("quantityFulfilled", 0)
                if line["quantity"] < 1 or done + line["quantity"] > item["quantityOrdered"]:
                    raise ApiError(
                        400,
                        "InvalidInput",
                        f"Quantity {line['quantity']} exceeds what remains to ship for {line['orderItemId']}.",
                    )
            references = {
                c["body"]["packageDetail"]["packageReferenceId"]
                for c in self.confirmations
                if c["order_id"] == order_id
            }
            if package["packageReferenceId"] in references:
                raise ApiError(400, "InvalidInput", "packageReferenceId was already used for this order.")
            for line in package["orderItems"]:
                item_ff = items[line["orderItemId"]].setdefault("fulfillment", {})
                done = item_ff.get("quantityFulfilled", 0) + line["quantity"]
                item_ff["quantityFulfilled"] = done
                item_ff["quantityUnfulfilled"] = items[line["orderItemId"]]["quantityOrdered"] - done
            order.setdefault("packages", []).append(
                {
                    "packageReferenceId": package["packageReferenceId"],
                    "createdTime": iso(utcnow()),
                    "packageStatus": {"status": "SHIPPED"},
                    "carrier": package.get("carrierName") or package["carrierCode"],
                    "shipTime": package["shipDate"],
                    "shippingService": package.get("shippingMethod") or "Standard",
                    "trackingNumber": package["trackingNumber"],
                    "packageItems": [
                        {"orderItemId": line["orderItemId"], "quantity": line["quantity"]}
                        for line in package["orderItems"]
                    ],
                }
            )
            complete = all((i.get("fulfillment") or {}).get("quantityUnfulfilled", 1) == 0 for i in items.values())
            fulfillment["fulfillmentStatus"] = "SHIPPED" if complete else "PARTIALLY_SHIPPED"
            order["lastUpdatedTime"] = iso(utcnow())
            self.confirmations.append({"order_id": order_id, "body": copy.deepcopy(body)})
        return 204, None
