"""Anonymization of Amazon buyers: the daily scheduled action, run the way Odoo runs it."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..emulator.scenarios import make_address, make_item, make_order
from .test_order_import import ImportCase


@tagged("post_install", "-at_install")
class TestAnonymization(ImportCase):
    def setUp(self):
        super().setUp()
        self.cron = self.env.ref("amazon_sp_connector.ir_cron_anonymize_buyers")
        self.account.anonymize_after_days = 30

    def finished_order(self, name, **item):
        """Alice's order, delivered and invoiced 40 days ago: her data may go."""
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", **item)],
                buyer_name=name,
                address=make_address(name=name, line1="1 Private Lane", phone="+1 206 555 0100"),
            )
        )
        self.time_passes()
        self.sync()
        order = self.sale_order(amazon_order)
        self.validate(order.picking_ids)
        order._create_invoices().action_post()
        order.date_order = fields.Datetime.now() - timedelta(days=45)
        order.order_line.move_ids.date = fields.Datetime.now() - timedelta(days=40)
        return order

    def run_scheduled_action(self):
        """The daily job, as a cron worker runs it: Odoo calls the action again and again
        while it reports work remaining (ir.cron._run_job). :returns: the number of calls"""
        Progress = self.env["ir.cron.progress"]
        before = Progress.search_count([("cron_id", "=", self.cron.id)])
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()
        return Progress.search_count([("cron_id", "=", self.cron.id)]) - before

    def test_daily_job_gets_past_buyers_with_open_orders_and_ends(self):
        ready = self.finished_order("Alice Private")
        # 205 buyers whose orders are newer and still open: more than one batch of the job
        buyers = self.env["res.partner"].create(
            [{"name": f"Open Buyer {n}", "amazon_customer_key": f"open-buyer-{n}"} for n in range(205)]
        )
        self.env["sale.order"].create(
            [
                {
                    "partner_id": buyer.id,
                    "amazon_account_id": self.account.id,
                    "amazon_order_ref": f"111-0000000-{n:07d}",
                    "date_order": fields.Datetime.now() - timedelta(days=35),
                }
                for n, buyer in enumerate(buyers)
            ]
        )

        calls = self.run_scheduled_action()

        self.assertTrue(ready.partner_id.amazon_anonymized, "the ready buyer is anonymized")
        self.assertEqual(ready.partner_id.name, "Amazon Customer")
        self.assertFalse(buyers.filtered("amazon_anonymized"), "buyers with open orders keep their data")
        self.assertLessEqual(calls, 3, "the job walks the buyers once and ends")
        self.assertFalse(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.cron.id), ("call_at", "<=", fields.Datetime.now())]
            ),
            "nothing is left for an immediate run",
        )
        # the next day the walk starts over: nothing is ready, one call
        self.assertEqual(self.run_scheduled_action(), 1)
        self.assertFalse(buyers.filtered("amazon_anonymized"))

    def test_gift_messages_are_erased_with_the_buyer(self):
        order = self.finished_order("Alice Private", gift_message="Happy birthday Alice, love from Bob Private")
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        invoice_note = order.invoice_ids.invoice_line_ids.filtered(lambda line: line.display_type == "line_note")
        self.assertIn("love from Bob Private", note.name)
        self.assertIn("love from Bob Private", invoice_note.name, "the invoice repeats the order's notes")
        order.action_lock()  # Sales' "Lock Confirmed Sales" setting

        self.run_scheduled_action()

        self.assertTrue(order.partner_id.amazon_anonymized)
        for line in (note, invoice_note):
            self.assertNotIn("Alice", line.name)
            self.assertNotIn("Bob", line.name)
            self.assertIn("Gift message", line.name, "the line says a message was there")
        self.assertIn("MUG-BLUE", order.order_line.filtered("amazon_item_ref").name, "the goods lines stay")
