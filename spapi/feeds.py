"""XML feeds: building ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` and reading processing reports.

Plain Python on lxml; takes and returns plain values.
"""

from dataclasses import dataclass, field

from lxml import etree

from .exceptions import AmazonDocumentError

XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass
class Cancellation:
    """One order to cancel: its Amazon reference, Amazon's reason code, its item ids."""

    order_ref: str
    reason: str
    item_refs: list = field(default_factory=list)


def build_cancellation_feed(merchant_id, cancellations):
    """The ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` document cancelling ``cancellations``.

    :param merchant_id: the seller id
    :param cancellations: list of :class:`Cancellation`
    :returns: (UTF-8 bytes of the document, dict message id (str) -> order reference)
    """
    envelope = etree.Element("AmazonEnvelope", nsmap={"xsi": XSI})
    envelope.set(f"{{{XSI}}}noNamespaceSchemaLocation", "amzn-envelope.xsd")
    header = etree.SubElement(envelope, "Header")
    etree.SubElement(header, "DocumentVersion").text = "1.01"
    etree.SubElement(header, "MerchantIdentifier").text = merchant_id
    etree.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    messages = {}
    for number, cancellation in enumerate(cancellations, start=1):
        message = etree.SubElement(envelope, "Message")
        etree.SubElement(message, "MessageID").text = str(number)
        acknowledgement = etree.SubElement(message, "OrderAcknowledgement")
        etree.SubElement(acknowledgement, "AmazonOrderID").text = cancellation.order_ref
        etree.SubElement(acknowledgement, "StatusCode").text = "Failure"
        for item_ref in cancellation.item_refs:
            item = etree.SubElement(acknowledgement, "Item")
            etree.SubElement(item, "AmazonOrderItemCode").text = item_ref
            etree.SubElement(item, "CancelReason").text = cancellation.reason
        messages[str(number)] = cancellation.order_ref
    content = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return content, messages


def parse_processing_report(content):
    """Amazon's XML processing report.

    :returns: dict with ``status`` (``Complete``...), ``processed``, ``errors`` counts and
        ``results``: list of dicts ``message_id`` (str or None), ``code`` (Error/Warning),
        ``message_code``, ``description``, ``order_ref`` (or None)
    :raises AmazonDocumentError: when the document is not a processing report
    """
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError as exc:
        raise AmazonDocumentError(f"Unreadable processing report: {exc}") from None
    report = root.find(".//ProcessingReport")
    if report is None:
        raise AmazonDocumentError("The feed result is not a processing report")

    def text(node, path):
        value = node.findtext(path)
        return value.strip() if value else None

    results = []
    for result in report.findall("Result"):
        message_id = text(result, "MessageID")
        results.append(
            {
                "message_id": message_id if message_id not in (None, "0") else None,
                "code": text(result, "ResultCode"),
                "message_code": text(result, "ResultMessageCode"),
                "description": text(result, "ResultDescription") or "",
                "order_ref": text(result, "AdditionalInfo/AmazonOrderID"),
            }
        )
    return {
        "status": text(report, "StatusCode"),
        "processed": int(text(report, "ProcessingSummary/MessagesProcessed") or 0),
        "errors": int(text(report, "ProcessingSummary/MessagesWithError") or 0),
        "results": results,
    }
