from odoo import fields, models

MISMATCH_KINDS = [
    ("unknown_order", "Order not in Odoo"),
    ("no_invoice", "No posted invoice"),
    ("amount", "Amount differs"),
    ("unbalanced", "Lines differ from the deposit"),
    ("unmapped", "Unknown amount type"),
    ("fee_tax", "VAT on a fee differs"),
    ("no_order", "Order amount without an order"),
]
DECISIONS = [
    ("open", "Leave open"),
    ("write_off", "Write off"),
    ("invoice", "Create the invoice"),
]


class AmazonPayoutMismatch(models.Model):
    """Something of a payout that does not settle by itself, with its amount and what the
    accountant decided to do with it."""

    _name = "amazon.payout.mismatch"
    _description = "Amazon Payout Mismatch"
    _order = "payout_id, kind, id"

    payout_id = fields.Many2one("amazon.payout", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="payout_id.company_id", store=True)
    currency_id = fields.Many2one(related="payout_id.currency_id")
    kind = fields.Selection(MISMATCH_KINDS, required=True, readonly=True)
    order_ref = fields.Char(string="Amazon Order", readonly=True)
    refund = fields.Boolean(readonly=True, help="What Amazon refunded for the order, not what it paid.")
    amount_type = fields.Char(readonly=True, help="Amazon's amount type and description nobody mapped.")
    sale_order_id = fields.Many2one("sale.order", readonly=True)
    invoice_id = fields.Many2one("account.move", readonly=True)
    amazon_amount = fields.Monetary(readonly=True, help="What Amazon paid (or took back) for it.")
    odoo_amount = fields.Monetary(readonly=True, help="What is open in Odoo for it.")
    difference = fields.Monetary(readonly=True)
    decision = fields.Selection(
        DECISIONS,
        help="Empty: to decide, the payout cannot be registered yet. Leave open: the amount stays open (on "
        "the customer, or on the Amazon suspense account for an order Odoo does not have or an order "
        "amount Amazon gave without its order). Write off: the difference is booked on the chosen account. "
        "Create the invoice: the order is invoiced before the payout is registered.",
    )
    write_off_account_id = fields.Many2one("account.account", check_company=True)
    note = fields.Char(readonly=True)
