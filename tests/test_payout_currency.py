"""Payouts in another currency than the company's: a EUR company sells on Amazon.co.uk,
Amazon settles in GBP and pays the deposit into a EUR bank account at its own rate."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..emulator.scenarios import make_item, make_order
from .common import CLIENT_ID, CLIENT_SECRET, UK
from .test_payouts import PayoutCase

SELLER = "A2UKSELLER"
INVOICE_RATE = 0.80  # GBP per EUR on the invoice date: 1 GBP = 1.25 EUR
DEPOSIT_RATE = 0.8453  # GBP per EUR on the deposit date
AMAZON_RATE = 1.1702  # EUR per GBP: what Amazon's currency converter gave


@tagged("post_install", "-at_install")
class TestPayoutCurrency(PayoutCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.gbp = cls.env.ref("base.GBP")
        (cls.eur | cls.gbp).active = True
        cls.company.currency_id = cls.eur
        cls.today = fields.Date.today()
        cls.invoice_day = cls.today - timedelta(days=20)
        cls.deposit_day = cls.today - timedelta(days=5)
        Rate = cls.env["res.currency.rate"]
        Rate.search([("currency_id", "in", (cls.eur | cls.gbp).ids)]).unlink()
        for day, rate in ((cls.invoice_day, INVOICE_RATE), (cls.deposit_day, DEPOSIT_RATE)):
            Rate.create({"currency_id": cls.gbp.id, "name": day, "rate": rate, "company_id": cls.company.id})
        cls.bank = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank"), ("name", "not like", "Amazon%")], limit=1
        )

    def setUp(self):
        super().setUp()
        self.emulator.add_seller(SELLER, CLIENT_ID, CLIENT_SECRET, "Atzr|uk-refresh", [UK])
        self.uk = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon UK",
                seller_id=SELLER,
                refresh_token="Atzr|uk-refresh",
                base_marketplace_id=self.marketplace_uk.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )

    def registered_payout(self, settlement_ref="24681357900"):
        """Two FBA orders invoiced at the invoice date's rate, settled by Amazon in GBP
        (with its fees) and registered at the deposit date's rate."""
        orders = [
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE", 1, price)],
                    marketplace_id=UK[0],
                    fulfilled_by="AMAZON",
                    status="SHIPPED",
                    anonymous=True,
                ),
                seller=SELLER,
            )
            for price in ("23.33", "41.17")
        ]
        self.sync(self.uk)
        invoices = self.env["account.move"]
        for amazon_order in orders:
            order = self.sale_order(amazon_order, self.uk)
            self.assertEqual(order.currency_id, self.gbp)
            invoice = order._create_invoices()
            invoice.invoice_date = self.invoice_day
            invoice.action_post()
            invoices |= invoice
        _report, total = self.emulator.put_settlement(
            SELLER, settlement_ref, orders, deposit_date=datetime.combine(self.deposit_day, datetime.min.time())
        )
        self.run_flow("payouts", self.uk)
        payout = self.env["amazon.payout"].search([("settlement_ref", "=", settlement_ref)])
        self.assertEqual((payout.currency_id, payout.state), (self.gbp, "imported"))
        payout.action_register()
        return payout, invoices, float(total)

    def entry(self, payout):
        return payout.move_ids - payout.fee_bill_id

    def deposit_line(self, payout):
        return self.entry(payout).line_ids.filtered(lambda x: x.account_id == payout.journal_id.default_account_id)

    def bank_line(self, amount, ref, day=None):
        return self.env["account.bank.statement.line"].create(
            {"journal_id": self.bank.id, "date": day or self.today, "amount": amount, "payment_ref": ref}
        )

    def test_gbp_payout_converts_the_deposit_exactly_and_puts_the_rounding_on_its_own_line(self):
        payout, invoices, total = self.registered_payout()
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        # the invoices were at 1.25 EUR per GBP, the payout at 1/0.8453: Odoo's exchange
        # difference entry takes the difference, as for any payment in a foreign currency
        receivables = invoices.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
        partials = receivables.matched_credit_ids
        self.assertTrue(partials.exchange_move_id, "Odoo's exchange difference entry")
        self.assertEqual(set(receivables.mapped("amount_residual")), {0.0})
        entry = self.entry(payout)
        deposit = self.deposit_line(payout)
        self.assertAlmostEqual(deposit.amount_currency, total)
        self.assertEqual(deposit.balance, self.eur.round(total / DEPOSIT_RATE), "the deposit converted exactly")
        company = self.company
        exchange = company.income_currency_exchange_account_id | company.expense_currency_exchange_account_id
        rounding = entry.line_ids.filtered(lambda x: x.account_id in exchange)
        others = entry.line_ids - rounding - deposit
        expected = self.eur.round(
            -sum(self.eur.round(x.amount_currency / DEPOSIT_RATE) for x in others) - deposit.balance
        )
        self.assertNotEqual(expected, 0.0, "the scenario's lines leave a rounding")
        self.assertEqual(len(rounding), 1, "the rounding of converting line by line, on its own line")
        self.assertEqual((rounding.amount_currency, rounding.balance), (0.0, expected))
        for line in others:
            self.assertEqual(line.balance, self.eur.round(line.amount_currency / DEPOSIT_RATE), line.name)

    def test_matching_the_eur_bank_deposit_books_amazons_conversion_and_shows_its_rate(self):
        payout, _invoices, total = self.registered_payout()
        deposit = self.deposit_line(payout)
        received = self.eur.round(total * AMAZON_RATE)
        self.bank_line(received - 10, "Amazon Payments EU SARL", self.today - timedelta(days=60))  # too old
        bank_line = self.bank_line(received, f"AMAZON PAYMENTS EUROPE {payout.settlement_ref}")
        billing = new_test_user(self.env, "amazon-billing", groups="account.group_account_invoice")
        with self.assertRaisesRegex(UserError, "Only accounting managers"):
            payout.with_user(billing).action_match_bank_deposit()
        manager = new_test_user(self.env, "amazon-accountant", groups="account.group_account_manager")
        payout.with_user(manager).action_match_bank_deposit()
        self.assertTrue(bank_line.is_reconciled)
        self.assertTrue(deposit.reconciled, "the Amazon Payments account is cleared")
        self.assertEqual(payout.bank_line_id, bank_line)
        self.assertAlmostEqual(payout.amazon_rate, round(received / total, 6))
        conversion = self.uk.payout_conversion_account_id
        self.assertTrue(conversion, "created on demand")
        conversion_lines = bank_line.move_id.line_ids.filtered(lambda x: x.account_id == conversion)
        self.assertEqual(conversion_lines.balance, self.eur.round(deposit.balance - received))
        model = conversion_lines.reconcile_model_id
        self.assertEqual(model.line_ids.account_id, conversion, "the reconciliation model the addon ships")
        self.assertIn(model, self.env["account.reconcile.model"].search([("company_id", "=", self.company.id)]))
        # undone: the bank line waits again, the payout can be reset
        payout.with_user(manager).action_unmatch_bank_deposit()
        self.assertFalse(bank_line.is_reconciled or deposit.reconciled or payout.bank_line_id or payout.amazon_rate)
        self.assertFalse(bank_line.move_id.line_ids.filtered(lambda x: x.account_id == conversion))
        payout.action_reset()
        self.assertEqual(payout.state, "imported")

    def test_matching_names_the_candidates_when_the_bank_deposit_is_ambiguous_or_missing(self):
        payout, _invoices, total = self.registered_payout()
        received = self.eur.round(total * AMAZON_RATE)
        with self.assertRaisesRegex(UserError, "No bank statement line"):
            payout.action_match_bank_deposit()
        first = self.bank_line(received, "AMAZON PAYMENTS EUROPE")
        second = self.bank_line(received + 0.35, "AMAZON PAYMENTS EUROPE", self.today - timedelta(days=1))
        with self.assertRaisesRegex(UserError, "2 bank statement lines") as raised:
            payout.action_match_bank_deposit()
        self.assertIn(f"{received + 0.35:.2f}", str(raised.exception))
        self.assertFalse(first.is_reconciled or second.is_reconciled or payout.bank_line_id)
        second.payment_ref = f"AMAZON PAYMENTS EUROPE {payout.settlement_ref}"
        payout.action_match_bank_deposit()
        self.assertEqual(payout.bank_line_id, second, "the settlement id in the bank's reference decides")
        self.assertFalse(first.is_reconciled)

    def test_a_deposit_into_a_gbp_bank_account_is_matched_at_its_amount_with_odoos_exchange_difference(self):
        payout, _invoices, total = self.registered_payout()
        deposit = self.deposit_line(payout)
        self.env["res.currency.rate"].create(
            {"currency_id": self.gbp.id, "name": self.today, "rate": 0.86, "company_id": self.company.id}
        )
        self.bank = self.env["account.journal"].create(
            {"name": "Bank GBP", "code": "BGBP", "type": "bank", "currency_id": self.gbp.id}
        )
        bank_line = self.bank_line(total, "AMAZON PAYMENTS UK")
        payout.action_match_bank_deposit()
        self.assertTrue(bank_line.is_reconciled and deposit.reconciled)
        self.assertEqual((payout.bank_line_id, payout.bank_amount, payout.amazon_rate), (bank_line, total, 1.0))
        self.assertFalse(self.uk.payout_conversion_account_id, "no conversion: nothing on that account")
        self.assertTrue(deposit.matched_credit_ids.exchange_move_id, "a change of rate is Odoo's exchange difference")
