"""JSON listings feeds: the ``JSON_LISTINGS_FEED`` that sets merchant-fulfilled quantities,
and its JSON processing report.

Plain Python; takes and returns plain values. The document follows Amazon's listings feed
schema v2 (``shared/spapi-models/feeds-schemas/listings-feed-schema-v2.json``), the report
Amazon's processing report schema v2.
"""

import json
from dataclasses import dataclass

from .. import const
from .exceptions import AmazonDocumentError


@dataclass(frozen=True)
class StockLevel:
    """One SKU's quantity to tell Amazon: what the seller can ship itself."""

    sku: str
    quantity: int
    product_type: str = const.LISTINGS_DEFAULT_PRODUCT_TYPE


def build_stock_feed(seller_id, levels):
    """The ``JSON_LISTINGS_FEED`` document that PATCHes each SKU's merchant-fulfilled quantity.

    :param seller_id: the selling partner id
    :param levels: list of :class:`StockLevel` (at most ``LISTINGS_FEED_MAX_MESSAGES``)
    :returns: (UTF-8 bytes of the document, dict message id (str) -> SKU)
    :raises ValueError: no level, too many, a negative or non-integer quantity, an empty SKU
    """
    if not levels or len(levels) > const.LISTINGS_FEED_MAX_MESSAGES:
        raise ValueError(f"A listings feed takes 1 to {const.LISTINGS_FEED_MAX_MESSAGES} messages")
    messages = []
    ids = {}
    for number, level in enumerate(levels, start=1):
        if not level.sku:
            raise ValueError("A listings feed message needs a SKU")
        if not isinstance(level.quantity, int) or isinstance(level.quantity, bool) or level.quantity < 0:
            raise ValueError(f"Quantity of SKU {level.sku} must be a whole number of 0 or more")
        messages.append(
            {
                "messageId": number,
                "sku": level.sku,
                "operationType": "PATCH",
                "productType": level.product_type or const.LISTINGS_DEFAULT_PRODUCT_TYPE,
                "patches": [
                    {
                        "op": "replace",
                        "path": const.LISTINGS_STOCK_PATH,
                        "value": [
                            {
                                "fulfillment_channel_code": const.LISTINGS_MERCHANT_CHANNEL,
                                "quantity": level.quantity,
                            }
                        ],
                    }
                ],
            }
        )
        ids[str(number)] = level.sku
    document = {
        "header": {"sellerId": seller_id, "version": const.LISTINGS_FEED_VERSION},
        "messages": messages,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), ids


def parse_listings_report(content):
    """Amazon's JSON processing report of a listings feed.

    :returns: dict with ``summary`` (Amazon's counts: ``messagesProcessed``,
        ``messagesAccepted``, ``messagesInvalid``...), ``errors`` (dict message id (str) ->
        list of error texts) and ``general`` (error texts that name no message: they
        concern the whole feed)
    :raises AmazonDocumentError: when the document is not a JSON processing report
    """
    try:
        report = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AmazonDocumentError(f"Unreadable processing report: {exc}") from None
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        raise AmazonDocumentError("The feed result is not a listings processing report")
    issues = report.get("issues") or []
    if not isinstance(issues, list):
        raise AmazonDocumentError("The processing report's issues are not a list")
    errors = {}
    general = []
    for issue in issues:
        if not isinstance(issue, dict) or issue.get("severity") != const.LISTINGS_ISSUE_ERROR:
            continue
        text = str(issue.get("message") or "no message")
        if issue.get("code"):
            text = f"{text} ({issue['code']})"
        message_id = issue.get("messageId")
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            errors.setdefault(str(message_id), []).append(text)
        else:
            general.append(text)
    return {"summary": report["summary"], "errors": errors, "general": general}
