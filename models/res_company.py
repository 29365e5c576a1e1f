from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    amazon_payout_month_cutoff = fields.Boolean(
        string="Split Amazon Settlements at Month End",
        help="A settlement crossing a month end is booked in one part per month: each part (entry and Amazon's "
        "fee bill) is dated the last day of its month, the last one the settlement's end, and holds the lines "
        "Amazon posted in it. The balance rolls through the Amazon Payments account, where only the deposit "
        "stays open.",
    )
