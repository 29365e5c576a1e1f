"""The account's payout journals and currency conversion: the "Amazon Payments" bank journal
of each payout currency, the Currency Conversion account and its reconciliation model.
Kept apart from amazon_account.py: one concern per file."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import const


class AmazonAccount(models.Model):
    """Where the account's payouts are registered and where a currency difference lands."""

    _inherit = "amazon.account"

    # ------------------------------------------------------------------ fields

    payout_journal_id = fields.Many2one(
        "account.journal",
        string="Amazon Payments Journal",
        check_company=True,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="Bank journal where Amazon's payouts are registered, with its own intermediary account: "
        "what Amazon owes you until the deposit reaches your bank.",
    )
    payout_conversion_account_id = fields.Many2one(
        "account.account",
        string="Currency Conversion",
        check_company=True,
        domain="[('account_type', 'not in', ('asset_receivable', 'liability_payable', 'asset_cash', 'off_balance'))]",
        help="Takes the difference when Amazon pays a payout into a bank account in another currency at its own "
        "rate: what the bank received less the deposit booked at Odoo's rate. Created on demand (AMZFX).",
    )

    # ------------------------------------------------------------------ constraints

    @api.constrains("payout_journal_id")
    def _check_payout_journal(self):
        """The Amazon Payments journal stands for Amazon's balance, not the seller's bank: the
        real deposit is matched against its account from the bank journal."""
        for account in self.filtered("payout_journal_id"):
            journal = account.payout_journal_id
            statements = (
                self.env["account.bank.statement.line"].sudo().search_count([("journal_id", "=", journal.id)], limit=1)
            )
            if journal.bank_account_id or statements:
                raise ValidationError(
                    self.env._(
                        "Journal %(journal)s is a real bank account (it has a bank account number or bank "
                        "statements): Amazon's payouts need a journal of their own, the deposit is then matched "
                        "from this bank journal. Use Create next to the Amazon Payments Journal.",
                        journal=journal.display_name,
                    )
                )

    # ------------------------------------------------------------------ payout journals

    def action_create_payout_journal(self):
        """Create (or find) the company's "Amazon Payments" bank journal for the account's
        currency and use it for payouts."""
        self.ensure_one()
        self._amazon_check_group("account.group_account_manager")
        currency = self.base_marketplace_id.currency_id or self.company_id.currency_id
        self.payout_journal_id = self._amazon_payout_journal(self.company_id, currency)

    def _amazon_conversion_account(self):
        """The account's Currency Conversion account: the one chosen, else the company's
        ``AMZFX`` Amazon currency conversion (expense), created on demand and set on the
        account; with its reconciliation model.

        :returns: account.account
        """
        self.ensure_one()
        account = self.payout_conversion_account_id
        if not account:
            account = self.env["amazon.payout.mapping"]._default_account(self.company_id, "conversion")
            self.sudo().payout_conversion_account_id = account
        self._amazon_conversion_reconcile_model(account)
        return account

    def _amazon_conversion_reconcile_model(self, conversion_account):
        """The company's reconciliation model "Amazon: currency conversion" putting what
        remains of an Amazon deposit on ``conversion_account`` (100 % of the balance), created
        on demand: Odoo's bank reconciliation (where installed) proposes it for bank lines
        labelled Amazon; the payout's *Match Bank Deposit* tags its conversion line with it.

        :returns: account.reconcile.model
        """
        self.ensure_one()
        Model = self.env["account.reconcile.model"].sudo()
        company = self.company_id
        model = Model.search(
            [
                ("company_id", "=", company.id),
                ("match_label_param", "=", const.PAYOUT_BANK_LABEL),
                ("line_ids.account_id", "=", conversion_account.id),
            ],
            limit=1,
        )
        if model:
            return model
        return Model.create(
            {
                "name": self.env._("Amazon: currency conversion (%(account)s)", account=conversion_account.code),
                "company_id": company.id,
                "match_label": "contains",
                "match_label_param": const.PAYOUT_BANK_LABEL,
                "line_ids": [
                    fields.Command.create(
                        {
                            "account_id": conversion_account.id,
                            "amount_type": "percentage",
                            "amount_string": "100",
                            "label": self.env._("Amazon currency conversion"),
                        }
                    )
                ],
            }
        )

    def _amazon_payout_journal_for(self, currency):
        """Where a payout in ``currency`` is registered: the account's journal when it is in
        that currency, else the company's "Amazon Payments" journal of that currency."""
        self.ensure_one()
        journal = self.payout_journal_id
        if journal and (journal.currency_id or journal.company_id.currency_id) == currency:
            return journal
        return self._amazon_payout_journal(self.company_id, currency)

    @api.model
    def _amazon_payout_journal(self, company, currency):
        """The company's "Amazon Payments" bank journal in ``currency``, created on demand with
        its own account (Odoo creates a bank journal's account with it)."""
        Journal = self.env["account.journal"].sudo()
        foreign = currency if currency != company.currency_id else self.env["res.currency"]
        journal = Journal.search(
            [
                ("company_id", "=", company.id),
                ("type", "=", "bank"),
                ("name", "=like", "Amazon Payments%"),
                ("currency_id", "=", foreign.id or False),
            ],
            limit=1,
        )
        if journal:
            return journal
        name = "Amazon Payments" if not foreign else f"Amazon Payments {currency.name}"
        code = "AMZ"
        taken = set(Journal.search([("company_id", "=", company.id)]).mapped("code"))
        number = 1
        while code in taken:
            number += 1
            code = f"AMZ{number}"
        journal = Journal.create(
            {"name": name, "code": code, "type": "bank", "company_id": company.id, "currency_id": foreign.id or False}
        )
        journal.default_account_id.reconcile = True  # the bank's deposit line is matched against it
        return journal
