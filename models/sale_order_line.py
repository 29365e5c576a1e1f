from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char(string="Amazon Item", readonly=True, copy=False, help="Amazon's order item id.")
    amazon_sku = fields.Char(
        string="Amazon SKU", readonly=True, copy=False, index="btree_not_null", help="The seller SKU Amazon sold."
    )

    _amazon_item_ref_unique = models.Constraint(
        "unique(order_id, amazon_item_ref)", "An Amazon order item can only appear once in an order."
    )
