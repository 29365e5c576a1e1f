"""Builders of Amazon orders (Orders API v2026-01-01 shape) and the demo scenario.

Money convention of the emulator, as in Amazon's sandbox payloads: every amount is a
decimal *string*; ``ITEM``, ``SHIPPING``, ``GIFT_WRAP`` and ``DISCOUNT`` proceeds are
what the buyer pays for that category (tax-included on marketplaces that show
tax-included prices); a ``TAX`` breakdown is tax charged *on top* (US/CA sales tax
collected by Amazon). ``proceedsTotal`` is the sum of the breakdowns.
"""

import itertools
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .server import iso

MARKETPLACES = {
    # id: (country, currency, name)
    "ATVPDKIKX0DER": ("US", "USD", "Amazon.com"),
    "A2EUQ1WTGCTBG2": ("CA", "CAD", "Amazon.ca"),
    "A1F83G8C2ARO7P": ("GB", "GBP", "Amazon.co.uk"),
    "A1PA6795UKMFR9": ("DE", "EUR", "Amazon.de"),
    "A13V1IB3VIYZZH": ("FR", "EUR", "Amazon.fr"),
    "A1RKKUPIHCS9HS": ("ES", "EUR", "Amazon.es"),
    "APJ6JRA9NG5V4": ("IT", "EUR", "Amazon.it"),
    "A1VC38T7YXB528": ("JP", "JPY", "Amazon.co.jp"),
}

# The marketplace's UTC offset in winter: Amazon's windows end at the end of a local day.
UTC_OFFSETS = {"US": -8, "CA": -5, "GB": 0, "DE": 1, "FR": 1, "ES": 1, "IT": 1, "JP": 9}

# Per service level: business days the seller has to ship (handling time), then the days
# in transit, (shortest, longest). What Seller Central's shipping templates typically give.
SERVICE_PROMISES = {
    "FREE_ECONOMY": (2, (5, 8)),
    "STANDARD": (2, (3, 5)),
    "SCHEDULED": (1, (2, 4)),
    "EXPEDITED": (1, (2, 3)),
    "SECOND_DAY": (0, (2, 2)),
    "PRIORITY": (0, (1, 2)),
    "NEXT_DAY": (0, (1, 1)),
    "SAME_DAY": (0, (0, 0)),
}
# Service levels Amazon sells as premium shipping (the order's PREMIUM program).
PREMIUM_SERVICE_LEVELS = ("SECOND_DAY", "PRIORITY", "NEXT_DAY", "SAME_DAY")

_sequence = itertools.count(1)


def new_order_id(prefix="111"):
    """A fresh Amazon order id in the 3-7-7 format."""
    n = next(_sequence)
    return f"{prefix}-{random.randint(1000000, 9999999)}-{n:07d}"


def _money(amount, currency):
    return {"amount": str(amount), "currencyCode": currency}


def make_item(
    sku,
    quantity=1,
    price="10.00",
    *,
    item_id=None,
    title=None,
    tax=None,
    shipping=None,
    shipping_tax=None,
    shipping_discount=None,
    promotion=None,
    promotion_ids=(),
    gift_wrap=None,
    gift_wrap_tax=None,
    gift_message=None,
    gift_wrap_level=None,
    condition="NEW",
    condition_subtype="NEW",
    asin=None,
    quantity_shipped=0,
):
    """One order item. Amounts are strings or Decimals; ``price`` is per unit.

    Returns a dict still missing currency codes: :func:`make_order` fills them in.
    """

    def d(value):
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)

    item = {
        "orderItemId": item_id or str(random.randint(10**13, 10**14 - 1)),
        "quantityOrdered": quantity,
        "product": {
            "asin": asin or f"B0{random.randint(10**7, 10**8 - 1)}",
            "title": title or f"Product {sku}",
            "sellerSku": sku,
            "condition": {"conditionType": condition, "conditionSubtype": condition_subtype},
            "price": {"unitPrice": {"amount": str(price)}},
        },
        "fulfillment": {"quantityFulfilled": quantity_shipped, "quantityUnfulfilled": quantity - quantity_shipped},
    }
    breakdowns = [("ITEM", d(price) * quantity, [])]
    if shipping is not None:
        breakdowns.append(("SHIPPING", d(shipping), []))
    if gift_wrap is not None:
        breakdowns.append(("GIFT_WRAP", d(gift_wrap), []))
    discounts = [(sub, -d(v)) for sub, v in (("ITEM", promotion), ("SHIPPING", shipping_discount)) if v]
    if discounts:
        breakdowns.append(("DISCOUNT", sum(v for _s, v in discounts), discounts))
    taxes = [(sub, d(v)) for sub, v in (("ITEM", tax), ("SHIPPING", shipping_tax), ("GIFT_WRAP", gift_wrap_tax)) if v]
    if taxes:
        breakdowns.append(("TAX", sum(v for _s, v in taxes), taxes))
    item["_breakdowns"] = breakdowns
    if promotion_ids:
        item["promotion"] = {"breakdowns": [{"promotionId": pid} for pid in promotion_ids]}
    if gift_message or gift_wrap_level:
        option = {}
        if gift_message:
            option["giftMessage"] = gift_message
        if gift_wrap_level:
            option["giftWrapLevel"] = gift_wrap_level
        item["fulfillment"]["packing"] = {"giftOption": option}
    return item


