"""Cancellations flow: report orders canceled in Odoo to Amazon (order acknowledgement feed)."""

from odoo import api, fields, models

from .. import const
from ..spapi.feeds import Cancellation, build_cancellation_feed, parse_processing_report


class AmazonCancellationSync(models.AbstractModel):
    """One run reads the result of every feed in progress (one getFeed each), then sends
    every pending cancellation of the account in one ``POST_ORDER_ACKNOWLEDGEMENT_DATA``
    feed. A feed or an order that breaks is put in error on its own; the others go on."""

    _name = "amazon.cancellation.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Cancellations Flow"

    _flow = "cancellations"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_cancellations"
    _problems_template = "amazon_sp_connector.mail_template_cancellation_failures"
    _feed_type = const.FEED_ORDER_ACKNOWLEDGEMENT

    @api.model
    def _orders_domain(self, accounts):
        return [("amazon_account_id", "in", accounts.ids), ("amazon_cancel_state", "=", "pending")]

    @api.model
    def _with_work(self, accounts):
        feeds = self.env["amazon.feed"].sudo()._read_group(self._feeds_domain(accounts), ["account_id"])
        orders = self.env["sale.order"].sudo()._read_group(self._orders_domain(accounts), ["amazon_account_id"])
        with_work = {account.id for (account,) in feeds + orders}
        return accounts.filtered(lambda a: a.id in with_work)

    @api.model
    def _run_account(self, account, session, run):
        feeds = self.env["amazon.feed"].sudo().search(self._feeds_domain(account))
        for feed in feeds:
            if self._out_of_time(session):
                run.more = True
                return
            self._poll_feed(feed, session, run)
            self._commit_progress(1)
        orders = self.env["sale.order"].sudo().search(self._orders_domain(account), order="id")
        if orders and not self._out_of_time(session):
            self._send_feed(account, orders, session, run)
            self._commit_progress(len(orders))
        elif orders:
            run.more = True

    @api.model
    def _send_feed(self, account, orders, session, run):
        cancellations = []
        for order in orders:
            item_refs = [ref for ref in order.order_line.mapped("amazon_item_ref") if ref]
            if not item_refs:
                self._fail(order, self.env._("The order has no Amazon item to cancel."), run)
                continue
            cancellations.append(
                Cancellation(
                    order_ref=order.amazon_order_ref,
                    reason=order.amazon_cancel_reason or "GeneralAdjustment",
                    item_refs=item_refs,
                )
            )
        orders = orders.filtered(lambda o: o.amazon_cancel_state == "pending")
        if not orders:
            return
        content, messages = build_cancellation_feed(account.seller_id, cancellations)
        result = session.submit_feed(
            const.FEED_ORDER_ACKNOWLEDGEMENT,
            orders.amazon_marketplace_id.mapped("api_ref"),
            content,
            const.FEED_CONTENT_TYPE,
        )
        self.env["amazon.feed"].sudo().create(
            {
                "account_id": account.id,
                "feed_ref": result["feed_id"],
                "order_ids": [fields.Command.set(orders.ids)],
                "messages": messages,
                "document": content.decode(),
            }
        )
        orders.write({"amazon_cancel_state": "sent"})
        run.stats["sent"] += len(orders)

    @api.model
    def _feed_unreadable(self, feed, reason, run):
        """Its orders fail (they can be retried)."""
        for order in feed.order_ids.filtered(lambda o: o.amazon_cancel_state == "sent"):
            self._fail(order, reason, run)

    @api.model
    def _apply_feed(self, feed, session, run):
        """DONE: each order named by an error fails with Amazon's text; when an error names
        no order, every order not confirmed otherwise is uncertain and fails too (it can be
        retried; a later import that sees it CANCELLED on Amazon settles it). FATAL and
        CANCELLED feeds fail all their orders."""
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
        orders = feed.order_ids.filtered(lambda o: o.amazon_cancel_state == "sent")
        by_ref = {order.amazon_order_ref: order for order in orders}
        failures = {}
        unattributed = []
        if status == const.FEED_DONE and report:
            for result in report["results"]:
                if result["code"] != "Error":
                    continue
                ref = (feed.messages or {}).get(result["message_id"] or "") or result["order_ref"]
                if ref in by_ref:
                    failures[ref] = result["description"]
                else:
                    unattributed.append(result["description"])
        elif status == const.FEED_DONE:
            unattributed.append(self.env._("Amazon gave no processing report."))
        elif status == const.FEED_FATAL:
            texts = [r["description"] for r in (report or {}).get("results", [])]
            unattributed.append(
                self.env._("Amazon refused the whole feed (FATAL): %(why)s", why="; ".join(texts) or "-")
            )
        else:
            unattributed.append(self.env._("Amazon cancelled the feed before processing it."))
        for ref, order in by_ref.items():
            reason = failures.get(ref) or (
                self.env._("Uncertain: %(why)s", why="; ".join(unattributed)) if unattributed else None
            )
            if reason:
                self._fail(order, reason, run)
            else:
                order.write({"amazon_cancel_state": "done", "amazon_cancel_error": False})
                order.message_post(body=self.env._("Amazon confirmed the cancellation."))
                run.stats["confirmed"] += 1
        feed.done = True

    @api.model
    def _fail(self, order, reason, run):
        order.write({"amazon_cancel_state": "error", "amazon_cancel_error": reason})
        order.message_post(body=self.env._("Amazon did not confirm the cancellation: %(why)s", why=reason))
        run.stats["failed"] += 1
        run.problems.append({"name": order.name, "ref": order.amazon_order_ref, "reason": reason})
