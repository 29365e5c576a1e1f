from odoo import api, models


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.depends("sale_line_id.order_id.amazon_order_ref")
    def _compute_reference(self):
        """FBA moves have no picking: Moves History names them by their sale order and Amazon
        order instead of leaving the reference empty."""
        super()._compute_reference()
        for move in self:
            order = move.sale_line_id.order_id
            if not move.reference and order.amazon_order_ref and not move.picking_id:
                move.reference = self.env._("%(order)s (Amazon %(ref)s)", order=order.name, ref=order.amazon_order_ref)
