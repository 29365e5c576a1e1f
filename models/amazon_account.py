from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import const
from ..spapi import (
    AmazonAuthorizationError,
    AmazonConfigurationError,
    AmazonError,
    AmazonPermanentError,
    AmazonRetryableError,
    Credentials,
    SpApiSession,
)


class AmazonAccount(models.Model):
    """A seller's authorization of this Odoo on Amazon (one per SP-API region)."""

    _name = "amazon.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
    connected = fields.Boolean(
        compute="_compute_connected",
        compute_sudo=True,
        help="Amazon gave this account a refresh token (Connect with Amazon, or typed in).",
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
    marketplace_setting_ids = fields.One2many(
        "amazon.marketplace.setting",
        "account_id",
        string="Per Marketplace",
        help="One row per synchronized marketplace: its own sales team, FBA stock location or FBM warehouse, "
        "when it has one.",
    )
    last_orders_sync = fields.Datetime(
        string="Last Order Sync",
        required=True,
        default=fields.Datetime.now,
        copy=False,
        help="Orders changed on Amazon after this moment (UTC) are imported by the next sync. "
        "Move it back to import again what changed since then.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help='Sales team of the imported orders (new accounts: the company\'s "Amazon" team, created on demand).',
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
    sync_stock = fields.Boolean(
        string="Push FBM Stock",
        default=True,
        tracking=True,
        help="Send Amazon the quantity of every merchant-fulfilled offer marked Sync Stock: the free quantity "
        "(on hand minus reserved) of its product in the FBM warehouse, minus the safety buffer.",
    )
    stock_buffer = fields.Integer(
        string="Stock Safety Buffer",
        default=0,
        tracking=True,
        help="Units of each product kept back from Amazon: the quantity sent is the free quantity minus this, "
        "never below 0.",
    )
    anonymize_after_days = fields.Integer(
        string="Anonymize Buyers After",
        default=0,
        tracking=True,
        help="Days after delivery after which the contacts of this account's buyers are anonymized, once all "
        "their orders are delivered (or canceled) and invoiced, as Amazon's data protection policy asks: name, "
        "street, phone and email are erased, city, postal code, state and country stay for taxes and reports. "
        "0: never.",
    )
    late_warning_hours = fields.Integer(
        string="Warn Before Ship-By",
        default=const.LATE_WARNING_HOURS,
        tracking=True,
        help="Hours before Amazon's ship-by time at which an FBM delivery not validated yet gets an activity for "
        "its responsible (the delivery's Responsible, else this account's salesperson). 0: never.",
    )
    payout_sync_since = fields.Datetime(
        string="Payouts Listed Since",
        copy=False,
        help="Settlement reports created since then (less a few days) are listed by the next payout sync.",
    )
    payout_count = fields.Integer(compute="_compute_payout_count")
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
    order_count = fields.Integer(compute="_compute_order_counts")
    waiting_delivery_count = fields.Integer(
        compute="_compute_order_counts", help="Validated deliveries not confirmed to Amazon yet, or refused by it."
    )
    sync_window_before = fields.Datetime(
        string="Window in Progress",
        copy=False,
        readonly=True,
        help="End (UTC) of the order window being imported; set while a sync is under way or was interrupted.",
    )
    sync_next_token = fields.Char(string="Pagination Token", copy=False, readonly=True)
    sync_page_size = fields.Integer(
        string="Page Size", copy=False, readonly=True, help="Orders per searchOrders page of the window in progress."
    )
    sync_pending_refs = fields.Json(
        string="Orders Pending", copy=False, readonly=True, help="Orders of the page in hand not imported yet."
    )
    status_ids = fields.One2many("amazon.sync.status", "account_id", string="Synchronization", readonly=True)
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

    @api.constrains("stock_buffer")
    def _check_stock_buffer(self):
        if any(account.stock_buffer < 0 for account in self):
            raise ValidationError(self.env._("The stock safety buffer is a number of units: 0 or more."))

    @api.constrains("anonymize_after_days")
    def _check_anonymize_after_days(self):
        if any(account.anonymize_after_days < 0 for account in self):
            raise ValidationError(self.env._("Anonymize buyers after a number of days: 0 (never) or more."))

    @api.constrains("late_warning_hours")
    def _check_late_warning_hours(self):
        if any(account.late_warning_hours < 0 for account in self):
            raise ValidationError(
                self.env._("The warning before Amazon's ship-by time is a number of hours: 0 (never) or more.")
            )

    @api.constrains("seller_id", "marketplace_ids", "active")
    def _check_one_account_per_marketplace(self):
        """Two accounts of one seller synchronizing the same marketplace would import its
        orders twice."""
        for account in self.filtered(lambda a: a.active and a.seller_id):  # not connected yet: no seller
            others = self.search(
                [
                    ("id", "!=", account.id),
                    ("seller_id", "=", account.seller_id),
                    ("marketplace_ids", "in", account.marketplace_ids.ids),
                ]
            )
            if others:
                shared = account.marketplace_ids & others.marketplace_ids
                raise ValidationError(
                    self.env._(
                        "Seller %(seller)s already synchronizes %(marketplaces)s in account %(other)s: "
                        "its orders would be imported twice. Use that account, or remove the marketplace "
                        "from one of them.",
                        seller=account.seller_id,
                        marketplaces=", ".join(shared.mapped("name")),
                        other=", ".join(others.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------ compute

    @api.depends("refresh_token")
    def _compute_connected(self):
        for account in self:
            account.connected = bool(account.refresh_token)

    def _compute_order_counts(self):
        orders = dict(
            self.env["sale.order"]._read_group(
                [("amazon_account_id", "in", self.ids)], ["amazon_account_id"], ["__count"]
            )
        )
        waiting = dict(
            self.env["stock.picking"]._read_group(
                [("sale_id.amazon_account_id", "in", self.ids), ("amazon_sync_state", "in", ("pending", "error"))],
                ["sale_id.amazon_account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.order_count = orders.get(account, 0)
            account.waiting_delivery_count = waiting.get(account, 0)

    def _compute_offer_count(self):
        counts = dict(
            self.env["amazon.offer"]._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        for account in self:
            account.offer_count = counts.get(account, 0)

    def _compute_payout_count(self):
        counts = dict(
            self.env["amazon.payout"].sudo()._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        for account in self:
            account.payout_count = counts.get(account, 0)

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
            if "team_id" not in vals:
                vals["team_id"] = self._amazon_sales_team(company).id
            if not vals.get("marketplace_ids") and vals.get("base_marketplace_id"):
                vals["marketplace_ids"] = [fields.Command.set([vals["base_marketplace_id"]])]
        accounts = super().create(vals_list)
        accounts._amazon_sync_marketplace_settings()
        for flow, _label in self.env["amazon.sync.status"]._fields["flow"].selection:
            self.env["amazon.sync.status"]._of(accounts, flow)
        return accounts

    def write(self, vals):
        if "last_orders_sync" in vals and not vals["last_orders_sync"]:
            # checked here, before the database refuses it (its error would print the whole row)
            raise ValidationError(self.env._("Last Order Sync cannot be empty: move it back to resync instead."))
        if "last_orders_sync" in vals:
            # A moved cursor (the documented forced resync) starts a new window: a saved
            # pagination token belongs to the old one.
            vals = dict(vals, sync_window_before=False, sync_next_token=False, sync_pending_refs=False)
        stock_changed = self.filtered(
            lambda a: (
                any(key in vals and a[key] != vals[key] for key in ("stock_buffer", "sync_stock"))
                or ("warehouse_id" in vals and a.warehouse_id.id != vals["warehouse_id"])
            )
        )
        result = super().write(vals)
        if vals.get("payout_conversion_account_id"):
            for account in self:
                account._amazon_conversion_reconcile_model(account.payout_conversion_account_id)
        if "marketplace_ids" in vals:
            self._amazon_sync_marketplace_settings()
        if stock_changed:
            # another warehouse or buffer: every quantity Amazon has may be wrong
            self.env["amazon.offer"].sudo().search(
                [("account_id", "in", stock_changed.ids), ("stock_sync_state", "in", ("done", "sent"))]
            ).write({"stock_sync_state": "to_send"})
        return result

    def copy_data(self, default=None):
        # A copy synchronizes no marketplace until chosen: the same seller's marketplace in
        # two accounts would import its orders twice.
        default = dict(default or {})
        default.setdefault("marketplace_ids", [fields.Command.clear()])
        return super().copy_data(default)

    def unlink(self):
        """An account with imported orders is archived, not deleted: its orders, deliveries
        and cancellations still belong to it."""
        used = self.filtered(
            lambda a: self.env["sale.order"].sudo().search_count([("amazon_account_id", "=", a.id)], limit=1)
        )
        if used:
            used.action_archive()
            used.message_post(body=self.env._("Archived instead of deleted: it has imported orders."))
        return super(AmazonAccount, self - used).unlink()

    # ------------------------------------------------------------------ actions

    def action_test_connection(self):
        """Refresh an access token and read the seller's marketplaces.

        :returns: a notification action saying the connection works
        :raises UserError: with what to fix when it does not
        """
        self.ensure_one()
        self._amazon_check_group("base.group_system")
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
        self._amazon_check_group("sales_team.group_sale_manager")
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
        return self._amazon_run_flow("amazon.order.sync", self.env._("Amazon orders"))

    def action_sync_shipments(self):
        """Send the pending shipment confirmations of this account now."""
        return self._amazon_run_flow("amazon.shipment.sync", self.env._("Amazon shipments"))

    def action_sync_cancellations(self):
        """Report pending cancellations to Amazon and read the results of sent feeds."""
        return self._amazon_run_flow("amazon.cancellation.sync", self.env._("Amazon cancellations"))

    def action_sync_stock(self):
        """Send Amazon the quantities of this account's changed FBM offers now (every FBM
        offer the first time) and read the results of stock feeds sent before."""
        self.ensure_one()
        if not self.sync_stock:
            raise UserError(
                self.env._(
                    "Account %(account)s does not push FBM stock: tick Push FBM Stock on the account first.",
                    account=self.name,
                )
            )
        return self._amazon_run_flow("amazon.stock.sync", self.env._("Amazon stock"))

    def action_sync_payouts(self):
        """Import Amazon's new settlement reports of this account now."""
        self.ensure_one()
        self._amazon_check_group("account.group_account_invoice")
        return self._amazon_run_flow("amazon.payout.sync", self.env._("Amazon payouts"), checked=True)

    def action_view_payouts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_payout")
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def _amazon_run_flow(self, flow_model, title, checked=False):
        """Run a flow now on this account (its button) and say how it went.

        :param checked: the caller checked the user's rights itself (else: sales managers)
        """
        self.ensure_one()
        if not checked:
            self._amazon_check_group("sales_team.group_sale_manager")
        flow = self.env[flow_model]
        run = flow._run_now(self)
        if run.locked:
            return self._notify(
                title,
                self.env._("Another synchronization of %(account)s is under way.", account=self.name),
                "warning",
            )
        status = self.status_ids.filtered(lambda s: s.flow == flow._flow)
        kind = "danger" if run.error else "warning" if run.problems or run.stats.get("failed") else "success"
        return self._notify(title, status.last_error or status.summary, kind)

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("amazon_account_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_failures(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "amazon.order.failure",
            "view_mode": "list",
            "domain": [("account_id", "=", self.id)],
            "context": {"create": False},
            # last: Odoo's term extractor takes the tuple after a _() call as a term too
            "name": self.env._("Failed Amazon Orders"),
        }

    def action_view_waiting_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_deliveries")
        action["domain"] = [
            ("sale_id.amazon_account_id", "=", self.id),
            ("amazon_sync_state", "in", ("pending", "error")),
        ]
        action["context"] = {"create": False}
        return action

    @api.onchange("last_orders_sync")
    def _onchange_last_orders_sync(self):
        """Say what moving the cursor does before it is saved."""
        previous = self._origin.last_orders_sync
        if previous and self.last_orders_sync and self.last_orders_sync < previous:
            return {
                "warning": {
                    "title": self.env._("Resynchronize orders"),
                    "message": self.env._(
                        "The next sync imports again every order Amazon changed since %(date)s: new ones are "
                        "created, known ones get Amazon's latest status (cancellations, shipments); none is "
                        "duplicated. With a date far back, it takes several runs (each goes on by itself).",
                        date=fields.Datetime.to_string(self.last_orders_sync),
                    ),
                }
            }
        return None

    def action_view_offers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_offer")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def action_view_offer_errors(self):
        """The account's offers whose stock Amazon refused (the stock flow's records)."""
        action = self.action_view_offers()
        action["domain"] = [("account_id", "=", self.id), ("stock_sync_state", "=", "error")]
        return action

    # ------------------------------------------------------------------ helpers

    @api.model
    def _amazon_check_group(self, group_xmlid):
        """Buttons hidden in views check the same rights when called another way (RPC).

        :raises AccessError: when the user lacks the group
        """
        if not self.env.su and not self.env.user.has_group(group_xmlid):
            group = self.env.ref(group_xmlid)
            raise AccessError(
                self.env._("Only %(group)s may do this on Amazon accounts.", group=group.sudo().full_name)
            )

    def _amazon_salesperson_env(self, user=None):
        """This environment in the language of the account's salesperson (or of ``user``), for
        what is written to them (activities), whoever runs the synchronization."""
        user = user or self[:1].user_id
        return self.env(context=dict(self.env.context, lang=user.lang or self.env.lang))

    def _amazon_alert_partners(self):
        """Who hears of this account's synchronization problems: the salesperson, else the
        company's administrators with an email."""
        self.ensure_one()
        if self.user_id.partner_id.email:
            return self.user_id.partner_id
        admins = (
            self.env.ref("base.group_system")
            .sudo()
            .all_user_ids.filtered(lambda u: self.company_id in u.company_ids and u.partner_id.email and not u.share)
        )
        return admins.partner_id

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

    def _amazon_sync_marketplace_settings(self):
        """One settings row per synchronized marketplace: rows of new marketplaces are
        added, rows of marketplaces no longer synchronized removed."""
        Setting = self.env["amazon.marketplace.setting"].sudo()
        for account in self:
            rows = Setting.search([("account_id", "=", account.id)])
            gone = rows.filtered(lambda r, synced=account.marketplace_ids: r.marketplace_id not in synced)
            missing = account.marketplace_ids - (rows - gone).marketplace_id
            gone.unlink()
            Setting.create([{"account_id": account.id, "marketplace_id": m.id} for m in missing])

    def _amazon_setting(self, marketplace):
        self.ensure_one()
        return self.marketplace_setting_ids.filtered(lambda r: r.marketplace_id == marketplace)[:1]

    def _amazon_team_for(self, marketplace):
        """The sales team of the marketplace's orders: the marketplace's, else the account's."""
        return self._amazon_setting(marketplace).team_id or self.team_id

    def _amazon_warehouse_for(self, marketplace):
        """The warehouse that ships the marketplace's FBM orders."""
        return self._amazon_setting(marketplace).warehouse_id or self.warehouse_id

    def _amazon_fba_location_for(self, marketplace):
        """Where Amazon holds the stock of the marketplace's FBA orders."""
        return self._amazon_setting(marketplace).fba_location_id or self.fba_location_id

    @api.model
    def _amazon_sales_team(self, company):
        """The company's "Amazon" sales team (created on demand), so that Amazon orders can
        be told apart by team."""
        Team = self.env["crm.team"].sudo().with_context(active_test=False)
        team = Team.search([("amazon_team", "=", True), ("company_id", "=", company.id)], limit=1)
        if not team:
            team = Team.create({"name": "Amazon", "company_id": company.id, "amazon_team": True})
        elif not team.active:
            team.active = True
        return team

    def _amazon_fbm_warehouse(self):
        """The warehouse whose free stock Amazon sells for this account's FBM offers."""
        self.ensure_one()
        return self.warehouse_id or self._get_first_warehouse(self.company_id)

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
    def _cron_sync_orders(self):
        """Scheduled action "Amazon: sync orders": the orders flow, then the activities for
        FBM deliveries about to ship late (after the import, which moves their deadlines;
        no call to Amazon, so not a flow of its own)."""
        self.env["amazon.order.sync"]._cron_run()
        self.env["stock.picking"]._amazon_warn_late_shipments()

    @api.model
    def _cron_sync_shipments(self):
        """Scheduled action "Amazon: sync shipments"."""
        self.env["amazon.shipment.sync"]._cron_run()

    @api.model
    def _cron_sync_cancellations(self):
        """Scheduled action "Amazon: sync cancellations"."""
        self.env["amazon.cancellation.sync"]._cron_run()

    @api.model
    def _cron_anonymize_buyers(self):
        """Scheduled action "Amazon: anonymize buyers" (accounts with the option set)."""
        self.env["res.partner"]._amazon_anonymize_buyers()

    @api.model
    def _cron_sync_payouts(self):
        """Scheduled action "Amazon: sync payouts"."""
        self.env["amazon.payout.sync"]._cron_run()

    @api.model
    def _cron_sync_stock(self):
        """Scheduled action "Amazon: sync stock"."""
        self.env["amazon.stock.sync"]._cron_run()
