import logging
import threading
import time
from collections import Counter

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html_escape

from .. import const
from ..spapi import (
    AmazonAuthorizationError,
    AmazonConfigurationError,
    AmazonError,
    AmazonPermanentError,
    AmazonRetryableError,
    AmazonThrottledError,
    Credentials,
    SpApiSession,
)
from ..spapi.feeds import Cancellation, build_cancellation_feed, parse_processing_report

_logger = logging.getLogger(__name__)


class AmazonAccount(models.Model):
    """A seller's authorization of this Odoo on Amazon (one per SP-API region)."""

    _name = "amazon.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True
    # A person waits behind a button: fail fast instead of backing off for a minute.
    _INTERACTIVE = {"max_retries": 1, "timeout": 20, "backoff": 0.5}

    # ------------------------------------------------------------------ fields

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    seller_id = fields.Char(
        string="Seller ID",
        required=True,
        tracking=True,
        help="Your Selling Partner (merchant) ID: Seller Central › Settings › Account Info › Merchant Token.",
    )
    lwa_client_id = fields.Char(
        string="LWA Client ID",
        groups="base.group_system",
        copy=False,
        help="Login with Amazon client identifier of your SP-API application.",
    )
    lwa_client_secret = fields.Char(string="LWA Client Secret", groups="base.group_system", copy=False)
    refresh_token = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The refresh token Amazon gave when the seller authorized the application.",
    )
    base_marketplace_id = fields.Many2one(
        "amazon.marketplace",
        string="Home Marketplace",
        required=True,
        tracking=True,
        help="The marketplace the seller registered on; it decides the SP-API region.",
    )
    region = fields.Selection(related="base_marketplace_id.region")
    available_marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "amazon_account_available_marketplace_rel",
        "account_id",
        "marketplace_id",
        string="Available Marketplaces",
        copy=False,
        help="The marketplaces the seller participates in, as last read from Amazon.",
    )
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "amazon_account_marketplace_rel",
        "account_id",
        "marketplace_id",
        string="Synchronized Marketplaces",
        domain="[('region', '=', region)]",
        help="Orders of these marketplaces are imported.",
    )
    last_orders_sync = fields.Datetime(
        string="Last Order Sync",
        default=fields.Datetime.now,
        copy=False,
        help="Orders changed on Amazon after this moment (UTC) are imported by the next sync. "
        "Move it back to import again what changed since then.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        default=lambda self: self.env["crm.team"].search([("company_id", "in", (False, self.env.company.id))], limit=1),
        help="Sales team of the imported orders.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Salesperson of the imported orders; receives the synchronization reports.",
    )
    fba_location_id = fields.Many2one(
        "stock.location",
        string="FBA Stock Location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', (False, company_id))]",
        help="The stock Amazon holds for you (Fulfilled by Amazon). Shared by the company's accounts.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="FBM Warehouse",
        check_company=True,
        help="Warehouse that ships the orders you fulfill yourself (Fulfilled by Merchant).",
    )
    sp_api_endpoint = fields.Char(
        string="SP-API Endpoint",
        groups="base.group_system",
        help="Leave empty for Amazon's regional endpoint. Set it to Amazon's sandbox or to the SP-API "
        "emulator shipped with this module to try the connector without a real seller account.",
    )
    lwa_endpoint = fields.Char(
        string="LWA Endpoint",
        groups="base.group_system",
        help="Leave empty for https://api.amazon.com/auth/o2/token.",
    )
    offer_count = fields.Integer(compute="_compute_offer_count")
    sync_window_before = fields.Datetime(
        string="Window in Progress",
        copy=False,
        readonly=True,
        help="End (UTC) of the order window being imported; set while a sync is under way or was interrupted.",
    )
    sync_next_token = fields.Char(string="Pagination Token", copy=False, readonly=True)
    last_sync_date = fields.Datetime(string="Last Sync", copy=False, readonly=True)
    last_sync_summary = fields.Char(string="Last Sync Result", copy=False, readonly=True)
    last_sync_error = fields.Text(copy=False, readonly=True)
    order_failure_ids = fields.One2many("amazon.order.failure", "account_id", string="Failed Orders")
    order_failure_count = fields.Integer(compute="_compute_order_failure_count")

    # ------------------------------------------------------------------ constraints

    @api.constrains("marketplace_ids", "base_marketplace_id")
    def _check_marketplace_region(self):
        for account in self:
            region = account.region
            foreign = account.marketplace_ids.filtered(lambda m, region=region: m.region != region)
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Account %(account)s works in the %(region)s region; these marketplaces belong to "
                        "another region and need their own account: %(marketplaces)s",
                        account=account.name,
                        region=dict(const.REGIONS).get(account.region),
                        marketplaces=", ".join(foreign.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------ compute

    def _compute_offer_count(self):
        counts = dict(
            self.env["amazon.offer"]._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        for account in self:
            account.offer_count = counts.get(account, 0)

    @api.depends("order_failure_ids")
    def _compute_order_failure_count(self):
        for account in self:
            account.order_failure_count = len(account.order_failure_ids)

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
            if not vals.get("fba_location_id"):
                vals["fba_location_id"] = self._get_fba_location(company).id
            if not vals.get("warehouse_id"):
                vals["warehouse_id"] = self._get_first_warehouse(company).id
            if not vals.get("marketplace_ids") and vals.get("base_marketplace_id"):
                vals["marketplace_ids"] = [fields.Command.set([vals["base_marketplace_id"]])]
        return super().create(vals_list)

    def write(self, vals):
        if "last_orders_sync" in vals:
            # A moved cursor (the documented forced resync) starts a new window: a saved
            # pagination token belongs to the old one.
            vals = dict(vals, sync_window_before=False, sync_next_token=False)
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_test_connection(self):
        """Refresh an access token and read the seller's marketplaces.

        :returns: a notification action saying the connection works
        :raises UserError: with what to fix when it does not
        """
        self.ensure_one()
        try:
            with self._sp_session(**self._INTERACTIVE) as session:
                participations = session.check_connection()
        except AmazonError as exc:
            raise UserError(self._amazon_error_message(exc)) from None
        names = [p["name"] for p in participations if p["participating"]]
        return self._notify(
            self.env._("Connection to Amazon works"),
            self.env._(
                "Seller %(seller)s participates in: %(marketplaces)s",
                seller=self.seller_id,
                marketplaces=", ".join(names) or self.env._("no marketplace"),
            ),
            "success",
        )

    def action_update_marketplaces(self):
        """Read the marketplaces the seller participates in (Sellers API).

        The synchronized marketplaces stay a subset of them; when none was chosen yet,
        all participating marketplaces of the account's region are chosen.
        """
        self.ensure_one()
        try:
            with self._sp_session(**self._INTERACTIVE) as session:
                participations = session.get_marketplace_participations()
        except AmazonError as exc:
            raise UserError(self._amazon_error_message(exc)) from None
        refs = [p["marketplace_id"] for p in participations if p["participating"]]
        known = self.env["amazon.marketplace"].search([("api_ref", "in", refs), ("region", "=", self.region)])
        unknown = sorted(set(refs) - set(known.mapped("api_ref")))
        synchronized = self.marketplace_ids & known or known
        self.write(
            {
                "available_marketplace_ids": [fields.Command.set(known.ids)],
                "marketplace_ids": [fields.Command.set(synchronized.ids)],
            }
        )
        message = self.env._(
            "%(count)s marketplaces available: %(names)s", count=len(known), names=", ".join(known.mapped("name"))
        )
        if unknown:
            message += " " + self.env._("Ignored (other region or unknown): %(refs)s", refs=", ".join(unknown))
        self.message_post(body=message)
        return self._notify(self.env._("Marketplaces updated"), message, "success")

    def action_sync_orders(self):
        """Import now what changed on Amazon since the last sync (same as the scheduled action)."""
        self.ensure_one()
        stats = self._sync_orders()
        if stats.get("locked"):
            return self._notify(
                self.env._("Amazon sync already running"),
                self.env._("Another synchronization of %(account)s is under way.", account=self.name),
                "warning",
            )
        kind = "danger" if stats.get("error") else "warning" if stats.get("failed") else "success"
        return self._notify(self.env._("Amazon orders synchronized"), self.last_sync_summary, kind)

    def action_sync_pickings(self):
        """Send the pending shipment confirmations of this account now."""
        self.ensure_one()
        stats = self._sync_pickings()
        kind = "danger" if stats.get("error") or stats.get("rejected") else "success"
        return self._notify(
            self.env._("Amazon shipments"),
            self.env._(
                "%(sent)s confirmed, %(rejected)s refused, %(pending)s still pending.",
                sent=stats["confirmed"],
                rejected=stats["rejected"],
                pending=stats["pending"],
            ),
            kind,
        )

    def action_sync_cancellations(self):
        """Report pending cancellations to Amazon and read the results of sent feeds."""
        self.ensure_one()
        stats = self._sync_cancellations()
        return self._notify(
            self.env._("Amazon cancellations"),
            self.env._(
                "%(sent)s sent, %(done)s confirmed, %(failed)s failed.",
                sent=stats["sent"],
                done=stats["done"],
                failed=stats["failed"],
            ),
            "danger" if stats.get("failed") or stats.get("error") else "success",
        )

    def action_view_offers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_offer")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    # ------------------------------------------------------------------ business

    def _sync_orders(self, time_budget=None):
        """Import the orders whose Amazon status changed since ``last_orders_sync``.

        The window ends at a fixed ``lastUpdatedBefore`` chosen when it starts; its
        pagination token is saved after each page, so an interrupted run resumes where it
        stopped and ``last_orders_sync`` moves only once the whole window is processed.
        Each order is processed in its own savepoint; a failing one is listed in
        ``order_failure_ids`` and retried by later runs. Never raises for Amazon or data
        problems: they are recorded on the account.

        :param time_budget: seconds this run may take (default: system parameter
            ``amazon_sp_connector.sync_time_budget``, 600)
        :returns: Counter of outcomes (``created``, ``canceled``, ``ignored``, ``failed``...)
        """
        self.ensure_one()
        stats = Counter()
        if not self._sync_lock():
            _logger.info("Amazon account %s: a sync is already running, skipped", self.id)
            stats["locked"] = 1
            return stats
        try:
            budget = time_budget or int(
                self.env["ir.config_parameter"].sudo().get_param("amazon_sp_connector.sync_time_budget", 600)
            )
            new_failures = []
            error = None
            try:
                if not self.marketplace_ids:
                    raise AmazonConfigurationError(self.env._("no synchronized marketplace"))
                with self._sp_session(deadline=time.monotonic() + budget) as session:
                    if self._sync_orders_window(session, stats, new_failures):
                        self._retry_failed_orders(session, stats, new_failures)
            except AmazonThrottledError as exc:
                if exc.code != const.TIME_BUDGET_EXHAUSTED:
                    error = exc
                    stats["error"] = 1
                else:  # not a failure: progress is saved, the next run goes on
                    stats["paused"] = 1
            except AmazonError as exc:
                error = exc
                stats["error"] = 1
            self._report_sync(stats, new_failures, error)
        finally:
            self._sync_unlock()
        return stats

    def _sync_orders_window(self, session, stats, new_failures):
        """Import the window in progress (or a new one), page by page.

        :returns: True when the window was completed, False when the run's time budget
            ran out first (progress saved)
        """
        if not self.sync_window_before:
            before = SpApiSession.latest_allowed_before()
            if self.last_orders_sync and before <= self.last_orders_sync:
                return True
            self.write({"sync_window_before": before, "sync_next_token": False})
            self._commit_progress()
        while True:
            page = session.search_orders(
                marketplace_ids=self.marketplace_ids.mapped("api_ref"),
                last_updated_after=self.last_orders_sync,
                last_updated_before=self.sync_window_before,
                fulfillment_statuses=const.IMPORTED_STATUSES,
                pagination_token=self.sync_next_token or None,
            )
            stats["pages"] += 1
            for amazon_order in page["orders"]:
                self._import_amazon_order(amazon_order, stats, new_failures)
            if page["next_token"]:
                self.sync_next_token = page["next_token"]
                self._commit_progress(len(page["orders"]))
                if session.deadline and time.monotonic() >= session.deadline:
                    stats["paused"] = 1
                    return False
                continue
            self.write(
                {"last_orders_sync": self.sync_window_before, "sync_window_before": False, "sync_next_token": False}
            )
            self._commit_progress(len(page["orders"]))
            return True

    def _retry_failed_orders(self, session, stats, new_failures, limit=20):
        """Orders that failed in earlier runs, fetched again with getOrder."""
        for failure in self.order_failure_ids.sorted("last_attempt")[:limit]:
            if failure.order_ref in stats.get("seen", ()) or failure.order_ref in new_failures:
                continue
            try:
                amazon_order = session.get_order(failure.order_ref)
            except AmazonPermanentError as exc:
                self._record_order_failure(failure.order_ref, exc, new_failures)
                continue
            self._import_amazon_order(amazon_order, stats, new_failures)
            stats["retried"] += 1
            self._commit_progress(1)

    def _import_amazon_order(self, amazon_order, stats, new_failures):
        """Process one Amazon order in its own savepoint; record a failure instead of raising.

        :returns: the outcome (``created``, ``canceled``, ``ignored``, ``failed``, ...)
        """
        ref = amazon_order.get("orderId") or "?"
        stats.setdefault("seen", set()).add(ref)
        try:
            with self.env.cr.savepoint():
                outcome = self._process_amazon_order(amazon_order)
        except Exception as exc:  # noqa: BLE001 - one bad order must not stop the others; it is recorded
            _logger.warning("Amazon order %s of account %s failed: %s", ref, self.id, exc)
            self._record_order_failure(ref, exc, new_failures)
            stats["failed"] += 1
            return "failed"
        stats[outcome] += 1
        self.order_failure_ids.filtered(lambda f: f.order_ref == ref).unlink()
        return outcome

    def _process_amazon_order(self, amazon_order):
        """Create, cancel or update the sale order of one Amazon order.

        :returns: ``created``, ``canceled``, ``return_needed``, ``shipped``, ``updated``,
            ``unchanged`` or ``ignored``
        """
        ref = amazon_order["orderId"]
        fulfillment = amazon_order.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus")
        channel = const.FULFILLED_BY_TO_CHANNEL.get(fulfillment.get("fulfilledBy"))
        order = self.env["sale.order"].search(
            [("amazon_account_id", "=", self.id), ("amazon_order_ref", "=", ref)], limit=1
        )
        if order:
            if status == const.STATUS_CANCELLED and order.amazon_cancel_state in ("pending", "sent", "error"):
                order.write({"amazon_cancel_state": "done", "amazon_cancel_error": False})
            if order.amazon_status == status:
                return "unchanged"
            outcome = "updated"
            if status == const.STATUS_CANCELLED:
                outcome = order._amazon_apply_cancellation()
            elif status == const.STATUS_SHIPPED and order.amazon_channel == "fbm":
                order._amazon_mark_shipped_elsewhere()
                outcome = "shipped"
            order.amazon_status = status
            return outcome
        if status in const.CREATING_STATUSES.get(channel, ()):
            self._create_amazon_order(amazon_order, channel)
            return "created"
        return "ignored"

    def _create_amazon_order(self, amazon_order, channel):
        """Customer, confirmed sale order and FBM picking or FBA moves of an Amazon order."""
        company = self.company_id
        SaleOrder = self.env["sale.order"].with_company(company).with_context(mail_create_nolog=True)
        marketplace = SaleOrder._amazon_marketplace(amazon_order)
        partners = self.env["res.partner"]._amazon_find_or_create_customer(self, amazon_order)
        products = self._amazon_products(amazon_order, marketplace, channel)
        pricelist = SaleOrder._amazon_pricelist(company, SaleOrder._amazon_order_currency(amazon_order, marketplace))
        fiscal_position = (
            self.env["account.fiscal.position"]
            .with_company(company)
            ._get_fiscal_position(partners["invoice"], delivery=partners["shipping"])
        )
        values = SaleOrder._amazon_prepare_order_values(
            self, amazon_order, marketplace, partners, products, pricelist, fiscal_position
        )
        order = SaleOrder.create(values)
        order.with_context(skip_procurement=channel == "fba").action_confirm()
        order.date_order = values["date_order"]  # confirming stamps "now"; Amazon's purchase time wins
        if channel == "fba":
            order._amazon_create_fba_moves()
        if partners["unknown_state"]:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Check the customer's state"),
                note=self.env._(
                    "Amazon gave the state or region %(state)s, which matches no state of %(country)s.",
                    state=html_escape(partners["unknown_state"]),
                    country=partners["shipping"].country_id.name,
                ),
                user_id=(self.user_id or self.env.user).id,
            )
        expected = SaleOrder._amazon_grand_total(amazon_order)
        if order.currency_id.compare_amounts(order.amount_total, float(expected)):
            _logger.warning(
                "Amazon order %s: total %s differs from Amazon's %s",
                order.amazon_order_ref,
                order.amount_total,
                expected,
            )
            order.message_post(
                body=self.env._(
                    "The order total %(total)s differs from Amazon's %(amazon)s.",
                    total=order.amount_total,
                    amazon=expected,
                )
            )
        return order

    def _amazon_products(self, amazon_order, marketplace, channel):
        """Product of each SKU: the account's offer, else the company's product whose
        internal reference is the SKU, else "Amazon Sale". Missing offers are created."""
        Offer = self.env["amazon.offer"].sudo()
        skus = {(item.get("product") or {}).get("sellerSku") or "" for item in amazon_order["orderItems"]}
        offers = Offer.search([("account_id", "=", self.id), ("sku", "in", list(skus))])
        products = {offer.sku: offer.product_id for offer in offers}
        default = self.env.ref("amazon_sp_connector.product_amazon_sale")
        for sku in skus - set(products):
            if not sku:
                products[sku] = default
                continue
            product = self.env["product.product"].search(
                [("default_code", "=", sku), ("company_id", "in", (False, self.company_id.id))], limit=1
            )
            products[sku] = product or default
            Offer.create(
                {
                    "account_id": self.id,
                    "marketplace_id": marketplace.id,
                    "sku": sku,
                    "product_id": products[sku].id,
                    "fulfillment_channel": channel,
                }
            )
        return products

    def _record_order_failure(self, ref, exc, new_failures):
        reason = str(exc) or type(exc).__name__
        failure = self.order_failure_ids.filtered(lambda f: f.order_ref == ref)
        if failure:
            failure.write({"reason": reason, "attempts": failure.attempts + 1, "last_attempt": fields.Datetime.now()})
        else:
            self.env["amazon.order.failure"].sudo().create({"account_id": self.id, "order_ref": ref, "reason": reason})
            new_failures.append(ref)

    def _report_sync(self, stats, new_failures, error):
        """One line of summary on the account; one message to the salesperson per run when
        something new went wrong."""
        counted = {
            k: v for k, v in stats.items() if k not in ("seen", "pages", "error", "paused") and isinstance(v, int) and v
        }
        summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in sorted(counted.items())) or self.env._(
            "nothing new"
        )
        if stats.get("paused"):
            summary += ", " + self.env._("paused: time budget used, the next run resumes")
        values = {"last_sync_date": fields.Datetime.now(), "last_sync_summary": summary}
        message = (
            self.env._("Amazon synchronization failed: %(error)s", error=self._amazon_error_message(error))
            if error
            else False
        )
        notify = bool(new_failures) or (message and message != self.last_sync_error)
        values["last_sync_error"] = message
        self.write(values)
        if notify:
            lines = [
                f"<li>{html_escape(f.order_ref)}: {html_escape(f.reason)}</li>"
                for f in self.order_failure_ids
                if f.order_ref in new_failures
            ]
            body = ""
            if message:
                body += f"<p>{html_escape(message)}</p>"
            if lines:
                body += "<p>{}</p><ul>{}</ul>".format(
                    html_escape(self.env._("These Amazon orders could not be imported; they will be retried:")),
                    "".join(lines),
                )
            partner_ids = self.user_id.partner_id.ids
            self.message_post(body=Markup(body), partner_ids=partner_ids, subtype_xmlid="mail.mt_comment")
        self._commit_progress()

    def _commit_progress(self, processed=0):
        """Commit what is done so far (not inside tests, whose transaction must stay open)."""
        if getattr(threading.current_thread(), "testing", False):
            return
        self.env["ir.cron"]._commit_progress(processed)

    def _sync_lock(self):
        """Session-level advisory lock of this account: survives the run's commits."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", (const.SYNC_LOCK_NAMESPACE, self.id))
        return self.env.cr.fetchone()[0]

    def _sync_unlock(self):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (const.SYNC_LOCK_NAMESPACE, self.id))

    # ------------------------------------------------------------------ shipments

    def _sync_pickings(self):
        """Confirm this account's pending FBM shipments to Amazon (after commit: this runs
        in the picking-sync cron, never in the validating transaction).

        Retryable failures leave the picking pending for the next run; Amazon's rejections
        put it in error with Amazon's message; one email per run lists the rejections.

        :returns: Counter with ``confirmed``, ``rejected``, ``pending``
        """
        self.ensure_one()
        stats = Counter()
        pickings = (
            self.env["stock.picking"]
            .sudo()
            .search(
                [("amazon_sync_state", "=", "pending"), ("sale_id.amazon_account_id", "=", self.id)],
                order="date_done, id",
            )
        )
        if not pickings:
            return stats
        rejected = self.env["stock.picking"]
        error = None
        try:
            with self._sp_session() as session:
                for picking in pickings:
                    if picking._amazon_confirm_shipment(session):
                        stats["confirmed"] += 1
                    else:
                        stats["rejected"] += 1
                        rejected |= picking
                    self._commit_progress(1)  # Amazon has it: never send it twice
        except AmazonError as exc:  # down, throttled beyond retries, credentials: stay pending
            error = exc
            stats["error"] = 1
            _logger.info("Amazon account %s: shipment sync stopped: %s", self.id, exc)
        stats["pending"] = len(pickings.filtered(lambda p: p.amazon_sync_state == "pending"))
        if rejected:
            self._mail_rejected_shipments(rejected)
        if error:
            message = self.env._("Amazon shipment sync stopped: %(error)s", error=self._amazon_error_message(error))
            if message != self.last_sync_error:
                self.message_post(body=message, partner_ids=self.user_id.partner_id.ids)
            self.last_sync_error = message
        self._commit_progress()
        return stats

    def _mail_rejected_shipments(self, pickings):
        """One email to the account's salesperson listing every refused shipment."""
        recipient = self.user_id.partner_id
        if not recipient.email:
            _logger.warning("Amazon account %s: salesperson has no email to report refused shipments", self.id)
            return
        rows = "".join(
            f"<li><b>{html_escape(p.name)}</b> ({html_escape(p.sale_id.amazon_order_ref)}): "
            f"{html_escape(p.amazon_sync_error)}</li>"
            for p in pickings
        )
        body = "<p>{}</p><ul>{}</ul><p>{}</p>".format(
            html_escape(self.env._("Amazon refused these shipment confirmations:")),
            rows,
            html_escape(
                self.env._("Fix the carrier or tracking reference, then use Retry Amazon Sync on the delivery.")
            ),
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._(
                    "Amazon (%(account)s): %(count)s shipment(s) could not be synchronized",
                    account=self.name,
                    count=len(pickings),
                ),
                "body_html": body,
                "recipient_ids": [fields.Command.link(recipient.id)],
                "email_from": (self.company_id.email_formatted or self.env.user.email_formatted or False),
                "model": self._name,
                "res_id": self.id,
                "auto_delete": False,
            }
        )

    # ------------------------------------------------------------------ cancellations

    def _sync_cancellations(self):
        """Poll the feeds in progress (one getFeed each), then send every pending
        cancellation of the account in one ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` feed.

        :returns: Counter with ``sent``, ``done``, ``failed``
        """
        self.ensure_one()
        stats = Counter()
        feeds = self.env["amazon.feed"].sudo().search([("account_id", "=", self.id), ("done", "=", False)])
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("amazon_account_id", "=", self.id), ("amazon_cancel_state", "=", "pending")])
        )
        if not feeds and not orders:
            return stats
        try:
            with self._sp_session() as session:
                for feed in feeds:
                    self._poll_cancellation_feed(session, feed, stats)
                    self._commit_progress(1)
                if orders:
                    self._send_cancellation_feed(session, orders, stats)
                    self._commit_progress(len(orders))
        except AmazonError as exc:  # stays pending / sent: the next run tries again
            stats["error"] = 1
            _logger.info("Amazon account %s: cancellation sync stopped: %s", self.id, exc)
            message = self.env._("Amazon cancellation sync stopped: %(error)s", error=self._amazon_error_message(exc))
            if message != self.last_sync_error:
                self.message_post(body=message, partner_ids=self.user_id.partner_id.ids)
            self.last_sync_error = message
        return stats

    def _send_cancellation_feed(self, session, orders, stats):
        cancellations = [
            Cancellation(
                order_ref=order.amazon_order_ref,
                reason=order.amazon_cancel_reason or "GeneralAdjustment",
                item_refs=[ref for ref in order.order_line.mapped("amazon_item_ref") if ref],
            )
            for order in orders
        ]
        content, messages = build_cancellation_feed(self.seller_id, cancellations)
        result = session.submit_feed(
            const.FEED_ORDER_ACKNOWLEDGEMENT,
            orders.amazon_marketplace_id.mapped("api_ref"),
            content,
            const.FEED_CONTENT_TYPE,
        )
        self.env["amazon.feed"].sudo().create(
            {
                "account_id": self.id,
                "feed_ref": result["feed_id"],
                "order_ids": [fields.Command.set(orders.ids)],
                "messages": messages,
                "document": content.decode(),
            }
        )
        orders.write({"amazon_cancel_state": "sent"})
        stats["sent"] += len(orders)

    def _poll_cancellation_feed(self, session, feed, stats):
        """Apply a finished feed's result to its orders.

        DONE: each order named by an error fails with Amazon's text; when an error names
        no order, every order not confirmed otherwise is uncertain and fails too (it can be
        retried; a later import that sees it CANCELLED on Amazon settles it). FATAL and
        CANCELLED feeds fail all their orders.
        """
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
                order.write({"amazon_cancel_state": "error", "amazon_cancel_error": reason})
                order.message_post(body=self.env._("Amazon did not confirm the cancellation: %(why)s", why=reason))
                stats["failed"] += 1
            else:
                order.write({"amazon_cancel_state": "done", "amazon_cancel_error": False})
                order.message_post(body=self.env._("Amazon confirmed the cancellation."))
                stats["done"] += 1
        feed.done = True

    # ------------------------------------------------------------------ helpers

    def _sp_credentials(self):
        """The plain-values credentials of this account (read as superuser)."""
        self.ensure_one()
        account = self.sudo()
        return Credentials(
            seller_id=account.seller_id or "",
            lwa_client_id=account.lwa_client_id or "",
            lwa_client_secret=account.lwa_client_secret or "",
            refresh_token=account.refresh_token or "",
            region=account.region or "",
            sp_api_endpoint=account.sp_api_endpoint or "",
            lwa_endpoint=account.lwa_endpoint or "",
        )

    def _sp_session(self, **options):
        """An :class:`SpApiSession` for this account.

        :raises AmazonConfigurationError: when credentials are missing
        """
        return SpApiSession(self._sp_credentials(), **options)

    def _amazon_error_message(self, exc):
        """A user-facing sentence for a failure of this account, saying what to fix."""
        name = self.name
        if isinstance(exc, AmazonConfigurationError):
            return self.env._(
                "Amazon account %(account)s is not fully configured: %(error)s. "
                "Fill in the credentials on the account (Sales › Configuration › Amazon › Accounts).",
                account=name,
                error=exc.message,
            )
        if isinstance(exc, AmazonAuthorizationError):
            return self.env._(
                "Amazon refused the credentials of account %(account)s: %(error)s. Check the Seller ID, "
                "the LWA Client ID and Secret, and the Refresh Token of the authorization "
                "(Seller Central › Apps and Services › Develop Apps).",
                account=name,
                error=str(exc),
            )
        if isinstance(exc, AmazonRetryableError):
            return self.env._(
                "Amazon could not be reached for account %(account)s: %(error)s. "
                "This is usually temporary: try again in a few minutes.",
                account=name,
                error=str(exc),
            )
        if isinstance(exc, AmazonPermanentError):
            return self.env._(
                "Amazon rejected the request of account %(account)s: %(error)s", account=name, error=str(exc)
            )
        return self.env._("Amazon error for account %(account)s: %(error)s", account=name, error=str(exc))

    @api.model
    def _notify(self, title, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": kind, "sticky": False},
        }

    @api.model
    def _get_first_warehouse(self, company):
        return self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    @api.model
    def _get_fba_location(self, company):
        """The company's internal "Amazon" location (created under its first warehouse)."""
        warehouse = self._get_first_warehouse(company)
        if not warehouse:
            return self.env["stock.location"]
        Location = self.env["stock.location"].sudo()
        location = Location.search(
            [
                ("name", "=", "Amazon"),
                ("usage", "=", "internal"),
                ("company_id", "=", company.id),
                ("location_id", "=", warehouse.view_location_id.id),
            ],
            limit=1,
        )
        if not location:
            location = Location.create(
                {
                    "name": "Amazon",
                    "usage": "internal",
                    "company_id": company.id,
                    "location_id": warehouse.view_location_id.id,
                }
            )
        return location

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_for_each_account(self, method, label):
        """Run ``method`` on every active account. Amazon and data problems are already
        recorded by the methods themselves; an unexpected error of one account is rolled
        back, logged and recorded on it, and the next account goes on."""
        for account in self.search([]):
            try:
                getattr(account, method)()
            except Exception as exc:  # one account must never stop the others
                if getattr(threading.current_thread(), "testing", False):
                    raise
                self.env.cr.rollback()
                _logger.exception("Amazon account %s: %s failed", account.id, label)
                message = self.env._("%(label)s failed unexpectedly: %(error)s", label=label, error=str(exc))
                account.last_sync_error = message
                account.message_post(body=message, partner_ids=account.user_id.partner_id.ids)
                self.env.cr.commit()

    @api.model
    def _cron_sync_orders(self):
        """Scheduled action "Amazon: sync orders"."""
        self._cron_for_each_account("_sync_orders", self.env._("Order sync"))

    @api.model
    def _cron_sync_pickings(self):
        """Scheduled action "Amazon: sync pickings"."""
        self._cron_for_each_account("_sync_pickings", self.env._("Shipment sync"))

    @api.model
    def _cron_sync_cancellations(self):
        """Scheduled action "Amazon: sync cancellations"."""
        self._cron_for_each_account("_sync_cancellations", self.env._("Cancellation sync"))
