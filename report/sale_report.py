from odoo import fields, models


class SaleReport(models.Model):
    """Sales Analysis with Amazon's account, marketplace and fulfillment channel."""

    _inherit = "sale.report"

    amazon_account_id = fields.Many2one("amazon.account", readonly=True)
    amazon_marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    amazon_channel = fields.Selection(
        [("fba", "Fulfilled by Amazon"), ("fbm", "Fulfilled by Merchant")],
        string="Amazon Fulfillment",
        readonly=True,
    )

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        res["amazon_account_id"] = "s.amazon_account_id"
        res["amazon_marketplace_id"] = "s.amazon_marketplace_id"
        res["amazon_channel"] = "s.amazon_channel"
        return res

    def _group_by_sale(self):
        res = super()._group_by_sale()
        res += """,
            s.amazon_account_id,
            s.amazon_marketplace_id,
            s.amazon_channel"""
        return res
