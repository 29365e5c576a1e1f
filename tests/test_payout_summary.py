"""Summary mode: the orders that need no invoice of their own are invoiced once per
settlement part and marketplace, to the marketplace's "Amazon customers"."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..emulator.scenarios import make_item, make_order
from .common import DE
from .test_payout_accounting import AccountingCase, collected_by_amazon


@tagged("post_install", "-at_install")
class TestSummaryMode(AccountingCase):
    def shipped(self, *items, marketplace_id="ATVPDKIKX0DER", seller=None, **options):
        order = make_order(
            items=list(items), marketplace_id=marketplace_id, fulfilled_by="AMAZON", status="SHIPPED", **options
        )
        return self.put(order, seller) if seller else self.put(order)

    def summary_documents(self, payout, move_type="out_invoice"):
        return payout.move_ids.filtered(lambda m: m.amazon_summary and m.move_type == move_type)

    def test_a_mixed_settlement_summary_b2c_own_invoice_b2b_and_a_refund_as_one_credit_note(self):
        self.account.invoice_mode = "summary"
        first = self.shipped(
            collected_by_amazon(make_item("MUG-BLUE", 2, "10.00", tax="1.60", shipping="5.00")), anonymous=True
        )
        second = self.shipped(collected_by_amazon(make_item("MUG-BLUE", 1, "30.00", tax="2.40")), anonymous=True)
        business = self.shipped(make_item("MUG-BLUE", 1, "12.00"), business_vat="US123", company_name="ACME")
        self.sync()
        b2c = self.sale_order(first) | self.sale_order(second)
        b2b = self.sale_order(business)
        self.assertTrue(b2b.amazon_business)
        self.assertEqual(set(b2c.mapped("invoice_status")), {"to invoice"})
        b2b_invoice = self.invoice(business)
        expected = sum(b2c.mapped("amount_total"))  # what their own invoices would have been

        payout = self.payout(
            "91919191919", [first, second, business], refunds={first["orderId"]: "10.00"}, reserve_held="5.00"
        )
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))
        payout.action_create_invoices()
        self.assertFalse(b2c.invoice_ids, "summary-mode orders are not invoiced one by one")
        payout.action_register()
        self.assertEqual(payout.state, "registered")

        summary = self.summary_documents(payout)
        self.assertEqual(len(summary), 1)
        self.assertEqual(summary.state, "posted")
        self.assertEqual(summary.partner_id.name, "Amazon customers (Amazon.com)")
        self.assertFalse(summary.partner_id.email)
        self.assertEqual(summary.partner_id.company_id, self.company)
        self.assertFalse(summary.amazon_order_ref, "never uploaded to Amazon as a buyer's invoice")
        self.assertFalse(summary.amazon_upload_state)
        self.assertAlmostEqual(summary.amount_total, expected, msg="the sum of the orders' own invoices")
        collected = self.collected_account()
        self.assertAlmostEqual(self.balance(collected, summary), -4.00, msg="Amazon's tax, as on own invoices")
        mug = summary.invoice_line_ids.filtered(lambda x: x.product_id == self.mug)
        self.assertEqual(len(mug), 1, "one line per product and tax")
        self.assertEqual(mug.quantity, 3)
        self.assertEqual(mug.sale_line_ids.order_id, b2c)
        self.assertEqual(summary.invoice_date, payout.deposit_date)

        self.assertEqual(self.sale_order(second).invoice_status, "invoiced")
        line = self.sale_order(second).order_line.filtered(lambda x: x.product_id == self.mug)
        self.assertEqual(line.qty_invoiced, 1, "the order's own quantity, not the summary line's 3")
        self.assertAlmostEqual(line.amount_invoiced, line.price_total)
        self.assertEqual(b2b.invoice_ids, b2b_invoice, "the B2B order keeps its own invoice")
        self.assertEqual(b2b_invoice.payment_state, "paid")
        self.assertEqual(summary.payment_state, "paid")

        [note] = self.summary_documents(payout, "out_refund")
        self.assertEqual(note.partner_id, summary.partner_id)
        self.assertAlmostEqual(note.amount_total, 10.00)
        self.assertEqual(note.invoice_line_ids.sale_line_ids.order_id, self.sale_order(first))
        self.assertEqual(note.amount_residual, 0.0)
        refunded = self.sale_order(first).order_line.filtered(lambda x: x.product_id == self.mug)
        self.assertEqual(refunded.qty_invoiced, 1, "2 invoiced, 1 credited, as a credit note of its own does")
        self.assertAlmostEqual(self.balance(collected, summary | payout.move_ids), 0.0, msg="Amazon remitted it")
        deposit = payout.journal_id.default_account_id
        self.assertAlmostEqual(self.balance(deposit, payout.move_ids), payout.total_amount)

    def test_the_summary_invoice_carries_the_vat_of_the_per_order_invoices_to_the_cent(self):
        self.mug.taxes_id = self.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        account = self.eu_account()
        orders = [
            self.shipped(make_item("MUG-BLUE", 1, price), marketplace_id=DE[0], seller="A2EUSELLER")
            for price in ("11.90", "9.99", "4.99", "7.77")
        ]
        orders.append(self.shipped(make_item("MUG-BLUE", 3, "3.33"), marketplace_id=DE[0], seller="A2EUSELLER"))
        self.sync(account)
        sale_orders = self.env["sale.order"].browse([self.sale_order(o, account).id for o in orders])
        own = sale_orders._create_invoices()  # what invoicing each order gives, then undone
        total, tax = sum(own.mapped("amount_total")), sum(own.mapped("amount_tax"))
        own.unlink()
        account.invoice_mode = "summary"
        payout = self.payout("92929292929", orders, account, "A2EUSELLER")
        payout.action_register()
        summary = self.summary_documents(payout)
        self.assertEqual(summary.partner_id.name, "Amazon customers (Amazon.de)")
        self.assertAlmostEqual(summary.amount_total, total)
        self.assertAlmostEqual(summary.amount_tax, tax, msg="the VAT of the orders' own invoices, to the cent")
        self.assertEqual(summary.payment_state, "paid")

    def test_reset_reverses_the_summary_invoice_and_the_orders_are_to_invoice_again(self):
        self.account.invoice_mode = "summary"
        _fbm, fba = self.import_orders()
        order = self.sale_order(fba)
        payout = self.payout("93939393939", [fba])
        payout.action_register()
        summary = self.summary_documents(payout)
        self.assertEqual(order.invoice_status, "invoiced")

        payout.action_reset()
        self.assertEqual(summary.payment_state, "reversed")
        self.assertEqual(order.invoice_status, "to invoice", "the summary's reversal gives the quantities back")
        self.assertEqual(order.order_line.filtered("product_id")[:1].qty_invoiced, 0)
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))

        payout.action_register()
        again = self.summary_documents(payout)
        self.assertNotEqual(again, summary)
        self.assertEqual((again.payment_state, order.invoice_status), ("paid", "invoiced"))

    def test_a_marketplace_keeps_per_order_invoices_and_a_vat_invoice_asked_keeps_its_own(self):
        self.account.invoice_mode = "summary"
        _fbm, fba = self.import_orders()
        setting = self.account._amazon_setting(self.marketplace_us)
        setting.invoice_mode = "order"
        payout = self.payout("94949494949", [fba])
        self.assertEqual(payout.mismatch_ids.mapped("kind"), ["no_invoice"], "this marketplace invoices each order")

        setting.invoice_mode = False  # the account's: summary
        self.sale_order(fba).amazon_buyer_vat = "US999"
        payout.action_check()
        self.assertEqual(payout.mismatch_ids.mapped("kind"), ["no_invoice"], "the buyer asked for a VAT invoice")
        self.sale_order(fba).amazon_buyer_vat = False
        payout.action_check()
        self.assertFalse(payout.mismatch_ids, "invoiced by the summary when registered")

    def test_only_accounting_managers_change_the_invoicing_mode(self):
        sales_admin = new_test_user(self.env, "amz_sales_admin", groups="sales_team.group_sale_manager")
        with self.assertRaises(AccessError):
            self.account.with_user(sales_admin).invoice_mode = "summary"
        accountant = new_test_user(
            self.env, "amz_chief_accountant", groups="account.group_account_manager,sales_team.group_sale_salesman"
        )
        self.account.with_user(accountant).invoice_mode = "summary"
        setting = self.account.marketplace_setting_ids[:1]
        setting.with_user(accountant).invoice_mode = "order"
        self.assertEqual((self.account.invoice_mode, setting.invoice_mode), ("summary", "order"))
        with self.assertRaises(AccessError):
            setting.with_user(sales_admin).invoice_mode = False
        # nor by creating a marketplace's settings with a mode (an accountant's review)
        marketplace = self.env["amazon.marketplace"].search(
            [("id", "not in", self.account.marketplace_ids.ids)], limit=1
        )
        with self.assertRaises(AccessError):
            self.env["amazon.marketplace.setting"].with_user(sales_admin).create(
                {"account_id": self.account.id, "marketplace_id": marketplace.id, "invoice_mode": "summary"}
            )

    def test_a_reset_after_a_summary_credit_note_registers_again_by_summary(self):
        """Reset reverses the summary credit note into an invoice: that reversal is not the
        order's own invoice, the order stays invoiced by summary (an accountant's review)."""
        self.account.invoice_mode = "summary"
        amazon_order = self.shipped(make_item("MUG-BLUE", 2, "10.00"), anonymous=True)
        self.sync()
        order = self.sale_order(amazon_order)
        payout = self.payout("96969696969", [amazon_order], refunds={amazon_order["orderId"]: "10.00"})
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))
        payout.action_register()
        note = self.summary_documents(payout, "out_refund")
        self.assertTrue(note)

        payout.action_reset()
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))
        self.assertEqual(order._amazon_summary_orders(), order)
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        again = self.summary_documents(payout, "out_refund").filtered(lambda m: m.state == "posted") - note
        self.assertTrue(again, "the refund is credited again by a new summary credit note")
