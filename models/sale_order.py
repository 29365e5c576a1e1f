from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote as url_quote

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from .. import const


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_account_id = fields.Many2one("amazon.account", index=True, readonly=True, copy=False)
    amazon_seller_ref = fields.Char(related="amazon_account_id.seller_id", store=True, string="Amazon Seller")
    amazon_order_ref = fields.Char(string="Amazon Reference", index=True, readonly=True, copy=False)
    amazon_marketplace_id = fields.Many2one("amazon.marketplace", readonly=True, copy=False)
    amazon_channel = fields.Selection(
        [("fba", "Fulfilled by Amazon"), ("fbm", "Fulfilled by Merchant")],
        string="Amazon Fulfillment",
        readonly=True,
        copy=False,
    )
    amazon_status = fields.Char(
        readonly=True,
        copy=False,
        help="The order's fulfillment status on Amazon, as last imported.",
    )

    amazon_original_order_ref = fields.Char(
        string="Replaces Amazon Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The Amazon order this replacement or exchange order was sent for.",
    )
    amazon_original_order_id = fields.Many2one("sale.order", string="Original Order", readonly=True, copy=False)
    amazon_association = fields.Selection(
        [("replacement", "Replacement"), ("exchange", "Exchange")],
        string="Amazon Order Type",
        readonly=True,
        copy=False,
    )

    amazon_cancel_state = fields.Selection(
        [
            ("pending", "To report to Amazon"),
            ("sent", "Sent to Amazon"),
            ("done", "Canceled on Amazon"),
            ("error", "Amazon cancellation failed"),
        ],
        string="Amazon Cancellation",
        readonly=True,
        copy=False,
        index=True,
    )
    amazon_cancel_reason = fields.Selection(const.CANCEL_REASONS, readonly=True, copy=False)
    amazon_cancel_error = fields.Text(readonly=True, copy=False)

    # The buyer's promise, as Amazon last gave it: the delivery's deadline is the end of the
    # ship-by window, the order's commitment date the end of the deliver-by window.
    amazon_ship_by_start = fields.Datetime(
        string="Amazon Ship From", readonly=True, copy=False, help="Start of Amazon's ship-by window."
    )
    amazon_ship_by = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="End of Amazon's ship-by window: a shipment confirmed after it counts as late on Amazon.",
    )
    amazon_service_level = fields.Selection(
        const.SERVICE_LEVELS, readonly=True, copy=False, help="The shipping speed the buyer chose on Amazon."
    )
    amazon_prime = fields.Boolean(string="Prime", readonly=True, copy=False)
    amazon_premium = fields.Boolean(
        string="Premium", readonly=True, copy=False, help="The buyer paid for Amazon's premium shipping."
    )
    amazon_business = fields.Boolean(readonly=True, copy=False, help="Bought through Amazon Business.")

    _amazon_order_ref_unique = models.Constraint(
        "unique(amazon_account_id, amazon_order_ref)",
        "An Amazon order can only be imported once per Amazon account.",
    )
    # Two registrations of one seller importing the same order at once: the second insert
    # waits for the first and fails; its run retries and finds the order (is_concurrency_error).
    _amazon_order_ref_seller_unique = models.Constraint(
        "unique(amazon_seller_ref, amazon_order_ref)",
        "An Amazon order can only be imported once per seller.",
    )

    # ------------------------------------------------------------------ actions

    def action_cancel(self):
        """Amazon orders canceled from Odoo: FBM ones ask for Amazon's reason and are
        reported to Amazon; FBA ones are canceled in Seller Central only."""
        amazon = self._amazon_to_report()
        if not amazon:
            return super().action_cancel()
        amazon._amazon_check_cancellable()
        if amazon != self:
            raise UserError(self.env._("Cancel Amazon orders on their own: they need Amazon's cancellation reason."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel on Amazon"),
            "res_model": "amazon.cancel.order",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": [fields.Command.set(self.ids)]},
        }

    def _prepare_confirmation_values(self):
        """Amazon orders keep Amazon's purchase time as their date when confirmed: their
        deliveries' deadlines count from it, as any later procurement of their lines does, so
        that a quantity lowered later is taken off the delivery's move instead of returned."""
        values = super()._prepare_confirmation_values()
        if all(self.mapped("amazon_order_ref")):
            values.pop("date_order", None)
        return values

    def action_view_in_seller_central(self):
        """The order's page in Seller Central, on its marketplace's host."""
        self.ensure_one()
        base = (self.amazon_marketplace_id or self.amazon_account_id.base_marketplace_id).seller_central_url or ""
        return {
            "type": "ir.actions.act_url",
            "url": f"{base.rstrip('/')}/orders-v3/order/{url_quote(self.amazon_order_ref or '')}",
            "target": "new",
        }

    def action_retry_amazon_cancellation(self):
        self.env["amazon.account"]._amazon_check_group("sales_team.group_sale_salesman")
        orders = self.filtered(lambda o: o.amazon_cancel_state == "error")
        if not orders:
            raise UserError(self.env._("Only failed Amazon cancellations can be retried."))
        orders.write({"amazon_cancel_state": "pending", "amazon_cancel_error": False})
        self.env.ref("amazon_sp_connector.ir_cron_sync_cancellations").sudo()._trigger()
        return True

    # ------------------------------------------------------------------ cancellation from Odoo

    def _amazon_to_report(self):
        """The Amazon orders among these whose cancellation Amazon does not know yet."""
        return self.filtered(
            lambda o: o.amazon_order_ref and o.state != "cancel" and o.amazon_status != const.STATUS_CANCELLED
        )

    def _amazon_check_cancellable(self):
        """Amazon accepts a seller's cancellation of an open FBM order only.

        :raises UserError: for FBA orders, orders whose goods left, and orders already
            canceled here or on Amazon
        """
        done = self - self._amazon_to_report()
        if done:
            raise UserError(self.env._("%(orders)s: already canceled.", orders=", ".join(done.mapped("display_name"))))
        fba = self.filtered(lambda o: o.amazon_channel == "fba")
        if fba:
            raise UserError(
                self.env._(
                    "%(orders)s: Amazon fulfills these orders (FBA); cancel them in Seller Central, the next "
                    "sync cancels them here.",
                    orders=", ".join(fba.mapped("name")),
                )
            )
        shipped = self.filtered(lambda o: o._amazon_goods_left())
        if shipped:
            raise UserError(
                self.env._(
                    "%(orders)s: goods have already been shipped; Amazon does not accept the cancellation of a "
                    "shipped order. Create a return instead.",
                    orders=", ".join(shipped.mapped("name")),
                )
            )

    # ------------------------------------------------------------------ updates of an imported order

    def _amazon_apply_status(self, status):
        """Amazon reports ``status`` for this imported order.

        :returns: ``canceled``, ``return_needed``, ``shipped``, ``updated`` or ``unchanged``
        """
        self.ensure_one()
        if status == const.STATUS_CANCELLED and self.amazon_cancel_state in ("pending", "sent", "error"):
            self.write({"amazon_cancel_state": "done", "amazon_cancel_error": False})
        if self.amazon_status == status:
            return "unchanged"
        outcome = "updated"
        if status == const.STATUS_CANCELLED:
            outcome = self._amazon_apply_cancellation()
        elif status == const.STATUS_SHIPPED and self.amazon_channel == "fbm":
            self._amazon_mark_shipped_elsewhere()
            outcome = "shipped"
        self.amazon_status = status
        return outcome

    def _amazon_apply_promise(self, amazon_order):
        """Amazon's promise of this imported order changed (a resync): the order follows, and
        its open deliveries take the new ship-by window as deadline and scheduled date.

        :returns: True when something changed
        """
        self.ensure_one()
        values = self._amazon_prepare_promise_values(amazon_order)
        changed = {key: value for key, value in values.items() if self[key] != value}
        if not changed:
            return False
        self.write(changed)  # sale_stock moves the deliveries' deadline to a new commitment date...
        if changed.keys() & {"amazon_ship_by", "amazon_ship_by_start", "commitment_date"}:
            self.picking_ids._amazon_follow_promise()  # ... and the ship-by window puts it back
        return True

    @api.model
    def _amazon_goods_left(self):
        self.ensure_one()
        return any(move.state == "done" and move.location_dest_usage == "customer" for move in self.order_line.move_ids)

    def _amazon_apply_cancellation(self):
        """Amazon canceled the order: cancel it here, unless goods already left.

        :returns: ``canceled``, ``partly_canceled``, ``return_needed`` or ``unchanged``
        """
        self.ensure_one()
        if self.state == "cancel":
            return "unchanged"
        open_pickings = self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if open_pickings and self._amazon_goods_left():
            # partly shipped: Amazon canceled the rest, what left stays shipped
            open_pickings.action_cancel()
            shipped = defaultdict(float)
            for move in self.order_line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_usage == "customer"
            ):
                shipped[move.product_id] += move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            self.message_post(
                body=self.env._(
                    "Amazon canceled the rest of order %(ref)s after part of it shipped. Canceled: %(pickings)s. "
                    "Shipped, and kept: %(shipped)s.",
                    ref=self.amazon_order_ref,
                    pickings=", ".join(open_pickings.mapped("name")),
                    shipped=", ".join(
                        f"{product.display_name} × {quantity:g}" for product, quantity in shipped.items()
                    ),
                )
            )
            return "partly_canceled"
        if self._amazon_goods_left():
            self.message_post(
                body=self.env._(
                    "Amazon canceled order %(ref)s, but goods have already been delivered. "
                    "Create a return for what comes back.",
                    ref=self.amazon_order_ref,
                )
            )
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.amazon_account_id._amazon_salesperson_env()._(
                    "Amazon order canceled after delivery: return needed"
                ),
                user_id=(self.amazon_account_id.user_id or self.user_id or self.env.user).id,
            )
            return "return_needed"
        self.with_context(disable_cancel_warning=True)._action_cancel()
        self.message_post(body=self.env._("Canceled on Amazon."))
        return "canceled"

    def _amazon_mark_shipped_elsewhere(self):
        """Amazon says SHIPPED: the open deliveries need no confirmation from us."""
        pickings = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel" and p.amazon_sync_state != "done"
        )
        pickings.write({"amazon_sync_state": "done", "amazon_sync_error": False})
        return pickings

    def _amazon_finished_before(self, now, days):
        """Whether this order is finished (canceled, or delivered and invoiced) for longer than
        its account's anonymization delay (``days``: account id -> days, 0 = never)."""
        self.ensure_one()
        delay = days.get(self.amazon_account_id.id)
        if not delay:
            return False
        limit = now - timedelta(days=delay)
        if self.state == "cancel":
            return self.write_date <= limit
        if self.state != "sale" or any(p.state not in ("done", "cancel") for p in self.picking_ids):
            return False
        goods = self.order_line.filtered(lambda line: line.product_id.type == "consu" and not line.display_type)
        if any(line.qty_delivered < line.product_uom_qty for line in goods):
            return False
        if self.invoice_status not in ("invoiced", "no") or any(move.state == "draft" for move in self.invoice_ids):
            return False
        delivered = self.order_line.move_ids.filtered(lambda m: m.state == "done").mapped("date")
        return max(delivered or [self.date_order]) <= limit

    # ------------------------------------------------------------------ invoicing

    def _get_invoice_grouping_keys(self):
        """One invoice per Amazon order, also when many orders are invoiced at once: sellers
        upload one invoice per order to Amazon, and a payout pays each order on its own."""
        return [*super()._get_invoice_grouping_keys(), "amazon_order_ref"]

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        if self.amazon_order_ref:
            values["amazon_order_ref"] = self.amazon_order_ref
        return values

    def message_post(self, **kwargs):
        """While a payout is reconciled, the notes Odoo posts on the orders it pays ("Invoice
        X paid": a body and nothing else) are collected and logged in one batch afterwards, see
        :meth:`_amazon_log_collected`."""
        collected = self.env.context.get("amazon_collect_notes")
        if collected is not None and len(self) == 1 and set(kwargs) == {"body"}:
            collected.append((self.id, kwargs["body"]))
            return self.env["mail.message"]
        return super().message_post(**kwargs)

    @api.model
    def _amazon_log_collected(self, collected):
        """Log the collected notes on their orders in batches: the first note of every order,
        then the second of those that have two, and so on."""
        by_order = defaultdict(list)
        for order_id, body in collected:
            by_order[order_id].append(html_escape(body))
        by_count = defaultdict(dict)
        for order_id, bodies in by_order.items():
            for index, body in enumerate(bodies):
                by_count[index][order_id] = body
        for bodies in by_count.values():
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    def _amazon_invoice_for_payout(self):
        """Create and post the missing invoices of these Amazon orders (what they delivered or
        ordered, per the products' invoicing policy), one per order.

        :returns: the new invoices
        """
        orders = self.filtered(lambda o: o.amazon_order_ref and o.invoice_status == "to invoice")
        if not orders:
            return self.env["account.move"]
        invoices = orders.sudo()._create_invoices()
        for invoice in invoices:  # dated at the delivery, not on the day the payout is registered
            delivered = invoice.invoice_line_ids.sale_line_ids.order_id[:1].effective_date
            if delivered:
                invoice.invoice_date = fields.Date.context_today(self, delivered)
        invoices.action_post()
        return invoices
