"""FBA stock in the emulator: requested reports (createReport / getReport) generated from
the emulator's own FBA events, and getInventorySummaries from its FBA quantities.

Each report type has its own events, put by tests (``put_ledger_event``,
``put_fba_return``...), and is written as Amazon writes it: a tab-separated flat file with
the documented columns (README, "FBA stock"), holding the events of the requested window.
"""

import gzip
import secrets
import uuid
from datetime import UTC, datetime


def iso(value):
    return value.replace(microsecond=0).isoformat() + "Z"


def parse_iso(value):
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


def _error(status, code, message):
    from .server import ApiError as ServerError  # noqa: PLC0415 - the server imports this module

    return ServerError(status, code, message)


PLANS = {
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getInventorySummaries": (2.0, 2),
}

ROUTES = [
    ("POST", "/reports/2021-06-30/reports", "createReport", "reports_2021-06-30"),
    ("GET", "/reports/2021-06-30/reports/{id}", "getReport", "reports_2021-06-30"),
    ("GET", "/fba/inventory/v1/summaries", "getInventorySummaries", "fbaInventory"),
]

LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
FBA_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
FBM_RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REMOVALS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"

COLUMNS = {
    LEDGER: [
        "Date",
        "FNSKU",
        "ASIN",
        "MSKU",
        "Title",
        "Event Type",
        "Reference ID",
        "Quantity",
        "Fulfillment Center",
        "Disposition",
        "Reason",
        "Country",
        "Reconciled Quantity",
        "Unreconciled Quantity",
    ],
    FBA_RETURNS: [
        "return-date",
        "order-id",
        "sku",
        "asin",
        "fnsku",
        "product-name",
        "quantity",
        "fulfillment-center-id",
        "detailed-disposition",
        "reason",
        "status",
        "license-plate-number",
        "customer-comments",
    ],
    FBM_RETURNS: [
        "Order ID",
        "Order date",
        "Return request date",
        "Return request status",
        "Amazon RMA ID",
        "Merchant RMA ID",
        "Label type",
        "Label cost",
        "Currency code",
        "Return carrier",
        "Tracking ID",
        "Label to be paid by",
        "A-to-Z Claim",
        "Is prime",
        "ASIN",
        "Merchant SKU",
        "Item Name",
        "Return quantity",
        "Return Reason",
        "In policy",
        "Return type",
        "Resolution",
        "Invoice number",
        "Return delivery date",
        "Order Amount",
        "Order quantity",
    ],
    REMOVALS: [
        "request-date",
        "order-id",
        "shipment-date",
        "sku",
        "fnsku",
        "disposition",
        "shipped-quantity",
        "carrier",
        "tracking-number",
        "removal-order-type",
    ],
    REIMBURSEMENTS: [
        "approval-date",
        "reimbursement-id",
        "case-id",
        "amazon-order-id",
        "reason",
        "sku",
        "fnsku",
        "asin",
        "product-name",
        "condition",
        "currency-unit",
        "amount-per-unit",
        "amount-total",
        "quantity-reimbursed-cash",
        "quantity-reimbursed-inventory",
        "quantity-reimbursed-total",
        "original-reimbursement-id",
        "original-reimbursement-type",
    ],
}
# the column holding each report's event date, and how Amazon writes it
DATE_COLUMNS = {
    LEDGER: ("Date", "%m/%d/%Y"),
    FBA_RETURNS: ("return-date", "%Y-%m-%dT%H:%M:%S+00:00"),
    FBM_RETURNS: ("Return request date", "%Y-%m-%dT%H:%M:%S+00:00"),
    REMOVALS: ("shipment-date", "%Y-%m-%dT%H:%M:%S+00:00"),
    REIMBURSEMENTS: ("approval-date", "%Y-%m-%dT%H:%M:%S+00:00"),
}


