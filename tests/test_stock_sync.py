"""FBM stock pushed to Amazon: one JSON_LISTINGS_FEED per run, only what changed."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..emulator import feeds
from ..emulator.scenarios import make_item, make_order
from ..spapi.listings import StockLevel, build_stock_feed, parse_listings_report
from .common import CLIENT_ID, CLIENT_SECRET, SELLER_ID, US
from .test_order_import import ImportCase


class StockCase(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.account._amazon_fbm_warehouse()
        cls.stock = cls.warehouse.lot_stock_id
        cls.lamp = cls.env["product.product"].create(
            {"name": "Desk Lamp", "default_code": "LAMP", "type": "consu", "is_storable": True}
        )
        cls.account.user_id.email = "amazon-desk@example.com"

    def setUp(self):
        super().setUp()
        self.set_stock(self.mug, 10)
        self.set_stock(self.lamp, 4)
        for sku in ("MUG-BLUE", "LAMP"):
            self.emulator.put_listing(SELLER_ID, sku)
        self.mug_offer = self.offer("MUG-BLUE", self.mug)
        self.lamp_offer = self.offer("LAMP", self.lamp)

    # ------------------------------------------------------------------ helpers

    def set_stock(self, product, quantity, location=None):
        """An inventory adjustment, as a stock user applies it."""
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": (location or self.stock).id, "inventory_quantity": quantity}
        ).action_apply_inventory()

    def offer(self, sku, product, channel="fbm", account=None):
        return self.env["amazon.offer"].create(
            {
                "account_id": (account or self.account).id,
                "sku": sku,
                "product_id": product.id,
                "fulfillment_channel": channel,
            }
        )

    def push(self, account=None):
        """Runs of the stock flow until Amazon processed what they sent (the emulator
        answers IN_PROGRESS once, then DONE, like Amazon after a while)."""
        account = account or self.account
        for _ in range(6):
            self.run_flow("stock", account)
            if not self.env["amazon.feed"].search_count(
                [("account_id", "=", account.id), ("feed_type", "=", "JSON_LISTINGS_FEED"), ("done", "=", False)]
            ):
                return
        self.fail("a stock feed is still in progress after six runs")

    def amazon_quantity(self, sku, seller=SELLER_ID):
        return self.emulator.quantity(seller, sku)

    def sent_documents(self):
        """The listings feed documents Amazon received, in order (parsed JSON)."""
        return [
            json.loads(self.emulator.feed_documents[feed["_document"]]["content"])
            for feed in self.emulator.feeds.values()
            if feed["feedType"] == "JSON_LISTINGS_FEED"
        ]

    def sent_skus(self, document):
        return {m["sku"]: m["patches"][0]["value"][0]["quantity"] for m in document["messages"]}

    def reset_offers(self):
        """Amazon has every quantity: a clean start for the scenario."""
        self.push()
        self.emulator.feeds.clear()

    def stock_feeds(self):
        return self.env["amazon.feed"].search(
            [("account_id", "=", self.account.id), ("feed_type", "=", "JSON_LISTINGS_FEED")]
        )

    def age(self, feed, **delta):
        """The feed was created that long ago (an explicit clock: its creation date moves back)."""
        feed.flush_recordset()
        self.env.cr.execute(
            "UPDATE amazon_feed SET create_date = create_date - %s WHERE id = %s", [timedelta(**delta), feed.id]
        )
        feed.invalidate_recordset(["create_date"])

    def stock_triggers(self):
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_stock")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])


@tagged("post_install", "-at_install")
class TestStockPush(StockCase):
    def test_first_sync_sends_every_fbm_offer_once_in_one_feed(self):
        fba = self.offer("MUG-FBA", self.mug, channel="fba")
        service = self.env["product.product"].create({"name": "Gift card", "type": "service"})
        self.offer("GIFT", service)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")
        self.assertFalse(fba.stock_sync_state, "an FBA offer has no stock to push")

        action = self.account.action_sync_stock()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(len(self.emulator.calls("createFeed")), 1)
        [document] = self.sent_documents()
        self.assertEqual(self.sent_skus(document), {"MUG-BLUE": 10, "LAMP": 4})
        message = document["messages"][0]
        self.assertEqual((message["operationType"], message["productType"]), ("PATCH", "PRODUCT"))
        self.assertEqual(message["patches"][0]["path"], "/attributes/fulfillment_availability")
        self.assertEqual(message["patches"][0]["value"][0]["fulfillment_channel_code"], "DEFAULT")
        self.assertEqual(self.mug_offer.stock_sync_state, "sent")
        feed = self.mug_offer.stock_feed_id
        self.assertEqual((feed.feed_type, feed.processing_status), ("JSON_LISTINGS_FEED", "IN_QUEUE"))
        body = self.emulator.calls("createFeed")[0]["body"]
        self.assertEqual(body["marketplaceIds"], [US[0]])
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_stock")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "the cron comes back for the result"
        )

        self.push()
        self.assertEqual((self.amazon_quantity("MUG-BLUE"), self.amazon_quantity("LAMP")), (10, 4))
        self.assertEqual(self.mug_offer.stock_sync_state, "done")
        self.assertEqual(self.mug_offer.last_quantity_sent, 10)
        self.assertTrue(self.mug_offer.last_stock_sync)
        self.assertTrue(feed.done and feed.report)
        status = self.account.status_ids.filtered(lambda s: s.flow == "stock")
        self.assertEqual(status.state, "ok")
        self.assertIn("2 accepted", status.summary)

        self.push()
        self.assertEqual(len(self.emulator.calls("createFeed")), 1, "nothing changed: nothing is sent again")

    def test_imported_fbm_order_reserves_and_lowers_the_quantity_its_delivery_sends_nothing_more(self):
        self.reset_offers()
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 3, "10.00")]))
        self.sync()
        picking = self.sale_order(amazon_order).picking_ids
        self.assertEqual(picking.state, "assigned", "the import reserved the mugs")
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")
        self.assertEqual(self.lamp_offer.stock_sync_state, "done", "an unchanged product is not marked")

        self.push()
        [document] = self.sent_documents()
        self.assertEqual(self.sent_skus(document), {"MUG-BLUE": 7}, "only what changed is sent")
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 7)

        self.validate(picking)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "the delivery touched the mugs' stock")
        self.push()
        self.assertEqual(len(self.sent_documents()), 1, "free quantity unchanged (it was reserved): nothing sent")
        self.assertEqual(self.mug_offer.stock_sync_state, "done")
        self.assertEqual(self.account.status_ids.filtered(lambda s: s.flow == "stock").summary, "1 unchanged")

    def test_validated_delivery_lowers_and_receipt_raises_amazons_quantity(self):
        self.reset_offers()
        out_type = self.warehouse.out_type_id
        customer = self.env.ref("stock.stock_location_customers")
        delivery = self.env["stock.picking"].create(
            {
                "picking_type_id": out_type.id,
                "location_id": self.stock.id,
                "location_dest_id": customer.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.lamp.id,
                            "product_uom_qty": 3,
                            "location_id": self.stock.id,
                            "location_dest_id": customer.id,
                        },
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.move_ids.write({"quantity": 3, "picked": True})
        delivery._action_done()
        self.push()
        self.assertEqual(self.amazon_quantity("LAMP"), 1)

        supplier = self.env.ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": self.stock.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.lamp.id,
                            "product_uom_qty": 5,
                            "location_id": supplier.id,
                            "location_dest_id": self.stock.id,
                        },
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.move_ids.write({"quantity": 5, "picked": True})
        receipt._action_done()
        self.push()
        self.assertEqual(self.amazon_quantity("LAMP"), 6)
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 10)
        self.assertEqual([self.sent_skus(d) for d in self.sent_documents()], [{"LAMP": 1}, {"LAMP": 6}])

    def test_stock_of_another_warehouse_does_not_count_and_buffer_keeps_units_back(self):
        self.reset_offers()
        other = self.env["stock.warehouse"].create({"name": "Overflow", "code": "OVF"})
        self.set_stock(self.mug, 50, other.lot_stock_id)
        self.push()
        self.assertFalse(self.sent_documents(), "stock elsewhere changes nothing Amazon sells")

        self.account.stock_buffer = 6
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "a new buffer changes every quantity")
        self.push()
        self.assertEqual((self.amazon_quantity("MUG-BLUE"), self.amazon_quantity("LAMP")), (4, 0), "never below 0")

        self.account.warehouse_id = other
        self.push()
        self.assertEqual((self.amazon_quantity("MUG-BLUE"), self.amazon_quantity("LAMP")), (44, 0))

    def test_fba_offers_never_appear_and_an_offer_moved_to_fba_stops_being_pushed(self):
        self.offer("MUG-FBA", self.mug, channel="fba")
        self.push()
        self.lamp_offer.fulfillment_channel = "fba"
        self.assertFalse(self.lamp_offer.stock_sync_state)
        self.set_stock(self.lamp, 9)
        self.set_stock(self.mug, 8)
        self.push()
        documents = self.sent_documents()
        self.assertEqual([self.sent_skus(d) for d in documents], [{"MUG-BLUE": 10, "LAMP": 4}, {"MUG-BLUE": 8}])
        self.assertEqual(self.amazon_quantity("LAMP"), 4, "Amazon's own quantity is left alone")

        self.mug_offer.sync_stock = False
        self.set_stock(self.mug, 5)
        self.push()
        self.assertEqual(len(self.sent_documents()), 2, "an offer without Sync Stock is not pushed")

    def test_a_refused_sku_stays_in_error_until_its_quantity_changes_or_a_user_retries_it(self):
        ghost = self.offer("GHOST-SKU", self.lamp)
        self.push()
        self.assertEqual(ghost.stock_sync_state, "error")
        self.assertIn("does not exist", ghost.stock_sync_error)
        self.assertEqual(self.mug_offer.stock_sync_state, "done", "the other SKUs of the feed are accepted")
        errors = self.env["amazon.offer"].search(
            [("account_id", "=", self.account.id), ("stock_sync_state", "=", "error")]
        )
        self.assertEqual(errors, ghost, "the offers list filters errors")
        mails = self.env["mail.mail"].search([("subject", "ilike", "not updated")])
        self.assertEqual(len(mails), 1)
        self.assertIn("GHOST-SKU", mails.body_html)
        self.assertIn("amazon-desk@example.com", mails.recipient_ids.mapped("email"))

        self.push()
        self.push()
        self.assertEqual(len(self.sent_documents()), 1, "a refused SKU is not sent again while nothing changed")
        self.assertEqual(ghost.stock_sync_state, "error")

        self.set_stock(self.lamp, 4)  # counted again: the same quantity
        self.push()
        self.assertEqual(len(self.sent_documents()), 1, "the same quantity is refused the same way")
        self.assertEqual((ghost.stock_sync_state, self.lamp_offer.stock_sync_state), ("error", "done"))

        self.set_stock(self.lamp, 5)
        self.push()
        documents = self.sent_documents()
        self.assertEqual(self.sent_skus(documents[-1]), {"GHOST-SKU": 5, "LAMP": 5}, "a new quantity is sent")
        self.assertEqual(ghost.stock_sync_state, "error")
        self.assertEqual(self.env["mail.mail"].search_count([("subject", "ilike", "not updated")]), 1, "told once")

        self.emulator.put_listing(SELLER_ID, "GHOST-SKU")  # the seller fixed it in Seller Central
        self.push()
        self.assertEqual(len(self.sent_documents()), 2)
        ghost.action_retry_stock_sync()
        self.assertEqual(ghost.stock_sync_state, "to_send")
        self.push()
        self.assertEqual(self.sent_skus(self.sent_documents()[-1]), {"GHOST-SKU": 5})
        self.assertEqual(ghost.stock_sync_state, "done")
        self.assertFalse(ghost.stock_sync_error)
        self.assertEqual(self.amazon_quantity("GHOST-SKU"), 5)

    def test_a_change_made_while_amazon_refuses_the_sku_goes_out_when_the_refusal_is_read(self):
        ghost = self.offer("GHOST-SKU", self.lamp)
        self.run_flow("stock")
        self.set_stock(self.lamp, 7)
        self.push()
        self.assertEqual(
            [self.sent_skus(d) for d in self.sent_documents()],
            [{"MUG-BLUE": 10, "LAMP": 4, "GHOST-SKU": 4}, {"LAMP": 7, "GHOST-SKU": 7}],
            "the new quantity went with the run that read the refusal of the old one",
        )
        self.assertEqual((ghost.stock_sync_state, self.lamp_offer.stock_sync_state), ("error", "done"))

    def test_wrong_product_type_is_refused_then_fixed_on_the_offer(self):
        self.emulator.put_listing(SELLER_ID, "LAMP", product_type="LAMP")
        self.lamp_offer.product_type = "LUGGAGE"
        self.push()
        self.assertEqual(self.lamp_offer.stock_sync_state, "error")
        self.assertIn("product type", self.lamp_offer.stock_sync_error)
        self.lamp_offer.product_type = "LAMP"
        self.push()
        self.assertEqual(self.lamp_offer.stock_sync_state, "done")
        self.assertEqual(self.amazon_quantity("LAMP"), 4)

    def test_two_accounts_selling_one_product_from_one_warehouse_send_the_same_quantity(self):
        self.emulator.add_seller("A2OTHERSELLER", CLIENT_ID, CLIENT_SECRET, "Atzr|other-seller-token", [US])
        self.emulator.put_listing("A2OTHERSELLER", "BLUE-MUG-2")
        other = self.env["amazon.account"].create(
            self.account_values(name="Second brand", seller_id="A2OTHERSELLER", refresh_token="Atzr|other-seller-token")
        )
        self.assertEqual(other._amazon_fbm_warehouse(), self.warehouse)
        other_offer = self.offer("BLUE-MUG-2", self.mug, account=other)
        self.push()
        self.push(other)
        self.set_stock(self.mug, 6)
        self.assertEqual((self.mug_offer.stock_sync_state, other_offer.stock_sync_state), ("to_send", "to_send"))
        self.run_cron("stock")
        self.run_cron("stock")
        self.run_cron("stock")
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 6)
        self.assertEqual(self.amazon_quantity("BLUE-MUG-2", "A2OTHERSELLER"), 6)

    def test_a_kit_sends_its_number_of_complete_kits_and_follows_its_components(self):
        if "mrp.bom" not in self.env:
            self.skipTest("mrp is not installed")
        kit = self.env["product.product"].create({"name": "Desk set", "type": "consu"})
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    (0, 0, {"product_id": self.mug.id, "product_qty": 2}),
                    (0, 0, {"product_id": self.lamp.id, "product_qty": 1}),
                ],
            }
        )
        self.emulator.put_listing(SELLER_ID, "DESK-SET")
        kit_offer = self.offer("DESK-SET", kit)
        self.push()
        self.assertEqual(self.amazon_quantity("DESK-SET"), 4, "4 lamps, 10 mugs: 4 complete kits")
        self.set_stock(self.lamp, 9)
        self.assertEqual(kit_offer.stock_sync_state, "to_send", "a component's stock changes the kit's")
        self.push()
        self.assertEqual(self.amazon_quantity("DESK-SET"), 5, "10 mugs make 5 kits")
        self.assertEqual(self.amazon_quantity("LAMP"), 9)

    def test_non_storable_product_is_reported_not_sent(self):
        goods = self.env["product.product"].create({"name": "Poster", "type": "consu"})
        poster = self.offer("POSTER", goods)
        self.push()
        self.assertEqual(poster.stock_sync_state, "error")
        self.assertIn("keeps no stock", poster.stock_sync_error)
        self.assertNotIn("POSTER", self.sent_skus(self.sent_documents()[0]))

    def test_an_account_that_does_not_push_stock_refuses_the_button(self):
        self.account.sync_stock = False
        with self.assertRaisesRegex(UserError, "Push FBM Stock"):
            self.account.action_sync_stock()
        self.run_cron("stock")
        self.assertFalse(self.emulator.calls("createFeed"))


@tagged("post_install", "-at_install")
class TestStockFeedFailures(StockCase):
    def test_a_feed_amazon_never_took_is_withdrawn_and_sent_again(self):
        self.emulator.inject("createFeed", "reject", code="InvalidInput", message="Bad feed.")
        run = self.run_flow("stock")
        self.assertTrue(run.error)
        feed = self.env["amazon.feed"].search(
            [("account_id", "=", self.account.id), ("feed_type", "=", "JSON_LISTINGS_FEED")]
        )
        self.assertTrue(feed.done and "Not sent" in feed.error and not feed.feed_ref)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "not sent: still to send")
        self.push()
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 10)
        self.assertEqual(self.mug_offer.stock_sync_state, "done")

    def test_throttled_create_feed_waits_for_the_quota(self):
        self.emulator.set_plan("createFeed", 0.0083, 1)
        self.emulator.inject("createFeed", "throttle", times=5)
        run = self.run_flow("stock", budget=5)
        self.assertTrue(run.retry_at, "waits for Amazon's quota instead of failing")
        self.assertFalse(run.error)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")

    def test_fatal_or_unreadable_feed_makes_every_quantity_uncertain_and_resent(self):
        self.emulator.inject("processFeed", "fatal", message="Feed is malformed.")
        self.push()
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "uncertain, not refused: sent again")
        self.assertIn("FATAL", self.mug_offer.stock_sync_error)
        self.emulator.inject("processFeed", "garbled")
        self.push()
        self.assertIn("could not be read", self.mug_offer.stock_sync_error)
        self.push()
        self.assertEqual((self.mug_offer.stock_sync_state, self.amazon_quantity("MUG-BLUE")), ("done", 10))

    def test_an_error_that_names_no_message_leaves_every_quantity_uncertain(self):
        self.emulator.inject("processFeed", "ambiguous")
        self.push()
        self.assertEqual(self.lamp_offer.stock_sync_state, "to_send")
        self.assertIn("Uncertain", self.lamp_offer.stock_sync_error)

    def test_a_change_while_amazon_processes_a_feed_goes_in_the_next_one(self):
        self.run_flow("stock")
        self.assertEqual(self.mug_offer.stock_sync_state, "sent")
        self.set_stock(self.mug, 2)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")
        self.run_flow("stock")
        self.assertEqual(len(self.sent_documents()), 1, "never two feeds of one SKU at Amazon at once")
        self.push()
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 2)
        self.assertEqual(
            [self.sent_skus(d) for d in self.sent_documents()], [{"MUG-BLUE": 10, "LAMP": 4}, {"MUG-BLUE": 2}]
        )

    # ------------------------------------------------------------------ one feed never blocks the others

    def test_a_corrupt_gzip_report_makes_its_quantities_uncertain_and_the_push_goes_on(self):
        self.emulator.inject("processFeed", "corrupt_gzip")
        self.push()
        feed = self.stock_feeds()
        self.assertTrue(feed.done)
        self.assertIn("GZIP", feed.error)
        self.assertEqual(self.status("stock").state, "ok", self.status("stock").last_error)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "its quantities are uncertain: sent again")
        self.push()
        self.assertEqual(len(self.sent_documents()), 2)
        self.assertEqual((self.mug_offer.stock_sync_state, self.amazon_quantity("MUG-BLUE")), ("done", 10))

    def test_amazon_failing_on_one_feed_does_not_keep_the_other_offers_from_being_sent(self):
        self.run_flow("stock")
        feed = self.mug_offer.stock_feed_id
        pen = self.env["product.product"].create({"name": "Pen", "type": "consu", "is_storable": True})
        self.set_stock(pen, 30)
        self.emulator.put_listing(SELLER_ID, "PEN")
        pen_offer = self.offer("PEN", pen)
        self.emulator.inject("getFeed", "server_error", times=5)
        run = self.run_flow("stock")
        self.assertFalse(run.error, run.error)
        self.assertEqual(pen_offer.stock_sync_state, "sent", "the new offer went to Amazon")
        self.assertEqual([self.sent_skus(d) for d in self.sent_documents()][-1], {"PEN": 30})
        self.assertFalse(feed.done, "read again by the next run")
        self.assertEqual(self.mug_offer.stock_sync_state, "sent")
        self.assertIn("read again", self.status("stock").summary)
        self.push()
        self.assertTrue(feed.done and not feed.error)
        self.assertEqual((self.mug_offer.stock_sync_state, pen_offer.stock_sync_state), ("done", "done"))

    def test_a_feed_amazon_keeps_in_progress_is_given_up_after_two_hours_and_its_offers_sent_again(self):
        self.emulator.inject("processFeed", "stuck", times=1000)
        self.run_flow("stock")
        feed = self.mug_offer.stock_feed_id
        for _i in range(3):
            self.run_flow("stock")
        self.assertEqual((feed.processing_status, feed.done), ("IN_PROGRESS", False))
        self.assertEqual(self.mug_offer.stock_sync_state, "sent")
        self.age(feed, hours=1, minutes=50)
        self.run_flow("stock")
        self.assertFalse(feed.done, "not two hours yet")

        self.age(feed, minutes=11)
        self.run_flow("stock")
        self.assertTrue(feed.done)
        self.assertIn("2 hours", feed.error)
        self.assertEqual(len(self.sent_documents()), 2, "its quantities went again in the same run")
        self.assertNotEqual(self.mug_offer.stock_feed_id, feed)
        self.emulator.faults.clear()
        self.push()
        self.assertEqual((self.mug_offer.stock_sync_state, self.amazon_quantity("MUG-BLUE")), ("done", 10))

    def test_credentials_refused_while_reading_a_feed_are_the_accounts_error_not_the_feeds(self):
        self.run_flow("stock")
        feed = self.mug_offer.stock_feed_id
        self.emulator.inject("getFeed", "reject", status=403, code="Unauthorized", message="Access denied.", times=2)
        run = self.run_flow("stock")
        self.assertTrue(run.error)
        self.assertEqual(self.status("stock").state, "error")
        self.assertIn("refused the credentials", self.status("stock").last_error)
        self.assertFalse(feed.done or feed.error, "the feed's result is still to be read")
        self.assertEqual((self.mug_offer.stock_sync_state, self.mug_offer.stock_sync_error), ("sent", False))
        self.push()
        self.assertEqual(self.mug_offer.stock_sync_state, "done")

    # ------------------------------------------------------------------ deleted and old feeds

    def test_deleting_a_feed_sends_its_offers_again(self):
        self.run_flow("stock")
        feed = self.mug_offer.stock_feed_id
        feed.unlink()
        self.assertEqual((self.mug_offer.stock_sync_state, self.lamp_offer.stock_sync_state), ("to_send", "to_send"))
        self.push()
        self.assertEqual(len(self.sent_documents()), 2)
        self.assertEqual(self.mug_offer.stock_sync_state, "done")

    def test_feeds_drop_their_documents_after_ninety_days(self):
        self.push()
        old = self.stock_feeds()
        self.set_stock(self.mug, 3)
        self.push()
        recent = self.stock_feeds() - old
        self.assertTrue(old.document and old.report)
        self.age(old, days=91)
        self.run_cron("stock")
        self.assertFalse(old.document or old.report, "a feed older than 90 days keeps no document")
        self.assertTrue(recent.document and recent.report)
        self.assertEqual(old.offer_ids, self.lamp_offer, "the feed itself stays")

    def test_remapping_an_offer_sends_the_new_products_quantity(self):
        self.push()
        self.mug_offer.product_id = self.lamp
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")
        self.push()
        self.assertEqual(self.amazon_quantity("MUG-BLUE"), 4)


@tagged("post_install", "-at_install")
class TestStockChangeMarking(StockCase):
    def test_a_stock_change_marks_only_offers_pushed_from_the_warehouse_of_the_changed_location(self):
        self.reset_offers()
        other = self.env["stock.warehouse"].create({"name": "Overflow", "code": "OVF"})
        self.set_stock(self.mug, 50, other.lot_stock_id)
        self.assertEqual(self.mug_offer.stock_sync_state, "done", "another warehouse's bin does not touch the offer")

        quiet = self.env["amazon.account"].create(
            self.account_values(name="No push", seller_id="A2OTHERSELLER", sync_stock=False)
        )
        quiet_offer = self.offer("MUG-QUIET", self.mug, account=quiet)
        quiet_offer.stock_sync_state = "done"
        self.set_stock(self.mug, 9)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send", "the pushing warehouse's change marks it")
        self.assertEqual(quiet_offer.stock_sync_state, "done", "an account that pushes no stock is not touched")

        self.account.warehouse_id = other
        self.push()
        self.set_stock(self.mug, 8)
        self.assertEqual(self.mug_offer.stock_sync_state, "done", "no longer its warehouse")
        self.set_stock(self.mug, 40, other.lot_stock_id)
        self.assertEqual(self.mug_offer.stock_sync_state, "to_send")

    def test_a_stock_change_triggers_the_stock_push_within_two_minutes_once(self):
        self.reset_offers()
        self.stock_triggers().unlink()
        poster = self.env["product.product"].create({"name": "Poster", "type": "consu", "is_storable": True})
        self.set_stock(poster, 5)
        self.assertFalse(self.stock_triggers(), "no pushed offer: nothing to trigger")

        self.set_stock(self.mug, 9)
        [trigger] = self.stock_triggers()
        self.assertLessEqual(trigger.call_at, fields.Datetime.now() + timedelta(minutes=2))
        self.assertGreater(trigger.call_at, fields.Datetime.now())
        self.set_stock(self.mug, 8)
        self.set_stock(self.lamp, 2)
        self.env.cr.flush()  # another transaction's changes: debounced too
        self.set_stock(self.lamp, 1)
        self.assertEqual(self.stock_triggers(), trigger, "many changes, one trigger")


@tagged("post_install", "-at_install")
class TestListingsDocuments(StockCase):
    def test_feed_and_report_follow_amazons_listings_schemas(self):
        content, messages = build_stock_feed(SELLER_ID, [StockLevel("A", 3), StockLevel("B", 0, "LUGGAGE")])
        schemas = self.emulator.feed_schemas
        self.assertEqual(schemas.errors(schemas.FEED, json.loads(content)), [])
        self.assertEqual(messages, {"1": "A", "2": "B"})
        for bad in (-1, 1.5, True):
            with self.assertRaises(ValueError):
                build_stock_feed(SELLER_ID, [StockLevel("A", bad)])
        report = parse_listings_report(
            json.dumps(
                {
                    "header": {"sellerId": SELLER_ID, "version": "2.0", "feedId": "1"},
                    "issues": [
                        {"messageId": 2, "code": "13013", "severity": "ERROR", "message": "Unknown SKU"},
                        {"messageId": 1, "severity": "WARNING", "message": "Just a warning"},
                        {"severity": "ERROR", "message": "Whole feed"},
                    ],
                    "summary": {
                        "errors": 2,
                        "warnings": 1,
                        "messagesProcessed": 2,
                        "messagesAccepted": 1,
                        "messagesInvalid": 1,
                    },
                }
            ).encode()
        )
        self.assertEqual(report["errors"], {"2": ["Unknown SKU (13013)"]})
        self.assertEqual(report["general"], ["Whole feed"])

    def test_the_emulator_refuses_documents_that_break_the_schema(self):
        bad = {"header": {"sellerId": SELLER_ID, "version": "2.0"}, "messages": [{"messageId": 1, "sku": "LAMP"}]}
        status, report = feeds.process_listings(
            self.emulator, self.emulator.seller(SELLER_ID), {"feedId": "9"}, json.dumps(bad).encode(), None
        )
        self.assertEqual(status, "DONE")
        self.assertEqual(json.loads(report)["summary"]["messagesInvalid"], 1)
        self.assertTrue(self.emulator.validation_errors)
        self.emulator.validation_errors.clear()
