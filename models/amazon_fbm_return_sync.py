"""FBM returns flow: Amazon's authorized returns (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)
become return receipts expected in the order's warehouse."""

from odoo import api, models

from .. import const
from ..exceptions import AmazonRecordError


class AmazonFbmReturnSync(models.AbstractModel):
    """Each authorized return is Odoo's return of the order's delivery, confirmed and ready,
    with Amazon's RMA and reason on it: the warehouse validates it when the parcel
    arrives."""

    _name = "amazon.fbm.return.sync"
    _inherit = "amazon.fba.report.flow"
    _description = "Amazon FBM Returns Flow"

    _flow = "fbm_returns"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fbm_returns"
    _report_type = const.REPORT_FBM_RETURNS
    _source = "fbm_return"

    @api.model
    def _prepare_event_values(self, account, row, cache):
        data = row.values
        values = self._event_values(account, row, state="applied")
        product = self._product(account, data["sku"], cache)
        values["product_id"] = product.id
        order = self._returned_order(account, data)
        values["sale_order_id"] = order.id
        delivery = order.picking_ids.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and product in p.move_ids.filtered(lambda m: m.quantity).product_id
            )
        )[:1]
        if not delivery:
            raise AmazonRecordError(
                self.env._(
                    "Order %(order)s has no shipped delivery of SKU %(sku)s to return yet.",
                    order=data["order_ref"],
                    sku=data["sku"],
                )
            )
        values["picking_id"] = delivery.id  # replaced by the return receipt (_after_apply)
        return values

    @api.model
    def _after_apply(self, account, row, event, cache):
        """Create the return receipt of the delivery: the returned quantity of the product,
        ready, with Amazon's RMA and reason."""
        delivery = self.env["stock.picking"].sudo().browse(event["picking_id"])
        product = self.env["product.product"].browse(event["product_id"])
        wizard = self.env["stock.return.picking"].sudo().with_context(active_id=delivery.id, active_ids=delivery.ids)
        wizard = wizard.create({"picking_id": delivery.id})
        left = row.values["quantity"]
        for line in wizard.product_return_moves:
            take = min(left, line.move_id.quantity) if line.product_id == product else 0
            line.quantity = take
            left -= take
        if left > 0:
            raise AmazonRecordError(
                self.env._(
                    "Amazon returns %(quantity)s units more of SKU %(sku)s than delivery %(delivery)s holds.",
                    quantity=left,
                    sku=row.values["sku"],
                    delivery=delivery.name,
                )
            )
        picking = wizard._create_return()
        picking.move_ids.write({"to_refund": True})
        picking.write(
            {
                "amazon_rma": row.values["reference"],
                "amazon_return_reason": row.values["reason"],
                "carrier_tracking_ref": row.values.get("tracking") or False,
            }
        )
        picking.message_post(
            body=self.env._(
                "Return authorized by Amazon (RMA %(rma)s): %(reason)s.",
                rma=row.values["reference"],
                reason=row.values["reason"] or "-",
            )
        )
        event["picking_id"] = picking.id
