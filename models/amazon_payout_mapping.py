from datetime import date
from decimal import Decimal

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
    # MCF fulfillment fee: Amazon's per-unit fee of a Multi-Channel Fulfillment order, under the
    # Fee name the Fulfillment Outbound API gives it (FBA orders carry the same description)
    ("ItemFees", "FBAPerUnitFulfillmentFee", "fee"),
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
# Transaction types that give a buyer money back: credited on the order's invoice.
REFUND_TRANSACTIONS = ("refund", "chargeback refund", "a-to-z guarantee refund")
# Amount types whose fees Amazon charges without the domestic VAT of the seller's country
# (advertising is billed by each marketplace's entity, unchanged on 2024-08-01).
NO_DOMESTIC_VAT = {"cost of advertising", "refund for advertiser"}
# Since 2024-08-01 Amazon EU S.a r.l. invoices selling and FBA fees from a branch in the
# seller's country of establishment, with that country's VAT (standard rate), for these nine
# countries (research note §3.1); elsewhere in the EU the fees are reverse-charged.
DOMESTIC_FEE_VAT_SINCE = date(2024, 8, 1)
DOMESTIC_FEE_VAT = {"GB": 20, "DE": 19, "FR": 20, "IT": 22, "ES": 21, "NL": 21, "PL": 23, "BE": 21, "SE": 25}
# Amazon's advertising entities of these countries (Amazon Online UK, Germany, France, Italy,
# Spain) bill the advertising of their marketplace with their VAT to sellers of their country.
ADVERTISING_DOMESTIC_VAT = {"GB": 20, "DE": 19, "FR": 20, "IT": 22, "ES": 21}
# Amazon's European fee entities are in Luxembourg: a Luxembourg seller always pays LU VAT.
LUXEMBOURG_VAT = 17
EU_COUNTRIES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip
# The Amazon entity that bills the fees (one vendor each, created on demand): (ref, name)
FEE_VENDORS = {
    "na": ("AMAZON-US", "Amazon Services LLC"),
    "CA": ("AMAZON-CA", "Amazon.com.ca ULC"),
    "eu": ("AMAZON-EU", "Amazon EU S.à r.l."),
    "eu-before": ("AMAZON-ASE", "Amazon Services Europe S.à r.l."),  # until 2024-07-31
    "GB": ("AMAZON-EU-GB", "Amazon EU S.à r.l., UK Branch"),
    "DE": ("AMAZON-EU-DE", "Amazon EU S.à r.l., Niederlassung Deutschland"),
    "FR": ("AMAZON-EU-FR", "Amazon EU S.à r.l., Succursale Française"),
    "IT": ("AMAZON-EU-IT", "Amazon EU S.à r.l., Succursale Italiana"),
    "ES": ("AMAZON-EU-ES", "Amazon EU S.à r.l., Sucursal en España"),
    "NL": ("AMAZON-EU-NL", "Amazon EU S.à r.l., Dutch Branch"),
    "PL": ("AMAZON-EU-PL", "Amazon EU S.à r.l., Polish Branch"),
    "BE": ("AMAZON-EU-BE", "Amazon EU S.à r.l., Belgian Branch"),
    "SE": ("AMAZON-EU-SE", "Amazon EU S.à r.l., Swedish Branch"),
}


