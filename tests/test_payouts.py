"""Amazon payouts: settlement reports imported as payouts, once, with every line."""

import base64
import copy
import gzip
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg2

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..emulator.scenarios import make_item, make_order
from ..emulator.settlements import gzip_bomb
from ..spapi import AmazonDocumentError
from ..spapi.settlement import parse_amount, parse_date, parse_settlement
from .common import CA, SELLER_ID
from .test_order_import import ImportCase


class PayoutCase(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.user_id.email = "amazon-desk@example.com"

    def import_orders(self):
        fbm = self.put(make_order(items=[make_item("MUG-BLUE", 2, "10.00", shipping="4.99")], anonymous=True))
        fba = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 1, "30.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
            )
        )
        self.sync()
        return fbm, fba

    def settle_with_refund_and_reserve(self, settlement_ref, fbm, fba):
        """Amazon settles both orders, refunds 10.00 of the FBM one, holds 5.00 of reserve
        and releases 3.00. :returns: the deposit (Decimal)"""
        _report, total = self.emulator.put_settlement(
            SELLER_ID,
            settlement_ref,
            [fbm["orderId"], fba["orderId"]],
            refunds={fbm["orderId"]: "10.00"},
            reserve_held="5.00",
            reserve_released="3.00",
        )
        return total

    def payouts(self, account=None):
        return self.env["amazon.payout"].search([("account_id", "=", (account or self.account).id)])


