from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const


class AmazonMarketplace(models.Model):
    """An Amazon marketplace (Amazon.com, Amazon.de, ...), as SP-API lists them."""

    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True)
    api_ref = fields.Char(
        string="Marketplace ID", required=True, help="Amazon's marketplace identifier, e.g. ATVPDKIKX0DER"
    )
    region = fields.Selection(const.REGIONS, required=True, help="The SP-API region serving this marketplace")
    country_id = fields.Many2one("res.country", required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    tax_included = fields.Boolean(
        string="Prices Include Tax",
        help="Whether Amazon's item prices on this marketplace include VAT/GST (Europe, Japan, ...) "
        "or have sales tax added on top (United States, Canada).",
    )
    seller_central_url = fields.Char(
        string="Seller Central URL",
        compute="_compute_seller_central_url",
        help="Where Connect with Amazon and the View in Seller Central links go (fixed per marketplace).",
    )

    _api_ref_unique = models.Constraint("unique(api_ref)", "An Amazon marketplace ID must be unique.")

    @api.depends("api_ref")
    def _compute_seller_central_url(self):
        # from const.py only: the consent page and the links must not follow editable data
        for marketplace in self:
            marketplace.seller_central_url = const.SELLER_CENTRAL_URLS.get(marketplace.api_ref, False)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Amazon marketplaces are reference data and cannot be deleted."))

    @api.model
    def _load_from_const(self):
        """Create or update one record per marketplace of ``const.MARKETPLACES``.

        Called from the module's data file, so that the marketplace table has a single
        source (``const.py``) and each record keeps a stable XML id.
        """
        records = []
        for api_ref, name, region, country, currency, tax_included, _url in const.MARKETPLACES:
            country_rec = self.env["res.country"].search([("code", "=", country)], limit=1)
            currency_rec = (
                self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency)], limit=1)
            )
            records.append(
                {
                    "xml_id": f"amazon_sp_connector.marketplace_{api_ref.lower()}",
                    "values": {
                        "name": name,
                        "api_ref": api_ref,
                        "region": region,
                        "country_id": country_rec.id,
                        "currency_id": currency_rec.id,
                        "tax_included": tax_included,
                    },
                    "noupdate": True,
                }
            )
        return self._load_records(records)
