"""FBA returns flow: Amazon's customer returns report (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA)
brings returned units back into the FBA location, as returns of the order's delivery."""

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError


class AmazonFbaReturnSync(models.AbstractModel):
    """Each returned unit is Odoo's return of the FBA order's done move (its
    ``origin_returned_move_id``, to refund): the sale order's delivered quantity goes down.
    Sellable units go to the FBA location, the others (damaged, defective...) to its
    unsellable sub-location."""

    _name = "amazon.fba.return.sync"
    _inherit = "amazon.fba.report.flow"
    _description = "Amazon FBA Returns Flow"

    _flow = "fba_returns"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fba_returns"
    _report_type = const.REPORT_FBA_RETURNS
    _source = "fba_return"

    @api.model
    def _prepare_event_values(self, account, row, cache):
        data = row.values
        values = self._event_values(account, row, state="applied")
        product = self._product(account, data["sku"], cache)
        values["product_id"] = product.id
        order = self._returned_order(account, data)
        values["sale_order_id"] = order.id
        delivered = order.order_line.move_ids.filtered(
            lambda m: m.product_id == product and m.state == "done" and m.location_dest_id.usage == "customer"
        )
        if not delivered:
            raise AmazonRecordError(
                self.env._(
                    "Order %(order)s has no delivered unit of SKU %(sku)s to return.",
                    order=data["order_ref"],
                    sku=data["sku"],
                )
            )
        move = delivered[0]
        fba = account._amazon_fba_location_for(order.amazon_marketplace_id) or move.location_id
        where = self._locations(account, cache)
        destination = fba if data["disposition"] == const.DISPOSITION_SELLABLE else where["unsellable"]
        values["_move"] = self._move_values(
            account,
            product,
            data["quantity"],
            move.location_dest_id,
            destination,
            data["date"] or fields.Datetime.now(),
            origin=self.env._("Return of %(order)s (Amazon)", order=order.name),
            sale_line_id=move.sale_line_id.id,
            origin_returned_move_id=move.id,
            to_refund=True,
            partner_id=move.partner_id.id,
            reference_ids=[fields.Command.set(order.stock_reference_ids.ids)],
        )
        return values
