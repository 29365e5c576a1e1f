"""The Feeds API in the emulator (createFeedDocument, the document's upload URL, createFeed,
getFeed, getFeedDocument) and how it processes uploaded feeds and writes Amazon-style
processing reports.
"""

import gzip
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

from .common import ApiError, iso, utcnow

PLANS = {
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
}

ROUTES = [
    ("POST", "/feeds/2021-06-30/documents", "createFeedDocument", "feeds_2021-06-30"),
    ("GET", "/feeds/2021-06-30/documents/{id}", "getFeedDocument", "feeds_2021-06-30"),
    ("POST", "/feeds/2021-06-30/feeds", "createFeed", "feeds_2021-06-30"),
    ("GET", "/feeds/2021-06-30/feeds/{id}", "getFeed", "feeds_2021-06-30"),
    ("PUT", "/_documents/{id}", "uploadFeedDocument", None),
    ("GET", "/_documents/{id}", "downloadFeedDocument", None),
]

ORDER_ACKNOWLEDGEMENT = "POST_ORDER_ACKNOWLEDGEMENT_DATA"


def _now():
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _report(merchant, transaction_id, processed, results):
    envelope = ET.Element("AmazonEnvelope")
    header = ET.SubElement(envelope, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.02"
    ET.SubElement(header, "MerchantIdentifier").text = merchant
    ET.SubElement(envelope, "MessageType").text = "ProcessingReport"
    message = ET.SubElement(envelope, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    report = ET.SubElement(message, "ProcessingReport")
    ET.SubElement(report, "DocumentTransactionID").text = transaction_id
    ET.SubElement(report, "StatusCode").text = "Complete"
    summary = ET.SubElement(report, "ProcessingSummary")
    errors = sum(1 for r in results if r["code"] == "Error")
    warnings = sum(1 for r in results if r["code"] == "Warning")
    ET.SubElement(summary, "MessagesProcessed").text = str(processed)
    ET.SubElement(summary, "MessagesSuccessful").text = str(processed - errors)
    ET.SubElement(summary, "MessagesWithError").text = str(errors)
    ET.SubElement(summary, "MessagesWithWarning").text = str(warnings)
    for result in results:
        node = ET.SubElement(report, "Result")
        ET.SubElement(node, "MessageID").text = str(result.get("message_id", 0))
        ET.SubElement(node, "ResultCode").text = result["code"]
        ET.SubElement(node, "ResultMessageCode").text = str(result.get("message_code", 99001))
        ET.SubElement(node, "ResultDescription").text = result["description"]
        if result.get("order_id"):
            info = ET.SubElement(node, "AdditionalInfo")
            ET.SubElement(info, "AmazonOrderID").text = result["order_id"]
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


CANCEL_REASONS = {
    "NoInventory",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "BuyerCanceled",
    "GeneralAdjustment",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "CustomerReturn",
    "MerchandiseNotReceived",
    "CannotVerifyInformation",
    "PricingError",
    "RejectOrder",
    "WeatherDelay",
}


def check_document(root, feed_type, content):
    """What a real feed processor would refuse in the document (list of texts)."""
    problems = []
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("the document is not UTF-8")
    if root.tag != "AmazonEnvelope":
        problems.append("the root element is not AmazonEnvelope")
    if not root.findtext("Header/MerchantIdentifier"):
        problems.append("Header/MerchantIdentifier is missing")
    if feed_type == ORDER_ACKNOWLEDGEMENT:
        if root.findtext("MessageType") != "OrderAcknowledgement":
            problems.append("MessageType must be OrderAcknowledgement")
        ids = [m.findtext("MessageID") for m in root.findall("Message")]
        if not ids or len(set(ids)) != len(ids) or not all((i or "").isdigit() for i in ids):
            problems.append("every Message needs a distinct numeric MessageID")
        for message in root.findall("Message"):
            ack = message.find("OrderAcknowledgement")
            if (
                ack is None
                or not ack.findtext("AmazonOrderID")
                or ack.findtext("StatusCode") not in ("Success", "Failure")
            ):
                problems.append(f"message {message.findtext('MessageID')}: AmazonOrderID and StatusCode are required")
                continue
            if ack.findtext("StatusCode") == "Failure":
                for item in ack.findall("Item"):
                    if not item.findtext("AmazonOrderItemCode") or item.findtext("CancelReason") not in CANCEL_REASONS:
                        problems.append(
                            f"message {message.findtext('MessageID')}: each Item needs AmazonOrderItemCode "
                            "and a valid CancelReason"
                        )
    return problems


def process(emulator, seller, feed, content, fault):
    """Process one feed. Returns (processingStatus, report bytes or None).

    ``fault`` (from ``emulator.inject("processFeed", kind, ...)``): ``fatal`` (the
    whole feed is refused), ``cancelled`` (Amazon cancelled it), ``garbled`` (the report is
    not well-formed XML), ``ambiguous`` (an error
    that names no message), or ``reject`` with ``match`` = an order id to refuse with
    ``message``.
    """
    transaction_id = feed["feedId"]
    if fault and fault["kind"] == "cancelled":
        return "CANCELLED", None
    if fault and fault["kind"] == "garbled":  # a processing report nobody can read
        return "DONE", b"<AmazonEnvelope><Message><ProcessingReport><Processing"
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        return "FATAL", _report(
            seller.seller_id,
            transaction_id,
            0,
            [{"code": "Error", "message_code": 5000, "description": f"XML parsing error: {exc}"}],
        )
    if fault and fault["kind"] == "fatal":
        return "FATAL", _report(
            seller.seller_id,
            transaction_id,
            0,
            [{"code": "Error", "message_code": 5001, "description": fault.get("message", "The feed was rejected.")}],
        )
    messages = root.findall("Message")
    results = []
    problems = check_document(root, feed["feedType"], content)
    if problems:
        with emulator.lock:
            emulator.validation_errors.append((feed["feedType"], "document", problems))
    if feed["feedType"] == ORDER_ACKNOWLEDGEMENT:
        for message in messages:
            message_id = message.findtext("MessageID")
            order_id = message.findtext("OrderAcknowledgement/AmazonOrderID")
            status_code = message.findtext("OrderAcknowledgement/StatusCode")
            order = seller.orders.get(order_id)
            if fault and fault["kind"] == "reject" and fault.get("match") == order_id:
                results.append(
                    {
                        "message_id": message_id,
                        "code": "Error",
                        "order_id": order_id,
                        "message_code": 18028,
                        "description": fault.get("message", "Rejected."),
                    }
                )
            elif order is None:
                results.append(
                    {
                        "message_id": message_id,
                        "code": "Error",
                        "order_id": order_id,
                        "message_code": 18028,
                        "description": f"Order {order_id} was not found.",
                    }
                )
            elif status_code == "Failure":
                state = order["fulfillment"]["fulfillmentStatus"]
                if state in ("SHIPPED", "PARTIALLY_SHIPPED"):
                    results.append(
                        {
                            "message_id": message_id,
                            "code": "Error",
                            "order_id": order_id,
                            "message_code": 18029,
                            "description": f"Order {order_id} has shipped and cannot be cancelled.",
                        }
                    )
                else:
                    order["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
                    order["lastUpdatedTime"] = _now()
        if fault and fault["kind"] == "ambiguous":
            results.append(
                {
                    "message_id": 0,
                    "code": "Error",
                    "message_code": 90111,
                    "description": fault.get("message", "An internal error occurred while processing the feed."),
                }
            )
    return "DONE", _report(seller.seller_id, transaction_id, len(messages), results)


# ---------------------------------------------------------------------------
# JSON_LISTINGS_FEED: listings feed schema v2, JSON processing report v2
# ---------------------------------------------------------------------------
JSON_LISTINGS = "JSON_LISTINGS_FEED"
STOCK_PATH = "/attributes/fulfillment_availability"
# Amazon's generic product type: accepted for any listing by offer-only changes.
GENERIC_PRODUCT_TYPE = "PRODUCT"


def _issue(message, code, message_id=None, sku=None, severity="ERROR", attribute=None):
    issue = {"code": str(code), "severity": severity, "message": message}
    if isinstance(message_id, int) and not isinstance(message_id, bool) and message_id >= 1:
        issue["messageId"] = message_id
    if sku:
        issue["sku"] = sku
    if attribute:
        issue["attributeName"] = attribute
    return issue


def _listings_report(emulator, seller, feed, issues, processed, accepted):
    errors = sum(1 for i in issues if i["severity"] == "ERROR")
    report = {
        "header": {"sellerId": seller.seller_id, "version": "2.0", "feedId": feed["feedId"]},
        "issues": issues,
        "summary": {
            "errors": errors,
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": processed,
            "messagesAccepted": accepted,
            "messagesInvalid": processed - accepted,
        },
    }
    problems = emulator.feed_schemas.errors(emulator.feed_schemas.REPORT, report)
    if problems:  # the emulator itself broke Amazon's report schema
        with emulator.lock:
            emulator.validation_errors.append((JSON_LISTINGS, "report", problems))
    return json.dumps(report).encode()


def _apply_stock(listing, patch):
    """Apply one fulfillment_availability patch; returns an error text or None."""
    if patch.get("op") == "delete":
        listing["quantity"] = None
        return None
    entries = patch.get("value") or []
    for entry in entries:
        code = entry.get("fulfillment_channel_code")
        if not isinstance(code, str) or not code:
            return "'fulfillment_channel_code' is required for 'fulfillment_availability'."
        if code != "DEFAULT":
            continue  # an Amazon-fulfilled channel (AMAZON_NA...): Amazon keeps that quantity itself
        quantity = entry.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            return "The value for 'quantity' of 'fulfillment_availability' must be a whole number of 0 or more."
    for entry in entries:
        if entry.get("fulfillment_channel_code") == "DEFAULT":
            listing["quantity"] = entry["quantity"]
            listing["updates"] = listing.get("updates", 0) + 1
    return None


def process_listings(emulator, seller, feed, content, fault):
    """Process a ``JSON_LISTINGS_FEED`` against the seller's listings (``seller.listings``:
    SKU -> {"productType", "quantity", "attributes"}). Every document is checked against
    Amazon's listings feed schema; a message that breaks it is refused, and recorded in
    ``emulator.validation_errors`` (the connector must never send one).

    Faults (``processFeed``): ``fatal``, ``cancelled``, ``garbled`` (report not JSON),
    ``ambiguous`` (an error naming no message), ``reject`` (``match`` = a SKU refused with
    ``message``).
    """
    if fault and fault["kind"] == "cancelled":
        return "CANCELLED", None
    if fault and fault["kind"] == "garbled":
        return "DONE", b'{"header": {"sellerId": '
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        return "FATAL", _listings_report(emulator, seller, feed, [_issue(f"Invalid JSON: {exc}", 4000001)], 0, 0)
    schema = emulator.feed_schemas
    problems = schema.errors(schema.FEED, document)
    by_message = {}
    general = []
    for path, text in problems:
        if len(path) >= 2 and path[0] == "messages" and isinstance(path[1], int):
            by_message.setdefault(path[1], []).append(f"{'/'.join(str(p) for p in path[2:]) or '<message>'}: {text}")
        else:
            general.append(f"{'/'.join(str(p) for p in path) or '<root>'}: {text}")
    if problems:
        with emulator.lock:
            emulator.validation_errors.append((JSON_LISTINGS, "document", [t for _p, t in problems]))
    if general or (fault and fault["kind"] == "fatal"):
        texts = general or [fault.get("message", "The feed was rejected.")]
        return "FATAL", _listings_report(emulator, seller, feed, [_issue(t, 4000002) for t in texts], 0, 0)
    if document["header"]["sellerId"] != seller.seller_id:
        return "FATAL", _listings_report(
            emulator, seller, feed, [_issue("The sellerId of the header is not the feed's seller.", 4000003)], 0, 0
        )
    issues = []
    accepted = 0
    messages = document["messages"]
    for index, message in enumerate(messages):
        message_id, sku = message.get("messageId"), message.get("sku")
        before = len(issues)
        if index in by_message:
            issues.extend(_issue(t, 4000004, message_id, sku) for t in by_message[index])
        elif fault and fault["kind"] == "reject" and fault.get("match") == sku:
            issues.append(_issue(fault.get("message", "Rejected."), fault.get("code", 90000900), message_id, sku))
        else:
            issues.extend(_process_message(seller, message))
        if len(issues) == before:
            accepted += 1
    if fault and fault["kind"] == "ambiguous":
        issues.append(_issue(fault.get("message", "An internal error occurred while processing the feed."), 90111))
    return "DONE", _listings_report(emulator, seller, feed, issues, len(messages), accepted)


def _process_message(seller, message):
    """What one schema-valid message does to the seller's listings: list of issues."""
    message_id, sku, operation = message["messageId"], message["sku"], message["operationType"]
    listing = seller.listings.get(sku)
    if operation == "DELETE":
        seller.listings.pop(sku, None)
        return []
    product_type = message["productType"]
    if listing is None and operation in ("PATCH", "PARTIAL_UPDATE"):
        return [
            _issue(
                f"The SKU '{sku}' does not exist in your Amazon inventory, so it could not be updated.",
                13013,
                message_id,
                sku,
            )
        ]
    if listing is not None and product_type not in (GENERIC_PRODUCT_TYPE, listing["productType"]):
        return [
            _issue(
                f"The product type '{product_type}' does not match the product type "
                f"'{listing['productType']}' of SKU '{sku}'.",
                90244,
                message_id,
                sku,
            )
        ]
    if operation == "UPDATE" or listing is None:
        listing = seller.listings[sku] = {"productType": product_type, "quantity": None, "attributes": {}}
    patches = message.get("patches") or [
        {"op": "replace", "path": f"/attributes/{name}", "value": value}
        for name, value in (message.get("attributes") or {}).items()
    ]
    issues = []
    for patch in patches:
        if patch["path"] == STOCK_PATH:
            error = _apply_stock(listing, patch)
            if error:
                issues.append(_issue(error, 99001, message_id, sku, attribute="fulfillment_availability"))
        elif patch["path"].startswith("/attributes/"):
            listing["attributes"][patch["path"].split("/", 2)[2]] = patch.get("value")
        else:
            issues.append(_issue(f"The patch path '{patch['path']}' is not valid.", 99002, message_id, sku))
    return issues


# ---------------------------------------------------------------------------
# UPLOAD_VAT_INVOICE: one PDF per feed, its data in the feed's options; an XML
# processing report (Amazon's invoice upload error codes, 795xx).
# ---------------------------------------------------------------------------
VAT_INVOICE = "UPLOAD_VAT_INVOICE"
VAT_INVOICE_MARKETPLACES = {
    "A28R8C7NBKEWEA",
    "A1RKKUPIHCS9HS",
    "A1F83G8C2ARO7P",
    "A13V1IB3VIYZZH",
    "AMEN7PMS3EDWL",
    "A1805IZSGTT6HS",
    "A1PA6795UKMFR9",
    "APJ6JRA9NG5V4",
    "A2NODRKZP88ZB9",
    "A1C3SOZRARQ6R3",
}
VAT_INVOICE_REQUIRED = ("metadata:orderid", "metadata:invoicenumber", "metadata:documenttype")


def _order_amounts(order):
    """(grand total, VAT or None) of an order as Amazon computed them."""
    proceeds = order.get("proceeds") or {}
    total = Decimal((proceeds.get("grandTotal") or {}).get("amount") or "0")
    taxes = [Decimal(b["subtotal"]["amount"]) for b in proceeds.get("breakdowns") or [] if b.get("type") == "TAX"]
    return total, (sum(taxes, Decimal(0)) if taxes else None)


def _vat_invoice_refusal(seller, feed, content, options):
    """Why Amazon refuses this invoice upload: (code, text) or None."""
    order_id = options.get("metadata:orderid", "")
    number = options.get("metadata:invoicenumber", "")
    if len(feed["marketplaceIds"]) != 1 or feed["marketplaceIds"][0] not in VAT_INVOICE_MARKETPLACES:
        return 79523, "Please provide only one valid marketplace while uploading an invoice."
    missing = [key.split(":")[1] for key in VAT_INVOICE_REQUIRED if not options.get(key)]
    if missing:
        return 79513, f"Please provide {', '.join(missing)}"
    kind = options["metadata:documenttype"]
    if kind not in ("Invoice", "CreditNote"):
        return 79531, f"The document type {kind} is not supported"
    if not content.startswith(b"%PDF-"):
        return 79503, f"Invoice uploaded is not pdf for orderId {order_id} and InvoiceNumber {number}"
    order = seller.orders.get(order_id)
    if order is None:
        return 79517, f"The order id {order_id} does not exist or does not belong to the seller."
    try:
        total = Decimal(options.get("metadata:totalamount") or "0")
        vat = Decimal(options.get("metadata:totalvatamount") or "0")
    except ArithmeticError:
        return 79513, "Please provide totalamount and totalvatamount as numbers"
    amazon_total, amazon_vat = _order_amounts(order)
    if kind == "Invoice" and total.quantize(Decimal("0.01")) != amazon_total.quantize(Decimal("0.01")):
        return 79525, f"The total amount {total} does not match Amazon's total {amazon_total} for order {order_id}."
    if kind == "CreditNote" and total > amazon_total:
        return 79525, f"The credit note's total {total} is more than the order's total {amazon_total}."
    if kind == "Invoice" and amazon_vat is not None and vat.quantize(Decimal("0.01")) != amazon_vat:
        return 79526, f"The total VAT amount {vat} does not match Amazon's VAT {amazon_vat} for order {order_id}."
    if any(i["order_id"] == order_id and i["number"] == number and i["type"] == kind for i in seller.invoices):
        return 79520, f"The invoice number {number} was already uploaded for order {order_id}."
    return None


def process_vat_invoice(emulator, seller, feed, content, options, fault):
    """Process an ``UPLOAD_VAT_INVOICE`` feed: the PDF (``content``) and its ``options``.
    Accepted documents are kept in ``seller.invoices``; a refused one is named in the
    report (its order id, Amazon's code and text). A document the connector should never
    send (not a PDF, options missing) is also recorded in ``emulator.validation_errors``.

    Faults (``processFeed``): ``fatal``, ``cancelled``, ``reject`` (``match`` = an order id,
    refused with ``message``).
    """
    transaction_id = feed["feedId"]
    if fault and fault["kind"] == "cancelled":
        return "CANCELLED", None
    if fault and fault["kind"] == "fatal":
        results = [{"code": "Error", "message_code": 79500, "description": fault.get("message", "Rejected.")}]
        return "FATAL", _report(seller.seller_id, transaction_id, 0, results)
    refusal = _vat_invoice_refusal(seller, feed, content, options)
    if refusal and refusal[0] in (79503, 79513, 79531, 79523):
        with emulator.lock:
            emulator.validation_errors.append((VAT_INVOICE, "document", [refusal[1]]))
    if fault and fault["kind"] == "reject" and fault.get("match") == options.get("metadata:orderid"):
        refusal = (fault.get("code", 79517), fault.get("message", "Rejected."))
    order_id = options.get("metadata:orderid")
    if refusal:
        result = {"message_id": 1, "code": "Error", "message_code": refusal[0], "description": refusal[1]}
        return "DONE", _report(seller.seller_id, transaction_id, 1, [dict(result, order_id=order_id)])
    with emulator.lock:
        seller.invoices.append(
            {
                "feed_id": transaction_id,
                "order_id": order_id,
                "number": options["metadata:invoicenumber"],
                "type": options["metadata:documenttype"],
                "total": options.get("metadata:totalamount"),
                "vat": options.get("metadata:totalvatamount"),
                "transaction_id": options.get("metadata:transactionid"),
                "pdf": content,
            }
        )
    return "DONE", _report(seller.seller_id, transaction_id, 1, [])


VIDR_COLUMNS = (
    "marketplace-id",
    "order-id",
    "order-item-id",
    "shipping-id",
    "transaction-id",
    "transaction-type",
    "invoice-number",
    "invoice-status",
    "invoice-status-description",
    "is-amazon-invoiced",
    "order-date",
    "shipment-date",
    "buyer-vat-number",
    "buyer-company-name",
    "seller-vat-number",
    "sku",
    "quantity-purchased",
    "currency",
    "item-vat-incl-amount",
    "item-vat-amount",
    "item-vat-excl-amount",
    "item-vat-rate",
    "shipping-vat-incl-amount",
    "shipping-vat-amount",
    "shipping-vat-excl-amount",
    "shipping-vat-rate",
    "is-business-order",
)


def vat_invoice_data_document(orders, *, amazon_invoiced=(), buyer_vat=None, buyer_company=None, refunds=None):
    """A ``GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT`` document: one SHIPMENT row per item of
    ``orders`` (order dicts), with Amazon's VAT (the items' TAX breakdown, else none);
    ``amazon_invoiced``: order ids whose invoice Amazon issues (VCS, an invoice number
    INV-<order id>); ``buyer_vat``/``buyer_company``: order id -> value; ``refunds``: order
    id -> (transaction id, amount) rows of type REFUND."""
    rows = []
    for order in orders:
        order_id = order["orderId"]
        business = "true" if "AMAZON_BUSINESS" in (order.get("programs") or []) else "false"
        for item in order["orderItems"]:
            amounts = {b["type"]: Decimal(b["subtotal"]["amount"]) for b in item["proceeds"]["breakdowns"]}
            tax = amounts.get("TAX", Decimal(0))
            incl = amounts.get("ITEM", Decimal(0)) + tax
            shipping = amounts.get("SHIPPING", Decimal(0))
            invoiced = order_id in amazon_invoiced
            row = {
                "marketplace-id": order["salesChannel"]["marketplaceId"],
                "order-id": order_id,
                "order-item-id": item["orderItemId"],
                "shipping-id": f"S{order_id[-7:]}",
                "transaction-id": f"T{order_id[-7:]}",
                "transaction-type": "SHIPMENT",
                "invoice-number": f"INV-{order_id}" if invoiced else "",
                "invoice-status": "InvoicePending" if not invoiced else "Uploaded",
                "is-amazon-invoiced": "true" if invoiced else "false",
                "order-date": order["createdTime"],
                "buyer-vat-number": (buyer_vat or {}).get(order_id, ""),
                "buyer-company-name": (buyer_company or {}).get(order_id, ""),
                "sku": item["product"].get("sellerSku", ""),
                "quantity-purchased": str(item["quantityOrdered"]),
                "currency": item["proceeds"]["proceedsTotal"]["currencyCode"],
                "item-vat-incl-amount": str(incl),
                "item-vat-amount": str(tax),
                "item-vat-excl-amount": str(incl - tax),
                "shipping-vat-incl-amount": str(shipping),
                "shipping-vat-amount": "0",
                "shipping-vat-excl-amount": str(shipping),
                "is-business-order": business,
            }
            rows.append(row)
        for transaction_id, amount in (refunds or {}).get(order_id, []):
            rows.append(
                {
                    "marketplace-id": order["salesChannel"]["marketplaceId"],
                    "order-id": order_id,
                    "transaction-id": transaction_id,
                    "transaction-type": "REFUND",
                    "is-amazon-invoiced": "false",
                    "item-vat-incl-amount": f"-{amount}",
                    "item-vat-amount": "0",
                }
            )
    lines = ["\t".join(VIDR_COLUMNS)]
    lines += ["\t".join(row.get(column, "") for column in VIDR_COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


class FeedsEmulator:
    """Mixed into :class:`~.server.SpApiEmulator`: the Feeds API's operations and documents."""

    # ------------------------------------------------------------------ Feeds

    def create_feed_document(self, body):
        self.validate_request("feeds_2021-06-30", "createFeedDocument", body)
        document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        with self.lock:
            self.feed_documents[document_id] = {"content": None, "content_type": body["contentType"]}
        return 201, {"feedDocumentId": document_id, "url": f"{self.url}/_documents/{document_id}"}

    def upload_document(self, document_id, content, content_type):
        with self.lock:
            document = self.feed_documents.get(document_id)
            if document is None:
                return 404, b"<Error><Code>NoSuchKey</Code></Error>"
            document["content"] = content
            document["uploaded_content_type"] = content_type
        return 200, b""

    def download_document(self, document_id):
        document = self.feed_documents.get(document_id)
        if document is None or document["content"] is None:
            return 404, b"<Error><Code>NoSuchKey</Code></Error>"
        return 200, document["content"]

    def create_feed(self, seller, body):
        self.validate_request("feeds_2021-06-30", "createFeed", body)
        document = self.feed_documents.get(body["inputFeedDocumentId"])
        if document is None or document["content"] is None:
            raise ApiError(400, "InvalidInput", "The feed document was not uploaded.")
        feed_id = str(50000000000 + len(self.feeds) + 1)
        with self.lock:
            self.feeds[feed_id] = {
                "feedId": feed_id,
                "feedType": body["feedType"],
                "marketplaceIds": body["marketplaceIds"],
                "createdTime": iso(utcnow()),
                "processingStatus": "IN_QUEUE",
                "_seller": seller,
                "_document": body["inputFeedDocumentId"],
                "_options": dict(body.get("feedOptions") or {}),
            }
        return 202, {"feedId": feed_id}

    def get_feed(self, seller, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None or feed["_seller"] is not seller:
            raise ApiError(404, "NotFound", f"Feed {feed_id} was not found.")
        if feed["processingStatus"] == "IN_QUEUE":
            feed["processingStatus"] = "IN_PROGRESS"
            feed["processingStartTime"] = iso(utcnow())
        elif feed["processingStatus"] == "IN_PROGRESS":
            self._process_feed(seller, feed)
        return 200, {k: v for k, v in feed.items() if not k.startswith("_")}

    def _process_feed(self, seller, feed):
        """Process the feed, unless a ``processFeed`` fault says otherwise: ``stuck`` keeps it
        IN_PROGRESS (for ``times`` getFeed calls), ``corrupt_gzip`` serves a GZIP report cut
        short; the others are the feed processors' (this module's functions)."""
        content = self.feed_documents[feed["_document"]]["content"]
        # a processFeed fault may be limited (match=...) to feeds mentioning an order id
        text = json.dumps(feed["_options"]) if feed["_options"] else content.decode("utf-8", "replace")
        outcome = self._take_fault("processFeed", text)
        if outcome and outcome["kind"] == "stuck":
            return
        if feed["feedType"] == VAT_INVOICE:
            status, report = process_vat_invoice(self, seller, feed, content, feed["_options"], outcome)
            document = {"content": report}
        elif feed["feedType"] == JSON_LISTINGS:
            status, report = process_listings(self, seller, feed, content, outcome)
            # Amazon serves JSON processing reports GZIP-compressed
            document = {"content": gzip.compress(report) if report else None, "compression": "GZIP"}
            if report and outcome and outcome["kind"] == "corrupt_gzip":
                document["content"] = document["content"][:20]
        else:
            status, report = process(self, seller, feed, content, outcome)
            document = {"content": report}
        feed["processingStatus"] = status
        feed["processingEndTime"] = iso(utcnow())
        if report is not None:
            result_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
            self.feed_documents[result_id] = {"content_type": "application/octet-stream", **document}
            feed["resultFeedDocumentId"] = result_id

    def get_feed_document(self, document_id):
        if document_id not in self.feed_documents:
            raise ApiError(404, "NotFound", f"Feed document {document_id} was not found.")
        answer = {"feedDocumentId": document_id, "url": f"{self.url}/_documents/{document_id}"}
        if self.feed_documents[document_id].get("compression"):
            answer["compressionAlgorithm"] = self.feed_documents[document_id]["compression"]
        return 200, answer