class AmazonPayoutMapping(models.Model):
    """Where each of Amazon's amount types of a settlement goes, per company: its category
    (sales, fees, reserve...) and, optionally, the account it is booked on."""

    _name = "amazon.payout.mapping"
    _description = "Amazon Payout Amount Type"
    _order = "company_id, amount_type, description, marketplace_id, date_from"

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
    marketplace_id = fields.Many2one(
        "amazon.marketplace", help="Only for the payouts of this marketplace; empty: any marketplace."
    )
    date_from = fields.Date(string="From", help="Only for amounts Amazon posted since; empty: always.")
    tax_id = fields.Many2one(
        "account.tax",
        string="Fee Tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Tax of the fee on Amazon's bill (Amazon's fees include it). Empty: Amazon's usual treatment for "
        "the company's country: the domestic VAT since 2024-08-01 in UK, DE, FR, IT, ES, NL, PL, BE, SE, "
        "else the localisation's reverse charge tax in the EU, else none.",
    )
    untaxed = fields.Boolean(string="No Tax", help="Amazon's bill carries no tax for this fee.")

    _type_marketplace_date_unique = models.UniqueIndex(
        "(company_id, lower(amount_type), lower(description), COALESCE(marketplace_id, 0), "
        "COALESCE(date_from, '0001-01-01'))",
        "An amount type is mapped once per company, marketplace and date.",
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
        table = {}
        # the most specific first: a marketplace's before any, the latest start first
        for mapping in mappings.sorted(lambda m: (not m.marketplace_id, -(m.date_from or date.min).toordinal())):
            table.setdefault((mapping.amount_type.lower(), mapping.description.lower()), []).append(mapping)
        return table

    @api.model
    def _amazon_lookup(self, table, line, marketplace=None):
        """The mapping of a line's amount type and description, else of its amount type: of
        its marketplace (else any; ``False``: whatever the marketplace) and in force on the
        day Amazon posted it.

        :param line: a ``SettlementLine`` or an ``amazon.payout.line``
        """
        amount_type = (line.amount_type or "").lower()
        posted = getattr(line, "posted", None) or getattr(line, "posted_date", None)
        day = posted.date() if posted else None
        for description in ((line.description or "").lower(), "*"):
            for mapping in table.get((amount_type, description), ()):
                if marketplace is not False and mapping.marketplace_id and mapping.marketplace_id != marketplace:
                    continue
                if mapping.date_from and (not day or day < mapping.date_from):
                    continue
                return mapping
        return None

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
            mapping = self._amazon_lookup(table, line, marketplace=False)
            category = mapping.category if mapping else "unknown"
            if line.transaction_type.lower() in REFUND_TRANSACTIONS and category in ("sales", "promotion"):
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
        # not a category: Amazon's conversion of a deposit into another currency (its margin)
        "conversion": ("AMZFX", "Amazon currency conversion", "expense", False),
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
            mapping = self._amazon_lookup(table, line, line.payout_id.marketplace_id)
            account = mapping.account_id if mapping else None
            if not account:
                category = "other" if line.category in ("sales", "promotion", "refund") else line.category
                if category not in defaults:
                    defaults[category] = self._default_account(company, category)
                account = defaults[category]
            result[line.id] = account
        return result

    @api.model
    def _amazon_fee_taxes(self, company, lines):
        """The tax of each fee line on Amazon's bill: its mapping's, else Amazon's usual one
        for the company's country on the day Amazon posted it (:meth:`_amazon_usual_fee_tax`,
        :meth:`_amazon_advertising_tax`).

        :returns: dict payout line id -> (account.tax (maybe empty), whether a person chose it
            on the mapping)
        """
        table = self._amazon_table(company)
        usual = {}
        result = {}
        for line in lines:
            marketplace = line.payout_id.marketplace_id
            mapping = self._amazon_lookup(table, line, marketplace)
            if mapping and (mapping.tax_id or mapping.untaxed):
                result[line.id] = (mapping.tax_id, True)
                continue
            day = (line.posted_date or line.payout_id.period_end or fields.Datetime.now()).date()
            domestic = day >= DOMESTIC_FEE_VAT_SINCE
            key = ("advertising", marketplace.id) if (line.amount_type or "").lower() in NO_DOMESTIC_VAT else domestic
            if key not in usual:
                usual[key] = (
                    self._amazon_advertising_tax(company, marketplace)
                    if isinstance(key, tuple)
                    else self._amazon_usual_fee_tax(company, domestic)
                )
            result[line.id] = (usual[key], False)
        return result

    @api.model
    def _amazon_advertising_tax(self, company, marketplace):
        """Amazon's usual VAT on advertising (Sponsored Products...): since October 2018 the
        marketplace's own advertising entity (Amazon Online UK, Germany, France, Italy, Spain)
        bills the sellers of its country with its VAT; any other European seller self-assesses
        by reverse charge; outside Europe, none.

        :returns: account.tax (maybe empty)
        """
        code = (company.account_fiscal_country_id or company.country_id).code or ""
        if code in ADVERTISING_DOMESTIC_VAT and marketplace.country_id.code == code:
            return self._amazon_purchase_vat(company, ADVERTISING_DOMESTIC_VAT[code])
        if code in EU_COUNTRIES or code == "GB":
            return self._amazon_reverse_charge_tax(company)  # cross-border, Luxembourg included
        return self.env["account.tax"]

    @api.model
    def _amazon_purchase_vat(self, company, rate):
        """The company's domestic purchase VAT at ``rate`` for services (price-included
        preferred, never a reverse charge one).

        :returns: account.tax (maybe empty)
        """
        country = company.account_fiscal_country_id or company.country_id
        taxes = self._amazon_purchase_taxes(company).filtered(
            lambda t: (
                t.amount == rate
                and t.tax_scope != "consu"
                and t.country_id == country
                and all(r.factor_percent >= 0 for r in t.invoice_repartition_line_ids)
            )
        )
        return taxes.filtered("price_include")[:1] or taxes[:1]

    @api.model
    def _amazon_purchase_taxes(self, company):
        """The company's purchase taxes in percent, positive, in sequence order."""
        return (
            self.env["account.tax"]
            .sudo()
            .with_company(company)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "=", "percent"),
                    ("amount", ">", 0),
                ],
                order="sequence, id",
            )
        )

    @api.model
    def _amazon_tax_for_charged_vat(self, company, tax, chosen, gross, vat, rows, currency):
        """The tax of a fee on which Amazon's settlement shows the VAT it charged ("Tax on
        fee" rows): that VAT is Amazon's invoice, not an estimate.

        * ``tax`` itself when it gives that VAT on ``gross`` (within a cent per row, Amazon
          rounds each row), or when a person chose "No Tax" on the mapping (the seller cannot
          deduct it: it is part of the fee's cost);
        * else, unless a person chose ``tax`` on the mapping, the company's domestic purchase
          VAT whose rate gives it (UK VAT on fees before 2024-08-01, Canada's GST/HST, ...);
        * else ``None``: a mismatch for a person (a reverse charge on a fee Amazon taxed
          would count the VAT as expense and self-assess it once more).

        :param gross: what the settlement deducted for the fee, VAT included (Decimal)
        :param vat: the VAT of its "Tax on fee" rows (Decimal)
        :returns: account.tax (maybe empty) or None
        """

        def gives(candidate):
            if not candidate or any(r.factor_percent < 0 for r in candidate.invoice_repartition_line_ids):
                return False
            rate = Decimal(str(candidate.amount))
            computed = gross * rate / (100 + rate)
            return abs(abs(computed) - abs(vat)) <= Decimal(str(currency.rounding)) * max(rows, 1)

        if chosen and not tax:
            return tax
        if gives(tax):
            return tax
        if chosen:
            return None
        country = company.account_fiscal_country_id or company.country_id
        domestic = self._amazon_purchase_taxes(company).filtered(
            lambda t: t.tax_scope != "consu" and t.country_id == country
        )
        for candidate in domestic:  # never a foreign registration's tax: its grids are another return's
            if gives(candidate):
                return candidate
        return None

    @api.model
    def _amazon_usual_fee_tax(self, company, domestic):
        """Amazon's usual VAT on selling and FBA fees for the company's country.

        * UK, DE, FR, IT, ES, NL, PL, BE, SE since 2024-08-01 (``domestic``): the domestic
          purchase VAT at the standard rate, price-included (Amazon's fees include it: the
          bill's total is what the settlement deducted).
        * Luxembourg: the domestic VAT (Amazon's European fee entities are there).
        * Elsewhere in the EU (and the nine before): the localisation's reverse charge tax
          (a purchase tax at the standard rate that self-assesses: a negative repartition).
        * Outside the EU, or no such tax installed: none.

        :returns: account.tax (maybe empty)
        """
        country = company.account_fiscal_country_id or company.country_id
        code = country.code or ""
        if code not in EU_COUNTRIES and code != "GB":
            return self.env["account.tax"]
        candidates = self._amazon_purchase_taxes(company).filtered(lambda t: t.country_id == country)
        if (code in DOMESTIC_FEE_VAT and domestic) or code == "LU":
            rate = DOMESTIC_FEE_VAT.get(code, LUXEMBOURG_VAT)
            domestic_taxes = candidates.filtered(
                lambda t: (
                    t.amount == rate
                    and t.tax_scope != "consu"
                    and all(r.factor_percent >= 0 for r in t.invoice_repartition_line_ids)
                )
            )
            return domestic_taxes.filtered("price_include")[:1] or domestic_taxes[:1]
        return self._amazon_reverse_charge_tax(company)

    @api.model
    def _amazon_reverse_charge_tax(self, company):
        """The localisation's reverse charge purchase tax of the company's country (a tax
        with a negative repartition line), for services preferably.

        :returns: account.tax (maybe empty)
        """
        country = company.account_fiscal_country_id or company.country_id
        reverse = self._amazon_purchase_taxes(company).filtered(
            lambda t: (
                t.country_id == country
                and t.tax_scope != "consu"
                and any(r.factor_percent < 0 for r in t.invoice_repartition_line_ids)
                and any(r.factor_percent > 0 for r in t.invoice_repartition_line_ids if r.repartition_type == "tax")
            )
        )
        services = reverse.filtered(lambda t: t.tax_scope == "service" or "EU" in (t.name or ""))
        return (services or reverse)[:1]

    @api.model
    def _amazon_price_included(self, tax):
        """``tax`` as Amazon's fees carry it: included in the amount, so that the bill's total
        is what the settlement deducted, to the cent. A tax on top gets a price-included copy
        (same accounts and tax grids), made once; a self-assessed (reverse charge) tax nets to
        nothing and is kept as is."""
        if not tax or tax.price_include or any(r.factor_percent < 0 for r in tax.invoice_repartition_line_ids):
            return tax
        name = self.env._("%(tax)s (included)", tax=tax.name)
        Tax = self.env["account.tax"].sudo().with_company(tax.company_id)
        included = Tax.search(
            [
                ("company_id", "=", tax.company_id.id),
                ("type_tax_use", "=", tax.type_tax_use),
                ("name", "=", name),
                ("amount", "=", tax.amount),
            ],
            limit=1,
        )
        return included or tax.sudo().copy({"name": name, "price_include_override": "tax_included"})

    @api.model
    def _amazon_fee_vendor(self, company, marketplace, day):
        """The Amazon entity billing the fees of a payout (a vendor created on demand): in
        Europe Amazon EU S.a r.l., since 2024-08-01 its branch in the seller's country when
        it has one (Amazon Services Europe S.a r.l. before); Amazon Services LLC in the US,
        Amazon.com.ca ULC in Canada. No VAT number: take it from Amazon's fee invoice."""
        code = (company.account_fiscal_country_id or company.country_id).code or ""
        if marketplace.region == "eu" and day < DOMESTIC_FEE_VAT_SINCE:
            key = "eu-before"
        elif marketplace.region == "eu":
            key = code if code in DOMESTIC_FEE_VAT else "eu"
        elif marketplace.country_id.code == "CA":
            key = "CA"
        elif marketplace.region == "na" and marketplace.country_id.code == "US":
            key = "na"
        else:
            return self.env["res.partner"]._amazon_partner()
        ref, name = FEE_VENDORS[key]
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partner = Partner.search([("ref", "=", ref), ("is_company", "=", True)], limit=1)
        if not partner:
            partner = Partner.create({"name": name, "ref": ref, "is_company": True})
        return partner

    @api.model
    def _amazon_reclassify_collected_tax(self, company):
        """Move the tax Amazon collected off income, for the invoices posted before 19.0.1.3.0.

        Until then the company's "Amazon Tax" had no account: Odoo booked it on the income
        account of each line, while the settlement's withheld tax was booked on the clearing
        account ("Tax collected by Amazon"). Revenue is overstated by that tax and the
        clearing account keeps a debit balance. One posted entry, in the company's
        miscellaneous journal, takes the tax lines' total off each income account and puts
        it on the clearing account, so that it nets to zero with the settlements that remit
        it (past and future). Done once per company (the entry's reference says it).

        :returns: the entry (``account.move``, maybe empty when there is nothing to move)
        """
        Move = self.env["account.move"].sudo().with_company(company)
        ref = "AMAZON-TAX-RECLASSIFICATION"
        done = Move.search([("company_id", "=", company.id), ("ref", "=", ref), ("state", "=", "posted")], limit=1)
        if done:
            return done
        taxes = (
            self.env["account.tax"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id), ("name", "=", "Amazon Tax"), ("type_tax_use", "=", "sale")])
        )
        if not taxes:
            return Move
        self.env["account.move.line"].flush_model()
        self.env.cr.execute(
            """
            SELECT line.account_id, SUM(line.balance), COUNT(DISTINCT line.move_id)
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
             WHERE line.tax_line_id = ANY(%s)
               AND line.company_id = %s
               AND move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND account.account_type IN ('income', 'income_other')
          GROUP BY line.account_id
            HAVING SUM(line.balance) != 0
            """,
            (taxes.ids, company.id),
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return Move
        clearing = self._default_account(company, "tax")
        journal = (
            self.env["account.journal"]
            .sudo()
            .search([("company_id", "=", company.id), ("type", "=", "general")], order="sequence, id", limit=1)
        )
        today = fields.Date.context_today(self)
        name = self.env._("Tax collected by Amazon, booked on income before")
        lines = [
            fields.Command.create({"account_id": account_id, "balance": -balance, "name": name})
            for account_id, balance, _count in rows
        ]
        lines.append(
            fields.Command.create(
                {"account_id": clearing.id, "balance": sum(balance for _a, balance, _c in rows), "name": name}
            )
        )
        move = Move.create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": company.id,
                "date": today,
                "ref": ref,
                "line_ids": lines,
            }
        )
        move.action_post()
        move.message_post(
            body=self.env._(
                "The tax Amazon collected on %(count)s invoices and credit notes posted before was on income: "
                "moved to %(account)s, where the settlements that remit it clear it.",
                count=sum(count for _a, _b, count in rows),
                account=clearing.display_name,
            )
        )
        return move

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