@tagged("post_install", "-at_install")
class TestPayoutImport(PayoutCase):
    def test_a_settlement_of_orders_refund_fees_and_reserve_imports_once(self):
        fbm, fba = self.import_orders()
        total = self.settle_with_refund_and_reserve("11223344556", fbm, fba)
        run = self.run_flow("payouts")
        self.assertEqual(run.stats["imported"], 1, run)
        payout = self.payouts()
        self.assertEqual(payout.settlement_ref, "11223344556")
        self.assertEqual(payout.currency_id.name, "USD")
        self.assertAlmostEqual(payout.total_amount, float(total))
        self.assertEqual(payout.state, "mismatch", "nothing is invoiced yet")
        self.assertEqual(
            sorted(payout.mismatch_ids.mapped(lambda m: (m.kind, m.order_ref, m.amazon_amount))),
            sorted(
                [
                    ("no_invoice", fbm["orderId"], 24.99),
                    ("no_invoice", fbm["orderId"], -10.0),
                    ("no_invoice", fba["orderId"], 30.0),
                ]
            ),
        )
        self.assertTrue(payout.deposit_date and payout.period_start < payout.period_end)
        # 24.99 + 30.00 of sales, 3.00 + 4.50 + 2.50 of fees, -10.00 + 1.50 refunded, -2.00 of reserve
        self.assertAlmostEqual(payout.sales_amount, 54.99)
        self.assertAlmostEqual(payout.fee_amount, -8.50)
        self.assertAlmostEqual(payout.refund_amount, -10.00)
        self.assertAlmostEqual(payout.reserve_amount, -2.00)
        self.assertAlmostEqual(payout.lines_total, payout.total_amount)
        orders = self.sale_order(fbm) | self.sale_order(fba)
        self.assertEqual(payout.line_ids.filtered("order_ref").sale_order_id, orders)
        refund = payout.line_ids.filtered(lambda x: x.transaction_type == "Refund" and x.amount_type == "ItemFees")
        self.assertEqual(refund.category, "fee", "a commission given back lowers the fees")
        self.assertEqual(payout.document_name, "settlement-11223344556.tsv.gz")
        document = gzip.decompress(base64.b64decode(payout.document))
        self.assertEqual(parse_settlement(document).settlement_ref, "11223344556", "the raw report is kept")
        self.assertEqual(self.account.payout_count, 1)
        mapping = self.env["amazon.payout.mapping"].search([("company_id", "=", self.company.id)])
        self.assertLessEqual({"sales", "fee", "reserve", "other"}, set(mapping.mapped("category")), "editable defaults")

        downloads = len(self.emulator.calls("getReportDocument"))
        self.run_flow("payouts")
        self.assertEqual(len(self.payouts()), 1, "a second sync changes nothing")
        self.assertEqual(len(self.emulator.calls("getReportDocument")), downloads, "nor downloads it again")

    def test_an_order_amazon_paid_that_odoo_does_not_have_is_a_mismatch(self):
        fbm, _fba = self.import_orders()
        stranger = make_order(items=[make_item("MUG-BLUE", 1, "12.00")], anonymous=True)
        self.emulator.put_settlement(SELLER_ID, "22334455667", [fbm, stranger], compress=False)
        self.run_flow("payouts")
        payout = self.payouts()
        self.assertEqual(payout.state, "mismatch")
        self.assertEqual(payout.unknown_order_count, 2, "its price and its commission")
        self.assertEqual(
            set(payout.line_ids.filtered(lambda x: not x.sale_order_id).mapped("order_ref")), {stranger["orderId"]}
        )

    def test_a_report_that_cannot_be_read_is_told_once_and_the_others_import(self):
        fbm, _fba = self.import_orders()
        self.emulator.put_report(SELLER_ID, "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", b"<html>oops</html>")
        self.emulator.put_settlement(SELLER_ID, "33445566778", [fbm])
        run = self.run_flow("payouts")
        self.assertEqual((run.stats["imported"], run.stats["failed"]), (1, 1))
        self.assertEqual(self.payouts().settlement_ref, "33445566778")
        mails = self.env["mail.mail"].search([("subject", "ilike", "settlement report(s) not imported")])
        self.assertEqual(len(mails), 1)
        self.assertIn("columns missing", mails.body_html)
        self.run_flow("payouts")
        self.assertEqual(
            self.env["mail.mail"].search_count([("subject", "ilike", "settlement report(s) not imported")]), 1
        )
        status = self.status("payouts")
        self.assertEqual(status.state, "ok", "a bad report is the report's problem, not the flow's")

    def test_a_report_of_a_marketplace_the_account_does_not_sync_is_left_alone(self):
        self.emulator.add_seller(SELLER_ID, "cid", "secret", "Atzr|ca-only-token", [CA])
        self.emulator.sellers.pop("Atzr|ca-only-token")
        seller = self.emulator.seller(SELLER_ID)
        report_id = self.emulator.put_report(SELLER_ID, "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", b"x")
        next(r for r in seller.reports if r["reportId"] == report_id)["marketplaceIds"] = [CA[0]]
        run = self.run_flow("payouts")
        self.assertFalse(run.stats["failed"] or run.stats["imported"])
        self.assertFalse(self.emulator.calls("getReportDocument"))

    def test_the_sync_button_needs_an_accountant_and_the_journal_is_created_on_demand(self):
        self.account.action_create_payout_journal()
        journal = self.account.payout_journal_id
        self.assertEqual((journal.type, journal.name, journal.company_id), ("bank", "Amazon Payments", self.company))
        self.assertTrue(journal.default_account_id, "its own intermediary account")
        self.assertTrue(journal.default_account_id.reconcile, "matched by the bank's deposit line")
        bank = self.env["account.journal"].create(
            {"name": "Real Bank", "code": "RBK", "type": "bank", "company_id": self.company.id}
        )
        self.env["account.bank.statement.line"].create({"journal_id": bank.id, "payment_ref": "x", "amount": 1.0})
        with self.assertRaisesRegex(ValidationError, "real bank account"):
            self.account.payout_journal_id = bank
        other = self.env["amazon.account"].create(
            self.account_values(name="CA", base_marketplace_id=self.marketplace_ca.id, seller_id="A9OTHER")
        )
        other.action_create_payout_journal()
        self.assertNotEqual(other.payout_journal_id, journal, "one journal per payout currency")
        self.assertEqual(other.payout_journal_id.currency_id.name, "CAD")
        other.action_create_payout_journal()
        self.assertEqual(len(self.env["account.journal"].search([("name", "like", "Amazon Payments")])), 2)


