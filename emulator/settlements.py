"""Settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``) generated from the
emulator's own orders, refunds, fees and reserves, as Amazon writes them: tab-separated, the
first data row carrying the settlement, the others one amount each."""

import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

COLUMNS = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
]
# order item proceeds breakdown -> (amount-type, amount-description)
BREAKDOWN_TYPES = {
    "ITEM": ("ItemPrice", "Principal"),
    "SHIPPING": ("ItemPrice", "Shipping"),
    "GIFT_WRAP": ("ItemPrice", "GiftWrap"),
}
TAX_TYPES = {"ITEM": "Tax", "SHIPPING": "ShippingTax", "GIFT_WRAP": "GiftWrapTax"}
# the tax Amazon withholds again when it collects and remits it (marketplace facilitator)
WITHHELD_SUFFIXES = {"ITEM": "Principal", "SHIPPING": "Shipping", "GIFT_WRAP": "Giftwrap"}
DISCOUNT_TYPES = {"ITEM": "Principal", "SHIPPING": "Shipping"}
# a reimbursement's reason (reimbursements report) -> its amount-description here
REIMBURSEMENT_DESCRIPTIONS = {
    "Lost_Warehouse": "WAREHOUSE_LOST",
    "Damaged_Warehouse": "WAREHOUSE_DAMAGE",
    "Lost_Inbound": "MISSING_FROM_INBOUND",
    "Damaged_Inbound": "INBOUND_CARRIER_DAMAGE",
    "CustomerReturn": "CUSTOMER_RETURN",
    "CustomerServiceIssue": "CS_ERROR_ITEMS",
    "Reimbursement_Reversal": "REVERSAL_REIMBURSEMENT",
}


def _date(value):
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _amount(value):
    return f"{Decimal(value):.2f}"


def _facilitator(order, item):
    """The withheld tax's name when Amazon collects the item's tax, else None."""
    models = {c.get("model") for c in ((item.get("tax") or {}).get("taxCollections") or [])}
    if "MARKETPLACE_FACILITATOR" not in models:
        return None
    us_or_ca = order["salesChannel"]["marketplaceId"] in ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2")
    return "MarketplaceFacilitatorTax" if us_or_ca else "MarketplaceFacilitatorVAT"


