from odoo import api, fields, models

PAYOUT_STATES = [
    ("imported", "Imported"),
    ("mismatch", "Mismatch"),
    ("registered", "Registered"),
]
CATEGORIES = [
    ("sales", "Sales"),
    ("refund", "Refunds"),
    ("promotion", "Promotions"),
    ("fee", "Amazon Fees"),
    ("tax", "Withheld Tax"),
    ("reserve", "Reserve"),
    ("other", "Other"),
]


class AmazonPayout(models.Model):
    """One Amazon settlement: what Amazon paid the seller for a period, net of its fees,
    refunds and reserves, as its settlement report says, line by line."""

    _name = "amazon.payout"
    _description = "Amazon Payout"
    _inherit = ["mail.thread"]
    _order = "deposit_date desc, id desc"
    _rec_name = "settlement_ref"
    _check_company_auto = True

    account_id = fields.Many2one("amazon.account", required=True, index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    settlement_ref = fields.Char(string="Settlement ID", required=True, readonly=True, index=True)
    report_ref = fields.Char(string="Report ID", readonly=True, index=True, help="Amazon's settlement report id.")
    period_start = fields.Datetime(readonly=True)
    period_end = fields.Datetime(readonly=True)
    deposit_date = fields.Date(readonly=True, tracking=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    total_amount = fields.Monetary(string="Deposit", readonly=True, help="What Amazon pays into the bank.")
    state = fields.Selection(PAYOUT_STATES, default="imported", required=True, readonly=True, tracking=True)
    line_ids = fields.One2many("amazon.payout.line", "payout_id", string="Lines", readonly=True)
    line_count = fields.Integer(compute="_compute_totals", store=True)
    lines_total = fields.Monetary(compute="_compute_totals", store=True, help="Sum of the report's lines.")
    sales_amount = fields.Monetary(string="Sales", compute="_compute_totals", store=True)
    refund_amount = fields.Monetary(string="Refunds", compute="_compute_totals", store=True)
    promotion_amount = fields.Monetary(string="Promotions", compute="_compute_totals", store=True)
    fee_amount = fields.Monetary(string="Amazon Fees", compute="_compute_totals", store=True)
    tax_amount = fields.Monetary(string="Withheld Tax", compute="_compute_totals", store=True)
    reserve_amount = fields.Monetary(string="Reserve", compute="_compute_totals", store=True)
    other_amount = fields.Monetary(string="Other", compute="_compute_totals", store=True)
    unknown_order_count = fields.Integer(
        compute="_compute_totals", store=True, help="Lines naming an Amazon order that is not in Odoo."
    )
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    document = fields.Binary(string="Settlement Report", attachment=True, readonly=True)
    document_name = fields.Char(readonly=True)

    _settlement_unique = models.Constraint(
        "unique(account_id, settlement_ref)", "An Amazon settlement is imported once per account."
    )

    @api.depends("line_ids.amount", "line_ids.category", "line_ids.order_ref", "line_ids.sale_order_id")
    def _compute_totals(self):
        for payout in self:
            totals = dict.fromkeys((key for key, _label in CATEGORIES), 0.0)
            unknown = 0
            for line in payout.line_ids:
                totals[line.category] += line.amount
                unknown += bool(line.order_ref and not line.sale_order_id)
            payout.line_count = len(payout.line_ids)
            payout.lines_total = sum(totals.values())
            payout.sales_amount = totals["sales"]
            payout.refund_amount = totals["refund"]
            payout.promotion_amount = totals["promotion"]
            payout.fee_amount = totals["fee"]
            payout.tax_amount = totals["tax"]
            payout.reserve_amount = totals["reserve"]
            payout.other_amount = totals["other"]
            payout.unknown_order_count = unknown

    def _compute_display_name(self):
        for payout in self:
            payout.display_name = self.env._("Amazon payout %(ref)s", ref=payout.settlement_ref)

    # ------------------------------------------------------------------ business

    def _amazon_check_state(self):
        """A payout whose lines do not add up to Amazon's deposit, or that names orders Odoo
        does not have, is a mismatch until the accountant settles it."""
        for payout in self.filtered(lambda p: p.state != "registered"):
            balanced = payout.currency_id.is_zero(payout.total_amount - payout.lines_total)
            payout.state = "imported" if balanced and not payout.unknown_order_count else "mismatch"

    def action_view_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders of %(payout)s", payout=self.display_name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.sale_order_id.ids)],
        }


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

    @api.depends("sale_order_id.invoice_ids.state", "category")
    def _compute_invoice_id(self):
        for line in self:
            kind = "out_refund" if line.category == "refund" else "out_invoice"
            invoices = line.sale_order_id.invoice_ids.filtered(lambda m, kind=kind: m.move_type == kind)
            line.invoice_id = (invoices.filtered(lambda m: m.state == "posted") or invoices)[:1]
