"""What Amazon holds of a product in FBA (its FBA offers' last count, getInventorySummaries)
next to what Odoo's FBA locations hold now: shown to inventory users on the product."""

from odoo import fields, models

FBA_QUANTITIES = {
    "amazon_fba_fulfillable_qty": "fba_fulfillable_qty",
    "amazon_fba_inbound_qty": "fba_inbound_qty",
    "amazon_fba_reserved_qty": "fba_reserved_qty",
    "amazon_fba_unfulfillable_qty": "fba_unfulfillable_qty",
}
FBA_FIELDS = [*FBA_QUANTITIES, "amazon_fba_odoo_qty", "amazon_fba_difference", "amazon_fba_offer_count"]


def _quantity_field(string, help_text=None):
    return fields.Float(
        string=string,
        compute="_compute_amazon_fba",
        digits="Product Unit",
        groups="stock.group_stock_user",
        help=help_text,
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    amazon_fba_fulfillable_qty = _quantity_field("Amazon Fulfillable", "Amazon's last count, over the FBA offers.")
    amazon_fba_inbound_qty = _quantity_field("Amazon Inbound")
    amazon_fba_reserved_qty = _quantity_field("Amazon Reserved")
    amazon_fba_unfulfillable_qty = _quantity_field("Amazon Unfulfillable")
    amazon_fba_odoo_qty = _quantity_field("Odoo FBA Quantity", "Units in the Odoo FBA locations of the accounts now.")
    amazon_fba_difference = _quantity_field(
        "FBA Gap", "Amazon's fulfillable and reserved units minus the units of the Odoo FBA locations."
    )
    amazon_fba_offer_count = fields.Integer(
        string="FBA Offers", compute="_compute_amazon_fba", groups="stock.group_stock_user"
    )

    def _compute_amazon_fba(self):
        """Summed over the product's FBA offers (one per account and SKU), next to the
        product's units in the FBA location of each of their accounts."""
        offers = (
            self.env["amazon.offer"]
            .sudo()
            .search([("product_id", "in", self.ids), ("fulfillment_channel", "=", "fba")])
        )
        Quant = self.env["stock.quant"].sudo()
        for product in self:
            mine = offers.filtered(lambda o, product=product: o.product_id == product)
            values = {name: sum(mine.mapped(source)) for name, source in FBA_QUANTITIES.items()}
            locations = mine.account_id.fba_location_id
            quants = Quant.search([("product_id", "=", product.id), ("location_id", "in", locations.ids)])
            odoo = sum(quants.mapped("quantity")) if locations else 0.0
            counted = mine.filtered("fba_counted_on")
            product.update(
                dict(
                    values,
                    amazon_fba_odoo_qty=odoo,
                    amazon_fba_difference=(
                        values["amazon_fba_fulfillable_qty"] + values["amazon_fba_reserved_qty"] - odoo
                        if counted
                        else 0.0
                    ),
                    amazon_fba_offer_count=len(mine),
                )
            )

    def action_view_amazon_fba_offers(self):
        """The product's FBA offers, with Amazon's count and the gaps (FBA Stock Differences)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_fba_differences")
        action["domain"] = [("product_id", "in", self.ids), ("fulfillment_channel", "=", "fba")]
        action["context"] = {"create": False}
        return action


class ProductTemplate(models.Model):
    _inherit = "product.template"

    amazon_fba_fulfillable_qty = _quantity_field("Amazon Fulfillable", "Amazon's last count, over the FBA offers.")
    amazon_fba_inbound_qty = _quantity_field("Amazon Inbound")
    amazon_fba_reserved_qty = _quantity_field("Amazon Reserved")
    amazon_fba_unfulfillable_qty = _quantity_field("Amazon Unfulfillable")
    amazon_fba_odoo_qty = _quantity_field("Odoo FBA Quantity", "Units in the Odoo FBA locations of the accounts now.")
    amazon_fba_difference = _quantity_field(
        "FBA Gap", "Amazon's fulfillable and reserved units minus the units of the Odoo FBA locations."
    )
    amazon_fba_offer_count = fields.Integer(
        string="FBA Offers", compute="_compute_amazon_fba", groups="stock.group_stock_user"
    )

    def _compute_amazon_fba(self):
        for template in self:
            variants = template.with_context(active_test=False).product_variant_ids
            template.update({name: sum(variants.mapped(name)) for name in FBA_FIELDS})

    def action_view_amazon_fba_offers(self):
        return self.with_context(active_test=False).product_variant_ids.action_view_amazon_fba_offers()
