from odoo import api, fields, models


class AmazonMarketplaceSetting(models.Model):
    """What one synchronized marketplace of an account does differently: its orders' sales
    team, FBA stock location and FBM warehouse (empty: the account's)."""

    _name = "amazon.marketplace.setting"
    _description = "Amazon Marketplace Settings"
    _order = "account_id, marketplace_id"
    _check_company_auto = True

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    marketplace_id = fields.Many2one("amazon.marketplace", required=True, readonly=True, ondelete="cascade")
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Sales team of this marketplace's orders (empty: the account's).",
    )
    fba_location_id = fields.Many2one(
        "stock.location",
        string="FBA Stock Location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', (False, company_id))]",
        help="Where Amazon holds the stock of this marketplace's FBA orders (empty: the account's).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="FBM Warehouse",
        check_company=True,
        help="Warehouse that ships this marketplace's FBM orders (empty: the account's).",
    )

    _marketplace_unique = models.Constraint(
        "unique(account_id, marketplace_id)", "A marketplace has one row of settings per account."
    )

    @api.depends("marketplace_id")
    def _compute_display_name(self):
        for setting in self:
            setting.display_name = setting.marketplace_id.name
