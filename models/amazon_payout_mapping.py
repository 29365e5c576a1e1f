from odoo import api, fields, models

from .amazon_payout import CATEGORIES

# Amazon's amount types (amount-type, amount-description) -> category; the description
# "*" matches any. Refund transactions turn sales and promotions into refunds.
DEFAULT_CATEGORIES = [
    ("ItemPrice", "*", "sales"),
    ("Promotion", "*", "promotion"),
    ("ItemFees", "*", "fee"),
    ("ItemWithheldTax", "*", "tax"),
    ("other-transaction", "Current Reserve Amount", "reserve"),
    ("other-transaction", "Previous Reserve Amount Balance", "reserve"),
    ("other-transaction", "Subscription Fee", "fee"),
    ("other-transaction", "Storage Fee", "fee"),
    ("other-transaction", "*", "other"),
]


class AmazonPayoutMapping(models.Model):
    """Where each of Amazon's amount types of a settlement goes, per company: its category
    (sales, fees, reserve...) and, optionally, the account it is booked on."""

    _name = "amazon.payout.mapping"
    _description = "Amazon Payout Amount Type"
    _order = "company_id, amount_type, description"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    amount_type = fields.Char(required=True, help="Amazon's amount-type, e.g. ItemFees.")
    description = fields.Char(
        required=True, default="*", help="Amazon's amount-description, e.g. Commission; * for any other."
    )
    category = fields.Selection(CATEGORIES, required=True, default="other")
    account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Account the amount is booked on; empty: the category's default account.",
    )

    _type_unique = models.Constraint(
        "unique(company_id, amount_type, description)", "An amount type is mapped once per company."
    )

    @api.model
    def _categorize(self, company, lines):
        """The category of each parsed settlement line: the company's mapping of its amount
        type and description, else of its amount type, else Amazon's defaults (created on
        demand, editable).

        :param lines: list of ``SettlementLine``
        :returns: list of category keys, in the order of ``lines``
        """
        mappings = self.sudo().search([("company_id", "=", company.id)])
        if not mappings:
            mappings = self.sudo().create(
                [
                    {"company_id": company.id, "amount_type": amount_type, "description": description, "category": key}
                    for amount_type, description, key in DEFAULT_CATEGORIES
                ]
            )
        table = {(m.amount_type.lower(), m.description.lower()): m.category for m in mappings}
        result = []
        for line in lines:
            amount_type = line.amount_type.lower()
            category = table.get((amount_type, line.description.lower())) or table.get((amount_type, "*"))
            if category is None:
                category = "fee" if "fee" in amount_type or "commission" in line.description.lower() else "other"
            if line.transaction_type.lower() == "refund" and category in ("sales", "promotion"):
                category = "refund"
            result.append(category)
        return result
