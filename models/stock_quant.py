from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        """Every change of on-hand or reserved quantity goes through here (done moves,
        reservations, inventory adjustments): the product's Amazon offers pushed from the
        location's warehouse learn that their free quantity changed."""
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        if location_id.usage == "internal":
            self.env["amazon.offer"]._amazon_stock_changed(product_id, location_id.warehouse_id)
        return result
