import logging

from odoo import api, models

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
