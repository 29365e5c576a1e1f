from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const


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

    vat_invoice_marketplace = fields.Boolean(
        compute="_compute_vat_invoice_marketplace",
        help="Amazon takes the invoices of this marketplace's orders (EU and UK marketplaces).",
    )
    upload_invoices = fields.Boolean(
        string="Upload Invoices to Amazon",
        help="Odoo's invoices and credit notes of this marketplace's orders are uploaded to Amazon when they are "
        "posted (EU and UK marketplaces; the application needs Amazon's Tax Invoicing role). Orders invoiced by "
        "Amazon's VAT Calculation Service are never uploaded.",
    )
    vcs_report = fields.Boolean(
        string="Read Amazon's VAT Invoice Data",
        help="For sellers on Amazon's VAT Calculation Service: Amazon's VAT invoice data report of this "
        "marketplace is read twice a day; it puts the buyer's VAT number, business name and Amazon's VAT on the "
        "orders, and marks the orders whose invoice Amazon issues (never uploaded).",
    )
    vcs_report_read = fields.Datetime(
        string="VAT Invoice Data Read",
        readonly=True,
        copy=False,
        help="Creation time of the newest VAT invoice data report read for this marketplace.",
    )

    _marketplace_unique = models.Constraint(
        "unique(account_id, marketplace_id)", "A marketplace has one row of settings per account."
    )

    @api.depends("marketplace_id")
    def _compute_vat_invoice_marketplace(self):
        for setting in self:
            setting.vat_invoice_marketplace = setting.marketplace_id.api_ref in const.VAT_INVOICE_MARKETPLACES

    @api.constrains("upload_invoices", "vcs_report", "marketplace_id")
    def _check_vat_invoice_marketplace(self):
        for setting in self:
            if (setting.upload_invoices or setting.vcs_report) and not setting.vat_invoice_marketplace:
                raise ValidationError(
                    self.env._(
                        "%(marketplace)s is not an EU or UK marketplace: Amazon takes no invoice upload there.",
                        marketplace=setting.marketplace_id.name,
                    )
                )

    @api.depends("marketplace_id")
    def _compute_display_name(self):
        for setting in self:
            setting.display_name = setting.marketplace_id.name
