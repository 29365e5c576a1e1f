"""Multi-Channel Fulfillment's SP-API layer (spapi/fulfillment.py), over real HTTP against the emulator."""

from datetime import UTC, datetime, timedelta

from odoo.tests import tagged

from ..spapi import AmazonPermanentError, SpApiSession
from ..spapi import fulfillment as mcf
from .common import SELLER_ID, SpApiCase

ADDRESS = mcf.McfAddress(
    name="Grace Hopper", line1="1 Harbor Way", postal_code="98101", country_code="US", city="Seattle", state="WA"
)


def mcf_order(order_id="WH-OUT-00001", lines=None, **values):
    return mcf.McfOrder(
        order_id=order_id,
        displayable_id="S00001",
        date=datetime(2026, 1, 5, 10, 0),
        comment="Thank you for your order",
        speed="Standard",
        address=ADDRESS,
        lines=tuple(lines or [mcf.McfLine("1", "MUG-BLUE", 2)]),
        **values,
    )


@tagged("post_install", "-at_install")
class TestFulfillmentApi(SpApiCase):
    def setUp(self):
        super().setUp()
        self.emulator.mcf.put_stock(SELLER_ID, "MUG-BLUE", 10)
        self.session = SpApiSession(self.credentials(), backoff=0.01)
        self.addCleanup(self.session.close)

    def test_preview_says_per_speed_whether_amazon_can_ship_with_fees_and_dates(self):
        previews = mcf.get_preview(self.session, ADDRESS, [mcf.McfLine("1", "MUG-BLUE", 2)])
        by_speed = {p["speed"]: p for p in previews}
        self.assertEqual(set(by_speed), {"Standard", "Expedited", "Priority"})
        self.assertTrue(by_speed["Standard"]["fulfillable"])
        self.assertEqual(by_speed["Standard"]["total_fee"], "13.00")
        self.assertEqual(by_speed["Standard"]["currency"], "USD")
        self.assertLess(by_speed["Priority"]["arrival_to"], by_speed["Standard"]["arrival_to"])

        too_many = mcf.get_preview(self.session, ADDRESS, [mcf.McfLine("1", "MUG-BLUE", 11)], speeds=["Standard"])
        self.assertFalse(too_many[0]["fulfillable"])
        self.assertEqual(too_many[0]["reasons"], ["MUG-BLUE: InventoryUnavailable"])

    def test_create_again_with_the_same_seller_order_id_settles_as_existing(self):
        self.assertEqual(mcf.create_order(self.session, mcf_order()), "created")
        self.assertEqual(mcf.create_order(self.session, mcf_order()), "existing")
        self.assertEqual(len(self.emulator.mcf.orders), 1)
        self.assertEqual([c["status"] for c in self.emulator.calls("createFulfillmentOrder")], [200, 400])

    def test_a_retried_post_stays_a_post(self):
        # python-amazon-sp-api pops "method" from the dict it is given: a retry reusing it
        # would go out as a GET (listAllFulfillmentOrders), answered 200, and look like success
        self.emulator.inject("createFulfillmentOrder", "server_error")
        self.assertEqual(mcf.create_order(self.session, mcf_order()), "created")
        calls = [
            (r["method"], r["operation"], r["status"]) for r in self.emulator.requests if r["operation"] != "lwa_token"
        ]
        self.assertEqual(calls, [("POST", "createFulfillmentOrder", 500), ("POST", "createFulfillmentOrder", 200)])
        self.assertIn((SELLER_ID, "WH-OUT-00001"), self.emulator.mcf.orders)

    def test_a_refused_sku_is_a_permanent_error_with_amazons_message(self):
        with self.assertRaises(AmazonPermanentError) as caught:
            mcf.create_order(self.session, mcf_order(lines=[mcf.McfLine("1", "UNKNOWN", 1)]))
        self.assertIn("SellerSKU for Item Id: 1 is invalid", str(caught.exception))

    def test_status_shipments_and_tracking_of_a_shipped_order(self):
        mcf.create_order(self.session, mcf_order(lines=[mcf.McfLine("1", "MUG-BLUE", 2)]))
        number = self.emulator.mcf.ship(SELLER_ID, "WH-OUT-00001", {"MUG-BLUE": 1}, tracking="1ZTRACK1")
        order = mcf.get_order(self.session, "WH-OUT-00001")
        self.assertEqual(order["status"], "CompletePartialled")
        self.assertEqual(order["items"]["1"]["unfulfillable"], 1)
        [shipment] = order["shipments"]
        self.assertEqual(shipment["items"], {"1": 1})
        self.assertEqual(shipment["packages"], [{"number": number, "carrier": "UPS", "tracking": "1ZTRACK1"}])
        tracking = mcf.get_tracking(self.session, number)
        self.assertEqual((tracking["carrier"], tracking["tracking"]), ("UPS", "1ZTRACK1"))

    def test_list_follows_next_token_from_a_start_date(self):
        self.emulator.mcf.page_size = 2
        for number in range(3):
            mcf.create_order(self.session, mcf_order(order_id=f"WH-OUT-{number}"))
        start = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
        first = mcf.list_orders(self.session, query_start=start)
        self.assertEqual(len(first["orders"]), 2)
        second = mcf.list_orders(self.session, next_token=first["next_token"])
        self.assertEqual(len(second["orders"]), 1)
        self.assertIsNone(second["next_token"])
        later = mcf.list_orders(self.session, query_start=start + timedelta(hours=1))
        self.assertEqual(later["orders"], [])

    def test_cancel_before_shipping_and_refused_after(self):
        mcf.create_order(self.session, mcf_order(order_id="A"))
        mcf.create_order(self.session, mcf_order(order_id="B"))
        mcf.cancel_order(self.session, "A")
        self.assertEqual(mcf.get_order(self.session, "A")["status"], "Cancelled")
        self.emulator.mcf.advance(SELLER_ID, "B", "Processing")
        with self.assertRaises(AmazonPermanentError) as caught:
            mcf.cancel_order(self.session, "B")
        self.assertIn("cannot be cancelled", str(caught.exception))
        self.assertEqual([r["method"] for r in self.emulator.calls("cancelFulfillmentOrder")], ["PUT", "PUT"])