@tagged("post_install", "-at_install")
class TestBadSettlementReports(PayoutCase):
    """A report Amazon got wrong (or cannot serve) is that report's problem: the others
    import, the listing moves on, the accountant sees it and may try it again."""

    def failed_reports(self):
        return self.env["amazon.payout.report"].search([("account_id", "=", self.account.id)])

    def failure_mails(self):
        return self.env["mail.mail"].search([("subject", "ilike", "settlement report(s) not imported")])

    def document_of(self, report_id):
        seller = self.emulator.seller(SELLER_ID)
        document_id = next(r for r in seller.reports if r["reportId"] == report_id)["reportDocumentId"]
        return self.emulator.feed_documents[document_id]

    def test_a_report_with_an_out_of_range_quantity_fails_alone_and_the_newer_ones_import(self):
        fbm, fba = self.import_orders()
        now = fields.Datetime.now().replace(microsecond=0)
        bad, _total = self.emulator.put_settlement(
            SELLER_ID,
            "55000000001",
            [fbm],
            created=now - timedelta(hours=2),
            overrides={1: {"quantity-purchased": "99999999999"}},
        )
        self.emulator.put_settlement(SELLER_ID, "55000000002", [fba], created=now - timedelta(hours=1))
        run = self.run_flow("payouts")
        self.assertEqual((run.stats["imported"], run.stats["failed"]), (1, 1), run)
        self.assertEqual(self.payouts().settlement_ref, "55000000002", "the newer report is not held back")
        self.assertEqual(self.status("payouts").state, "ok", "a bad report is the report's problem")
        self.assertGreaterEqual(self.account.payout_sync_since, now - timedelta(hours=1), "the listing moved on")
        failed = self.failed_reports()
        self.assertEqual((failed.report_ref, failed.state), (bad, "failed"))
        self.assertRegex(failed.error, r"line 3.*quantity-purchased", "the row and the column")
        self.assertEqual(len(self.failure_mails()), 1)

        downloads = len(self.emulator.calls("getReportDocument"))
        run = self.run_flow("payouts")
        self.assertEqual(len(self.emulator.calls("getReportDocument")), downloads, "not downloaded by every run")
        self.assertFalse(run.stats["failed"])
        self.assertEqual(len(self.failure_mails()), 1, "told once")

    def test_a_report_amazon_serves_broken_is_retried_by_the_accountant(self):
        fbm, _fba = self.import_orders()
        report_id, _total = self.emulator.put_settlement(SELLER_ID, "55000000003", [fbm])
        document = self.document_of(report_id)
        good = document["content"]
        document["content"] = good[: len(good) // 2]  # a GZIP stream cut in the middle
        run = self.run_flow("payouts")
        self.assertEqual(run.stats["failed"], 1, run)
        self.assertEqual(self.status("payouts").state, "ok")
        self.assertFalse(self.payouts())
        accountant = new_test_user(
            self.env, "amz_books", groups="account.group_account_invoice", email="books@example.com"
        )
        failed = self.failed_reports().with_user(accountant)
        self.assertEqual(failed.report_ref, report_id, "accountants see what was not imported")
        self.assertIn("GZIP", failed.error)

        document["content"] = good  # Amazon serves it right now
        failed.action_retry()
        self.assertEqual(failed.state, "retry")
        run = self.run_flow("payouts")
        self.assertEqual(run.stats["imported"], 1, run)
        self.assertEqual(self.payouts().settlement_ref, "55000000003")
        self.assertFalse(self.failed_reports(), "imported: no longer listed")

    def test_a_report_that_expands_beyond_the_size_limit_is_refused(self):
        self.env["ir.config_parameter"].set_param("amazon_sp_connector.settlement_report_max_mb", "1")
        report_id = self.emulator.put_report(SELLER_ID, "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", b"")
        self.document_of(report_id).update(content=gzip_bomb(4 << 20), compression="GZIP")
        run = self.run_flow("payouts")
        self.assertEqual(run.stats["failed"], 1, run)
        self.assertIn("larger than 1 MB", self.failed_reports().error)

    def test_a_settlement_is_imported_once_per_seller_whatever_the_account(self):
        fbm, _fba = self.import_orders()
        self.emulator.put_settlement(SELLER_ID, "55000000004", [fbm])
        self.run_flow("payouts")
        payout = self.payouts()
        report = self.emulator.seller(SELLER_ID).reports[-1]
        report["marketplaceIds"] = [self.marketplace_us.api_ref, self.marketplace_ca.api_ref]
        twin = self.env["amazon.account"].create(
            self.account_values(name="Amazon CA", base_marketplace_id=self.marketplace_ca.id)
        )
        downloads = len(self.emulator.calls("getReportDocument"))
        run = self.run_flow("payouts", twin)
        self.assertFalse(run.stats["imported"] or run.stats["failed"])
        self.assertEqual(len(self.emulator.calls("getReportDocument")), downloads, "an imported report is not fetched")
        values = {
            "account_id": twin.id,
            "settlement_ref": payout.settlement_ref,
            "currency_id": payout.currency_id.id,
        }
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["amazon.payout"].create(values)  # what a second worker would do at the same moment

    def test_an_accountant_without_sales_rights_syncs_payouts(self):
        fbm, _fba = self.import_orders()
        self.emulator.put_settlement(SELLER_ID, "55000000005", [fbm])
        accountant = new_test_user(
            self.env, "amz_accountant", groups="account.group_account_invoice", email="accountant@example.com"
        )
        self.assertFalse(accountant.has_group("sales_team.group_sale_salesman"))
        account = self.account.with_user(accountant)
        self.emulator.inject("getReports", "reject", code="InvalidInput", message="Amazon refuses today.")
        account.action_sync_payouts()  # the flow's failure is recorded and told, whoever pressed the button
        self.assertEqual(self.status("payouts").state, "error")
        self.assertIn("Amazon refuses today", self.account.message_ids[:1].body)
        account.action_sync_payouts()
        self.assertEqual(self.payouts().settlement_ref, "55000000005")
        self.assertTrue(self.account.payout_sync_since, "the flow's cursor moved")
        self.assertEqual(self.status("payouts").state, "ok")


@tagged("post_install", "-at_install")
class TestAmazonInvoices(PayoutCase):
    def test_two_anonymous_orders_invoiced_together_give_two_invoices(self):
        _fbm, fba = self.import_orders()
        second = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 1, "30.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
            )
        )
        self.time_passes()
        self.sync()
        orders = self.sale_order(fba) | self.sale_order(second)
        self.assertEqual(len(orders.partner_invoice_id), 1, "one Amazon Customer for both")
        invoices = orders._create_invoices()
        self.assertEqual(len(invoices), 2)
        self.assertEqual(set(invoices.mapped("amazon_order_ref")), {fba["orderId"], second["orderId"]})

    def test_an_amazon_customers_invoice_is_never_emailed(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 1, "10.00")], buyer_name="Jane Doe"))
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertIn("marketplace.amazon.com", order.partner_id.email, "the buyer's relay address")
        invoice = order._create_invoices()
        invoice.action_post()
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move")
            .create({"move_id": invoice.id})
        )
        self.assertNotIn("email", wizard.sending_methods or [], "download, not email")
        self.assertIn("amazon_no_email", wizard.alerts)
        self.assertFalse(wizard.mail_partner_ids.filtered(lambda p: "marketplace.amazon" in (p.email or "")))
        wizard.sending_method_checkboxes = {"email": {"checked": True}}  # ticked anyway
        wizard.action_send_and_print()
        mails = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", invoice.id)])
        self.assertFalse(
            mails.filtered(
                lambda m: (
                    "marketplace.amazon" in (m.email_to or "")
                    or any("marketplace.amazon" in (p.email or "") for p in m.recipient_ids)
                )
            ),
            "nothing goes to the relay",
        )
        self.assertTrue(invoice.invoice_pdf_report_id, "the PDF is there to download")


