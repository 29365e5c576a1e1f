from odoo import fields, models


class AccountMove(models.Model):
    """A summary invoice or credit note of a payout (summary mode): the orders it covers."""

    _inherit = "account.move"

    amazon_summary = fields.Boolean(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Invoices (or credits) the Amazon orders of one settlement part and marketplace that need no "
        "invoice of their own.",
    )
    amazon_summary_payout_id = fields.Many2one(
        "amazon.payout", string="Summary of Payout", readonly=True, copy=False, index="btree_not_null"
    )
    amazon_summary_order_ids = fields.Many2many(
        "sale.order",
        "account_move_amazon_summary_order_rel",
        "move_id",
        "order_id",
        string="Amazon Orders Covered",
        readonly=True,
        copy=False,
    )


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    amazon_summary_shares = fields.Json(
        readonly=True,
        help="A summary line's share of each sale line it covers: sale line id -> [quantity, untaxed, total].",
    )