def settlement_rows(
    settlement_id,
    orders,
    *,
    refunds=None,
    commission_rate="0.15",
    fba_fee="2.50",
    reserve_held="0",
    reserve_released="0",
    others=(),
    start=None,
    end=None,
    deposit_date=None,
    overrides=None,
    currency=None,
    reimbursements=(),
    mcf_orders=(),
    mcf_fee="5.40",
    posted=None,
):
    """The rows of one settlement.

    :param orders: v2026-01-01 order dicts: each item's proceeds become ItemPrice /
        Promotion rows, a commission (``commission_rate`` of the item price) and, for FBA
        orders, a per-unit fulfillment fee
    :param refunds: dict order id -> Decimal refunded principal, or dict amount-description ->
        Decimal refunded (Principal, Tax, Shipping...; MarketplaceFacilitatorTax-*: the withheld
        tax given back): a Refund transaction with Amazon's commission given back
    :param others: list of (transaction-type, amount-type, amount-description, amount) rows, and
        optionally their posted datetime (fifth)
    :param overrides: dict row number (1: the first amount row) -> {column: text}, written
        over the generated rows after the total is computed (a report Amazon got wrong)
    :param currency: the settlement's currency when no order gives it (default USD)
    :param reimbursements: rows of the reimbursements report ({column: text}): each cash one
        becomes an "FBA Inventory Reimbursement" row of its SKU, order (when it has one),
        amount-total and reason's code, posted at its approval
    :param mcf_orders: Multi-Channel Fulfillment orders (the emulator's): a per-unit
        fulfillment fee (``mcf_fee``) of each unit shipped, on a "Non-Amazon" order row whose
        merchant-order-id is the seller's fulfillment order id
    :param posted: dict order id -> datetime its order rows are posted (default: the day
        before the settlement's end)
    :returns: (list of row dicts, Decimal total)
    """
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    end = end or now - timedelta(days=1)
    start = start or end - timedelta(days=14)
    deposit_date = deposit_date or end + timedelta(days=1)
    rate = Decimal(commission_rate)
    rows = []

    def add(**values):
        rows.append({"settlement-id": settlement_id, **values})

    for order in orders:
        marketplace = order["salesChannel"].get("marketplaceName", "")
        fba = order["fulfillment"]["fulfilledBy"] == "AMAZON"
        posted_at = _date((posted or {}).get(order["orderId"]) or end - timedelta(days=1))
        for item in order["orderItems"]:
            common = {
                "transaction-type": "Order",
                "order-id": order["orderId"],
                "marketplace-name": marketplace,
                "fulfillment-id": "AFN" if fba else "MFN",
                "posted-date-time": posted_at,
                "order-item-code": item["orderItemId"],
                "sku": item["product"]["sellerSku"],
                "quantity-purchased": str(item["quantityOrdered"]),
            }
            principal = Decimal(0)
            facilitator = _facilitator(order, item)
            for breakdown in item["proceeds"]["breakdowns"]:
                currency = breakdown["subtotal"]["currencyCode"]
                kind = breakdown["type"]
                if kind in BREAKDOWN_TYPES:
                    amount_type, description = BREAKDOWN_TYPES[kind]
                    add(
                        **common,
                        **{"amount-type": amount_type, "amount-description": description},
                        amount=_amount(breakdown["subtotal"]["amount"]),
                    )
                    if kind == "ITEM":
                        principal = Decimal(breakdown["subtotal"]["amount"])
                for detail in breakdown.get("detailedBreakdowns") or []:
                    if kind == "TAX":
                        add(
                            **common,
                            **{"amount-type": "ItemPrice", "amount-description": TAX_TYPES[detail["subtype"]]},
                            amount=_amount(detail["value"]["amount"]),
                        )
                        if facilitator:
                            add(
                                **common,
                                **{
                                    "amount-type": "ItemWithheldTax",
                                    "amount-description": f"{facilitator}-{WITHHELD_SUFFIXES[detail['subtype']]}",
                                },
                                amount=_amount(-Decimal(detail["value"]["amount"])),
                            )
                    elif kind == "DISCOUNT":
                        add(
                            **common,
                            **{
                                "amount-type": "Promotion",
                                "amount-description": DISCOUNT_TYPES.get(detail["subtype"], "Principal"),
                            },
                            amount=_amount(detail["value"]["amount"]),
                        )
            add(
                **common,
                **{"amount-type": "ItemFees", "amount-description": "Commission"},
                amount=_amount(-(principal * rate).quantize(Decimal("0.01"))),
            )
            if fba:
                add(
                    **common,
                    **{"amount-type": "ItemFees", "amount-description": "FBAPerUnitFulfillmentFee"},
                    amount=_amount(-Decimal(fba_fee) * item["quantityOrdered"]),
                )
    for order_id, refunded in (refunds or {}).items():
        parts = refunded if isinstance(refunded, dict) else {"Principal": refunded}
        refunded = Decimal(parts.get("Principal", 0))
        common = {
            "transaction-type": "Refund",
            "order-id": order_id,
            "adjustment-id": f"ADJ-{order_id[-7:]}",
            "posted-date-time": _date(end - timedelta(hours=12)),
        }
        for description, amount in parts.items():
            if description.startswith("MarketplaceFacilitator"):  # the withheld tax given back
                add(
                    **common,
                    **{"amount-type": "ItemWithheldTax", "amount-description": description},
                    amount=_amount(amount),
                )
            else:
                add(
                    **common,
                    **{"amount-type": "ItemPrice", "amount-description": description},
                    amount=_amount(-Decimal(amount)),
                )
        add(
            **common,
            **{"amount-type": "ItemFees", "amount-description": "Commission"},
            amount=_amount((refunded * rate).quantize(Decimal("0.01"))),
        )
    if Decimal(reserve_released):
        add(
            **{
                "transaction-type": "other-transaction",
                "amount-type": "other-transaction",
                "amount-description": "Previous Reserve Amount Balance",
            },
            amount=_amount(reserve_released),
        )
    if Decimal(reserve_held):
        add(
            **{
                "transaction-type": "other-transaction",
                "amount-type": "other-transaction",
                "amount-description": "Current Reserve Amount",
            },
            amount=_amount(-Decimal(reserve_held)),
        )
    for transaction_type, amount_type, description, amount, *when in others:
        add(
            **{"transaction-type": transaction_type, "amount-type": amount_type, "amount-description": description},
            **({"posted-date-time": _date(when[0])} if when else {}),
            amount=_amount(amount),
        )
    for row in reimbursements:
        text = row.get("amount-total") or "0"
        amount = Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
        if not amount:
            continue  # reimbursed in units: no money
        approved = datetime.strptime(row["approval-date"], "%Y-%m-%dT%H:%M:%S+00:00")
        currency = currency or row.get("currency-unit") or None
        add(
            **{
                "transaction-type": "other-transaction",
                "order-id": row.get("amazon-order-id", ""),
                "amount-type": "FBA Inventory Reimbursement",
                "amount-description": REIMBURSEMENT_DESCRIPTIONS.get(row.get("reason", ""), "GENERAL_ADJUSTMENT"),
                "posted-date-time": _date(approved),
                "sku": row.get("sku", ""),
                "quantity-purchased": row.get("quantity-reimbursed-cash", ""),
            },
            amount=_amount(amount),
        )
    for order in mcf_orders:
        digits = f"{zlib.crc32(order['sellerFulfillmentOrderId'].encode()):014d}"
        for shipment in order.get("_shipments") or []:
            shipped = datetime.strptime(shipment["shippingDate"][:19], "%Y-%m-%dT%H:%M:%S")
            for item in shipment["fulfillmentShipmentItem"]:
                add(
                    **{
                        "transaction-type": "Order",
                        "order-id": f"114-{digits[:7]}-{digits[7:]}",
                        "merchant-order-id": order["sellerFulfillmentOrderId"],
                        "shipment-id": shipment["amazonShipmentId"],
                        "marketplace-name": "Non-Amazon",
                        "amount-type": "ItemFees",
                        "amount-description": "FBAPerUnitFulfillmentFee",
                        "fulfillment-id": "AFN",
                        "posted-date-time": _date(shipped),
                        "sku": item["sellerSku"],
                        "quantity-purchased": str(item["quantity"]),
                    },
                    amount=_amount(-Decimal(mcf_fee) * item["quantity"]),
                )
    total = sum((Decimal(row["amount"]) for row in rows), Decimal(0))
    head = {
        "settlement-id": settlement_id,
        "settlement-start-date": _date(start),
        "settlement-end-date": _date(end),
        "deposit-date": _date(deposit_date),
        "total-amount": _amount(total),
        "currency": currency or "USD",
    }
    rows = [head, *rows]
    for number, values in (overrides or {}).items():
        rows[number].update(values)
    return rows, total


