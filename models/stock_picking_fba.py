"""Transfers of FBA stock: Send to Amazon (completed by Amazon's receipts), FBM return
receipts (Amazon's RMA and reason) and removal receipts (carrier and tracking)."""

from odoo import api, fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    amazon_send = fields.Boolean(
        string="Send to Amazon",
        help="Transfers of this type ship the seller's own units to Amazon: Amazon's receipts (its inventory "
        "ledger) complete them.",
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_send = fields.Boolean(related="picking_type_id.amazon_send", store=True)
    amazon_shipment_ref = fields.Char(
        string="Amazon Shipment ID",
        copy=False,
        index="btree_not_null",
        help="Amazon's inbound shipment ID (FBA...): Amazon's receipts with this reference complete this transfer.",
    )
    amazon_fba_event_ids = fields.One2many("amazon.fba.event", "picking_id", string="Amazon FBA Events", readonly=True)
    amazon_received_qty = fields.Float(
        string="Received by Amazon", compute="_compute_amazon_receipt", store=True, digits="Product Unit"
    )
    amazon_receipt_state = fields.Selection(
        [("transit", "In transit"), ("partial", "Partially received"), ("received", "Received")],
        string="Amazon Receipt",
        compute="_compute_amazon_receipt",
        store=True,
        index=True,
    )
    amazon_rma = fields.Char(string="Amazon RMA", copy=False, readonly=True)
    amazon_return_reason = fields.Char(copy=False, readonly=True)
    amazon_removal_ref = fields.Char(string="Amazon Removal Order", copy=False, readonly=True)
    amazon_removal_carrier = fields.Char(string="Removal Carrier", copy=False, readonly=True)

    @api.depends("amazon_send", "state", "move_ids.quantity", "amazon_fba_event_ids.quantity")
    def _compute_amazon_receipt(self):
        for picking in self:
            if not picking.amazon_send or picking.state != "done":
                picking.amazon_received_qty = 0
                picking.amazon_receipt_state = False
                continue
            received = sum(picking.amazon_fba_event_ids.filtered(lambda e: e.state == "applied").mapped("quantity"))
            sent = sum(picking.move_ids.mapped("quantity"))
            picking.amazon_received_qty = received
            picking.amazon_receipt_state = "received" if received >= sent else "partial" if received > 0 else "transit"
