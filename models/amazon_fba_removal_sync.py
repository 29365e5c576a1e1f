"""Removals flow: Amazon's removal shipments (GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA)
leave the FBA location: back to the seller's warehouse, or to scrap / inventory loss."""

from odoo import api, fields, models

from .. import const


class AmazonFbaRemovalSync(models.AbstractModel):
    """A returned removal is a receipt expected in the account's warehouse from the FBA
    location (or its unsellable sub-location), with Amazon's carrier and tracking on it,
    ready for the warehouse to validate; a disposal leaves to scrap, a liquidation to
    inventory loss, done at once."""

    _name = "amazon.fba.removal.sync"
    _inherit = "amazon.fba.report.flow"
    _description = "Amazon Removals Flow"

    _flow = "fba_removals"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fba_removals"
    _report_type = const.REPORT_REMOVAL_SHIPMENTS
    _source = "removal"

    @api.model
    def _prepare_event_values(self, account, row, cache):
        data = row.values
        values = dict(
            self._event_values(account, row, state="applied"),
            event_type=data["removal_type"],
            reference=data["tracking"] or data["order_ref"],
        )
        product = self._product(account, data["sku"], cache)
        values["product_id"] = product.id
        where = self._locations(account, cache)
        source = where["fba"] if data["disposition"] in ("", const.DISPOSITION_SELLABLE) else where["unsellable"]
        if data["removal_type"].lower() == const.REMOVAL_RETURN.lower():
            return values  # the receipt is made by _after_apply
        destination = (
            where["scrap"] if data["removal_type"].lower() == const.REMOVAL_DISPOSAL.lower() else where["loss"]
        )
        values["_move"] = self._move_values(
            account,
            product,
            data["quantity"],
            source,
            destination,
            data["date"] or fields.Datetime.now(),
            origin=self.env._("Amazon removal %(order)s", order=data["order_ref"]),
        )
        return values

    @api.model
    def _after_apply(self, account, row, event, cache):
        data = row.values
        if data["removal_type"].lower() != const.REMOVAL_RETURN.lower():
            return
        where = self._locations(account, cache)
        warehouse = account.warehouse_id or where["fba"].warehouse_id
        source = where["fba"] if data["disposition"] in ("", const.DISPOSITION_SELLABLE) else where["unsellable"]
        product = self.env["product.product"].browse(event["product_id"])
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                    "origin": self.env._("Amazon removal %(order)s", order=data["order_ref"]),
                    "amazon_removal_ref": data["order_ref"],
                    "amazon_removal_carrier": data["carrier"],
                    "carrier_tracking_ref": data["tracking"] or False,
                    "scheduled_date": data["date"] or fields.Datetime.now(),
                    "move_ids": [
                        fields.Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": data["quantity"],
                                "product_uom": product.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": warehouse.lot_stock_id.id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        event["picking_id"] = picking.id
