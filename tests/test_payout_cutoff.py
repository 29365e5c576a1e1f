"""Month-end cut-off: a settlement crossing a month end is booked in one part per month, each
dated its last day, the balance rolling through the Amazon Payments account."""

from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_date

from ..emulator.scenarios import make_item, make_order
from .common import CA
from .test_payout_accounting import AccountingCase


@tagged("post_install", "-at_install")
class TestMonthEndCutoff(AccountingCase):
    def setUp(self):
        super().setUp()
        self.company.amazon_payout_month_cutoff = True
        # a settlement of the month before last: 6 days before its end, 8 days after
        first = fields.Date.context_today(self.env["amazon.payout"]).replace(day=1)
        self.month_end = (first - timedelta(days=1)).replace(day=1) - timedelta(days=1)
        self.start = datetime.combine(self.month_end - timedelta(days=6), time(8))
        self.end = datetime.combine(self.month_end + timedelta(days=8), time(6))

    def settle(self, settlement_ref="77007700770"):
        """Sales on both sides of the month end: the FBM order (24.99, 3.00 of commission) and a
        9.99 subscription before it; the FBA order (30.00, 7.00 of fees), 10.00 of the FBM order
        refunded (1.50 of commission given back) and a 1.90 storage fee after it.

        :returns: payout, invoices
        """
        fbm, fba = self.import_orders()
        invoices = self.invoice(fbm) | self.invoice(fba)
        payout = self.payout(
            settlement_ref,
            [fbm, fba],
            refunds={fbm["orderId"]: "10.00"},
            others=[
                ("other-transaction", "other-transaction", "Subscription Fee", "-9.99", self.start + timedelta(days=5)),
                ("other-transaction", "other-transaction", "Storage Fee", "-1.90"),
            ],
            posted={fbm["orderId"]: self.start + timedelta(days=3)},
            start=self.start,
            end=self.end,
            deposit_date=self.end + timedelta(days=2),
        )
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("kind"))
        self.assertAlmostEqual(payout.total_amount, 24.60)
        return payout, invoices

    def entries(self, payout):
        return (payout.move_ids.filtered(lambda m: m.move_type == "entry")).sorted("id")

    def bills(self, payout):
        return (payout.move_ids.filtered(lambda m: m.move_type == "in_invoice")).sorted("id")

    def open_on_deposit_account(self, payout):
        return self.env["account.move.line"].search(
            [
                ("account_id", "=", payout.journal_id.default_account_id.id),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )

    def entry_lines(self, payout):
        return sorted(
            (m.date, x.account_id.code, x.partner_id.id, round(x.balance, 2))
            for m in payout.move_ids
            for x in m.line_ids
        )

    def test_a_settlement_crossing_month_end_is_booked_in_each_month_and_the_bank_matches_the_deposit(self):
        payout, invoices = self.settle()
        payout.action_register()

        self.assertEqual(payout.state, "registered")
        entries, bills = self.entries(payout), self.bills(payout)
        self.assertEqual(entries.mapped("date"), [self.month_end, self.end.date()], "last day of October, the end")
        self.assertEqual(bills.mapped("date"), [self.month_end, self.end.date()])
        self.assertEqual(bills.mapped("invoice_date"), [self.month_end, self.end.date()])
        self.assertEqual(payout.move_ids, entries | bills)
        self.assertEqual(
            [round(b.amount_total, 2) for b in bills], [12.99, 7.40], "3.00 + 9.99; 4.50 + 2.50 - 1.50 + 1.90"
        )
        self.assertEqual(set(bills.mapped("payment_state")), {"paid"})
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})
        note = invoices.reversal_move_ids
        self.assertEqual((len(note), note.payment_state), (1, "paid"), "the refund's credit note, paid")

        deposit_account = payout.journal_id.default_account_id
        october, november = entries
        self.assertAlmostEqual(self.balance(deposit_account, october), 12.00, msg="24.99 - 12.99 carried over")
        self.assertAlmostEqual(self.balance(deposit_account, november), 24.60 - 12.00, msg="carry taken back")
        receivable = invoices[:1].line_ids.filtered(lambda x: x.account_type == "asset_receivable").account_id
        self.assertAlmostEqual(self.balance(receivable, october), -24.99, msg="the FBM order, sold in October")
        self.assertAlmostEqual(self.balance(receivable, november), -30.00 + 10.00, msg="FBA sale, FBM refund")

        [deposit_line] = self.open_on_deposit_account(payout)
        self.assertEqual((deposit_line.move_id, deposit_line.balance), (november, 24.60), "the only open item")
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id), ("id", "!=", payout.journal_id.id)], limit=1
        )
        statement_line = self.env["account.bank.statement.line"].create(
            {"payment_ref": "AMAZON", "journal_id": bank.id, "amount": 24.60, "date": payout.deposit_date}
        )
        _liquidity, suspense, _other = statement_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        suspense.account_id = deposit_account
        (suspense | deposit_line).reconcile()
        self.assertTrue(deposit_line.reconciled and suspense.reconciled, "the bank's deposit matches in one go")
        self.assertFalse(self.open_on_deposit_account(payout))
        self.assertIn("2 parts", payout.message_ids[:1].body)
        self.assertIn(october.name, payout.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "unmatch the bank line first"):
            payout.action_reset()

    def test_without_the_option_one_entry_at_the_deposit_date(self):
        self.company.amazon_payout_month_cutoff = False
        payout, invoices = self.settle("77007700771")
        payout.action_register()
        self.assertEqual(self.entries(payout).mapped("date"), [payout.deposit_date])
        self.assertEqual([round(b.amount_total, 2) for b in self.bills(payout)], [20.39])
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})
        self.assertEqual(self.open_on_deposit_account(payout).mapped("balance"), [24.60])

    def test_a_soft_locked_month_moves_its_part_as_odoo_moves_an_entry(self):
        payout, _invoices = self.settle("77007700772")
        self.company.fiscalyear_lock_date = self.month_end
        payout.action_register()
        october, november = self.entries(payout)
        self.assertGreater(october.date, self.month_end, "out of the locked period")
        self.assertEqual(november.date, self.end.date())
        self.assertEqual(len(self.open_on_deposit_account(payout)), 1)

    def test_a_purchase_lock_moves_the_whole_part_its_entry_with_its_fee_bill(self):
        """Only purchases are locked for October: the October fee bill would post in November
        while its entry stayed in October; the part moves as one (an accountant's review)."""
        payout, _invoices = self.settle("77007700774")
        self.company.purchase_lock_date = self.month_end
        payout.action_register()
        october, _november = self.entries(payout)
        first_bill = self.bills(payout)[:1]  # the October part's, made first
        self.assertGreater(october.date, self.month_end)
        self.assertEqual(first_bill.date, october.date, "the part's fee bill and entry share their date")

    def test_a_hard_locked_month_refuses_the_registration_and_books_nothing(self):
        payout, invoices = self.settle("77007700773")
        moves_before = self.env["account.move"].search_count([])
        self.company.hard_lock_date = self.month_end
        message = f"part 1 of 2 is dated {format_date(self.env, self.month_end)}"
        with self.assertRaisesRegex(UserError, message):
            payout.action_register()
        self.assertEqual(payout.state, "imported")
        self.assertFalse(payout.move_ids)
        self.assertFalse(invoices.reversal_move_ids, "no credit note either")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_reset_reverses_every_part_and_registering_again_gives_the_same(self):
        payout, invoices = self.settle("77007700774")
        payout.action_register()
        first = payout.move_ids
        lines = self.entry_lines(payout)
        self.assertEqual(len(first), 4)

        payout.action_reset()
        self.assertEqual(payout.state, "imported")
        self.assertFalse(payout.move_ids)
        self.assertEqual(len(first.reversal_move_ids), 4, "both entries and both bills reversed by Odoo")
        self.assertAlmostEqual(sum(invoices.mapped("amount_residual")), 24.99 - 10.0 + 30.0, msg="open again")

        payout.action_register()
        self.assertEqual(self.entry_lines(payout), lines, "the same parts again")
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})
        self.assertEqual(len(self.open_on_deposit_account(payout)), 1)

    def test_a_settlement_within_one_month_is_one_part_at_the_deposit_date(self):
        payout, _invoices = self.settle("77007700775")
        self.assertEqual(
            [(p["date"], p["end"]) for p in payout._amazon_periods()],
            [(self.month_end, datetime.combine(self.month_end + timedelta(days=1), time())), (self.end.date(), False)],
        )
        payout.period_end = datetime.combine(self.month_end, time(20))
        self.assertEqual([(p["date"], p["end"]) for p in payout._amazon_periods()], [(payout.deposit_date, False)])

    def test_a_payout_in_another_currency_carries_at_each_parts_rate_and_resets(self):
        cad = self.env.ref("base.CAD")
        cad.active = True
        for day, rate in ((self.month_end, 1.25), (self.end.date(), 1.20)):
            self.env["res.currency.rate"].create(
                {"currency_id": cad.id, "name": day, "rate": rate, "company_id": self.company.id}
            )
        account = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon CA",
                base_marketplace_id=self.marketplace_ca.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        early, late = (
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE", 1, price)],
                    marketplace_id=CA[0],
                    fulfilled_by="AMAZON",
                    status="SHIPPED",
                    anonymous=True,
                )
            )
            for price in ("50.00", "40.00")
        )
        self.sync(account)
        invoices = (self.sale_order(early, account) | self.sale_order(late, account))._create_invoices()
        invoices.action_post()
        payout = self.payout(
            "77007700776",
            [early, late],
            account=account,
            posted={early["orderId"]: self.start + timedelta(days=2)},
            start=self.start,
            end=self.end,
            deposit_date=self.end + timedelta(days=2),
        )
        self.assertEqual((payout.currency_id, payout.state), (cad, "imported"), payout.mismatch_ids.mapped("kind"))
        payout.action_register()
        october, november = self.entries(payout)
        self.assertEqual((october.date, november.date), (self.month_end, self.end.date()))
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})
        carry = october.line_ids.filtered(lambda x: x.account_id == payout.journal_id.default_account_id)
        self.assertTrue(carry.reconciled, "taken back by the November part")
        self.assertTrue(carry.matched_credit_ids.exchange_move_id, "at November's rate: Odoo's exchange difference")
        [deposit] = self.open_on_deposit_account(payout)
        self.assertEqual(deposit.move_id, november)
        self.assertAlmostEqual(deposit.amount_currency, payout.total_amount)
        self.assertAlmostEqual(deposit.balance, self.company.currency_id.round(payout.total_amount / 1.20))

        payout.action_reset()
        self.assertEqual(payout.state, "imported")
        self.assertAlmostEqual(sum(invoices.mapped("amount_residual")), 90.0, msg="open again")
        payout.action_register()
        self.assertEqual(len(self.open_on_deposit_account(payout)), 1)
