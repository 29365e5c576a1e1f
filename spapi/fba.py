"""Requested reports (Reports API 2021-06-30) and FBA inventory (FBA Inventory API v1).

Plain functions over an :class:`~.session.SpApiSession`: every request goes through the
session's single entry point (``_call``: pacing, retries, classification, masked logs).
They take and return plain values, never a record.
"""

from sp_api.api import Inventories, Reports

from .. import const
from .exceptions import AmazonServerError


def create_report(session, report_type, marketplace_ids, start=None, end=None):
    """createReport: ask Amazon to prepare a report of ``report_type``.

    :param start, end: naive UTC datetimes of the data window (None: Amazon's default)
    :returns: Amazon's report id (str)
    """
    body = {"reportType": report_type, "marketplaceIds": list(marketplace_ids)}
    if start:
        body["dataStartTime"] = session.format_time(start)
    if end:
        body["dataEndTime"] = session.format_time(end)
    client = session._client(Reports)
    payload = session._call(
        "createReport",
        lambda: client._request(
            "/reports/2021-06-30/reports", data=dict(body), params={"method": "POST"}, add_marketplace=False
        ),
    ).payload
    report_id = payload.get("reportId") if isinstance(payload, dict) else None
    if not report_id:
        raise AmazonServerError("createReport answered without a report id", operation="createReport")
    return str(report_id)


def get_report(session, report_id):
    """getReport: where Amazon is with a requested report.

    :returns: dict with ``report_id``, ``processing_status``, ``document_id`` (or None),
        ``data_start``, ``data_end``
    """
    client = session._client(Reports)
    payload = session._call(
        "getReport",
        lambda: client._request(f"/reports/2021-06-30/reports/{report_id}", params={}, add_marketplace=False),
    ).payload
    if not isinstance(payload, dict) or not payload.get("processingStatus"):
        raise AmazonServerError("getReport answered without a processing status", operation="getReport")
    return {
        "report_id": payload.get("reportId"),
        "processing_status": payload["processingStatus"],
        "document_id": payload.get("reportDocumentId"),
        "data_start": session.parse_time(payload.get("dataStartTime")),
        "data_end": session.parse_time(payload.get("dataEndTime")),
    }


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def get_inventory_summaries(session, marketplace_id, next_token=None):
    """getInventorySummaries: one page of Amazon's FBA quantities in a marketplace.

    :returns: dict with ``summaries`` (list of dicts: ``sku``, ``asin``, ``fnsku``,
        ``fulfillable``, ``inbound``, ``reserved``, ``unfulfillable``, ``total``) and
        ``next_token``
    """
    params = {
        "details": "true",
        "granularityType": const.INVENTORY_GRANULARITY,
        "granularityId": marketplace_id,
        "marketplaceIds": marketplace_id,
    }
    if next_token:
        params["nextToken"] = next_token
    client = session._client(Inventories)
    answer = session._call(
        "getInventorySummaries",
        lambda: client._request("/fba/inventory/v1/summaries", params=dict(params), add_marketplace=False),
    )
    payload = answer.payload
    summaries = payload.get("inventorySummaries") if isinstance(payload, dict) else None
    if not isinstance(summaries, list):
        raise AmazonServerError(
            "getInventorySummaries answered without a summary list", operation="getInventorySummaries"
        )
    result = []
    for summary in summaries:
        if not isinstance(summary, dict) or not summary.get("sellerSku"):
            continue
        details = summary.get("inventoryDetails") or {}
        reserved = details.get("reservedQuantity") or {}
        unfulfillable = details.get("unfulfillableQuantity") or {}
        result.append(
            {
                "sku": summary["sellerSku"],
                "asin": summary.get("asin") or "",
                "fnsku": summary.get("fnSku") or "",
                "fulfillable": _int(details.get("fulfillableQuantity")),
                "inbound": _int(details.get("inboundWorkingQuantity"))
                + _int(details.get("inboundShippedQuantity"))
                + _int(details.get("inboundReceivingQuantity")),
                "reserved": _int(reserved.get("totalReservedQuantity")),
                "unfulfillable": _int(unfulfillable.get("totalUnfulfillableQuantity")),
                "total": _int(summary.get("totalQuantity")),
            }
        )
    return {"summaries": result, "next_token": answer.next_token or None}
