from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const


class AmazonAccount(models.Model):
    """Multi-Channel Fulfillment settings of an account: Amazon ships deliveries of other
    channels from the account's FBA stock (the "fulfillment" flow)."""

    _inherit = "amazon.account"

    mcf_enabled = fields.Boolean(
        string="Ship from Amazon (MCF)",
        tracking=True,
        help="Deliveries of sale orders (not from Amazon) leaving this account's FBA stock location are sent "
        "to Amazon, which ships them (Multi-Channel Fulfillment). Put the route of the same name on the sale "
        "order lines, the products or the warehouse that ship from Amazon.",
    )
    mcf_route_id = fields.Many2one(
        "stock.route",
        string="MCF Route",
        readonly=True,
        copy=False,
        help="Route taking goods from the FBA stock location to the customer; created with the setting.",
    )
    mcf_speed = fields.Selection(
        const.MCF_SPEEDS,
        string="MCF Shipping Speed",
        default="Standard",
        required=True,
        help="Amazon's shipping speed of the orders it ships for you, unless the sale order says otherwise.",
    )
    mcf_policy = fields.Selection(
        const.MCF_POLICIES,
        string="MCF Fulfillment Policy",
        default="FillOrKill",
        required=True,
        help="What Amazon does when some units cannot ship.",
    )
    mcf_blank_box = fields.Boolean(
        string="Blank Box",
        help="Amazon ships in unbranded boxes (where the marketplace offers it: Amazon.com).",
    )
    mcf_block_amzl = fields.Boolean(
        string="No Amazon Logistics",
        help="Amazon hands the packages to another carrier than Amazon Logistics (where the marketplace offers "
        "it: Amazon.com).",
    )
    mcf_since = fields.Datetime(
        string="MCF Orders Followed Since",
        copy=False,
        readonly=True,
        help="Fulfillment orders Amazon changed after this moment (UTC) are read by the next run.",
    )
    mcf_next_token = fields.Char(copy=False, readonly=True, groups="base.group_system")
    mcf_waiting_count = fields.Integer(compute="_compute_mcf_waiting_count")

    def _compute_mcf_waiting_count(self):
        counts = dict(
            self.env["stock.picking"]
            .sudo()
            ._read_group(
                [("amazon_mcf_account_id", "in", self.ids), ("amazon_mcf_state", "in", ("pending", "sent"))],
                ["amazon_mcf_account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.mcf_waiting_count = counts.get(account, 0)

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts.filtered("mcf_enabled")._amazon_mcf_ensure_route()
        return accounts

    def write(self, vals):
        result = super().write(vals)
        if vals.get("mcf_enabled") or "fba_location_id" in vals:
            self.filtered("mcf_enabled")._amazon_mcf_ensure_route()
        if "mcf_enabled" in vals and not vals["mcf_enabled"]:
            self.mcf_route_id.sudo().active = False
        return result

    # ------------------------------------------------------------------ actions

    def action_sync_fulfillment(self):
        """Send the deliveries ready to ship from Amazon and read what Amazon did with the others."""
        self.ensure_one()
        if not self.mcf_enabled:
            raise UserError(
                self.env._(
                    "Account %(account)s does not ship from Amazon: tick Ship from Amazon (MCF) on the account first.",
                    account=self.name,
                )
            )
        return self._amazon_run_flow("amazon.fulfillment.sync", self.env._("Amazon Multi-Channel Fulfillment"))

    def action_view_mcf_deliveries(self):
        """The deliveries Amazon ships for this account that wait for Amazon."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_mcf_deliveries")
        action["domain"] = [("amazon_mcf_account_id", "=", self.id), ("amazon_mcf_state", "in", ("pending", "sent"))]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ helpers

    def _amazon_mcf_ensure_route(self):
        """The "Ship from Amazon (MCF)" route of each account: FBA stock location -> customers,
        through the delivery type of the location's warehouse."""
        Route = self.env["stock.route"].sudo()
        customers = self.env.ref("stock.stock_location_customers")
        for account in self:
            location = account.fba_location_id
            warehouse = location.warehouse_id
            if not location or not warehouse:
                raise UserError(
                    self.env._(
                        "Account %(account)s needs an FBA stock location inside a warehouse to ship from Amazon.",
                        account=account.name,
                    )
                )
            rule = {
                "name": self.env._("%(location)s → Customers (Amazon MCF)", location=location.display_name),
                "action": "pull",
                "location_src_id": location.id,
                "location_dest_id": customers.id,
                "picking_type_id": warehouse.out_type_id.id,
                "procure_method": "make_to_stock",
                "company_id": account.company_id.id,
            }
            route = account.mcf_route_id.with_context(active_test=False).sudo()
            if route:
                route.write({"active": True})
                route.rule_ids.write(rule)
                continue
            route = Route.create(
                {
                    "name": self.env._("Ship from Amazon (MCF): %(account)s", account=account.name),
                    "company_id": account.company_id.id,
                    "sale_selectable": True,
                    "warehouse_selectable": True,
                    "product_selectable": True,
                    "sequence": 5,
                    "rule_ids": [fields.Command.create(rule)],
                }
            )
            account.sudo().mcf_route_id = route

    @api.model
    def _amazon_mcf_account_of(self, location, company):
        """The account whose FBA stock location holds ``location`` and ships from Amazon."""
        if not location:
            return self.browse()
        for account in self.sudo().search([("mcf_enabled", "=", True), ("company_id", "=", company.id)]):
            if account.fba_location_id and location.parent_path.startswith(account.fba_location_id.parent_path):
                return account
        return self.browse()

    def _amazon_mcf_features(self):
        """featureConstraints the account asks for, where its marketplace offers them."""
        self.ensure_one()
        if self.base_marketplace_id.api_ref not in const.MCF_FEATURE_MARKETPLACES:
            return ()
        features = []
        if self.mcf_blank_box:
            features.append(const.MCF_FEATURE_BLANK_BOX)
        if self.mcf_block_amzl:
            features.append(const.MCF_FEATURE_BLOCK_AMZL)
        return tuple(features)

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_sync_fulfillment(self):
        """Scheduled action "Amazon: sync fulfillment" (Multi-Channel Fulfillment)."""
        self.env["amazon.fulfillment.sync"]._cron_run()