def settlement_document(rows):
    """The flat file of ``rows`` (UTF-8 bytes)."""
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(str(row.get(column, "")) for column in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def bulk_settlement_document(settlement_id, lines, *, currency="USD"):
    """A settlement of about ``lines`` amount rows of made-up FBA orders (4 rows each: price,
    shipping, commission, fulfillment fee), written without building order dicts: for
    benchmarks. :returns: (UTF-8 bytes, Decimal total)"""
    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=1)
    posted = _date(end - timedelta(days=1))
    body = []
    total = Decimal(0)
    for number in range(max(1, lines // 4)):
        order = f"111-{number // 10000000:07d}-{number % 10000000:07d}"
        common = {
            "settlement-id": settlement_id,
            "transaction-type": "Order",
            "order-id": order,
            "marketplace-name": "Amazon.com",
            "fulfillment-id": "AFN",
            "posted-date-time": posted,
            "order-item-code": f"{number:014d}",
            "sku": f"SKU-{number % 500:03d}",
            "quantity-purchased": "1",
        }
        for amount_type, description, amount in (
            ("ItemPrice", "Principal", Decimal("12.50")),
            ("ItemPrice", "Shipping", Decimal("4.99")),
            ("ItemFees", "Commission", Decimal("-1.88")),
            ("ItemFees", "FBAPerUnitFulfillmentFee", Decimal("-2.50")),
        ):
            total += amount
            row = dict(common, **{"amount-type": amount_type, "amount-description": description})
            row["amount"] = _amount(amount)
            body.append("\t".join(row.get(column, "") for column in COLUMNS))
    head = {
        "settlement-id": settlement_id,
        "settlement-start-date": _date(end - timedelta(days=14)),
        "settlement-end-date": _date(end),
        "deposit-date": _date(end + timedelta(days=1)),
        "total-amount": _amount(total),
        "currency": currency,
    }
    lines_text = ["\t".join(COLUMNS), "\t".join(head.get(column, "") for column in COLUMNS), *body]
    return ("\n".join(lines_text) + "\n").encode(), total


def gzip_bomb(size):
    """A GZIP document that expands to a settlement header followed by ``size`` bytes of
    blank lines (a few kB compressed): what a broken or hostile server might send."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: GZIP container
    parts = [compressor.compress(("\t".join(COLUMNS) + "\n").encode())]
    chunk = b"\n" * (1 << 20)
    for _index in range(size // len(chunk) + 1):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts)
