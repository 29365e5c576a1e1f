import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

MODULE = "amazon_sp_connector"
# The products the import relies on, by XML id: created at install, restored when a user
# deleted or archived one (each can be edited, or replaced per SKU through offers).
FALLBACK_PRODUCTS = {
    "product_amazon_sale": {
        "name": "Amazon Sale",
        "default_code": "AMAZON-SALE",
        "type": "consu",
        "description_sale": "Item sold on Amazon whose SKU matches no product",
    },
    "product_amazon_shipping": {"name": "Amazon Shipping", "default_code": "AMAZON-SHIPPING", "type": "service"},
    "product_amazon_gift_wrap": {"name": "Amazon Gift Wrapping", "default_code": "AMAZON-GIFT-WRAP", "type": "service"},
    "product_amazon_promotion": {"name": "Amazon Promotion", "default_code": "AMAZON-PROMOTION", "type": "service"},
}


class ProductProduct(models.Model):
    _inherit = "product.product"

    amazon_offer_ids = fields.One2many("amazon.offer", "product_id", string="Amazon Offers")
    amazon_offer_count = fields.Integer(compute="_compute_amazon_offer_count")

    def _compute_amazon_offer_count(self):
        counts = dict(
            self.env["amazon.offer"]._read_group([("product_id", "in", self.ids)], ["product_id"], ["__count"])
        )
        for product in self:
            product.amazon_offer_count = counts.get(product, 0)

    def action_view_amazon_offers(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_offer")
        action["domain"] = [("product_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        products.filtered("default_code")._amazon_map_offers()
        return products

    def write(self, vals):
        result = super().write(vals)
        if vals.get("default_code"):
            self._amazon_map_offers()
        return result

    def _amazon_map_offers(self):
        """A product whose internal reference is a SKU that sells as "Amazon Sale" takes
        over that SKU's offers (and so their open order lines and deliveries)."""
        fallback = self.env.ref(f"{MODULE}.product_amazon_sale", raise_if_not_found=False)
        if not fallback:
            return
        Offer = self.env["amazon.offer"].sudo()
        for product in self.filtered(lambda p: p.default_code and p != fallback):
            offers = Offer.search([("sku", "=", product.default_code), ("product_id", "=", fallback.id)])
            offers = offers.filtered(lambda o, company=product.company_id: not company or o.company_id == company)
            if offers:
                offers.product_id = product

    @api.model
    def _amazon_restore_fallbacks(self):
        """Make sure the products the import relies on exist and are active: a deleted one
        is created again under its XML id, an archived one is unarchived (and says so).

        :returns: the products restored
        """
        restored = self.browse()
        for name, values in FALLBACK_PRODUCTS.items():
            xmlid = f"{MODULE}.{name}"
            product = self.env.ref(xmlid, raise_if_not_found=False)
            if product and product.active and product.product_tmpl_id.active:
                continue
            if product:
                product = product.sudo().with_context(active_test=False)
                product.product_tmpl_id.active = True
                product.active = True
                product.product_tmpl_id.message_post(
                    body=self.env._("Unarchived: the Amazon connector imports orders with this product.")
                )
            else:
                product = (
                    self.sudo()
                    .with_context(tracking_disable=True)
                    .create(dict(values, invoice_policy="order", sale_ok=True, purchase_ok=False))
                )
                self.env["ir.model.data"].sudo()._update_xmlids(
                    [{"xml_id": xmlid, "record": product, "noupdate": True}]
                )
            _logger.info("Amazon connector: product %s restored", xmlid)
            restored |= product
        return restored


class ProductTemplate(models.Model):
    _inherit = "product.template"

    amazon_offer_count = fields.Integer(compute="_compute_amazon_offer_count")

    def _compute_amazon_offer_count(self):
        for template in self:
            template.amazon_offer_count = sum(
                template.with_context(active_test=False).product_variant_ids.mapped("amazon_offer_count")
            )

    def action_view_amazon_offers(self):
        return self.with_context(active_test=False).product_variant_ids.action_view_amazon_offers()
