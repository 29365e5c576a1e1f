"""Payouts flow: import Amazon's settlement reports as payouts (Reports API 2021-06-30)."""

import base64
import gzip
import logging
from datetime import datetime, timedelta
from itertools import islice

import psycopg2

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonRetryableError
from ..spapi.exceptions import AmazonAuthorizationError, AmazonConfigurationError
from ..spapi.settlement import MAX_DOCUMENT_BYTES, open_document, read_settlement
from .amazon_sync_flow import is_concurrency_error, quiet_sql_errors, safe_reason

_logger = logging.getLogger(__name__)

# Reports listed again on every run, in case Amazon published one late.
LISTING_OVERLAP = timedelta(days=3)
# A report's lines are created (and forgotten by the ORM's cache) this many at a time.
LINES_PER_CHUNK = 2000
MAX_SIZE_PARAM = "amazon_sp_connector.settlement_report_max_mb"


class AmazonPayoutSync(models.AbstractModel):
    """One run first tries again the reports an accountant asked to retry, then lists the
    seller's settlement reports created since the account's payout cursor (getReports,
    every page) and imports each one not seen yet, oldest first: download, read as a
    stream, one payout with its lines and the raw report, committed one by one, the cursor
    moving past each. A report that cannot be read or recorded, whatever the reason, is a
    problem of its own (:class:`amazon.payout.report`, mailed once); the others go on."""

    _name = "amazon.payout.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Payouts Flow"

    _flow = "payouts"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_payouts"
    _problems_template = "amazon_sp_connector.mail_template_payout_failures"
    _polls = True

    @api.model
    def _run_account(self, account, session, run):
        retries = (
            self.env["amazon.payout.report"]
            .sudo()
            .search([("account_id", "=", account.id), ("state", "=", "retry")], order="report_date, id")
        )
        for failed in retries:
            if self._out_of_time(session):
                run.more = True
                return
            run.stats["retried"] += 1
            self._import_report(account, failed._as_report(), session, run)
            self._commit_progress(1)
        reports = self._list_reports(account, session)
        known = self._known_reports(account, [r["report_id"] for r in reports])
        todo = sorted((r for r in reports if r["report_id"] not in known), key=lambda r: r["created"] or datetime.min)
        for report in todo:
            if self._out_of_time(session):
                run.more = True
                return
            self._import_report(account, report, session, run)
            self._move_cursor(account, report["created"])
            self._commit_progress(1)
        self._move_cursor(account, max((r["created"] for r in reports if r["created"]), default=None))

    @api.model
    def _list_reports(self, account, session):
        """The account's settlement reports Amazon lists since its cursor (less the overlap,
        at most Amazon's retention), ready to download, of its marketplaces."""
        oldest = fields.Datetime.now() - timedelta(days=const.REPORT_RETENTION_DAYS)
        since = max((account.payout_sync_since or oldest) - LISTING_OVERLAP, oldest)
        reports = []
        token = None
        while True:
            page = session.get_reports(
                [const.REPORT_SETTLEMENT], created_since=since, next_token=token, page_size=const.REPORTS_PAGE_SIZE
            )
            reports += page["reports"]
            token = page["next_token"]
            if not token:
                break
        markets = set((account.marketplace_ids or account.base_marketplace_id).mapped("api_ref"))
        return [
            r
            for r in reports
            if r["processing_status"] == "DONE"
            and r["document_id"]
            and (not r["marketplace_ids"] or markets & set(r["marketplace_ids"]))
        ]

    @api.model
    def _known_reports(self, account, report_refs):
        """Among ``report_refs``, those of the seller already imported or that failed (those
        are downloaded again only when someone asks: *Retry*)."""
        imported = (
            self.env["amazon.payout"]
            .sudo()
            .search_fetch(
                [("amazon_seller_ref", "=", account.seller_id), ("report_ref", "in", report_refs)], ["report_ref"]
            )
        )
        failed = (
            self.env["amazon.payout.report"]
            .sudo()
            .search_fetch(
                [("account_id.seller_id", "=", account.seller_id), ("report_ref", "in", report_refs)], ["report_ref"]
            )
        )
        return set(imported.mapped("report_ref")) | set(failed.mapped("report_ref"))

    @api.model
    def _move_cursor(self, account, created):
        """The next listings start from ``created`` (less the overlap), never earlier."""
        if created and (not account.payout_sync_since or created > account.payout_sync_since):
            account.sudo().payout_sync_since = created

    @api.model
    def _max_document_bytes(self):
        param = self.env["ir.config_parameter"].sudo().get_param(MAX_SIZE_PARAM)
        try:
            if param and int(param) > 0:
                return int(param) << 20
        except ValueError:
            _logger.warning("%s is not a whole number of megabytes: %r", MAX_SIZE_PARAM, param)
        return MAX_DOCUMENT_BYTES

    @api.model
    def _import_report(self, account, report, session, run):
        """Download, read and record one settlement report in its own savepoint: whatever
        fails on the way is that report's problem (:meth:`_problem`), never the run's.
        Amazon's pauses and refusals of the credentials and concurrent updates still stop
        the run: the report is tried again by the next one."""
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                content, compression = session.download_report_document(report["document_id"])
                with open_document(content, compression, self._max_document_bytes()) as stream:
                    document = content if compression == "GZIP" else gzip.compress(content)
                    del content
                    payout = self._create_payout(account, report, stream, document)
        except (AmazonRetryableError, AmazonAuthorizationError, AmazonConfigurationError):
            raise
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            if isinstance(exc, psycopg2.errors.UniqueViolation) and "settlement_seller_unique" in (
                getattr(exc.diag, "constraint_name", None) or ""
            ):
                return  # another account of the seller imported it a moment ago
            reason = safe_reason(exc)
            _logger.info(
                "Amazon account %s: settlement report %s not imported: %s", account.id, report["report_id"], reason
            )
            self._problem(account, report, reason, run)
            return
        self.env["amazon.payout.report"].sudo().search(
            [("account_id", "=", account.id), ("report_ref", "=", report["report_id"])]
        ).unlink()
        if payout:
            run.stats["imported"] += 1

    @api.model
    def _create_payout(self, account, report, stream, document):
        """The payout of the report being read from ``stream``, its lines created a chunk at
        a time (never the whole report in memory).

        :param document: the raw report, GZIP-compressed, kept on the payout
        :returns: the new payout, or nothing when another account of the seller has it
        """
        settlement, lines = read_settlement(stream)
        Payout = self.env["amazon.payout"].sudo()
        if Payout.search_count(
            [("amazon_seller_ref", "=", account.seller_id), ("settlement_ref", "=", settlement.settlement_ref)],
            limit=1,
        ):
            return Payout
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", settlement.currency)])
        if not currency:
            raise AmazonRecordError(
                self.env._(
                    "Settlement %(ref)s is in %(currency)s, a currency Odoo does not know.",
                    ref=settlement.settlement_ref,
                    currency=settlement.currency,
                )
            )
        if not currency.active:
            currency.sudo().active = True
        marketplace = self.env["amazon.marketplace"].search([("api_ref", "in", report["marketplace_ids"])], limit=1)
        payout = Payout.create(
            self._prepare_payout_values(account, report, settlement, document, currency, marketplace)
        )
        Line = self.env["amazon.payout.line"].sudo()
        Order = self.env["sale.order"].sudo()
        Mapping = self.env["amazon.payout.mapping"]
        count = 0
        while chunk := list(islice(lines, LINES_PER_CHUNK)):
            refs = list({line.order_ref for line in chunk if line.order_ref})
            orders = Order.search_fetch(
                [("amazon_order_ref", "in", refs), ("amazon_seller_ref", "=", account.seller_id)], ["amazon_order_ref"]
            )
            by_ref = {order.amazon_order_ref: order.id for order in orders}
            categories = Mapping._categorize(account.company_id, chunk)
            created = Line.create(
                [
                    self._prepare_line_values(payout, number, line, category, by_ref)
                    for number, (line, category) in enumerate(zip(chunk, categories, strict=True), start=count)
                ]
            )
            count += len(chunk)
            Line.flush_model()
            created.invalidate_recordset()  # what the ORM cached of them is not needed again
            orders.invalidate_recordset()
        payout._amazon_check_state()
        payout.message_post(
            body=self.env._(
                "Imported from Amazon's settlement report %(report)s: %(count)s lines.",
                report=report["report_id"],
                count=count,
            )
        )
        return payout

    @api.model
    def _prepare_payout_values(self, account, report, settlement, document, currency, marketplace):
        """The payout's values, without its lines (builders never write: every lookup is
        passed in)."""
        return {
            "account_id": account.id,
            "marketplace_id": marketplace.id,
            "settlement_ref": settlement.settlement_ref,
            "report_ref": report["report_id"],
            "period_start": settlement.start,
            "period_end": settlement.end,
            "deposit_date": (settlement.deposit_date or report["created"] or fields.Datetime.now()).date(),
            "currency_id": currency.id,
            "total_amount": float(settlement.total),
            "document": base64.b64encode(document),
            "document_name": f"settlement-{settlement.settlement_ref}.tsv.gz",
        }

    @api.model
    def _prepare_line_values(self, payout, number, line, category, order_ids):
        """One payout line's values.

        :param order_ids: dict Amazon order reference -> sale order id
        """
        return {
            "payout_id": payout.id,
            "sequence": number,
            "transaction_type": line.transaction_type,
            "order_ref": line.order_ref,
            "sale_order_id": order_ids.get(line.order_ref, False),
            "sku": line.sku,
            "quantity": line.quantity,
            "amount_type": line.amount_type,
            "description": line.description,
            "amount": float(line.amount),
            "category": category,
            "posted_date": line.posted,
        }

    @api.model
    def _problem(self, account, report, reason, run):
        """The report is listed as not imported, with its reason; counted in the run, told
        once per new reason (a retry failing the same way tells nobody again)."""
        run.stats["failed"] += 1
        Failed = self.env["amazon.payout.report"].sudo()
        failed = Failed.search([("account_id", "=", account.id), ("report_ref", "=", report["report_id"])])
        new = not failed or failed.error != reason
        values = {"state": "failed", "error": reason, "last_attempt": fields.Datetime.now()}
        if failed:
            failed.write(values)
        else:
            Failed.create(
                dict(
                    values,
                    account_id=account.id,
                    report_ref=report["report_id"],
                    document_ref=report["document_id"],
                    marketplace_refs=",".join(report["marketplace_ids"]),
                    report_date=report["created"],
                )
            )
        if new:
            run.problems.append({"name": report["report_id"], "ref": report["report_id"], "reason": reason})