@tagged("post_install", "-at_install")
class TestSettlementParser(PayoutCase):
    def test_amazons_amount_and_date_formats(self):
        self.assertEqual(parse_amount("1.234,56"), Decimal("1234.56"))
        self.assertEqual(parse_amount("1,234.56"), Decimal("1234.56"))
        self.assertEqual(parse_amount("-12,3"), Decimal("-12.3"))
        self.assertEqual(parse_amount(""), Decimal(0))
        for bad in ("abc", "NaN", "Infinity"):
            with self.assertRaises(ValueError):
                parse_amount(bad)
        self.assertEqual(parse_date("2026-11-01 08:15:42 UTC"), datetime(2026, 11, 1, 8, 15, 42))
        self.assertEqual(parse_date("01.11.2026 08:15:42 UTC"), datetime(2026, 11, 1, 8, 15, 42))
        self.assertEqual(parse_date("2026-11-01T10:15:42+02:00"), datetime(2026, 11, 1, 8, 15, 42))
        self.assertIsNone(parse_date(""))

    def test_a_document_that_is_not_a_settlement_says_why(self):
        for content, why in (
            (b"", "empty"),
            (b"a\tb\n1\t2\n", "columns missing"),
            (b"settlement-id\ttotal-amount\tcurrency\tamount-type\tamount\n1\t\tUSD\t\t\n", "line 2"),
            (b"settlement-id\ttotal-amount\tcurrency\tamount-type\tamount\n1\t5\tUSD\t\t\n2\t\t\tX\tabc\n", "line 3"),
        ):
            with self.assertRaisesRegex(AmazonDocumentError, why):
                parse_settlement(content)

    def test_numbers_out_of_range_name_their_line_and_column(self):
        head = b"settlement-id\ttotal-amount\tcurrency\tamount-type\tamount\tquantity-purchased\n1\t5\tUSD\t\t\t\n"
        for row, why in (
            (b"1\t\t\tItemPrice\t5\t99999999999\n", r"line 3, column quantity-purchased"),
            (b"1\t\t\tItemPrice\t5\tmany\n", r"line 3, column quantity-purchased"),
            (b"1\t\t\tItemPrice\t1e15\t1\n", r"line 3, column amount"),
        ):
            with self.assertRaisesRegex(AmazonDocumentError, why):
                parse_settlement(head + row)
        with self.assertRaisesRegex(AmazonDocumentError, r"line 2, column total-amount"):
            parse_settlement(head.replace(b"\t5\t", b"\t-99999999999999\t"))
        self.assertEqual(parse_settlement(head + b"1\t\t\tItemPrice\t-5\t-2\n").lines[0].quantity, -2)


