"""How the emulator processes uploaded feeds and writes Amazon-style XML processing reports."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

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
