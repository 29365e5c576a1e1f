from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const


class SaleOrder(models.Model):
    """Orders of other channels that Amazon ships from the FBA stock (Multi-Channel Fulfillment)."""

    _inherit = "sale.order"

    amazon_mcf_account_id = fields.Many2one(
        "amazon.account",
        string="Ships from Amazon Account",
        compute="_compute_amazon_mcf_account_id",
        help="The Amazon account whose FBA stock ships this order: its lines or its warehouse use the account's "
        '"Ship from Amazon (MCF)" route.',
    )
    amazon_mcf_speed = fields.Selection(
        const.MCF_SPEEDS,
        string="Amazon Shipping Speed",
        copy=False,
        help="Amazon's shipping speed for this order; empty: the account's.",
    )

    @api.depends("order_line.route_ids", "warehouse_id", "amazon_order_ref")
    def _compute_amazon_mcf_account_id(self):
        accounts = self.env["amazon.account"].sudo().search([("mcf_enabled", "=", True), ("mcf_route_id", "!=", False)])
        for order in self:
            order.amazon_mcf_account_id = False
            if order.amazon_order_ref:
                continue
            routes = order.order_line.route_ids | order.warehouse_id.route_ids
            for account in accounts:
                if account.company_id == order.company_id and account.mcf_route_id in routes:
                    order.amazon_mcf_account_id = account
                    break

    def action_amazon_mcf_preview(self):
        """Ask Amazon, per shipping speed, whether it can ship this order, its fees and dates."""
        self.ensure_one()
        account = self.amazon_mcf_account_id
        if not account:
            raise UserError(
                self.env._(
                    'Order %(order)s does not ship from Amazon: put a "Ship from Amazon (MCF)" route on its lines '
                    "or its warehouse first.",
                    order=self.name,
                )
            )
        wizard = self.env["amazon.mcf.preview"].create({"order_id": self.id})
        wizard._fetch()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amazon Fulfillment Preview"),
            "res_model": "amazon.mcf.preview",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
