"""What Amazon says it holds of an FBA offer (getInventorySummaries) next to what the Odoo
FBA location holds, and the adjustment of Odoo to Amazon's count."""

from odoo import fields, models
from odoo.exceptions import UserError

COUNT_REASON = "Amazon count"


class AmazonOffer(models.Model):
    _inherit = "amazon.offer"

    fba_fulfillable_qty = fields.Integer(string="Amazon Fulfillable", readonly=True, copy=False)
    fba_inbound_qty = fields.Integer(string="Amazon Inbound", readonly=True, copy=False)
    fba_reserved_qty = fields.Integer(string="Amazon Reserved", readonly=True, copy=False)
    fba_unfulfillable_qty = fields.Integer(string="Amazon Unfulfillable", readonly=True, copy=False)
    fba_counted_on = fields.Datetime(string="Amazon Count Date", readonly=True, copy=False)
    fba_odoo_qty = fields.Float(
        string="Odoo FBA Quantity",
        readonly=True,
        copy=False,
        digits="Product Unit",
        help="Units in the FBA location when Amazon's count was read.",
    )
    fba_odoo_unsellable_qty = fields.Float(
        string="Odoo Unsellable Quantity", readonly=True, copy=False, digits="Product Unit"
    )
    fba_difference = fields.Float(
        string="Sellable Gap",
        readonly=True,
        copy=False,
        index=True,
        digits="Product Unit",
        help="Amazon's fulfillable and reserved units minus the units of the Odoo FBA location.",
    )
    fba_unsellable_difference = fields.Float(
        string="Unsellable Gap",
        readonly=True,
        copy=False,
        digits="Product Unit",
        help="Amazon's unfulfillable units minus the units of the Odoo unsellable location.",
    )

    def _amazon_fba_odoo_quantities(self):
        """dict offer id -> (sellable, unsellable) units in the account's FBA locations."""
        result = {}
        Quant = self.env["stock.quant"].sudo()
        for offer in self:
            where = offer.account_id._amazon_fba_locations()
            sellable = sum(
                Quant.search([("product_id", "=", offer.product_id.id), ("location_id", "=", where["fba"].id)]).mapped(
                    "quantity"
                )
            )
            unsellable = sum(
                Quant.search(
                    [("product_id", "=", offer.product_id.id), ("location_id", "=", where["unsellable"].id)]
                ).mapped("quantity")
            )
            result[offer.id] = (sellable, unsellable)
        return result

    def _amazon_fba_write_count(self, counts):
        """Record Amazon's count and the gaps to Odoo.

        :param counts: dict offer id -> summary dict (spapi.fba.get_inventory_summaries)
        """
        quantities = self._amazon_fba_odoo_quantities()
        now = fields.Datetime.now()
        for offer in self:
            count = counts.get(offer.id)
            sellable, unsellable = quantities[offer.id]
            values = {"fba_odoo_qty": sellable, "fba_odoo_unsellable_qty": unsellable}
            if count is not None:
                values.update(
                    fba_fulfillable_qty=count["fulfillable"],
                    fba_inbound_qty=count["inbound"],
                    fba_reserved_qty=count["reserved"],
                    fba_unfulfillable_qty=count["unfulfillable"],
                    fba_counted_on=now,
                )
            else:
                count = {
                    "fulfillable": offer.fba_fulfillable_qty,
                    "reserved": offer.fba_reserved_qty,
                    "unfulfillable": offer.fba_unfulfillable_qty,
                }
            values["fba_difference"] = count["fulfillable"] + count["reserved"] - sellable
            values["fba_unsellable_difference"] = count["unfulfillable"] - unsellable
            offer.write(values)

    def action_amazon_fba_adjust(self):
        """Adjust the Odoo FBA locations to Amazon's last count: one inventory adjustment per
        gap, named "Amazon count" (valued like any inventory adjustment)."""
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise UserError(self.env._("Only inventory managers can adjust stock to Amazon's count."))
        offers = self.filtered(lambda o: o.fba_counted_on and (o.fba_difference or o.fba_unsellable_difference))
        if not offers:
            raise UserError(self.env._("The selected offers have no gap to Amazon's count: read it first."))
        Quant = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
        quants = Quant
        for offer in offers:
            where = offer.account_id._amazon_fba_locations()
            sellable, unsellable = offer._amazon_fba_odoo_quantities()[offer.id]
            targets = (
                (where["fba"], offer.fba_fulfillable_qty + offer.fba_reserved_qty, sellable),
                (where["unsellable"], offer.fba_unfulfillable_qty, unsellable),
            )
            for location, target, current in targets:
                if target != current:
                    quants |= Quant.create(
                        {"product_id": offer.product_id.id, "location_id": location.id, "inventory_quantity": target}
                    )
        quants.with_context(inventory_name=COUNT_REASON)._apply_inventory()
        quants.inventory_quantity_set = False
        offers.sudo()._amazon_fba_write_count({})
        return True
