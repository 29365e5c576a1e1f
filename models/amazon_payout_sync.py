"""Payouts flow: import Amazon's settlement reports as payouts (Reports API 2021-06-30)."""

import base64
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonDocumentError
from ..spapi.settlement import parse_settlement
from .amazon_sync_flow import quiet_sql_errors, safe_reason

# Reports listed again on every run, in case Amazon published one late.
LISTING_OVERLAP = timedelta(days=3)


class AmazonPayoutSync(models.AbstractModel):
    """One run lists the seller's settlement reports created since the account's payout
    cursor (getReports, every page), then imports each one not imported yet, oldest first:
    getReportDocument, parse, one payout with its lines and the raw report, committed one
    by one. A report that cannot be read is a problem of its own; the others go on."""

    _name = "amazon.payout.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Payouts Flow"

    _flow = "payouts"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_payouts"
    _problems_template = "amazon_sp_connector.mail_template_payout_failures"
    _polls = True

    @api.model
    def _run_account(self, account, session, run):
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
        reports = [
            r
            for r in reports
            if r["processing_status"] == "DONE"
            and r["document_id"]
            and (not r["marketplace_ids"] or markets & set(r["marketplace_ids"]))
        ]
        known = set(
            self.env["amazon.payout"]
            .sudo()
            .search(
                [
                    ("account_id.seller_id", "=", account.seller_id),
                    ("report_ref", "in", [r["report_id"] for r in reports]),
                ]
            )
            .mapped("report_ref")
        )
        todo = sorted((r for r in reports if r["report_id"] not in known), key=lambda r: r["created"] or since)
        for report in todo:
            if self._out_of_time(session):
                run.more = True
                return
            self._import_report(account, report, session, run)
            self._commit_progress(1)
        newest = max((r["created"] for r in reports if r["created"]), default=None)
        if newest and (not account.payout_sync_since or newest > account.payout_sync_since):
            account.payout_sync_since = newest

    @api.model
    def _import_report(self, account, report, session, run):
        """Download, read and record one settlement report; a report that cannot be read or
        recorded is reported (and listed again by the next runs), never fails the run."""
        content = session.get_report_document(report["document_id"])
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                settlement = parse_settlement(content)
                payout = self._create_payout(account, report, settlement, content)
        except (AmazonDocumentError, AmazonRecordError) as exc:
            self._problem(account, report, safe_reason(exc), run)
            return
        errors = dict(account.payout_report_errors or {})
        if errors.pop(report["report_id"], None):
            account.payout_report_errors = errors
        if payout:
            run.stats["imported"] += 1

    @api.model
    def _create_payout(self, account, report, settlement, content):
        """:returns: the new payout, or nothing when another account of the seller has it"""
        Payout = self.env["amazon.payout"].sudo()
        if Payout.search_count(
            [("account_id.seller_id", "=", account.seller_id), ("settlement_ref", "=", settlement.settlement_ref)],
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
            currency.active = True
        refs = {line.order_ref for line in settlement.lines if line.order_ref}
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("amazon_order_ref", "in", list(refs)), ("amazon_account_id.seller_id", "=", account.seller_id)])
        )
        categories = self.env["amazon.payout.mapping"]._categorize(account.company_id, settlement.lines)
        marketplace = self.env["amazon.marketplace"].search([("api_ref", "in", report["marketplace_ids"])], limit=1)
        payout = Payout.create(
            self._prepare_payout_values(account, report, settlement, content, currency, marketplace, orders, categories)
        )
        payout._amazon_check_state()
        payout.message_post(
            body=self.env._(
                "Imported from Amazon's settlement report %(report)s: %(count)s lines.",
                report=report["report_id"],
                count=len(settlement.lines),
            )
        )
        return payout

    @api.model
    def _prepare_payout_values(self, account, report, settlement, content, currency, marketplace, orders, categories):
        """The payout's values (builders never write: every lookup is passed in)."""
        by_ref = {order.amazon_order_ref: order for order in orders}
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
            "document": base64.b64encode(content),
            "document_name": f"settlement-{settlement.settlement_ref}.tsv",
            "line_ids": [
                fields.Command.create(
                    {
                        "sequence": number,
                        "transaction_type": line.transaction_type,
                        "order_ref": line.order_ref,
                        "sale_order_id": by_ref[line.order_ref].id if line.order_ref in by_ref else False,
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "amount_type": line.amount_type,
                        "description": line.description,
                        "amount": float(line.amount),
                        "category": category,
                        "posted_date": line.posted,
                    }
                )
                for number, (line, category) in enumerate(zip(settlement.lines, categories, strict=True))
            ],
        }

    @api.model
    def _problem(self, account, report, reason, run):
        """Counted every run (the report is tried again), told once per new reason."""
        run.stats["failed"] += 1
        errors = dict(account.payout_report_errors or {})
        if errors.get(report["report_id"]) != reason:
            errors[report["report_id"]] = reason
            account.payout_report_errors = errors
            run.problems.append({"name": report["report_id"], "ref": report["report_id"], "reason": reason})
