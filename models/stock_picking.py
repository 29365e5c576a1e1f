from odoo import fields, models

SYNC_STATES = [
    ("pending", "Scheduled for Amazon synchronization"),
    ("done", "Synchronized with Amazon"),
    ("error", "Synchronization with Amazon failed"),
]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_sync_state = fields.Selection(SYNC_STATES, string="Amazon Sync", copy=False, index=True, tracking=True)
    amazon_sync_error = fields.Text(string="Amazon Sync Error", copy=False, readonly=True)
