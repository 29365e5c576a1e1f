from odoo import api, fields, models


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

    @api.model
    def _amazon_products(self, account, amazon_order, marketplace, channel):
        """Product of each SKU of an Amazon order: the account's offer, else the company's
        product whose internal reference is the SKU, else "Amazon Sale". Missing offers are
        created.

        :returns: dict SKU -> product.product
        """
        Offer = self.sudo()
        skus = {(item.get("product") or {}).get("sellerSku") or "" for item in amazon_order["orderItems"]}
        offers = Offer.search([("account_id", "=", account.id), ("sku", "in", list(skus))])
        products = {offer.sku: offer.product_id for offer in offers}
        default = self.env.ref("amazon_sp_connector.product_amazon_sale")
        for sku in skus - set(products):
            if not sku:
                products[sku] = default
                continue
            product = self.env["product.product"].search(
                [("default_code", "=", sku), ("company_id", "in", (False, account.company_id.id))], limit=1
            )
            products[sku] = product or default
            Offer.create(
                {
                    "account_id": account.id,
                    "marketplace_id": marketplace.id,
                    "sku": sku,
                    "product_id": products[sku].id,
                    "fulfillment_channel": channel,
                }
            )
        return products