class FbaEmulator:
    """Mixed into :class:`~.server.SpApiEmulator`: FBA events, requested reports, quantities."""

    def fba_reset(self):
        """Forget every FBA event, requested report and quantity."""
        self.fba_events = {}  # (seller id, report type) -> [(naive UTC date, {column: text} or raw line)]
        self.fba_requests = {}  # report id -> report dict (+ private keys)
        self.fba_quantities = {}  # (seller id, marketplace id) -> {sku: {...}}
        self.fba_polls_before_done = 0  # getReport answers IN_PROGRESS this many times first
        self.fba_page_size = 50

    # ------------------------------------------------------------------ state API

    def put_fba_event(self, seller_id, report_type, date, **cells):
        """One event of ``report_type`` on ``date`` (naive UTC): ``cells`` by column name
        (underscores for dashes and spaces, e.g. ``order_id``, ``Event_Type``)."""
        columns = {column.replace("-", "_").replace(" ", "_").lower(): column for column in COLUMNS[report_type]}
        row = {}
        for key, value in cells.items():
            column = columns.get(key.lower())
            if column is None:
                raise KeyError(f"{report_type} has no column {key}")
            row[column] = str(value)
        column, pattern = DATE_COLUMNS[report_type]
        row[column] = date.strftime(pattern)
        with self.lock:
            self.fba_events.setdefault((seller_id, report_type), []).append((date, row))

    def put_ledger_event(self, seller_id, date, sku, event_type, quantity, **cells):
        """One inventory ledger event (Receipts, Shipments, Adjustments...)."""
        cells.setdefault("Disposition", "SELLABLE")
        cells.setdefault("Fulfillment_Center", "PHX7")
        cells.setdefault("Country", "US")
        cells.setdefault("FNSKU", f"X00{abs(hash(sku)) % 10**7:07d}")
        self.put_fba_event(seller_id, LEDGER, date, MSKU=sku, Event_Type=event_type, Quantity=quantity, **cells)

    def put_fba_raw(self, seller_id, report_type, date, line):
        """A raw line served as is in the report's window (malformed rows, tests)."""
        with self.lock:
            self.fba_events.setdefault((seller_id, report_type), []).append((date, line))

    def set_fba_quantity(self, seller_id, marketplace_id, sku, fulfillable=0, inbound=0, reserved=0, unfulfillable=0):
        """Amazon's FBA quantities of ``sku`` in a marketplace (getInventorySummaries)."""
        with self.lock:
            self.fba_quantities.setdefault((seller_id, marketplace_id), {})[sku] = {
                "fulfillable": fulfillable,
                "inbound": inbound,
                "reserved": reserved,
                "unfulfillable": unfulfillable,
            }

    def fba_document(self, seller_id, report_type, start=None, end=None):
        """The report's document of the events in [start, end] (bytes)."""
        columns = COLUMNS[report_type]
        lines = ["\t".join(columns)]
        for date, row in self.fba_events.get((seller_id, report_type), []):
            if (start and date < start) or (end and date > end):
                continue
            lines.append(row if isinstance(row, str) else "\t".join(row.get(column, "") for column in columns))
        return ("\n".join(lines) + "\n").encode()

    # ------------------------------------------------------------------ operations

    def fba_operation(self, seller, operation, path_id, query, body):
        if operation == "createReport":
            return self.create_report(seller, body or {})
        if operation == "getReport":
            return self.get_report(seller, path_id)
        if operation == "getInventorySummaries":
            return self.get_inventory_summaries(seller, query)
        raise _error(404, "NotFound", "Resource not found.")

    def create_report(self, seller, body):
        self.validate_request("reports_2021-06-30", "createReport", body)
        if body["reportType"] not in COLUMNS:
            raise _error(400, "InvalidInput", f"Report type {body['reportType']} is not supported here.")
        start = parse_iso(body["dataStartTime"]) if body.get("dataStartTime") else None
        end = parse_iso(body["dataEndTime"]) if body.get("dataEndTime") else None
        now = utcnow()
        if (start and start > now) or (end and end > now):
            raise _error(400, "InvalidInput", "dataStartTime and dataEndTime must not be in the future.")
        with self.lock:
            report_id = str(80000000000 + len(self.fba_requests) + 1)
            self.fba_requests[report_id] = {
                "reportId": report_id,
                "reportType": body["reportType"],
                "createdTime": iso(now),
                "processingStatus": "IN_QUEUE",
                "marketplaceIds": list(body["marketplaceIds"]),
                "_seller": seller.seller_id,
                "_start": start,
                "_end": end,
                "_polls": 0,
            }
            if start:
                self.fba_requests[report_id]["dataStartTime"] = iso(start)
            if end:
                self.fba_requests[report_id]["dataEndTime"] = iso(end)
        return 202, {"reportId": report_id}

    def get_report(self, seller, report_id):
        with self.lock:
            report = self.fba_requests.get(report_id)
            if report is None or report["_seller"] != seller.seller_id:
                raise _error(404, "NotFound", f"Report {report_id} was not found.")
            report["_polls"] += 1
            if report["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS"):
                if report["_polls"] <= self.fba_polls_before_done:
                    report["processingStatus"] = "IN_PROGRESS"
                    report["processingStartTime"] = report["createdTime"]
                else:
                    self._finish(report, seller)
            return 200, {k: v for k, v in report.items() if not k.startswith("_")}

    def _finish(self, report, seller):
        content = self.fba_document(seller.seller_id, report["reportType"], report["_start"], report["_end"])
        document_id = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}"
        compress = len(content) > 4096
        self.feed_documents[document_id] = {
            "content": gzip.compress(content) if compress else content,
            "content_type": "text/tab-separated-values",
            "compression": "GZIP" if compress else None,
        }
        report["processingStatus"] = "DONE"
        report["processingStartTime"] = report["createdTime"]
        report["processingEndTime"] = iso(utcnow())
        report["reportDocumentId"] = document_id
        report["_created"] = utcnow()
        # getReportDocument finds documents among the seller's reports
        seller.reports.append(report)

    def get_inventory_summaries(self, seller, query):
        def one(name):
            return (query.get(name) or [None])[0]

        if one("granularityType") != "Marketplace" or not one("granularityId") or not one("marketplaceIds"):
            raise _error(400, "InvalidInput", "granularityType, granularityId and marketplaceIds are required.")
        marketplace = one("granularityId")
        token = one("nextToken")
        with self.lock:
            if token:
                skus = self.pagination.pop(token, None)
                if skus is None:
                    raise _error(400, "InvalidInput", "The nextToken is invalid or expired.")
            else:
                skus = sorted(self.fba_quantities.get((seller.seller_id, marketplace), {}))
            quantities = self.fba_quantities.get((seller.seller_id, marketplace), {})
            page, rest = skus[: self.fba_page_size], skus[self.fba_page_size :]
            summaries = []
            for sku in page:
                q = quantities[sku]
                summaries.append(
                    {
                        "sellerSku": sku,
                        "asin": "B0" + f"{abs(hash(sku)) % 10**8:08d}",
                        "fnSku": "X0" + f"{abs(hash(sku)) % 10**8:08d}",
                        "condition": "NewItem",
                        "lastUpdatedTime": iso(utcnow()),
                        "productName": sku,
                        "totalQuantity": q["fulfillable"] + q["inbound"] + q["reserved"] + q["unfulfillable"],
                        "inventoryDetails": {
                            "fulfillableQuantity": q["fulfillable"],
                            "inboundWorkingQuantity": 0,
                            "inboundShippedQuantity": q["inbound"],
                            "inboundReceivingQuantity": 0,
                            "reservedQuantity": {"totalReservedQuantity": q["reserved"]},
                            "unfulfillableQuantity": {"totalUnfulfillableQuantity": q["unfulfillable"]},
                        },
                    }
                )
            answer = {
                "payload": {
                    "granularity": {"granularityType": "Marketplace", "granularityId": marketplace},
                    "inventorySummaries": summaries,
                }
            }
            if rest:
                token = secrets.token_urlsafe(24)
                self.pagination[token] = rest
                answer["pagination"] = {"nextToken": token}
        return 200, answer
