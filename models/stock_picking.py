import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_datetime

from ..exceptions import AmazonRecordError
from ..spapi import AmazonAuthorizationError, AmazonPermanentError, SpApiSession
from .amazon_sync_flow import is_concurrency_error, safe_reason

_logger = logging.getLogger(__name__)

SYNC_STATES = [
    ("pending", "Scheduled for Amazon synchronization"),
    ("done", "Synchronized with Amazon"),
    ("error", "Synchronization with Amazon failed"),
]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_sync_state = fields.Selection(SYNC_STATES, string="Amazon Sync", copy=False, index=True, tracking=True)
    amazon_sync_error = fields.Text(copy=False, readonly=True)

    # What the warehouse needs to know of the Amazon order (the deadline is Odoo's own
    # date_deadline: the end of Amazon's ship-by window).
    amazon_order_ref = fields.Char(related="sale_id.amazon_order_ref", string="Amazon Reference")
    amazon_marketplace_name = fields.Char(related="sale_id.amazon_marketplace_id.name", string="Amazon Marketplace")
    amazon_service_level = fields.Selection(related="sale_id.amazon_service_level", store=True)
    amazon_prime = fields.Boolean(related="sale_id.amazon_prime")
    amazon_premium = fields.Boolean(related="sale_id.amazon_premium")
    amazon_business = fields.Boolean(related="sale_id.amazon_business")
    amazon_programs = fields.Char(compute="_compute_amazon_programs", help="Prime, premium shipping, Amazon Business.")
    amazon_ship_status = fields.Selection(
        [("late", "Late"), ("today", "Ships today")],
        string="Amazon Ship-By",
        compute="_compute_amazon_ship_status",
        search="_search_amazon_ship_status",
        help="Late: Amazon's ship-by time has passed and the delivery is not validated. Ships today: it must "
        "be validated before the end of today.",
    )
    amazon_late_warned = fields.Boolean(
        copy=False, readonly=True, help="The responsible was given an activity: this delivery ships late soon."
    )

    # ------------------------------------------------------------------ compute

    @api.depends("amazon_prime", "amazon_premium", "amazon_business")
    def _compute_amazon_programs(self):
        for picking in self:
            labels = [
                label
                for flag, label in (
                    (picking.amazon_prime, self.env._("Prime")),
                    (picking.amazon_premium, self.env._("Premium")),
                    (picking.amazon_business, self.env._("Business")),
                )
                if flag
            ]
            picking.amazon_programs = " · ".join(labels) or False

    @api.depends("date_deadline", "state")
    @api.depends_context("tz")
    def _compute_amazon_ship_status(self):
        now, tomorrow = fields.Datetime.now(), self._amazon_start_of_tomorrow()
        for picking in self:
            deadline = picking.date_deadline if picking.state not in ("done", "cancel") else None
            if not deadline or not picking.sale_id.amazon_ship_by:
                picking.amazon_ship_status = False
            elif deadline < now:
                picking.amazon_ship_status = "late"
            else:
                picking.amazon_ship_status = "today" if deadline < tomorrow else False

    def _search_amazon_ship_status(self, operator, value):
        if operator != "in":
            return NotImplemented
        now = fields.Datetime.now()
        bounds = {"late": (None, now), "today": (now, self._amazon_start_of_tomorrow())}
        ranges = [bounds[key] for key in value if key in bounds]
        if not ranges:
            return Domain.FALSE
        return Domain.AND(
            [
                Domain("state", "not in", ("done", "cancel")),
                Domain("sale_id.amazon_ship_by", "!=", False),
                Domain.OR(
                    Domain("date_deadline", "<", end) & (Domain("date_deadline", ">=", start) if start else Domain.TRUE)
                    for start, end in ranges
                ),
            ]
        )

    @api.model
    def _amazon_start_of_tomorrow(self):
        """The end of the user's today (midnight in the user's time zone), as naive UTC."""
        try:
            tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            tz = pytz.UTC
        tomorrow = pytz.UTC.localize(fields.Datetime.now()).astimezone(tz).date() + timedelta(days=1)
        return tz.localize(datetime.combine(tomorrow, time.min)).astimezone(pytz.UTC).replace(tzinfo=None)

    # ------------------------------------------------------------------ CRUD-level hooks

    def _action_done(self):
        """Amazon FBM deliveries need a carrier and a tracking reference; once validated,
        they are scheduled for confirmation to Amazon (sent by the picking-sync cron after
        this transaction commits, so a rolled-back validation never reaches Amazon)."""
        # already synchronized (Amazon saw it shipped from Seller Central): nothing to check or send
        amazon = self._amazon_customer_deliveries().filtered(lambda p: p.amazon_sync_state != "done")
        amazon._amazon_check_shipping_details(before_validation=True)
        result = super()._action_done()
        amazon = amazon.filtered(lambda p: p.state == "done")
        if amazon:
            amazon._amazon_check_shipping_details(before_validation=False)
            amazon.write({"amazon_sync_state": "pending", "amazon_sync_error": False})
            self.env.ref("amazon_sp_connector.ir_cron_sync_shipments").sudo()._trigger()
        return result

    # ------------------------------------------------------------------ actions

    def action_retry_amazon_sync(self):
        """Send a failed shipment confirmation again (after the carrier or tracking was fixed)."""
        self.env["amazon.account"]._amazon_check_group("stock.group_stock_user")
        pickings = self.filtered(lambda p: p.amazon_sync_state == "error")
        if not pickings:
            raise UserError(self.env._("Only deliveries whose Amazon synchronization failed can be retried."))
        pickings._amazon_check_shipping_details(before_validation=False)
        pickings.write({"amazon_sync_state": "pending", "amazon_sync_error": False})
        self.env.ref("amazon_sp_connector.ir_cron_sync_shipments").sudo()._trigger()
        return True

    def action_view_in_seller_central(self):
        """The Amazon order of this delivery in Seller Central (the sale order's link)."""
        self.ensure_one()
        return self.sudo().sale_id.action_view_in_seller_central()

    # ------------------------------------------------------------------ mapping (pure)

    def _amazon_prepare_shipment_values(self):
        """Amazon's ``PackageDetail`` for this picking: one package, the quantity of each
        Amazon order item this picking actually shipped.

        :raises UserError: when the picking shipped nothing Amazon knows
        """
        self.ensure_one()
        if not self.carrier_id or not self.carrier_tracking_ref:
            raise AmazonRecordError(
                self.env._(
                    "Delivery %(picking)s has no carrier or tracking reference: Amazon needs both "
                    "(Additional Info tab), then Retry Amazon Sync.",
                    picking=self.name,
                )
            )
        code, name = self.carrier_id._amazon_carrier_values()
        items = self._amazon_shipped_items()
        if not items:
            raise AmazonRecordError(
                self.env._("Delivery %(picking)s shipped no item of the Amazon order.", picking=self.name)
            )
        values = {
            "packageReferenceId": str(self.id),
            "carrierCode": code,
            "shippingMethod": self.carrier_id.name,
            "trackingNumber": self.carrier_tracking_ref,
            "shipDate": SpApiSession.format_time(self.date_done or fields.Datetime.now()),
            "orderItems": items,
        }
        if name:
            values["carrierName"] = name
        return values

    def _amazon_shipped_items(self):
        """What this delivery shipped, per Amazon order item: ``[{"orderItemId", "quantity"}]``.

        A kit (a kit bill of materials, when mrp is installed) is shipped as its components:
        Amazon is told the kits this delivery completed, counting the line's deliveries
        validated before it; never the sum of its components.
        """
        self.ensure_one()
        quantities = defaultdict(float)
        by_line = defaultdict(lambda: self.env["stock.move"])
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id.amazon_item_ref):
            by_line[move.sale_line_id] |= move
        for line, moves in by_line.items():
            bom = self._amazon_kit_bom(line, moves)
            if bom:
                quantities[line.amazon_item_ref] += self._amazon_kits_completed(line, bom)
                continue
            for move in moves:
                quantities[line.amazon_item_ref] += move.product_uom._compute_quantity(
                    move.quantity, line.product_uom_id
                )
        return [{"orderItemId": ref, "quantity": round(qty)} for ref, qty in quantities.items() if round(qty) > 0]

    @api.model
    def _amazon_kit_bom(self, line, moves):
        """The kit bill of materials the line's moves were exploded from, if any."""
        if "bom_line_id" not in moves._fields:
            return None
        boms = moves.bom_line_id.bom_id.filtered(
            lambda b: b.type == "phantom" and b.product_tmpl_id == line.product_id.product_tmpl_id
        )
        return boms[:1] or None

    def _amazon_kits_completed(self, line, bom):
        """Kits of ``line`` that this delivery completed: the kits its done customer moves
        make with those of the deliveries validated before it, minus the kits those made."""
        delivered = line.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer" and m.picking_id
        )

        def rank(picking):
            return (picking.date_done or fields.Datetime.now(), picking.id)

        mine = rank(self)
        before = delivered.filtered(lambda m: rank(m.picking_id) < mine)
        upto = before | delivered.filtered(lambda m: m.picking_id == self)
        order_qty = line.product_uom_id._compute_quantity(line.product_uom_qty, bom.product_uom_id)
        filters = {"incoming_moves": lambda m: True, "outgoing_moves": lambda m: False}

        def kits(moves):
            if not moves:
                return 0.0
            quantity = moves._compute_kit_quantities(line.product_id, order_qty, bom, filters)
            return bom.product_uom_id._compute_quantity(quantity, line.product_uom_id)

        return kits(upto) - kits(before)

    # ------------------------------------------------------------------ business

    def _amazon_customer_deliveries(self):
        """The pickings that hand Amazon FBM goods to the customer (last step of the route)."""
        return self.filtered(
            lambda p: (
                p.sudo().sale_id.amazon_channel == "fbm"
                and p.picking_type_code == "outgoing"
                and p.location_dest_id.usage == "customer"
            )
        )

    def _amazon_follow_promise(self):
        """Amazon changed its ship-by window: the open FBM deliveries among these take its end
        as deadline and its start (or now, when later) as scheduled date."""
        for picking in self._amazon_customer_deliveries().filtered(lambda p: p.state not in ("done", "cancel")):
            order = picking.sudo().sale_id
            if not order.amazon_ship_by:
                continue
            picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).date_deadline = order.amazon_ship_by
            picking.scheduled_date = order._amazon_ship_from()

    @api.model
    def _amazon_warn_late_shipments(self):
        """Give each unshipped FBM delivery whose Amazon ship-by time comes within its
        account's warning delay (``late_warning_hours``) one activity for the person who must
        validate it. Once per delivery (a backorder is a delivery of its own); never for a
        validated or canceled one. Called by the scheduled action "Amazon: sync orders".

        :returns: the deliveries warned now
        """
        now = fields.Datetime.now()
        warned = self.browse()
        for account in self.env["amazon.account"].search([("late_warning_hours", ">", 0)]):
            pickings = self.search(
                [
                    ("sale_id.amazon_account_id", "=", account.id),
                    ("sale_id.amazon_channel", "=", "fbm"),
                    ("sale_id.amazon_ship_by", "<=", now + timedelta(hours=account.late_warning_hours)),
                    ("state", "not in", ("done", "cancel")),
                    ("picking_type_code", "=", "outgoing"),
                    ("amazon_late_warned", "=", False),
                ],
                order="date_deadline, id",
            )
            for picking in pickings._amazon_customer_deliveries():
                try:
                    with self.env.cr.savepoint():
                        picking._amazon_warn_late(account)
                except Exception as exc:  # one delivery never keeps the others from their warning
                    if is_concurrency_error(exc):
                        raise
                    _logger.warning("Amazon delivery %s: no late-shipment activity: %s", picking.id, safe_reason(exc))
                    continue
                warned |= picking
        return warned

    def _amazon_warehouse_responsible(self, account):
        """Who must validate this delivery in time: its Responsible, else the account's
        salesperson, else the order's (Odoo Community's operation types and warehouses have no
        responsible person), else whoever runs the check."""
        self.ensure_one()
        candidates = (self.user_id, account.user_id, self.sale_id.user_id)
        return next((user for user in candidates if user.active and not user.share), self.env.user)

    def _amazon_warn_late(self, account):
        """One activity for this delivery's responsible, in their language and time zone:
        it ships late unless validated by Amazon's ship-by time."""
        self.ensure_one()
        user = self._amazon_warehouse_responsible(account)
        env = account._amazon_salesperson_env(user)
        ship_by = self.sale_id.amazon_ship_by
        tz = user.tz or "UTC"
        deadline = format_datetime(env, ship_by, tz=tz, dt_format="short")
        service = dict(self._fields["amazon_service_level"]._description_selection(env)).get(
            self.amazon_service_level, ""
        )
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            date_deadline=fields.Datetime.context_timestamp(self.with_context(tz=tz), ship_by).date(),
            summary=env._("Ships late unless validated by %(deadline)s", deadline=deadline),
            note=env._(
                "Amazon order %(ref)s (%(service)s) must ship by %(deadline)s. Validate this delivery with its "
                "carrier and tracking reference before then: Amazon counts a later shipment as late, and too many "
                "late shipments cost the seller its right to ship Amazon orders itself.",
                ref=self.sale_id.amazon_order_ref,
                service=service,
                deadline=deadline,
            ),
            user_id=user.id,
        )
        self.amazon_late_warned = True

    def _amazon_check_shipping_details(self, before_validation):
        """Amazon wants a carrier and a tracking reference on every shipment.

        :param before_validation: True before the moves are done: a carrier whose
            integration will produce the tracking number during validation is accepted
            without one yet
        :raises UserError: naming each picking and what to fill in
        """
        problems = []
        for picking in self:
            carrier = picking.carrier_id
            if not carrier:
                problems.append(self.env._("%(picking)s: choose a Carrier", picking=picking.display_name))
            elif problem := carrier._amazon_carrier_problem():
                problems.append(f"{picking.display_name}: {problem}")
            elif not picking.carrier_tracking_ref and not (
                before_validation and carrier._amazon_has_integration() and carrier.integration_level == "rate_and_ship"
            ):
                problems.append(self.env._("%(picking)s: type the Tracking Reference", picking=picking.display_name))
        if problems:
            raise UserError(
                self.env._(
                    "Amazon requires a carrier and a tracking reference for every shipment "
                    "(Additional Info tab of the delivery):\n%(problems)s",
                    problems="\n".join(problems),
                )
            )

    def _amazon_confirm_shipment(self, session):
        """Send this picking's shipment to Amazon and mark it synchronized.

        Amazon refusing a package it already has (a retry after a timeout, a resend after
        a crash between its answer and our commit) settles it too: the order's packages
        (getOrder) are checked for this delivery's package reference or tracking number.

        :returns: ``confirmed``, ``already confirmed`` or ``kit not complete yet``
        :raises AmazonRecordError: the delivery lacks what Amazon needs
        :raises AmazonPermanentError: Amazon refused it (its message says why)
        :raises AmazonRetryableError, AmazonAuthorizationError: left to the caller (the
            picking stays pending)
        """
        self.ensure_one()
        order = self.sale_id
        kit_parts = self.move_ids.filtered(lambda m: m.state == "done" and "bom_line_id" in m._fields and m.bom_line_id)
        if kit_parts and not self._amazon_shipped_items():
            self.write({"amazon_sync_state": "done", "amazon_sync_error": False})
            self.message_post(
                body=self.env._(
                    "This delivery completed no kit: Amazon is told with the delivery that ships the rest "
                    "of its components."
                )
            )
            return "kit not complete yet"
        package = self._amazon_prepare_shipment_values()
        outcome = "confirmed"
        try:
            session.confirm_shipment(order.amazon_order_ref, order.amazon_marketplace_id.api_ref, package)
        except AmazonAuthorizationError:
            raise
        except AmazonPermanentError:
            known = session.get_order_packages(order.amazon_order_ref)
            if not any(self._amazon_is_our_package(known_package, package) for known_package in known):
                raise
            outcome = "already confirmed"
        self.write({"amazon_sync_state": "done", "amazon_sync_error": False})
        self.message_post(
            body=self.env._(
                "Shipment confirmed to Amazon: %(carrier)s, tracking %(tracking)s.",
                carrier=package.get("carrierName") or package["carrierCode"],
                tracking=package["trackingNumber"],
            )
            if outcome == "confirmed"
            else self.env._(
                "Amazon already had this shipment (tracking %(tracking)s): synchronized.",
                tracking=package["trackingNumber"],
            )
        )
        return outcome

    @api.model
    def _amazon_is_our_package(self, known, package):
        """Whether Amazon's ``OrderPackage`` ``known`` is the package we send."""
        if str(known.get("packageReferenceId") or "") == package["packageReferenceId"]:
            return True
        tracking = (known.get("trackingNumber") or "").strip().upper()
        return bool(tracking) and tracking == (package["trackingNumber"] or "").strip().upper()

    def _amazon_set_sync_error(self, reason):
        """Amazon did not take the shipment: say why on the delivery and in its chatter."""
        self.write({"amazon_sync_state": "error", "amazon_sync_error": reason})
        for picking in self:
            picking.message_post(body=self.env._("Amazon refused the shipment confirmation: %(error)s", error=reason))