@tagged("post_install", "-at_install")
class TestPayoutRegistration(PayoutCase):
    def invoice(self, amazon_order):
        invoice = self.sale_order(amazon_order)._create_invoices()
        invoice.action_post()
        return invoice

    def credit_note(self, amazon_order, amount):
        order = self.sale_order(amazon_order)
        note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": order.partner_invoice_id.id,
                "amazon_order_ref": order.amazon_order_ref,
                "currency_id": order.currency_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Refund", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        note.action_post()
        return note

    def balance(self, account, move):
        return sum(move.line_ids.filtered(lambda x: x.account_id == account).mapped("balance"))

    def test_register_pays_invoices_and_fees_and_leaves_the_deposit_for_the_bank(self):
        fbm, fba = self.import_orders()
        invoices = self.invoice(fbm) | self.invoice(fba)
        note = self.credit_note(fbm, 10.0)
        total = self.settle_with_refund_and_reserve("44556677889", fbm, fba)
        self.run_flow("payouts")
        payout = self.payouts()
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("kind"))

        payout.action_register()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertEqual([*invoices.mapped("amount_residual"), note.amount_residual], [0.0, 0.0, 0.0])
        for invoice in invoices:
            paid = invoice.line_ids.sale_line_ids.order_id.message_ids.filtered(
                lambda m, invoice=invoice: m.body == f"<p>Invoice {invoice.name} paid</p>"
            )
            self.assertEqual(len(paid), 1, "Odoo's 'Invoice paid' note is on the order, once")
        bill = payout.fee_bill_id
        self.assertEqual((bill.move_type, bill.partner_id.name), ("in_invoice", "Amazon Services LLC"))
        self.assertAlmostEqual(bill.amount_total, 8.50, msg="6.00 of commission (1.50 given back) + 2.50 FBA fee")
        self.assertEqual(len(bill.invoice_line_ids), 2, "one line per fee type")
        self.assertEqual(bill.amount_residual, 0.0, "paid from the payout")
        entry = payout.move_ids - bill
        deposit_account = payout.journal_id.default_account_id
        self.assertEqual(payout.journal_id.name, "Amazon Payments")
        self.assertAlmostEqual(self.balance(deposit_account, entry), float(total), msg="exactly the deposit")
        reserve = self.env["amazon.payout.mapping"]._default_account(self.company, "reserve")
        self.assertAlmostEqual(self.balance(reserve, entry), 2.0, msg="5.00 held, 3.00 released")

        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id), ("id", "!=", payout.journal_id.id)], limit=1
        )
        statement_line = self.env["account.bank.statement.line"].create(
            {
                "payment_ref": "AMAZON PAYMENTS EU",
                "journal_id": bank.id,
                "amount": float(total),
                "date": payout.deposit_date,
            }
        )
        _liquidity, suspense, _other = statement_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        deposit_line = entry.line_ids.filtered(lambda x: x.account_id == deposit_account)
        suspense.account_id = deposit_account
        (suspense | deposit_line).reconcile()
        self.assertTrue(deposit_line.reconciled and suspense.reconciled, "the bank's deposit matches in one go")
        with self.assertRaises(UserError):
            payout.action_register()

    def test_an_unknown_order_and_a_short_payment_are_settled_as_the_accountant_decides(self):
        fbm, fba = self.import_orders()
        self.invoice(fbm)
        fba_invoice = self.invoice(fba)
        short = copy.deepcopy(fba)
        short["orderItems"][0]["proceeds"]["breakdowns"][0]["subtotal"]["amount"] = "28.00"
        stranger = make_order(items=[make_item("MUG-BLUE", 1, "12.00")], anonymous=True)
        self.emulator.put_settlement(SELLER_ID, "55667788990", [fbm, short, stranger])
        self.run_flow("payouts")
        payout = self.payouts()
        self.assertEqual(payout.state, "mismatch")
        unknown = payout.mismatch_ids.filtered(lambda m: m.kind == "unknown_order")
        amount = payout.mismatch_ids.filtered(lambda m: m.kind == "amount")
        self.assertEqual((unknown.order_ref, unknown.amazon_amount), (stranger["orderId"], 12.0))
        self.assertEqual(
            (amount.invoice_id, amount.amazon_amount, amount.odoo_amount, amount.difference),
            (fba_invoice, 28.0, 30.0, 2.0),
        )

        unknown.decision = "write_off"
        with self.assertRaisesRegex(UserError, "write-off account"):
            payout.action_register()
        other_income = self.env["account.account"].search(
            [("company_ids", "in", self.company.id), ("account_type", "=", "income_other")], limit=1
        )
        loss = self.env["account.account"].search(
            [("company_ids", "in", self.company.id), ("account_type", "=", "expense")], limit=1
        )
        unknown.write_off_account_id = other_income
        amount.write({"decision": "write_off", "write_off_account_id": loss.id})
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(fba_invoice.amount_residual, 0.0, "the 2.00 Amazon kept is written off")
        entry = payout.move_ids - payout.fee_bill_id
        self.assertAlmostEqual(self.balance(loss, entry), 2.0)
        self.assertAlmostEqual(self.balance(other_income, entry), -12.0)

    def test_left_open_a_short_payment_stays_open_on_the_invoice(self):
        _fbm, fba = self.import_orders()
        fba_invoice = self.invoice(fba)
        short = copy.deepcopy(fba)
        short["orderItems"][0]["proceeds"]["breakdowns"][0]["subtotal"]["amount"] = "28.00"
        self.emulator.put_settlement(SELLER_ID, "66778899001", [short])
        self.run_flow("payouts")
        payout = self.payouts()
        payout.mismatch_ids.decision = "open"
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(fba_invoice.amount_residual, 2.0)
        self.assertEqual(fba_invoice.payment_state, "partial")

    def test_an_invoice_already_paid_by_hand_leaves_amazons_money_open_on_the_customer(self):
        _fbm, fba = self.import_orders()
        invoice = self.invoice(fba)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        self.assertEqual(invoice.amount_residual, 0.0)
        self.emulator.put_settlement(SELLER_ID, "12121212121", [fba])
        self.run_flow("payouts")
        payout = self.payouts()
        [mismatch] = payout.mismatch_ids
        self.assertEqual((mismatch.kind, mismatch.odoo_amount, mismatch.amazon_amount), ("amount", 0.0, 30.0))
        mismatch.decision = "open"
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        entry = payout.move_ids - payout.fee_bill_id
        customer = entry.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
        self.assertEqual((customer.balance, customer.reconciled), (-30.0, False), "an open credit, nothing lost")

    def test_a_payout_that_does_not_add_up_needs_a_write_off(self):
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        order = fba["orderId"]
        content = (
            "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
            "transaction-type\torder-id\tamount-type\tamount-description\tamount\n"
            "77889900112\t2026-11-01 00:00:00 UTC\t2026-11-14 00:00:00 UTC\t2026-11-16 00:00:00 UTC"
            "\t30.01\tUSD\t\t\t\t\t\n"
            f"77889900112\t\t\t\t\t\tOrder\t{order}\tItemPrice\tPrincipal\t30.00\n"
        ).encode()
        self.emulator.put_report(SELLER_ID, "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", content)
        self.run_flow("payouts")
        payout = self.payouts()
        [unbalanced] = payout.mismatch_ids
        self.assertEqual((unbalanced.kind, unbalanced.difference), ("unbalanced", 0.01))
        with self.assertRaisesRegex(UserError, "write the difference off"):
            payout.action_register()
        rounding = self.env["account.account"].search(
            [("company_ids", "in", self.company.id), ("account_type", "=", "income_other")], limit=1
        )
        unbalanced.write({"decision": "write_off", "write_off_account_id": rounding.id})
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        entry = payout.move_ids
        self.assertAlmostEqual(self.balance(payout.journal_id.default_account_id, entry), 30.01)

    def test_create_invoices_from_the_payout(self):
        fbm, fba = self.import_orders()
        self.emulator.put_settlement(SELLER_ID, "88990011223", [fbm, fba])
        self.run_flow("payouts")
        payout = self.payouts()
        self.assertEqual(set(payout.mismatch_ids.mapped("kind")), {"no_invoice"})
        payout.action_create_invoices()
        invoices = (self.sale_order(fbm) | self.sale_order(fba)).invoice_ids
        self.assertEqual((len(invoices), set(invoices.mapped("state"))), (2, {"posted"}))
        self.assertEqual(payout.state, "imported")
        payout.action_register()
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})

    def test_a_payout_in_another_currency_is_booked_at_the_deposit_dates_rate(self):
        cad = self.env.ref("base.CAD")
        cad.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": cad.id, "name": fields.Date.today(), "rate": 1.25, "company_id": self.company.id}
        )
        account = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon CA",
                base_marketplace_id=self.marketplace_ca.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 1, "50.00")],
                marketplace_id=CA[0],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                anonymous=True,
            )
        )
        self.sync(account)
        order = self.sale_order(amazon_order, account)
        self.assertEqual(order.currency_id, cad)
        invoice = order._create_invoices()
        invoice.action_post()
        _report, total = self.emulator.put_settlement(
            SELLER_ID,
            "99001122334",
            [amazon_order],
            deposit_date=datetime.combine(fields.Date.today(), datetime.min.time()),
        )
        self.run_flow("payouts", account)
        payout = self.payouts(account)
        self.assertEqual((payout.currency_id, payout.state), (cad, "imported"))
        payout.action_register()
        self.assertEqual(payout.journal_id.currency_id, cad, "the company's Amazon Payments journal in CAD")
        self.assertEqual(invoice.payment_state, "paid")
        deposit = (payout.move_ids - payout.fee_bill_id).line_ids.filtered(
            lambda x: x.account_id == payout.journal_id.default_account_id
        )
        self.assertAlmostEqual(deposit.amount_currency, float(total))
        self.assertAlmostEqual(deposit.balance, self.company.currency_id.round(float(total) / 1.25))
