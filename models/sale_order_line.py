from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char(string="Amazon Item", readonly=True, copy=False, help="Amazon's order item id.")

    _amazon_item_ref_unique = models.Constraint(
        "unique(order_id, amazon_item_ref)", "An Amazon order item can only appear once in an order."
    )
