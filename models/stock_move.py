from odoo import api, models


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.depends("sale_line_id.order_id.amazon_order_ref")
    def _compute_reference(self):
        """FBA moves have no picking: Moves History names them by their sale order and Amazon
        order instead of leaving the reference empty."""
        result = super()._compute_reference()
        for move in self:
            order = move.sale_line_id.order_id
            if not move.reference and order.amazon_order_ref and not move.picking_id:
                move.reference = self.env._("%(order)s (Amazon %(ref)s)", order=order.name, ref=order.amazon_order_ref)
        return result

    @api.depends("sale_line_id.amazon_sku")
    def _compute_description_picking(self):
        """A move of "Amazon Sale" (a SKU mapped to no product) says what Amazon sold, so
        that the warehouse knows what to pick."""
        result = super()._compute_description_picking()
        fallback = self.env.ref("amazon_sp_connector.product_amazon_sale", raise_if_not_found=False)
        for move in self:
            line = move.sale_line_id
            if fallback and move.product_id == fallback and line.amazon_sku and not move.description_picking_manual:
                move.description_picking = self.env._(
                    "Amazon SKU %(sku)s: %(item)s", sku=line.amazon_sku, item=(line.name or "").split("\n")[0]
                )
        return result