def make_address(
    name="Jane Doe",
    line1="1 Main Street",
    city="Seattle",
    postal="98101",
    country="US",
    state="WA",
    phone=None,
    company=None,
    line2=None,
):
    address = {
        "name": name,
        "addressLine1": line1,
        "city": city,
        "postalCode": postal,
        "countryCode": country,
        "addressType": "RESIDENTIAL",
    }
    if state:
        address["stateOrRegion"] = state
    if phone:
        address["phone"] = phone
    if company:
        address["companyName"] = company
        address["addressType"] = "COMMERCIAL"
    if line2:
        address["addressLine2"] = line2
    return address


def _local_day_end(day, offset):
    """The last second (naive UTC) of ``day`` (a date) in a marketplace ``offset`` hours from UTC."""
    return datetime.combine(day, datetime.max.time()).replace(microsecond=0) - timedelta(hours=offset)


def _add_business_days(day, days):
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def make_promise(created, service_level="STANDARD", country="US"):
    """Amazon's ``shipByWindow`` and ``deliverByWindow`` of an FBM order placed at ``created``
    (naive UTC): ship from the purchase to the end of the last handling day (local time),
    delivered within the transit days that follow.

    :returns: (ship_by, deliver_by), each ``(earliest, latest)`` naive UTC datetimes
    """
    offset = UTC_OFFSETS.get(country, 0)
    handling, (transit_min, transit_max) = SERVICE_PROMISES.get(service_level, SERVICE_PROMISES["STANDARD"])
    purchase_day = (created + timedelta(hours=offset)).date()
    ship_day = _add_business_days(purchase_day, handling)
    ship_by = (created, _local_day_end(ship_day, offset))
    first = ship_day + timedelta(days=transit_min)
    deliver_by = (
        _local_day_end(first - timedelta(days=1), offset) + timedelta(seconds=1),
        _local_day_end(ship_day + timedelta(days=transit_max), offset),
    )
    return ship_by, deliver_by


def _window(bounds):
    return {"earliestDateTime": iso(bounds[0]), "latestDateTime": iso(bounds[1])}


def make_order(
    order_id=None,
    *,
    items,
    marketplace_id="ATVPDKIKX0DER",
    fulfilled_by="MERCHANT",
    status="UNSHIPPED",
    buyer_name="Jane Doe",
    buyer_email=None,
    address=None,
    anonymous=False,
    business_vat=None,
    company_name=None,
    created=None,
    updated=None,
    service_level="STANDARD",
    replaces=None,
    ship_by=None,
    deliver_by=None,
    programs=None,
):
    """A complete v2026-01-01 ``Order``. Times are naive UTC datetimes (default: minutes ago).

    ``replaces``: the orderId of the order this one replaces (``associatedOrders``).
    ``ship_by``, ``deliver_by``: ``(earliest, latest)`` windows of an FBM order (default:
    :func:`make_promise` for its service level). ``programs``: the order's programs (default:
    ``AMAZON_BUSINESS`` for a business buyer, ``PREMIUM`` for premium shipping; ``PRIME`` only
    when asked)."""
    country, currency, mp_name = MARKETPLACES.get(marketplace_id, ("US", "USD", "Amazon"))
    now = datetime.now(UTC).replace(tzinfo=None)
    created = created or now - timedelta(minutes=30)
    updated = updated or now - timedelta(minutes=5)
    order_items = []
    grand_total = Decimal(0)
    category_totals = {}
    for raw in items:
        item = {k: v for k, v in raw.items() if not k.startswith("_")}
        item["product"]["price"]["unitPrice"]["currencyCode"] = currency
        breakdowns = []
        total = Decimal(0)
        for kind, amount, details in raw["_breakdowns"]:
            entry = {"type": kind, "subtotal": _money(amount, currency)}
            if details:
                entry["detailedBreakdowns"] = [{"subtype": s, "value": _money(v, currency)} for s, v in details]
            breakdowns.append(entry)
            total += amount
            category_totals[kind] = category_totals.get(kind, Decimal(0)) + amount
        item["proceeds"] = {"proceedsTotal": _money(total, currency), "breakdowns": breakdowns}
        grand_total += total
        order_items.append(item)
    order = {
        "orderId": order_id or new_order_id(),
        "createdTime": iso(created),
        "lastUpdatedTime": iso(updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": marketplace_id, "marketplaceName": mp_name},
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": service_level,
        },
        "proceeds": {
            "grandTotal": _money(grand_total, currency),
            "breakdowns": [{"type": k, "subtotal": _money(v, currency)} for k, v in category_totals.items()],
        },
        "orderItems": order_items,
    }
    if fulfilled_by == "MERCHANT":
        default_ship_by, default_deliver_by = make_promise(created, service_level, country)
        order["fulfillment"]["shipByWindow"] = _window(ship_by or default_ship_by)
        order["fulfillment"]["deliverByWindow"] = _window(deliver_by or default_deliver_by)
    if programs is None:
        programs = (["AMAZON_BUSINESS"] if business_vat else []) + (
            ["PREMIUM"] if service_level in PREMIUM_SERVICE_LEVELS else []
        )
    if programs:
        order["programs"] = list(programs)
    if replaces:
        order["associatedOrders"] = [{"orderId": replaces, "associationType": "REPLACEMENT_ORIGINAL_ID"}]
    if anonymous and address:  # without access to personal data: where it goes, not to whom
        kept = ("city", "stateOrRegion", "postalCode", "countryCode")
        order["recipient"] = {"deliveryAddress": {key: address[key] for key in kept if key in address}}
    if not anonymous:
        buyer = {"buyerName": buyer_name}
        if buyer_email or fulfilled_by == "MERCHANT":
            buyer["buyerEmail"] = buyer_email or f"{buyer_name.lower().replace(' ', '.')}@marketplace.amazon.com"
        if company_name:
            buyer["buyerCompanyName"] = company_name
        order["buyer"] = buyer
        order["recipient"] = {
            "deliveryAddress": address
            or make_address(name=buyer_name, country=country, state="WA" if country == "US" else None)
        }
    if business_vat:
        order["tax"] = {
            "taxRegistrations": [
                {
                    "entityType": "BUYER",
                    "legalName": company_name or buyer_name,
                    "taxRegistrationType": "VAT",
                    "taxRegistrationNumber": business_vat,
                }
            ]
        }
    return order


