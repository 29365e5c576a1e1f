from odoo import fields, models

from .amazon_fba_report import SOURCES

STATES = [
    ("applied", "Applied"),
    ("checked", "Already in Odoo"),
    ("unmatched", "Not found in Odoo"),
    ("recorded", "Recorded (no stock move)"),
    ("failed", "Failed"),
]


class AmazonFbaEvent(models.Model):
    """One row of one of Amazon's FBA stock reports (a ledger event, a return, a removal
    shipment, a reimbursement), kept once per Amazon's event identity: a re-read report
    (overlapping windows) finds its rows here and changes nothing. A row that could not be
    applied is a failure row with its reason; it is tried again when a report holds it again."""

    _name = "amazon.fba.event"
    _description = "Amazon FBA Stock Event"
    _order = "date desc, id desc"
    _rec_name = "reference"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    identity = fields.Char(
        required=True, readonly=True, help="Digest of the columns that make the row the event it is."
    )
    state = fields.Selection(STATES, required=True, readonly=True, index=True)
    date = fields.Datetime(readonly=True)
    event_type = fields.Char(readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, index="btree_not_null")
    quantity = fields.Integer(readonly=True)
    disposition = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    reference = fields.Char(readonly=True, help="Amazon's reference: shipment, adjustment, RMA, LPN, removal order...")
    order_ref = fields.Char(string="Amazon Order", readonly=True)
    fulfillment_center = fields.Char(readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    move_id = fields.Many2one("stock.move", readonly=True, index="btree_not_null")
    picking_id = fields.Many2one("stock.picking", readonly=True, index="btree_not_null")
    error = fields.Text(readonly=True)
    raw = fields.Text(string="Amazon's Row", readonly=True)

    _identity_unique = models.Constraint(
        "unique(account_id, source, identity)", "Each row of Amazon's reports is kept once per account."
    )
