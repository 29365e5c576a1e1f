from odoo import fields, models


class AmazonOffer(models.Model):
    """The link between a seller SKU on Amazon and an Odoo product."""

    _name = "amazon.offer"
    _description = "Amazon Offer"
    _order = "account_id, sku"
    _rec_name = "sku"
    _check_company_auto = True

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one("amazon.marketplace", help="Marketplace the offer was first seen on.")
    sku = fields.Char(string="SKU", required=True, help="The seller SKU on Amazon.")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain="[('company_id', 'in', (False, company_id))]",
        help="Product sold under this SKU. Change it to re-map the SKU.",
    )
    fulfillment_channel = fields.Selection(
        [("fba", "Fulfilled by Amazon"), ("fbm", "Fulfilled by Merchant")],
        string="Fulfillment",
    )

    _sku_unique = models.Constraint("unique(account_id, sku)", "A SKU can only be mapped once per Amazon account.")