# ---------------------------------------------------------------------------- demo

DEMO_SELLER = "A2DEMOSELLER01"
DEMO_CREDENTIALS = {
    "Seller ID": DEMO_SELLER,
    "LWA Client ID": "amzn1.application-oa2-client.demo",
    "LWA Client Secret": "demo-client-secret",
    "Refresh Token": "Atzr|demo-refresh-token",
}
DEMO_PARTICIPATIONS = [
    ("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com"),
    ("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "www.amazon.ca"),
]


def load_demo(emulator):
    """A seller with a handful of orders of the last three months on Amazon.com and
    Amazon.ca: FBM to ship, FBA shipped, one cancelled."""
    now = datetime.now(UTC).replace(tzinfo=None)
    emulator.add_seller(
        DEMO_SELLER,
        DEMO_CREDENTIALS["LWA Client ID"],
        DEMO_CREDENTIALS["LWA Client Secret"],
        DEMO_CREDENTIALS["Refresh Token"],
        DEMO_PARTICIPATIONS,
    )
    orders = [
        make_order(
            items=[make_item("MUG-BLUE", 2, "12.50", tax="2.25", shipping="4.99", title="Blue coffee mug")],
            buyer_name="Ada Lovelace",
            status="UNSHIPPED",
            created=now - timedelta(days=61),
        ),
        make_order(
            items=[
                make_item("TSHIRT-L", 1, "19.99", tax="1.80", title="T-shirt, large"),
                make_item("SOCKS-3", 3, "4.00", tax="1.08", promotion="2.00", title="Socks"),
            ],
            buyer_name="Alan Turing",
            status="UNSHIPPED",
            service_level="EXPEDITED",
            programs=["PRIME"],
        ),
        make_order(
            items=[make_item("MUG-BLUE", 1, "12.50", tax="1.13")],
            fulfilled_by="AMAZON",
            status="SHIPPED",
            anonymous=True,
            created=now - timedelta(days=33),
        ),
        make_order(
            items=[make_item("MUG-BLUE", 4, "15.99", tax="8.31", title="Blue coffee mug")],
            marketplace_id="A2EUQ1WTGCTBG2",
            fulfilled_by="AMAZON",
            status="SHIPPED",
            anonymous=True,
            created=now - timedelta(days=29),
        ),
        make_order(
            items=[make_item("POSTER-A2", 2, "31.00", tax="8.06", title="Poster A2")],
            marketplace_id="A2EUQ1WTGCTBG2",
            buyer_name="Donald Knuth",
            status="UNSHIPPED",
        ),
        make_order(
            items=[make_item("POSTER-A2", 1, "25.00", tax="2.25", gift_wrap="3.99", gift_message="Happy birthday!")],
            buyer_name="Grace Hopper",
            status="UNSHIPPED",
            service_level="NEXT_DAY",
        ),
        make_order(items=[make_item("TSHIRT-L", 1, "19.99")], buyer_name="Edsger Dijkstra", status="CANCELLED"),
    ]
    for order in orders:
        emulator.put_order(DEMO_SELLER, order)
    return orders
