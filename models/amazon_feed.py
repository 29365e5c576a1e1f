from odoo import fields, models

from .. import const

NOT_SENT = "NOT_SENT"  # processing_status of a feed prepared in Odoo, not yet accepted by createFeed


class AmazonFeed(models.Model):
    """A feed sent to Amazon (seller cancellations, FBM stock), kept with what was sent and
    Amazon's report."""

    _name = "amazon.feed"
    _description = "Amazon Feed"
    _order = "id desc"
    _rec_name = "feed_ref"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    feed_ref = fields.Char(string="Feed ID", readonly=True, help="Amazon's feed id; empty until Amazon accepted it.")
    feed_type = fields.Char(default=const.FEED_ORDER_ACKNOWLEDGEMENT, required=True, readonly=True)
    processing_status = fields.Char(default="IN_QUEUE", readonly=True)
    done = fields.Boolean(readonly=True, help="Amazon finished processing it and its result was applied.")
    order_ids = fields.Many2many("sale.order", string="Orders", readonly=True)
    offer_ids = fields.One2many("amazon.offer", "stock_feed_id", string="Offers", readonly=True)
    messages = fields.Json(readonly=True, help="Message id -> Amazon order reference or SKU")
    document = fields.Text(readonly=True, help="The document sent")
    report = fields.Text(readonly=True, help="Amazon's processing report")
    error = fields.Text(readonly=True, help="Why the result of this feed could not be applied")
