"""Orders canceled in Odoo, reported to Amazon with the order acknowledgement feed."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..emulator.feeds import check_document
from ..emulator.scenarios import make_item, make_order
from ..spapi import TOKENS
from ..spapi.feeds import Cancellation, build_cancellation_feed, parse_processing_report
from .common import SELLER_ID
from .test_order_import import ImportCase


class CancellationCase(ImportCase):
    def import_orders(self, count=1, **kwargs):
        amazon_orders = [
            self.put(make_order(items=[make_item("MUG-BLUE", 2, "10.00"), make_item("POSTER", 1, "5.00")], **kwargs))
            for _i in range(count)
        ]
        self.sync()
        return amazon_orders, [self.sale_order(a) for a in amazon_orders]

    def cancel_in_odoo(self, order, reason="NoInventory"):
        action = order.action_cancel()
        self.assertEqual(action["res_model"], "amazon.cancel.order")
        wizard = Form(self.env["amazon.cancel.order"].with_context(**action["context"]))
        wizard.reason = reason
        wizard.save().action_confirm()

    def run_until_done(self, runs=3):
        for _i in range(runs):
            self.run_flow("cancellations")

    def amazon_status(self, amazon_order):
        return self.emulator.order(SELLER_ID, amazon_order["orderId"])["fulfillment"]["fulfillmentStatus"]


@tagged("post_install", "-at_install")
class TestCancellationFeed(CancellationCase):
    def test_canceling_an_fbm_order_asks_a_reason_and_one_feed_reports_all_pending_orders(self):
        amazon_orders, orders = self.import_orders(2)
        for order in orders:
            self.cancel_in_odoo(order, "BuyerCanceled")
            self.assertEqual(order.state, "cancel")
            self.assertEqual(order.picking_ids.state, "cancel")
            self.assertEqual((order.amazon_cancel_state, order.amazon_cancel_reason), ("pending", "BuyerCanceled"))
        run = self.run_flow("cancellations")
        self.assertEqual(run.stats["sent"], 2, self.status("cancellations").last_error)
        self.assertEqual(len(self.emulator.feeds), 1, "one feed per account and run")
        [feed] = self.emulator.feeds.values()
        self.assertEqual(feed["feedType"], "POST_ORDER_ACKNOWLEDGEMENT_DATA")
        document = self.emulator.feed_documents[feed["_document"]]
        root = etree.fromstring(document["content"])
        self.assertEqual(sorted(root.xpath("//AmazonOrderID/text()")), sorted(a["orderId"] for a in amazon_orders))
        self.assertEqual(set(root.xpath("//CancelReason/text()")), {"BuyerCanceled"})
        self.assertEqual(len(root.xpath("//Item")), 4)
        self.assertTrue(document["content"].startswith(b"<?xml version='1.0' encoding='UTF-8'?>"))
        self.assertEqual([o.amazon_cancel_state for o in orders], ["sent", "sent"])

        self.run_until_done()
        self.assertEqual([o.amazon_cancel_state for o in orders], ["done", "done"])
        self.assertEqual([self.amazon_status(a) for a in amazon_orders], ["CANCELLED", "CANCELLED"])
        record = self.env["amazon.feed"].search([("account_id", "=", self.account.id)])
        self.assertTrue(record.done and record.report and "ProcessingReport" in record.report)

    def test_an_error_on_one_order_fails_only_that_order(self):
        amazon_orders, orders = self.import_orders(2)
        for order in orders:
            self.cancel_in_odoo(order)
        self.emulator.inject(
            "processFeed",
            "reject",
            match=amazon_orders[0]["orderId"],
            message="The order cannot be cancelled: it is being packed.",
        )
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "error")
        self.assertIn("being packed", orders[0].amazon_cancel_error)
        self.assertEqual(orders[1].amazon_cancel_state, "done")

    def test_an_error_that_names_no_order_fails_every_uncertain_order_until_an_import_settles_it(self):
        amazon_orders, orders = self.import_orders(2)
        for order in orders:
            self.cancel_in_odoo(order)
        self.emulator.inject("processFeed", "ambiguous", message="Internal processing error.")
        self.run_until_done()
        for order in orders:
            self.assertEqual(order.amazon_cancel_state, "error")
            self.assertIn("Uncertain", order.amazon_cancel_error)
            self.assertIn("Internal processing error.", order.amazon_cancel_error)
        # Amazon did cancel them: the next import sees CANCELLED and settles both
        self.time_passes()
        for amazon_order in amazon_orders:
            self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        self.sync()
        self.assertEqual([o.amazon_cancel_state for o in orders], ["done", "done"])

    def test_a_fatal_feed_fails_its_orders_which_can_be_retried(self):
        amazon_orders, orders = self.import_orders(1)
        self.cancel_in_odoo(orders[0])
        self.emulator.inject("processFeed", "fatal", message="The feed could not be processed.")
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "error")
        self.assertIn("FATAL", orders[0].amazon_cancel_error)
        orders[0].action_retry_amazon_cancellation()
        self.assertEqual(orders[0].amazon_cancel_state, "pending")
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "done")
        self.assertEqual(len(self.emulator.feeds), 2)
        self.assertEqual(self.amazon_status(amazon_orders[0]), "CANCELLED")

    def test_a_feed_cancelled_by_amazon_fails_its_orders(self):
        _amazon_orders, orders = self.import_orders(1)
        self.cancel_in_odoo(orders[0])
        self.emulator.inject("processFeed", "cancelled")
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "error")

    def test_amazon_down_keeps_the_cancellation_pending(self):
        _amazon_orders, orders = self.import_orders(1)
        self.cancel_in_odoo(orders[0])
        self.emulator.inject("createFeedDocument", "unavailable", times=20)
        run = self.run_flow("cancellations")
        self.assertTrue(run.error)
        self.assertEqual(orders[0].amazon_cancel_state, "pending")
        self.assertIn("could not be reached", self.status("cancellations").last_error)

    def test_credentials_refused_while_reading_a_feed_are_the_accounts_error_not_the_cancellations(self):
        _amazon_orders, orders = self.import_orders(1)
        self.cancel_in_odoo(orders[0])
        self.run_flow("cancellations")
        self.assertEqual(orders[0].amazon_cancel_state, "sent")
        TOKENS.clear()
        self.emulator.inject("lwa_token", "reject", code="invalid_grant", message="The refresh token was revoked.")
        run = self.run_flow("cancellations")
        self.assertTrue(run.error)
        self.assertIn("refused the credentials", self.status("cancellations").last_error)
        self.assertEqual(orders[0].amazon_cancel_state, "sent", "the feed's result is still to be read")
        self.assertFalse(orders[0].amazon_cancel_error)
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "done")


@tagged("post_install", "-at_install")
class TestCancellationRules(CancellationCase):
    def test_fba_orders_cannot_be_canceled_from_odoo(self):
        _amazon_orders, orders = self.import_orders(1, fulfilled_by="AMAZON", status="SHIPPED")
        with self.assertRaises(UserError) as caught:
            orders[0].action_cancel()
        self.assertIn("Seller Central", str(caught.exception))

    def test_a_shipped_fbm_order_cannot_be_canceled(self):
        _amazon_orders, orders = self.import_orders(1)
        self.validate(orders[0].picking_ids, tracking="1Z1")
        with self.assertRaises(UserError) as caught:
            orders[0].action_cancel()
        self.assertIn("Create a return", str(caught.exception))

    def test_orders_canceled_by_amazon_are_not_reported_back(self):
        amazon_orders, orders = self.import_orders(1)
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_orders[0]["orderId"], "CANCELLED")
        self.sync()
        self.assertEqual(orders[0].state, "cancel")
        self.assertFalse(orders[0].amazon_cancel_state)
        self.run_flow("cancellations")
        self.assertEqual(self.emulator.feeds, {})


@tagged("post_install", "-at_install")
class TestFeedDocuments(CancellationCase):
    def test_the_feed_and_the_report_round_trip(self):
        content, messages = build_cancellation_feed(
            "A1SELLER", [Cancellation("111-1111111-1111111", "NoInventory", ["1", "2"])]
        )
        self.assertIsInstance(content, bytes)
        self.assertEqual(check_document(etree.fromstring(content), "POST_ORDER_ACKNOWLEDGEMENT_DATA", content), [])
        self.assertEqual(messages, {"1": "111-1111111-1111111"})
        report = parse_processing_report(
            b"<?xml version='1.0'?><AmazonEnvelope><Message><ProcessingReport><StatusCode>Complete</StatusCode>"
            b"<ProcessingSummary><MessagesProcessed>1</MessagesProcessed><MessagesWithError>1</MessagesWithError>"
            b"</ProcessingSummary><Result><MessageID>1</MessageID><ResultCode>Error</ResultCode>"
            b"<ResultMessageCode>18028</ResultMessageCode><ResultDescription>Nope</ResultDescription></Result>"
            b"</ProcessingReport></Message></AmazonEnvelope>"
        )
        self.assertEqual(report["results"][0]["message_id"], "1")
        self.assertEqual(report["results"][0]["description"], "Nope")

    def test_the_emulator_refuses_a_feed_missing_what_amazon_needs(self):
        broken = (
            b"<AmazonEnvelope><Header/><MessageType>OrderAcknowledgement</MessageType><Message>"
            b"<MessageID>1</MessageID><OrderAcknowledgement><StatusCode>Failure</StatusCode>"
            b"<Item><CancelReason>Whatever</CancelReason></Item></OrderAcknowledgement></Message></AmazonEnvelope>"
        )
        problems = check_document(etree.fromstring(broken), "POST_ORDER_ACKNOWLEDGEMENT_DATA", broken)
        self.assertGreaterEqual(len(problems), 2)
