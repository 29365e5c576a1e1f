"""The Reports API in the emulator: getReports and getReportDocument, over each seller's
finished reports (``put_report``, ``put_settlement``, and the reports requested with
createReport once done: emulator/fba.py).
"""

import secrets
from datetime import timedelta

from .common import ApiError, parse_iso, utcnow

PLANS = {
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
}

ROUTES = [
    ("GET", "/reports/2021-06-30/reports", "getReports", "reports_2021-06-30"),
    ("GET", "/reports/2021-06-30/documents/{id}", "getReportDocument", "reports_2021-06-30"),
]


class ReportsEmulator:
    """Mixed into :class:`~.server.SpApiEmulator`: the Reports API's listing and documents."""

    # ------------------------------------------------------------------ Reports

    def get_reports(self, seller, query):
        def one(name):
            return (query.get(name) or [None])[0]

        token = one("nextToken")
        if token:
            if set(query) != {"nextToken"}:
                raise ApiError(400, "InvalidInput", "nextToken must be the only parameter.")
            with self.lock:
                entry = self.pagination.pop(token, None)
            if entry is None:
                raise ApiError(400, "InvalidInput", "The nextToken is invalid or expired.")
            ids, size = entry
        else:
            types = query.get("reportTypes") or []
            if not types and not one("nextToken"):
                raise ApiError(400, "InvalidInput", "reportTypes or nextToken is required.")
            size = int(one("pageSize") or 10)
            if not 1 <= size <= 100:
                raise ApiError(400, "InvalidInput", "pageSize must be between 1 and 100.")
            since = parse_iso(one("createdSince")) if one("createdSince") else utcnow() - timedelta(days=90)
            statuses = query.get("processingStatuses") or []
            ids = [
                r["reportId"]
                for r in sorted(seller.reports, key=lambda r: r["_created"], reverse=True)
                if r["reportType"] in types
                and r["_created"] >= since
                and (not statuses or r["processingStatus"] in statuses)
            ]
        page, rest = ids[:size], ids[size:]
        by_id = {r["reportId"]: r for r in seller.reports}
        answer = {"reports": [{k: v for k, v in by_id[i].items() if not k.startswith("_")} for i in page]}
        if rest:
            token = secrets.token_urlsafe(24)
            with self.lock:
                self.pagination[token] = (rest, size)
            answer["nextToken"] = token
        return 200, answer

    def get_report_document(self, seller, document_id):
        if not any(r["reportDocumentId"] == document_id for r in seller.reports):
            raise ApiError(404, "NotFound", f"Report document {document_id} was not found.")
        answer = {"reportDocumentId": document_id, "url": f"{self.url}/_documents/{document_id}"}
        if self.feed_documents[document_id].get("compression"):
            answer["compressionAlgorithm"] = "GZIP"
        return 200, answer
