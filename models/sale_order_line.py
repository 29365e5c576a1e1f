from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char(string="Amazon Item", readonly=True, copy=False, help="Amazon's order item id.")
    amazon_offer_id = fields.Many2one("amazon.offer", compute="_compute_amazon_offer_id", help="The offer Amazon sold.")
    amazon_sku = fields.Char(
        string="Amazon SKU", readonly=True, copy=False, index="btree_not_null", help="The seller SKU Amazon sold."
    )
    amazon_quantity = fields.Integer(
        compute="_compute_amazon_quantity",
        store=True,
        readonly=False,
        copy=False,
        help="The item's quantity on Amazon, as last imported: the import changes the line when Amazon changes it.",
    )
    amazon_charge = fields.Char(
        readonly=True,
        copy=False,
        help="Which of Amazon's charges this line carries (shipping, promotion... or an item's gift wrap), so that "
        "the import can update it.",
    )

    amazon_gift_message = fields.Boolean(
        readonly=True,
        copy=False,
        help="A note holding the buyer's gift message, erased when the buyer is anonymized.",
    )

    _amazon_item_ref_unique = models.Constraint(
        "unique(order_id, amazon_item_ref)", "An Amazon order item can only appear once in an order."
    )

    @api.depends("amazon_item_ref")
    def _compute_amazon_quantity(self):
        """Lines imported before Amazon's quantity was kept: the line's quantity was Amazon's."""
        for line in self:
            line.amazon_quantity = int(line.product_uom_qty) if line.amazon_item_ref else 0

    @api.depends("amazon_sku", "order_id.amazon_account_id")
    def _compute_amazon_offer_id(self):
        lines = self.filtered(lambda line: line.amazon_sku and line.order_id.amazon_account_id)
        offers = self.env["amazon.offer"].search(
            [
                ("sku", "in", list(set(lines.mapped("amazon_sku")))),
                ("account_id", "in", lines.order_id.amazon_account_id.ids),
            ]
        )
        by_key = {(offer.account_id.id, offer.sku): offer for offer in offers}
        for line in self:
            line.amazon_offer_id = by_key.get((line.order_id.amazon_account_id.id, line.amazon_sku), False)

    def _prepare_procurement_values(self):
        """An Amazon order's goods are due by Amazon's ship-by time, not by the deliver-by
        date (the commitment date): the delivery's deadline is the end of the ship-by window,
        its scheduled date the window's start (or now, when later)."""
        values = super()._prepare_procurement_values()
        order = self.order_id
        if order.amazon_ship_by:
            values.update(date_deadline=order.amazon_ship_by, date_planned=order._amazon_ship_from())
        return values
