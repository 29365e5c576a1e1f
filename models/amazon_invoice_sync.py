"""Invoices flow: Odoo's invoices and credit notes of Amazon orders uploaded to Amazon
(``UPLOAD_VAT_INVOICE``, EU and UK), and Amazon's VAT invoice data report read onto the
orders of sellers on Amazon's VAT Calculation Service."""

from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..spapi import AmazonDocumentError, AmazonError, AmazonPermanentError, AmazonThrottledError
from ..spapi.exceptions import AmazonAuthorizationError
from ..spapi.feeds import parse_processing_report
from ..spapi.settlement import open_document
from ..spapi.vat_invoice import feed_options, is_pdf, parse_vat_invoice_data
from .amazon_feed import NOT_SENT
from .amazon_sync_flow import is_concurrency_error, quiet_sql_errors, safe_reason


class AmazonInvoiceSync(models.AbstractModel):
    """One run reads the VAT invoice data report when it is due (twice a day, marketplaces
    that ask for it), then the result of every invoice feed in progress (one getFeed each),
    then uploads the account's queued documents, one feed per document: Amazon Business
    orders first, then the oldest. Before each document it checks createFeed's quota
    (0.0083 per second, burst 15): when no request is free, the run stops and the engine
    runs it again when one is; it never sleeps on it.

    A document is rendered and checked in its own savepoint, its feed recorded and
    committed before it goes to Amazon. A refused document stays Upload Failed with
    Amazon's message (mailed once, with the run's other refusals) until it changes or a
    user retries it."""

    _name = "amazon.invoice.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Invoices Flow"

    _flow = "invoices"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_invoices"
    _problems_template = "amazon_sp_connector.mail_template_invoice_upload_failures"
    _feed_type = const.FEED_VAT_INVOICE

    # ------------------------------------------------------------------ what to do

    @api.model
    def _moves_domain(self, accounts):
        return [
            ("amazon_upload_state", "=", "to_upload"),
            ("state", "=", "posted"),
            ("amazon_sale_order_id.amazon_account_id", "in", accounts.ids),
        ]

    @api.model
    def _vcs_settings(self, accounts):
        """Marketplace rows whose VAT invoice data report is due."""
        due = fields.Datetime.now() - timedelta(hours=const.VAT_INVOICE_DATA_READ_HOURS)
        return (
            self.env["amazon.marketplace.setting"]
            .sudo()
            .search(
                [
                    ("account_id", "in", accounts.ids),
                    ("vcs_report", "=", True),
                    "|",
                    ("vcs_report_read", "=", False),
                    ("vcs_report_read", "<=", due),
                ]
            )
        )

    @api.model
    def _with_work(self, accounts):
        feeds = self.env["amazon.feed"].sudo()._read_group(self._feeds_domain(accounts), ["account_id"])
        moves = self.env["account.move"].sudo()._read_group(self._moves_domain(accounts), ["amazon_sale_order_id"])
        with_work = {account.id for (account,) in feeds}
        with_work |= {order.amazon_account_id.id for (order,) in moves}
        with_work |= set(self._vcs_settings(accounts).account_id.ids)
        return accounts.filtered(lambda a: a.id in with_work)

    @api.model
    def _run_account(self, account, session, run):
        for setting in self._vcs_settings(account):
            if self._out_of_time(session):
                run.more = True
                return
            self._read_vat_invoice_data(setting, session, run)
            self._commit_progress(1)
        in_progress = False
        for feed in self.env["amazon.feed"].sudo().search(self._feeds_domain(account), order="id"):
            if self._out_of_time(session):
                run.more = True
                return
            self._poll_feed(feed, session, run)
            in_progress |= not feed.done
            self._commit_progress(1)
        moves = (
            self.env["account.move"]
            .sudo()
            .search(self._moves_domain(account), order="amazon_upload_business desc, invoice_date, id")
        )
        for move in moves:
            if self._out_of_time(session):
                run.more = True
                break
            wait = session.quota_wait("createFeed")
            if wait > 0:  # createFeed's quota: the engine runs the flow again when a request is free
                if in_progress:
                    run.wake_at = fields.Datetime.now() + timedelta(seconds=const.FEED_POLL_SECONDS)
                raise AmazonThrottledError(
                    "createFeed's quota is used up for now", operation="createFeed", retry_after=wait
                )
            in_progress |= self._send_document(account, move, session, run)
            self._commit_progress(1)
        if in_progress:
            run.wake_at = fields.Datetime.now() + timedelta(seconds=const.FEED_POLL_SECONDS)

    # ------------------------------------------------------------------ sending

    @api.model
    def _send_document(self, account, move, session, run):
        """Render, record and upload one document.

        :returns: whether a feed went to Amazon
        """
        order = move.amazon_sale_order_id
        excluded = move._amazon_upload_excluded(order)
        if excluded:
            move.write({"amazon_upload_state": False})
            move.message_post(body=self.env._("Not uploaded to Amazon: %(why)s.", why=excluded))
            run.stats["ignored"] += 1
            return False
        key = move._amazon_upload_key()
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                options = feed_options(move._amazon_vat_document(), move.currency_id.decimal_places)
                content = move._amazon_upload_pdf()
                if not is_pdf(content):
                    raise AmazonDocumentError("The invoice report did not give a PDF")
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            reason = self.env._("Not sent: %(why)s", why=safe_reason(exc))
            self._refuse(move, reason, run, key)
            return False
        feed = (
            self.env["amazon.feed"]
            .sudo()
            .create(
                {
                    "account_id": account.id,
                    "feed_type": const.FEED_VAT_INVOICE,
                    "processing_status": NOT_SENT,
                    "messages": {"1": move.amazon_order_ref},
                    "document": "\n".join(f"{k}={v}" for k, v in options.items()),
                }
            )
        )
        move.write({"amazon_upload_state": "sent", "amazon_upload_feed_id": feed.id, "amazon_upload_key": key})
        # What goes to Amazon is committed first: a rolled back run never reaches Amazon.
        self._commit_progress()
        try:
            result = session.submit_feed(
                const.FEED_VAT_INVOICE,
                [order.amazon_marketplace_id.api_ref],
                content,
                const.FEED_PDF_CONTENT_TYPE,
                feed_options=options,
            )
        except AmazonError as exc:
            reason = self.env._("Not sent: %(why)s", why=safe_reason(exc))
            feed.write({"done": True, "error": reason})
            if isinstance(exc, AmazonPermanentError) and not isinstance(exc, AmazonAuthorizationError):
                self._refuse(move, reason, run, key)  # Amazon refused this very document
                return False
            move.write({"amazon_upload_state": "to_upload"})
            self._commit_progress()
            raise
        feed.write({"feed_ref": result["feed_id"], "processing_status": "IN_QUEUE"})
        run.stats["sent"] += 1
        return True

    # ------------------------------------------------------------------ results

    @api.model
    def _feed_moves(self, feed):
        return self.env["account.move"].sudo().search([("amazon_upload_feed_id", "=", feed.id)])

    @api.model
    def _feed_unreadable(self, feed, reason, run):
        """Whether Amazon has the document is unknown: sent again by the next run."""
        for move in self._feed_moves(feed).filtered(lambda m: m.amazon_upload_state == "sent"):
            self._report(move, reason, run)
            move.write({"amazon_upload_state": "to_upload", "amazon_upload_error": reason, "amazon_upload_key": False})
            run.stats["uncertain"] += 1

    @api.model
    def _apply_feed(self, feed, session, run):
        if not feed.feed_ref:  # prepared, then the run stopped before Amazon accepted it
            for move in self._feed_moves(feed).filtered(lambda m: m.amazon_upload_state == "sent"):
                move.write({"amazon_upload_state": "to_upload", "amazon_upload_key": False})
            feed.write({"done": True, "error": self.env._("Never reached Amazon; its document is sent again.")})
            return
        info = session.get_feed(feed.feed_ref)
        status = info["processing_status"]
        feed.processing_status = status
        if status not in const.FEED_FINAL_STATUSES:
            return
        report = None
        if info["result_document_id"]:
            content = session.get_feed_document(info["result_document_id"])
            feed.report = content.decode("utf-8", "replace")
            report = parse_processing_report(content)
        errors = [r for r in (report or {}).get("results", []) if r["code"] == "Error"]
        moves = self._feed_moves(feed).filtered(lambda m: m.amazon_upload_state == "sent")
        if status == const.FEED_CANCELLED:
            self._feed_unreadable(feed, self.env._("Amazon cancelled the feed before processing it."), run)
        elif status == const.FEED_DONE and report is None:
            self._feed_unreadable(feed, self.env._("Amazon gave no processing report."), run)
        elif errors or status == const.FEED_FATAL:
            texts = [
                f"{e['description']} ({e['message_code']})" if e["message_code"] else e["description"] for e in errors
            ]
            reason = "; ".join(texts) or self.env._("Amazon refused the whole feed (FATAL).")
            for move in moves:
                self._refuse(move, reason, run, move.amazon_upload_key)
        else:
            for move in moves:
                now = fields.Datetime.now()
                move.write({"amazon_upload_state": "uploaded", "amazon_upload_error": False, "amazon_upload_date": now})
                move.message_post(body=self.env._("Uploaded to Amazon (feed %(feed)s).", feed=feed.feed_ref))
                run.stats["accepted"] += 1
        feed.done = True

    @api.model
    def _refuse(self, move, reason, run, key):
        """Amazon refused (or could not be given) this very document: Upload Failed until
        it changes or a user retries it; a reason it did not have before is reported once."""
        self._report(move, reason, run)
        if reason != move.amazon_upload_error or move.amazon_upload_state != "error":
            move.message_post(body=self.env._("Amazon did not take this document: %(why)s", why=reason))
        move.write({"amazon_upload_state": "error", "amazon_upload_error": reason, "amazon_upload_key": key})
        run.stats["refused"] += 1

    @api.model
    def _report(self, move, reason, run):
        if reason != move.amazon_upload_error:
            run.problems.append({"name": move.name, "ref": move.amazon_order_ref, "reason": reason})

    # ------------------------------------------------------------------ VAT invoice data (VCS)

    @api.model
    def _read_vat_invoice_data(self, setting, session, run):
        """Read the marketplace's VAT invoice data reports created since the last one read,
        oldest first, onto the account's orders."""
        since = setting.vcs_report_read or fields.Datetime.now() - timedelta(days=const.REPORT_RETENTION_DAYS)
        reports, token = [], None
        while True:
            page = session.get_reports(
                [const.REPORT_VAT_INVOICE_DATA],
                created_since=since,
                next_token=token,
                page_size=const.REPORTS_PAGE_SIZE,
            )
            reports += page["reports"]
            token = page["next_token"]
            if not token:
                break
        api_ref = setting.marketplace_id.api_ref
        reports = [
            r
            for r in reports
            if r["document_id"]
            and (not r["marketplace_ids"] or api_ref in r["marketplace_ids"])
            and (not setting.vcs_report_read or (r["created"] and r["created"] > setting.vcs_report_read))
        ]
        for report in sorted(reports, key=lambda r: r["created"] or since):
            content, compression = session.download_report_document(report["document_id"])
            with open_document(content, compression) as stream:
                orders = parse_vat_invoice_data(stream.read())
            run.stats["updated"] += self._apply_vat_invoice_data(setting, orders)
            setting.vcs_report_read = report["created"]
        if not reports:
            setting.vcs_report_read = fields.Datetime.now()

    @api.model
    def _apply_vat_invoice_data(self, setting, orders):
        """Put Amazon's VAT data on the account's orders of the marketplace.

        :returns: how many orders changed
        """
        sale_orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("amazon_account_id", "=", setting.account_id.id),
                    ("amazon_marketplace_id", "=", setting.marketplace_id.id),
                    ("amazon_order_ref", "in", list(orders)),
                ]
            )
        )
        changed = 0
        for order in sale_orders:
            data = orders[order.amazon_order_ref]
            values = {
                "amazon_buyer_vat": data.buyer_vat or order.amazon_buyer_vat,
                "amazon_buyer_company": data.buyer_company or order.amazon_buyer_company,
                "amazon_vcs_invoiced": data.amazon_invoiced,
                "amazon_vcs_invoice_ref": data.invoice_number or order.amazon_vcs_invoice_ref,
                "amazon_vcs_total": float(data.total),
                "amazon_vcs_vat": float(data.vat),
                "amazon_vcs_refunds": {key: str(value) for key, value in data.refunds.items()} or False,
            }
            values = {k: v for k, v in values.items() if order[k] != v}
            if values:
                order.write(values)
                changed += 1
            documents = (
                self.env["account.move"]
                .sudo()
                .search([("amazon_order_ref", "=", order.amazon_order_ref), ("company_id", "=", order.company_id.id)])
            )
            if data.amazon_invoiced:  # never uploaded: Amazon issues the invoice
                documents.filtered(lambda m: m.amazon_upload_state == "to_upload").write({"amazon_upload_state": False})
            self._match_refunds(documents, data)
        return changed

    @api.model
    def _match_refunds(self, documents, data):
        """Give each credit note of the order without a refund transaction the one of its
        amount (a credit note waiting for Amazon goes with it)."""
        notes = documents.filtered(lambda m: m.move_type == "out_refund" and not m.amazon_transaction_ref)
        taken = set(documents.mapped("amazon_transaction_ref"))
        for transaction, amount in data.refunds.items():
            if transaction in taken:
                continue
            note = notes.filtered(
                lambda m, amount=amount: m.currency_id.compare_amounts(m.amount_total, float(amount)) == 0
            )[:1]
            if note:
                note.amazon_transaction_ref = transaction
                notes -= note
