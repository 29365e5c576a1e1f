from odoo import api, fields, models

from .amazon_payout import CATEGORIES


class AmazonPayoutLine(models.Model):
    """One amount of a settlement report: an order's item price or fee, a refund, a
    reserve, a subscription..."""

    _name = "amazon.payout.line"
    _description = "Amazon Payout Line"
    _order = "payout_id, sequence, id"

    payout_id = fields.Many2one("amazon.payout", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer()
    company_id = fields.Many2one(related="payout_id.company_id", store=True)
    currency_id = fields.Many2one(related="payout_id.currency_id")
    transaction_type = fields.Char(readonly=True)
    order_ref = fields.Char(string="Amazon Order", readonly=True, index=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_invoice_id",
        help="The posted invoice (or credit note, for a refund) of the order.",
    )
    sku = fields.Char(string="SKU", readonly=True)
    quantity = fields.Integer(readonly=True)
    amount_type = fields.Char(readonly=True)
    description = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)
    category = fields.Selection(CATEGORIES, required=True, default="other", readonly=True)
    posted_date = fields.Datetime(readonly=True)

    def _amazon_label(self):
        """Amazon's amount type and description, as mismatches name them."""
        self.ensure_one()
        return f"{self.amount_type} / {self.description}"

    @api.depends("sale_order_id.invoice_ids.state", "category")
    def _compute_invoice_id(self):
        for line in self:
            kind = "out_refund" if line.category == "refund" else "out_invoice"
            invoices = line.sale_order_id.invoice_ids.filtered(lambda m, kind=kind: m.move_type == kind)
            line.invoice_id = (invoices.filtered(lambda m: m.state == "posted") or invoices)[:1]
