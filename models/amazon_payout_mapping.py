from odoo import api, fields, models
from odoo.exceptions import UserError

from .amazon_payout import CATEGORIES

# Amazon's amount types (amount-type, amount-description) -> category; the description
# "*" matches any. Refund transactions turn sales and promotions into refunds. An amount type
# none of these (nor the company's own mappings) names is not mapped: a mismatch to decide.
# Sources: /work/notes/settlement-research.md §2 (Amazon's attribute list, public catalogues).
DEFAULT_CATEGORIES = [
    ("ItemPrice", "*", "sales"),
    ("Promotion", "*", "promotion"),
    # referral, FBA, closing, refund administration (RefundCommission), shipping and gift-wrap
    # chargebacks, MCF fulfillment fees of non-Amazon orders...
    ("ItemFees", "*", "fee"),
    # tax Amazon collects and remits: MarketplaceFacilitatorTax-*, MarketplaceFacilitatorVAT-*,
    # LowValueGoodsTax-*
    ("ItemWithheldTax", "*", "tax"),
    ("other-transaction", "Current Reserve Amount", "reserve"),
    ("other-transaction", "Previous Reserve Amount Balance", "reserve"),
    ("other-transaction", "Subscription Fee", "fee"),
    ("other-transaction", "Storage Fee", "fee"),
    ("other-transaction", "StorageRenewalBilling", "fee"),  # long-term storage
    ("other-transaction", "DisposalComplete", "fee"),
    ("other-transaction", "RemovalComplete", "fee"),
    ("other-transaction", "FBAInboundTransportationFee", "fee"),
    ("other-transaction", "FBA Inbound Placement Service Fee", "fee"),
    ("other-transaction", "AGSGlobalInboundTransportation", "fee"),
    ("other-transaction", "Shipping label purchase", "fee"),
    ("other-transaction", "Shipping label purchase for return", "fee"),
    ("other-transaction", "ShippingServicesRefund", "fee"),
    ("other-transaction", "Paid Services Fee", "fee"),
    ("FBA Inventory Storage Fee", "*", "fee"),
    ("FBA Long Term Storage Fee", "*", "fee"),
    ("FBA Inbound Placement Service Fee", "*", "fee"),
    ("FBA Amazon-Partnered Carrier Shipment Fee", "*", "fee"),
    ("FBA Removal Order: Disposal Fee", "*", "fee"),
    ("FBA Removal Order: Return Fee", "*", "fee"),
    ("FBA Customer Returns Fee", "*", "fee"),
    ("Cost of Advertising", "*", "fee"),
    ("Refund for Advertiser", "*", "fee"),
    ("CouponRedemptionFee", "*", "fee"),
    ("Coupon Participation Fee", "*", "fee"),
    ("Coupon Performance Fee", "*", "fee"),
    ("LightningDealFee", "*", "fee"),
    ("Deals", "*", "fee"),
    ("Deal fees", "*", "fee"),
    ("Vine Enrollment Fee", "*", "fee"),
    ("FBA Inventory Reimbursement", "*", "income"),
    ("MCF Inventory Reimbursement", "*", "income"),
    ("other-transaction", "SAFE-T reimbursement", "income"),
    ("other-transaction", "SAFE-TReimbursement", "income"),
    ("other-transaction", "Amazon Capital Services", "loan"),
    # Amazon charged the seller's card for a negative balance, or carries it forward
    ("other-transaction", "Successful charge", "other"),
    ("other-transaction", "Failed Charge", "other"),
    ("other-transaction", "Payable to Amazon", "other"),
]
# Amount types whose fees Amazon charges without the domestic VAT of the seller's country
# (advertising is billed by each marketplace's entity, unchanged on 2024-08-01).
NO_DOMESTIC_VAT = {"cost of advertising", "refund for advertiser"}


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
    def _amazon_table(self, company):
        """The company's mappings, created with Amazon's defaults on first use (editable).

        :returns: dict (amount type, description), lower case -> mapping
        """
        mappings = self.sudo().search([("company_id", "=", company.id)])
        if not mappings:
            mappings = self.sudo().create(
                [
                    {"company_id": company.id, "amount_type": amount_type, "description": description, "category": key}
                    for amount_type, description, key in DEFAULT_CATEGORIES
                ]
            )
        return {(m.amount_type.lower(), m.description.lower()): m for m in mappings}

    @api.model
    def _amazon_lookup(self, table, line):
        """The mapping of a line's amount type and description, else of its amount type."""
        amount_type = (line.amount_type or "").lower()
        exact = table.get((amount_type, (line.description or "").lower()))
        return exact if exact is not None else table.get((amount_type, "*"))

    @api.model
    def _categorize(self, company, lines):
        """The category of each parsed settlement line: the company's mapping of its amount
        type and description, else of its amount type (Amazon's defaults, created on demand,
        editable), else "unknown": a mismatch until someone maps it or writes it off.

        :param lines: list of ``SettlementLine``
        :returns: list of category keys, in the order of ``lines``
        """
        table = self._amazon_table(company)
        result = []
        for line in lines:
            mapping = self._amazon_lookup(table, line)
            category = mapping.category if mapping else "unknown"
            if line.transaction_type.lower() == "refund" and category in ("sales", "promotion"):
                category = "refund"
            result.append(category)
        return result

    # (code, name, account type, reconcilable) of the accounts created on demand per category
    DEFAULT_ACCOUNTS = {
        "fee": ("AMZFEE", "Amazon fees", "expense", False),
        "reserve": ("AMZRES", "Amazon reserve", "asset_current", False),
        "tax": ("AMZTAX", "Tax collected by Amazon", "liability_current", True),
        "other": ("AMZSUS", "Amazon suspense", "asset_current", True),
        "income": ("AMZOI", "Amazon reimbursements", "income_other", False),
        "loan": ("AMZLOAN", "Amazon Lending", "liability_current", True),
    }

    @api.model
    def _default_account(self, company, category):
        """The company's account of ``category`` (fees, reserve, withheld tax, other), created
        on demand; the accountant may map amount types elsewhere."""
        if category not in self.DEFAULT_ACCOUNTS:
            category = "other"
        code, name, account_type, reconcile = self.DEFAULT_ACCOUNTS[category]
        Account = self.env["account.account"].sudo().with_company(company)
        account = Account.search([("company_ids", "in", company.id), ("code", "=", code)], limit=1)
        if not account:
            account = Account.create(
                {
                    "code": code,
                    "name": name,
                    "account_type": account_type,
                    "reconcile": reconcile,
                    "company_ids": [fields.Command.set(company.ids)],
                }
            )
        return account

    @api.model
    def _accounts_for(self, company, lines):
        """The account of each payout line's amount: its mapping's, else its category's default
        (an order line without an order is Amazon's money, not a customer's: the suspense).

        :returns: dict payout line id -> account.account
        """
        table = self._amazon_table(company)
        defaults = {}
        result = {}
        for line in lines:
            mapping = self._amazon_lookup(table, line)
            account = mapping.account_id if mapping else None
            if not account:
                category = "other" if line.category in ("sales", "promotion", "refund") else line.category
                if category not in defaults:
                    defaults[category] = self._default_account(company, category)
                account = defaults[category]
            result[line.id] = account
        return result

    @api.constrains("account_id", "category")
    def _check_account(self):
        for mapping in self:
            if mapping.account_id.account_type in ("asset_receivable", "liability_payable"):
                raise UserError(
                    self.env._(
                        "Map %(type)s to an account that is not a receivable or payable: payouts settle "
                        "invoices and Amazon's bill on those themselves.",
                        type=mapping.amount_type,
                    )
                )
