from datetime import timedelta

from odoo import api, fields, models

from .. import const

NOT_SENT = "NOT_SENT"  # processing_status of a feed prepared in Odoo, not yet accepted by createFeed
# Feeds whose documents one cleanup drops at most (the next run of the flow goes on).
DROP_BATCH = 1000


class AmazonFeed(models.Model):
    """A feed sent to Amazon (seller cancellations, FBM stock), kept with what was sent and
    Amazon's report (for ``FEED_DOCUMENT_RETENTION_DAYS``)."""

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
    document = fields.Text(readonly=True, help="The document sent (dropped after 90 days)")
    report = fields.Text(readonly=True, help="Amazon's processing report (dropped after 90 days)")
    error = fields.Text(
        readonly=True,
        help="Why the result of this feed could not be applied, or why Amazon's last answer about it failed",
    )

    def unlink(self):
        # Without its result the quantities of a deleted feed are uncertain: its offers still
        # waiting for that result go in the next stock feed.
        self.offer_ids.filtered(lambda o: o.stock_sync_state == "sent").sudo().write({"stock_sync_state": "to_send"})
        return super().unlink()

    @api.model
    def _drop_old_documents(self, feed_type):
        """Drop the document and report of this type's finished feeds older than
        ``FEED_DOCUMENT_RETENTION_DAYS`` (the feed itself stays)."""
        before = fields.Datetime.now() - timedelta(days=const.FEED_DOCUMENT_RETENTION_DAYS)
        old = self.search(
            [
                ("feed_type", "=", feed_type),
                ("done", "=", True),
                ("create_date", "<", before),
                "|",
                ("document", "!=", False),
                ("report", "!=", False),
            ],
            limit=DROP_BATCH,
        )
        old.write({"document": False, "report": False})
