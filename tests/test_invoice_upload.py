"""Invoices flow: Odoo's invoices and credit notes of EU/UK Amazon orders uploaded to Amazon
(UPLOAD_VAT_INVOICE), paced by createFeed's quota; Amazon's VAT invoice data report read
onto the orders of sellers on Amazon's VAT Calculation Service."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from ..emulator.feeds import vat_invoice_data_document
from ..emulator.scenarios import make_address, make_item, make_order
from ..spapi import BUCKETS
from .common import CLIENT_ID, CLIENT_SECRET, DE, UK
from .test_order_import import ImportCase

EU_SELLER = "A2EUSELLER"


@tagged("post_install", "-at_install")
class TestInvoiceUpload(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vat = cls.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        products = cls.mug | cls.env.ref("amazon_sp_connector.product_amazon_shipping") | cls.default_product
        products.taxes_id = cls.vat

    def setUp(self):
        super().setUp()
        self.emulator.add_seller(EU_SELLER, CLIENT_ID, CLIENT_SECRET, "Atzr|eu-refresh", [DE, UK])
        self.eu = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon DE",
                seller_id=EU_SELLER,
                refresh_token="Atzr|eu-refresh",
                base_marketplace_id=self.marketplace_de.id,
                marketplace_ids=[Command.set(self.marketplace_de.ids)],
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        self.eu.user_id.email = "amazon-desk@example.com"
        self.setting = self.eu.marketplace_setting_ids.filtered(lambda s: s.marketplace_id == self.marketplace_de)
        self.setting.upload_invoices = True

    # ------------------------------------------------------------------ helpers

    def eu_order(self, price="19.99", business=False):
        amazon_order = make_order(
            items=[make_item("MUG-BLUE", 1, price, shipping="4.99")],
            marketplace_id=DE[0],
            address=make_address("Konrad Zuse", "Hauptstr. 1", "Berlin", "10115", "DE", None),
            programs=["AMAZON_BUSINESS"] if business else [],
        )
        return self.put(amazon_order, seller=EU_SELLER)

    def invoice(self, amazon_order, post=True):
        invoice = self.sale_order(amazon_order, self.eu)._create_invoices()
        if post:
            invoice.action_post()
        return invoice

    def run_invoices(self, times=1):
        runs = [self.run_flow("invoices", self.eu, budget=300) for _time in range(times)]
        return runs[-1]

    def uploaded(self):
        return self.emulator.seller(EU_SELLER).invoices

    def create_feed_calls(self):
        return self.emulator.calls("createFeed")

    def failure_mails(self):
        return self.env["mail.mail"].search([("subject", "ilike", "not uploaded"), ("model", "=", "amazon.account")])

    # ------------------------------------------------------------------ scenarios

    def test_a_posted_invoice_is_uploaded_once_with_its_pdf_and_amounts(self):
        amazon_order = self.eu_order()
        self.sync(self.eu)
        invoice = self.invoice(amazon_order)
        self.assertEqual(invoice.amazon_upload_state, "to_upload")
        self.assertEqual(self.sale_order(amazon_order, self.eu).amount_total, 24.98)
        self.run_invoices(3)  # send, Amazon processes, its report is read
        self.assertEqual(invoice.amazon_upload_state, "uploaded", invoice.amazon_upload_error)
        [document] = self.uploaded()
        self.assertEqual(
            (document["order_id"], document["number"], document["type"], document["total"], document["vat"]),
            (amazon_order["orderId"], invoice.name, "Invoice", "24.98", f"{invoice.amount_tax:.2f}"),
        )
        self.assertTrue(document["pdf"].startswith(b"%PDF-"), "Odoo's own invoice PDF")
        self.assertEqual(self.create_feed_calls()[0]["body"]["marketplaceIds"], [DE[0]])
        # posted again unchanged (reset to draft and back): Amazon has it already
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(invoice.amazon_upload_state, "uploaded")
        self.run_invoices(2)
        self.assertEqual(len(self.create_feed_calls()), 1, "uploaded once")
        self.assertEqual(self.status("invoices", self.eu).state, "ok")

    def test_a_credit_note_goes_as_a_credit_note_with_the_refund_transaction(self):
        amazon_order = self.eu_order()
        self.sync(self.eu)
        invoice = self.invoice(amazon_order)
        self.run_invoices(3)
        note = invoice._reverse_moves()
        note.amazon_transaction_ref = "amzn:crow:refund-1"
        note.action_post()
        self.assertEqual(note.amazon_upload_state, "to_upload")
        self.run_invoices(3)
        self.assertEqual(note.amazon_upload_state, "uploaded", note.amazon_upload_error)
        credit = self.uploaded()[-1]
        self.assertEqual(
            (credit["type"], credit["number"], credit["total"], credit["transaction_id"]),
            ("CreditNote", note.name, "24.98", "amzn:crow:refund-1"),
        )

    def test_a_refused_invoice_is_tagged_mailed_once_and_waits_until_it_changes(self):
        amazon_order = self.eu_order()
        self.sync(self.eu)
        invoice = self.invoice(amazon_order, post=False)
        invoice.invoice_line_ids = [Command.create({"name": "Extra", "quantity": 1, "price_unit": 5.0})]
        invoice.action_post()
        self.run_invoices(3)
        self.assertEqual(invoice.amazon_upload_state, "error")
        self.assertIn("does not match Amazon's total", invoice.amazon_upload_error)
        self.assertIn(invoice, self.env["account.move"].search([("amazon_upload_state", "=", "error")]))
        self.assertEqual(len(self.failure_mails()), 1, "told once")
        self.assertIn(invoice.name, self.failure_mails().body_html)
        self.assertEqual(self.status("invoices", self.eu).records, "Refused by Amazon: 1")
        # nothing changed: not sent again, not mailed again
        self.run_invoices(2)
        invoice.button_draft()
        invoice.action_post()
        self.run_invoices(2)
        self.assertEqual(len(self.create_feed_calls()), 1)
        self.assertEqual(len(self.failure_mails()), 1)
        # corrected: it goes again by itself, and Amazon takes it
        invoice.button_draft()
        invoice.invoice_line_ids.filtered(lambda x: x.name == "Extra").unlink()
        invoice.action_post()
        self.assertEqual(invoice.amazon_upload_state, "to_upload")
        self.run_invoices(3)
        self.assertEqual(invoice.amazon_upload_state, "uploaded", invoice.amazon_upload_error)
        self.assertEqual(len(self.create_feed_calls()), 2)

    def test_a_user_retries_a_refused_invoice(self):
        amazon_order = self.eu_order()
        self.sync(self.eu)
        self.emulator.inject("processFeed", "reject", match=amazon_order["orderId"], message="Try later.")
        invoice = self.invoice(amazon_order)
        self.run_invoices(3)
        self.assertEqual((invoice.amazon_upload_state, invoice.amazon_upload_error), ("error", "Try later. (79517)"))
        invoice.action_amazon_upload_retry()
        self.run_invoices(3)
        self.assertEqual(invoice.amazon_upload_state, "uploaded")

    def test_vcs_orders_non_eu_marketplaces_and_drafts_are_never_uploaded(self):
        vcs_order, own_order = self.eu_order(), self.eu_order("29.99")
        self.sync(self.eu)
        self.setting.vcs_report = True
        self.emulator.put_report(
            EU_SELLER,
            "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT",
            vat_invoice_data_document(
                [vcs_order, own_order],
                amazon_invoiced={vcs_order["orderId"]},
                buyer_vat={own_order["orderId"]: "DE123456789"},
                buyer_company={own_order["orderId"]: "Zuse KG"},
            ),
            marketplace_ids=[DE[0]],
        )
        self.run_invoices()
        vcs, own = self.sale_order(vcs_order, self.eu), self.sale_order(own_order, self.eu)
        self.assertRecordValues(
            vcs | own,
            [
                {
                    "amazon_vcs_invoiced": True,
                    "amazon_vcs_invoice_ref": f"INV-{vcs_order['orderId']}",
                    "amazon_buyer_vat": False,
                },
                {"amazon_vcs_invoiced": False, "amazon_vcs_invoice_ref": False, "amazon_buyer_vat": "DE123456789"},
            ],
        )
        self.assertEqual(own.amazon_buyer_company, "Zuse KG")
        self.assertTrue(self.setting.vcs_report_read)
        draft = self.invoice(own_order, post=False)
        vcs_invoice = self.invoice(vcs_order)
        self.assertFalse(vcs_invoice.amazon_upload_state, "Amazon invoices it")
        us_order = self.put(make_order(items=[make_item("MUG-BLUE", 1, "10.00")]))
        self.sync()
        us_invoice = self.sale_order(us_order)._create_invoices()
        us_invoice.action_post()
        self.assertFalse(us_invoice.amazon_upload_state, "no invoice upload in the US")
        self.run_invoices(2)
        self.assertFalse(draft.amazon_upload_state)
        self.assertEqual(self.create_feed_calls(), [])
        # the report is read twice a day, not at every run
        self.assertEqual(len(self.emulator.calls("getReports")), 1)

    def test_twenty_invoices_posted_at_once_are_paced_into_feeds_without_a_429(self):
        self.emulator.set_plan("createFeed", 0.0083, 15)  # Amazon's plan
        orders = [self.eu_order() for _number in range(18)] + [self.eu_order(business=True) for _number in range(2)]
        self.sync(self.eu)
        invoices = self.env["account.move"]
        for amazon_order in orders:
            invoices |= self.invoice(amazon_order, post=False)
        invoices.action_post()
        self.assertEqual(set(invoices.mapped("amazon_upload_state")), {"to_upload"})
        run = self.run_invoices()
        self.assertEqual(run.stats["sent"], 15, "the burst")
        self.assertEqual(len(self.emulator.calls("createFeedDocument")), 15, "no document made for nothing")
        self.assertTrue(run.retry_at, "the engine runs the flow again once createFeed's quota refills")
        self.assertGreater(run.retry_at, fields.Datetime.now() + timedelta(seconds=100))
        self.assertEqual(self.status("invoices", self.eu).state, "waiting")
        business = invoices.filtered("amazon_upload_business")
        self.assertEqual(len(business), 2)
        self.assertEqual(set(business.mapped("amazon_upload_state")), {"sent"}, "Amazon Business orders first")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("amazon_sp_connector.ir_cron_sync_invoices").id)], order="call_at desc"
        )[:1]
        self.assertGreaterEqual(trigger.call_at, run.retry_at - timedelta(seconds=1))
        # ... the quota refilled (the emulator's and ours)
        self.emulator.set_plan("createFeed", 20.0, 15)
        BUCKETS.clear()
        self.run_invoices(4)
        self.assertEqual(set(invoices.mapped("amazon_upload_state")), {"uploaded"})
        self.assertEqual(len(self.uploaded()), 20)
        self.assertEqual([r for r in self.emulator.requests if r.get("status") == 429], [], "never a 429")
