"""Deliveries Amazon ships from the seller's FBA stock (Multi-Channel Fulfillment): what one
delivery sends to Amazon and becomes from Amazon's answers. The run is in
``amazon_fulfillment_sync.py``; Amazon's payloads in ``spapi/fulfillment.py``."""

import logging
import re

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonError, AmazonPermanentError
from ..spapi import fulfillment as mcf

_logger = logging.getLogger(__name__)

MCF_STATES = [
    ("pending", "To send to Amazon"),
    ("sent", "At Amazon"),
    ("shipped", "Shipped by Amazon"),
    ("partial", "Partly shipped by Amazon"),
    ("unfulfillable", "Amazon cannot ship it"),
    ("cancelled", "Cancelled at Amazon"),
    ("hold", "Not sent to Amazon"),
    ("error", "Amazon fulfillment failed"),
]
WAITING = ("pending", "sent")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_mcf_account_id = fields.Many2one(
        "amazon.account",
        string="Shipped by Amazon Account",
        compute="_compute_amazon_mcf_account_id",
        store=True,
        index="btree_not_null",
        help="The Amazon account whose FBA stock this delivery leaves: Amazon ships it (Multi-Channel Fulfillment).",
    )
    amazon_mcf_state = fields.Selection(
        MCF_STATES,
        string="Amazon Fulfillment",
        compute="_compute_amazon_mcf_state",
        store=True,
        readonly=False,
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    amazon_mcf_status = fields.Char(
        string="Amazon Status", copy=False, readonly=True, help="Amazon's status of the fulfillment order."
    )
    amazon_mcf_ref = fields.Char(
        string="Amazon Fulfillment Order", copy=False, readonly=True, help="The order's reference at Amazon."
    )
    amazon_mcf_attempt = fields.Integer(copy=False, readonly=True, default=0)
    amazon_mcf_error = fields.Text(string="Amazon Fulfillment Problem", copy=False, readonly=True)
    amazon_mcf_carrier = fields.Char(string="Amazon Carrier", copy=False, readonly=True)
    amazon_mcf_tracking = fields.Char(string="Amazon Tracking", copy=False, readonly=True)
    amazon_mcf_fee_line_ids = fields.One2many(
        "amazon.payout.line", "mcf_picking_id", string="Amazon Fee Lines", groups="account.group_account_invoice"
    )
    amazon_mcf_payout_id = fields.Many2one(
        "amazon.payout",
        string="Amazon Payout",
        compute="_compute_amazon_mcf_fee",
        store=True,
        compute_sudo=True,
        help="The registered payout that charged Amazon's fees of this delivery.",
    )
    amazon_mcf_fee_currency_id = fields.Many2one(
        "res.currency", compute="_compute_amazon_mcf_fee", store=True, compute_sudo=True
    )
    amazon_mcf_fee = fields.Monetary(
        string="Amazon MCF Fee",
        currency_field="amazon_mcf_fee_currency_id",
        compute="_compute_amazon_mcf_fee",
        store=True,
        compute_sudo=True,
        help="Amazon's fees of this delivery (settlement report), once the payout charging them is registered.",
    )

    # ------------------------------------------------------------------ compute

    @api.depends("location_id", "picking_type_code", "sale_id", "company_id")
    def _compute_amazon_mcf_account_id(self):
        Account = self.env["amazon.account"]
        for picking in self:
            sale = picking.sale_id
            if picking.picking_type_code != "outgoing" or not sale or sale.amazon_order_ref:
                picking.amazon_mcf_account_id = False
                continue
            picking.amazon_mcf_account_id = Account._amazon_mcf_account_of(picking.location_id, picking.company_id)

    @api.depends(
        "amazon_mcf_fee_line_ids.amount", "amazon_mcf_fee_line_ids.category", "amazon_mcf_fee_line_ids.payout_id.state"
    )
    def _compute_amazon_mcf_fee(self):
        """Amazon's fees of the delivery: its lines of registered payouts (the fee bill books
        them with the payout's other fees), shown positive, in the payout's currency."""
        for picking in self:
            lines = picking.sudo().amazon_mcf_fee_line_ids.filtered(
                lambda x: x.category == "fee" and x.payout_id.state == "registered"
            )
            payout = lines.payout_id.sorted(lambda p: (p.deposit_date or fields.Date.today(), p.id))[-1:]
            picking.amazon_mcf_payout_id = payout
            picking.amazon_mcf_fee_currency_id = payout.currency_id
            picking.amazon_mcf_fee = payout.currency_id.round(-sum(lines.mapped("amount"))) if payout else 0.0

    @api.depends("amazon_mcf_account_id")
    def _compute_amazon_mcf_state(self):
        for picking in self:
            if not picking.amazon_mcf_account_id:
                picking.amazon_mcf_state = False
            elif not picking.amazon_mcf_state:
                picking.amazon_mcf_state = "hold" if picking.backorder_id else "pending"

    # ------------------------------------------------------------------ CRUD / Odoo's flow

    def action_assign(self):
        result = super().action_assign()
        self._amazon_mcf_wake()
        return result

    def action_confirm(self):
        result = super().action_confirm()
        self._amazon_mcf_wake()
        return result

    def action_cancel(self):
        """A delivery Amazon ships is cancelled at Amazon first (before Amazon ships it);
        Amazon refusing (it is shipping it) refuses the cancel with Amazon's reason."""
        if not self.env.context.get("amazon_mcf_cancelled"):
            for picking in self.filtered(lambda p: p.amazon_mcf_state in WAITING and p.state not in ("done", "cancel")):
                picking._amazon_mcf_cancel()
        return super().action_cancel()

    # ------------------------------------------------------------------ actions

    def action_amazon_mcf_send(self):
        """Send again (refused, on hold, or Amazon could not ship it): a new Amazon order
        when Amazon has one already for this delivery."""
        for picking in self:
            if picking.amazon_mcf_state not in ("error", "hold", "unfulfillable", "cancelled"):
                continue
            if picking.state in ("done", "cancel"):
                raise UserError(self.env._("Delivery %(name)s is closed: nothing to send.", name=picking.name))
            values = {"amazon_mcf_state": "pending", "amazon_mcf_error": False}
            if picking.amazon_mcf_state in ("unfulfillable", "cancelled"):  # Amazon's order is over: a new one
                values.update(amazon_mcf_status=False, amazon_mcf_ref=False)
            picking.write(values)
        self._amazon_mcf_wake()
        return True

    # ------------------------------------------------------------------ business: sending

    def _amazon_mcf_wake(self):
        """The fulfillment flow runs soon (after this transaction's commit) when a delivery
        became ready to send."""
        if self.filtered(lambda p: p.amazon_mcf_state == "pending" and p.state == "assigned"):
            cron = self.env.ref("amazon_sp_connector.ir_cron_sync_fulfillment", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    def _amazon_mcf_ready(self):
        """Confirmed, and Odoo reserved every unit in the FBA stock location."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda m: m.state != "cancel")
        return self.state == "assigned" and moves and all(m.state == "assigned" for m in moves)

    def _amazon_mcf_next_ref(self):
        """The seller's reference at Amazon: the delivery's name in Amazon's alphabet, with
        the attempt's number from the second attempt on."""
        self.ensure_one()
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", self.name).strip("-")
        attempt = self.amazon_mcf_attempt + 1
        return (f"{base}-{attempt}" if attempt > 1 else base)[:40], attempt

    def _amazon_mcf_address(self):
        partner = self.partner_id
        if not partner or not partner.street or not partner.zip or not partner.country_id:
            raise AmazonRecordError(
                self.env._(
                    "Delivery %(name)s needs a customer address with street, postal code and country.",
                    name=self.name,
                )
            )
        return mcf.McfAddress(
            name=partner.name or partner.commercial_partner_id.name,
            line1=partner.street,
            line2=partner.street2 or "",
            city=partner.city or "",
            state=partner.state_id.code or "",
            postal_code=partner.zip,
            country_code=partner.country_id.code,
            phone=partner.phone or "",
        )

    def _amazon_mcf_lines(self):
        """One Amazon item per goods move: the account's offer (SKU) of its product."""
        account = self.amazon_mcf_account_id
        offers = self.env["amazon.offer"].sudo().search([("account_id", "=", account.id)])
        by_product = {}
        for offer in offers.sorted(lambda o: o.fulfillment_channel != "fba"):
            by_product.setdefault(offer.product_id.id, offer)
        lines = []
        for move in self.move_ids.filtered(lambda m: m.state != "cancel" and m.product_id.type == "consu"):
            offer = by_product.get(move.product_id.id)
            if not offer:
                raise AmazonRecordError(
                    self.env._(
                        "%(product)s has no offer (SKU) on Amazon account %(account)s: Amazon cannot ship it.",
                        product=move.product_id.display_name,
                        account=account.name,
                    )
                )
            quantity = move.product_uom._compute_quantity(move.product_uom_qty, move.product_id.uom_id)
            if quantity != int(quantity):
                raise AmazonRecordError(
                    self.env._("Amazon ships whole units: %(product)s.", product=move.product_id.display_name)
                )
            lines.append(mcf.McfLine(item_id=str(move.id), sku=offer.sku, quantity=int(quantity)))
        return lines

    def _amazon_mcf_prepare_order(self, ref):
        """The fulfillment order of this delivery (pure: reads, never writes)."""
        self.ensure_one()
        account = self.amazon_mcf_account_id
        sale = self.sale_id
        return mcf.McfOrder(
            order_id=ref,
            displayable_id=(sale.name or self.name)[:40],
            date=sale.date_order or self.create_date,
            comment=self.env._("Thank you for your order from %(company)s.", company=self.company_id.name)[:250],
            speed=sale.amazon_mcf_speed or account.mcf_speed,
            address=self._amazon_mcf_address(),
            lines=tuple(self._amazon_mcf_lines()),
            policy=account.mcf_policy,
            features=account._amazon_mcf_features(),
        )

    def _amazon_mcf_lock(self):
        """Row lock of this delivery, or False when another transaction holds it (a send or a
        cancel under way)."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.env.cr.execute("SELECT id FROM stock_picking WHERE id = %s FOR UPDATE NOWAIT", [self.id])
            return True
        except psycopg2.errors.LockNotAvailable:
            return False

    def _amazon_mcf_send(self, session):
        """createFulfillmentOrder for this delivery, idempotent on its reference.

        :returns: ``sent``, or ``skipped`` (locked by a cancel)
        :raises AmazonPermanentError, AmazonRecordError: refused (the caller records it)
        """
        self.ensure_one()
        if not self._amazon_mcf_lock():
            return "skipped"
        ref, attempt = (self.amazon_mcf_ref, self.amazon_mcf_attempt) if self.amazon_mcf_ref else (None, None)
        if not ref:
            ref, attempt = self._amazon_mcf_next_ref()
        order = self._amazon_mcf_prepare_order(ref)
        outcome = mcf.create_order(session, order)
        self.write(
            {
                "amazon_mcf_state": "sent",
                "amazon_mcf_status": const.MCF_RECEIVED,
                "amazon_mcf_ref": ref,
                "amazon_mcf_attempt": attempt,
                "amazon_mcf_error": False,
            }
        )
        self.message_post(
            body=self.env._(
                "Sent to Amazon, which ships it from your FBA stock (fulfillment order %(ref)s, %(speed)s).",
                ref=ref,
                speed=order.speed,
            )
        )
        return "sent" if outcome == "created" else "already sent"

    def _amazon_mcf_fail(self, reason):
        """Amazon refused the delivery: its state, its reason, a note in its chatter."""
        self.write({"amazon_mcf_state": "error", "amazon_mcf_error": reason})
        self.message_post(body=self.env._("Amazon did not take this delivery: %(reason)s", reason=reason))

    # ------------------------------------------------------------------ business: following

    def _amazon_mcf_apply(self, order, session):
        """Apply Amazon's fulfillment order (``spapi.fulfillment.get_order``) to the delivery.

        :returns: the run counter: ``updated``, ``shipped``, ``partly shipped``, ``unfulfillable``,
            ``canceled`` or ``unchanged``
        """
        self.ensure_one()
        status = order["status"]
        if status in (const.MCF_COMPLETE, const.MCF_COMPLETE_PARTIAL):
            return self._amazon_mcf_shipped(order, session)
        if status in (const.MCF_UNFULFILLABLE, const.MCF_INVALID):
            self.write({"amazon_mcf_state": "unfulfillable", "amazon_mcf_status": status})
            reason = self.env._("Amazon cannot ship %(name)s (%(status)s).", name=self.name, status=status)
            self._amazon_mcf_tell(reason)
            return "unfulfillable"
        if status == const.MCF_CANCELLED:
            self.write({"amazon_mcf_state": "cancelled", "amazon_mcf_status": status})
            if self.state not in ("done", "cancel"):
                self.with_context(amazon_mcf_cancelled=True).action_cancel()
            self.message_post(
                body=self.env._("Amazon cancelled the fulfillment order %(ref)s.", ref=self.amazon_mcf_ref)
            )
            return "canceled"
        if status == self.amazon_mcf_status:
            return "unchanged"
        self.amazon_mcf_status = status
        return "updated"

    def _amazon_mcf_shipped(self, order, session):
        """Validate the delivery with what Amazon shipped, its carrier and tracking numbers;
        what Amazon could not ship stays in a backorder, the salesperson is told why."""
        shipped = {}
        packages = []
        for shipment in order["shipments"]:
            if shipment["status"] != const.MCF_SHIPMENT_SHIPPED:
                continue
            for item_id, quantity in shipment["items"].items():
                shipped[item_id] = shipped.get(item_id, 0) + quantity
            packages.extend(shipment["packages"])
        carriers, numbers = [], []
        for package in packages:
            tracking = mcf.get_tracking(session, package["number"]) if package.get("number") is not None else {}
            carrier = tracking.get("carrier") or package.get("carrier")
            number = tracking.get("tracking") or package.get("tracking")
            if carrier and carrier not in carriers:
                carriers.append(carrier)
            if number and number not in numbers:
                numbers.append(number)
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        missing = ", ".join(
            f"{m.product_id.display_name}: {m.product_uom_qty - shipped.get(str(m.id), 0):g}"
            for m in moves
            if shipped.get(str(m.id), 0) < m.product_uom_qty
        )
        for move in moves:
            quantity = shipped.get(str(move.id), 0)
            move.quantity = move.product_id.uom_id._compute_quantity(quantity, move.product_uom)
            move.picked = True
        partial = bool(missing)
        values = {
            "amazon_mcf_state": "partial" if partial else "shipped",
            "amazon_mcf_status": order["status"],
            "amazon_mcf_carrier": ", ".join(carriers) or False,
            "amazon_mcf_tracking": ", ".join(numbers) or False,
        }
        if numbers:
            values["carrier_tracking_ref"] = ", ".join(numbers)
        self.write(values)
        if not any(shipped.values()):
            self.amazon_mcf_state = "unfulfillable"
            self._amazon_mcf_tell(self.env._("Amazon shipped nothing of %(name)s.", name=self.name))
            return "unfulfillable"
        # no question asked (SMS, backorder): the rest stays in a backorder, not sent until someone decides
        result = self.with_context(skip_sms=True, skip_backorder=True, cancel_backorder=False).button_validate()
        if isinstance(result, dict) and result.get("res_model"):
            raise AmazonRecordError(
                self.env._("Odoo asked a question validating %(name)s: validate it by hand.", name=self.name)
            )
        if partial:
            backorders = self.env["stock.picking"].search([("backorder_id", "=", self.id)])
            backorders.write({"amazon_mcf_state": "hold"})
            self._amazon_mcf_tell(
                self.env._(
                    "Amazon shipped %(name)s in part (%(status)s); not shipped: %(missing)s. The rest waits in "
                    "%(backorders)s: send it again or ship it from another warehouse.",
                    name=self.name,
                    status=order["status"],
                    missing=missing,
                    backorders=", ".join(backorders.mapped("name")) or "-",
                )
            )
            return "partly shipped"
        return "shipped"

    def _amazon_mcf_tell(self, reason):
        """Amazon's reason in the chatter, and an activity for the salesperson."""
        self.amazon_mcf_error = reason
        self.message_post(body=reason)
        user = self.sale_id.user_id or self.amazon_mcf_account_id.user_id or self.env.user
        self.activity_schedule("mail.mail_activity_data_warning", note=reason, user_id=user.id)

    # ------------------------------------------------------------------ business: cancelling

    def _amazon_mcf_cancel(self):
        """Cancel at Amazon what Amazon has; refuse when Amazon is shipping it."""
        self.ensure_one()
        if not self._amazon_mcf_lock():
            raise UserError(
                self.env._(
                    "Delivery %(name)s is being sent to Amazon right now: cancel it in a minute.", name=self.name
                )
            )
        if self.amazon_mcf_state == "pending":  # Amazon never had it
            self.amazon_mcf_state = "cancelled"
            return
        account = self.amazon_mcf_account_id
        try:
            with account._sp_session(**account._INTERACTIVE) as session:
                mcf.cancel_order(session, self.amazon_mcf_ref)
        except AmazonPermanentError as exc:
            raise UserError(
                self.env._(
                    "Amazon refused to cancel %(name)s: %(reason)s Amazon is shipping it; the delivery follows "
                    "what Amazon does.",
                    name=self.name,
                    reason=str(exc),
                )
            ) from None
        except AmazonError as exc:
            raise UserError(account._amazon_error_message(exc)) from None
        self.write({"amazon_mcf_state": "cancelled", "amazon_mcf_status": const.MCF_CANCELLED})
        self.message_post(body=self.env._("Cancelled at Amazon (%(ref)s).", ref=self.amazon_mcf_ref))
