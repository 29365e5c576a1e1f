"""Multi-Channel Fulfillment: orders of other channels shipped by Amazon from the FBA stock,
over the emulator on a real database."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import SELLER_ID, AmazonCase


@tagged("post_install", "-at_install")
class TestFulfillment(AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({"mcf_enabled": True, "marketplace_ids": [(6, 0, cls.marketplace_us.ids)]})
        cls.company.stock_move_email_validation = True  # Odoo's shipping email to the customer
        cls.mug = cls.env["product.product"].create(
            {"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True}
        )
        cls.plate = cls.env["product.product"].create(
            {"name": "Plate", "default_code": "PLATE", "type": "consu", "is_storable": True}
        )
        for product in (cls.mug, cls.plate):
            cls.env["amazon.offer"].create(
                {
                    "account_id": cls.account.id,
                    "sku": product.default_code,
                    "product_id": product.id,
                    "fulfillment_channel": "fba",
                }
            )
            cls.env["stock.quant"]._update_available_quantity(product, cls.account.fba_location_id, 10)
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Grace Hopper",
                "email": "grace@example.com",
                "street": "1 Harbor Way",
                "city": "Seattle",
                "zip": "98101",
                "state_id": cls.env.ref("base.state_us_48").id,
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.salesperson = cls.env["res.users"].create(
            {"name": "Sam Seller", "login": "sam.mcf", "email": "sam@example.com"}
        )

    def setUp(self):
        super().setUp()
        self.emulator.mcf.put_stock(SELLER_ID, "MUG-BLUE", 10)
        self.emulator.mcf.put_stock(SELLER_ID, "PLATE", 10)

    def web_order(self, lines=None):
        """A web shop order whose lines ship from Amazon (the account's MCF route)."""
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesperson.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "route_ids": [(6, 0, self.account.mcf_route_id.ids)],
                        },
                    )
                    for product, qty in (lines or [(self.mug, 2)])
                ],
            }
        )

    def confirmed_delivery(self, lines=None):
        order = self.web_order(lines)
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        return picking

    def amazon_orders(self):
        return self.emulator.mcf.orders

    def run_mails(self):
        """The flow's mails to the account's salesperson (template "deliveries Amazon did not ship")."""
        return self.env["mail.mail"].search_count([("subject", "ilike", "Multi-Channel Fulfillment")])

    # ------------------------------------------------------------------ end to end

    def test_web_order_is_previewed_sent_followed_and_delivered_with_tracking(self):
        order = self.web_order()
        self.assertEqual(order.amazon_mcf_account_id, self.account)
        action = order.action_amazon_mcf_preview()
        preview = self.env["amazon.mcf.preview"].browse(action["res_id"])
        by_speed = {line.speed: line for line in preview.line_ids}
        self.assertEqual(set(by_speed), {"Standard", "Expedited", "Priority"})
        self.assertTrue(all(line.fulfillable for line in preview.line_ids))
        self.assertEqual((by_speed["Standard"].fee, by_speed["Standard"].currency_code), ("13.00", "USD"))
        self.assertTrue(by_speed["Priority"].arrival_to)
        by_speed["Expedited"].action_choose()
        self.assertEqual(order.amazon_mcf_speed, "Expedited")

        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.location_id, self.account.fba_location_id)
        self.assertEqual((picking.amazon_mcf_state, picking.state), ("pending", "assigned"))
        self.assertEqual(self.amazon_orders(), {}, "nothing goes to Amazon before the commit")

        run = self.run_flow("fulfillment")
        self.assertIsNone(run.error)
        self.assertEqual(run.stats["sent"], 1)
        self.assertEqual((picking.amazon_mcf_state, picking.amazon_mcf_status), ("sent", "Received"))
        amazon = self.emulator.mcf.order(SELLER_ID, picking.amazon_mcf_ref)
        self.assertEqual(picking.amazon_mcf_ref, picking.name.replace("/", "-"))
        self.assertEqual(amazon["shippingSpeedCategory"], "Expedited")
        self.assertEqual(amazon["destinationAddress"]["postalCode"], "98101")
        self.assertEqual(amazon["displayableOrderId"], order.name)
        self.assertEqual([(i["sellerSku"], i["quantity"]) for i in amazon["_items"]], [("MUG-BLUE", 2)])
        self.assertEqual(self.status("fulfillment").state, "ok")

        self.emulator.mcf.advance(SELLER_ID, picking.amazon_mcf_ref, "Processing")
        self.run_flow("fulfillment")
        self.assertEqual((picking.amazon_mcf_state, picking.amazon_mcf_status), ("sent", "Processing"))
        self.assertEqual(picking.state, "assigned")

        self.emulator.mcf.ship(SELLER_ID, picking.amazon_mcf_ref, carrier="UPS", tracking="1ZMCF0001")
        run = self.run_flow("fulfillment")
        self.assertEqual(run.stats["shipped"], 1)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 2)
        self.assertEqual((picking.amazon_mcf_state, picking.amazon_mcf_status), ("shipped", "Complete"))
        self.assertEqual((picking.amazon_mcf_carrier, picking.amazon_mcf_tracking), ("UPS", "1ZMCF0001"))
        self.assertEqual(picking.carrier_tracking_ref, "1ZMCF0001")
        self.assertEqual(order.order_line.qty_delivered, 2)
        template = self.company.stock_mail_confirmation_template_id
        shipping_mail = picking.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertTrue(template and shipping_mail, "the customer got Odoo's shipping email")
        self.assertEqual(len(self.emulator.calls("getPackageTrackingDetails")), 1)
        self.assertFalse(self.env["stock.picking"].search([("backorder_id", "=", picking.id)]))

    # ------------------------------------------------------------------ Amazon ships less

    def test_partial_shipment_validates_what_shipped_and_keeps_the_rest_as_a_backorder(self):
        picking = self.confirmed_delivery([(self.mug, 2), (self.plate, 3)])
        self.run_flow("fulfillment")
        self.emulator.mcf.ship(SELLER_ID, picking.amazon_mcf_ref, {"MUG-BLUE": 2, "PLATE": 1}, tracking="1ZPART")
        run = self.run_flow("fulfillment")
        self.assertEqual(run.stats["partly shipped"], 1)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.amazon_mcf_state, "partial")
        self.assertEqual({m.product_id: m.quantity for m in picking.move_ids}, {self.mug: 2, self.plate: 1})
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual(backorder.move_ids.product_id, self.plate)
        self.assertEqual(backorder.move_ids.product_uom_qty, 2)
        self.assertEqual(backorder.amazon_mcf_state, "hold", "the rest is not sent again by itself")
        activity = picking.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Plate: 2", activity.note)
        self.assertIn("CompletePartialled", activity.note)

    def test_unfulfillable_order_is_kept_with_an_activity_giving_amazons_reason(self):
        picking = self.confirmed_delivery()
        self.run_flow("fulfillment")
        self.emulator.mcf.advance(SELLER_ID, picking.amazon_mcf_ref, "Unfulfillable")
        mails = self.run_mails()
        run = self.run_flow("fulfillment")
        self.assertEqual(run.stats["unfulfillable"], 1)
        self.assertEqual(picking.amazon_mcf_state, "unfulfillable")
        self.assertEqual(picking.state, "assigned")
        self.assertIn("Unfulfillable", picking.activity_ids.note)
        self.assertEqual(picking.activity_ids.user_id, self.salesperson)
        self.assertEqual(self.run_mails(), mails + 1, "one mail for the run")

        # sent again: a new Amazon order (the first one is over)
        picking.action_amazon_mcf_send()
        self.run_flow("fulfillment")
        self.assertEqual(picking.amazon_mcf_state, "sent")
        self.assertEqual(len(self.amazon_orders()), 2)
        self.assertTrue(picking.amazon_mcf_ref.endswith("-2"))

    # ------------------------------------------------------------------ cancel

    def test_cancel_before_amazon_ships_cancels_the_amazon_order(self):
        picking = self.confirmed_delivery()
        self.run_flow("fulfillment")
        picking.sale_id.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(picking.amazon_mcf_state, "cancelled")
        self.assertEqual(
            self.emulator.mcf.order(SELLER_ID, picking.amazon_mcf_ref)["fulfillmentOrderStatus"], "Cancelled"
        )

    def test_cancel_before_sending_sends_nothing(self):
        picking = self.confirmed_delivery()
        picking.action_cancel()
        self.assertEqual(picking.amazon_mcf_state, "cancelled")
        self.run_flow("fulfillment")
        self.assertEqual(self.amazon_orders(), {})
        self.assertEqual(self.emulator.calls("cancelFulfillmentOrder"), [])

    def test_cancel_after_amazon_started_shipping_is_refused_with_the_reason(self):
        picking = self.confirmed_delivery()
        self.run_flow("fulfillment")
        self.emulator.mcf.advance(SELLER_ID, picking.amazon_mcf_ref, "Processing")
        with self.assertRaises(UserError) as caught:
            picking.action_cancel()
        self.assertIn("cannot be cancelled", str(caught.exception))
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.amazon_mcf_state, "sent")

    # ------------------------------------------------------------------ idempotence, failures

    def test_crash_between_create_and_commit_creates_no_second_amazon_order(self):
        picking = self.confirmed_delivery()
        with self.env.cr.savepoint() as crash:
            self.run_flow("fulfillment")  # Amazon created the order ...
            self.assertEqual(len(self.amazon_orders()), 1)
            crash.rollback()  # ... and Odoo died before its commit
        picking.invalidate_recordset()
        self.assertEqual(picking.amazon_mcf_state, "pending")
        run = self.run_flow("fulfillment")
        self.assertEqual(run.stats["already sent"], 1)
        self.assertEqual(len(self.amazon_orders()), 1, "Amazon's duplicate answer settles it")
        self.assertEqual(picking.amazon_mcf_state, "sent")
        self.assertEqual([c["status"] for c in self.emulator.calls("createFulfillmentOrder")], [200, 400])

    def test_refused_delivery_is_recorded_on_it_with_one_mail_for_the_run(self):
        first = self.confirmed_delivery()
        self.emulator.mcf.stock.pop((SELLER_ID, "MUG-BLUE"))  # Amazon does not know the SKU
        second = self.confirmed_delivery()
        mails = self.run_mails()
        run = self.run_flow("fulfillment")
        self.assertEqual(run.stats["refused"], 2)
        for picking in first | second:
            self.assertEqual(picking.amazon_mcf_state, "error")
            self.assertIn("is invalid", picking.amazon_mcf_error)
            notes = picking.message_ids.filtered(lambda m: "Amazon did not take this delivery" in (m.body or ""))
            self.assertEqual(len(notes), 1)
        self.assertEqual(self.run_mails(), mails + 1, "one mail listing both")
        self.assertEqual(self.status("fulfillment").state, "ok", "the flow ran; the deliveries failed")

    def test_delivery_waits_until_odoo_has_the_stock_in_the_fba_location(self):
        picking = self.confirmed_delivery([(self.mug, 12)])  # 10 in the FBA location
        self.assertEqual(picking.move_ids.state, "partially_available")
        self.run_flow("fulfillment")
        self.assertEqual(self.amazon_orders(), {})
        self.assertEqual(picking.amazon_mcf_state, "pending")
        waiting = self.account.action_view_mcf_deliveries()
        self.assertIn(picking, self.env["stock.picking"].search(waiting["domain"]))

    def test_deliveries_of_other_warehouses_and_amazon_orders_are_not_mcf(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": self.mug.id, "product_uom_qty": 1})]}
        )
        order.action_confirm()
        self.assertFalse(order.picking_ids.amazon_mcf_state)
        self.assertFalse(order.amazon_mcf_account_id)

    def test_mcf_fulfillment_fee_is_a_fee_of_the_payout(self):
        table = self.env["amazon.payout.mapping"]._amazon_table(self.company)
        [row] = table[("itemfees", "fbaperunitfulfillmentfee")]
        self.assertEqual(row.category, "fee")

    def test_the_delivery_shows_amazons_mcf_fee_and_its_payout_once_registered(self):
        picking = self.confirmed_delivery([(self.mug, 2), (self.plate, 1)])
        self.run_flow("fulfillment")
        self.emulator.mcf.ship(SELLER_ID, picking.amazon_mcf_ref)
        self.run_flow("fulfillment")
        self.assertEqual(picking.state, "done")
        self.emulator.put_settlement(
            SELLER_ID, "77000000001", mcf_orders=[picking.amazon_mcf_ref], mcf_fee="5.40", reserve_released="50.00"
        )
        self.run_flow("payouts")
        payout = self.env["amazon.payout"].search([("settlement_ref", "=", "77000000001")])
        fees = payout.line_ids.filtered(lambda x: x.description == "FBAPerUnitFulfillmentFee")
        self.assertEqual(fees.mapped("merchant_order_ref"), [picking.amazon_mcf_ref] * 2)
        self.assertEqual(fees.mcf_picking_id, picking)
        self.assertEqual(fees.sale_order_id, picking.sale_id, "the web order, not an Amazon order Odoo lacks")
        self.assertEqual(set(fees.mapped("category")), {"fee"})
        self.assertEqual(payout.unknown_order_count, 0)
        self.assertEqual(payout.mcf_delivery_count, 1)
        self.assertFalse(picking.amazon_mcf_payout_id, "not before the payout is registered")
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))

        payout.action_register()
        self.assertAlmostEqual(payout.fee_bill_id.amount_total, 16.20, msg="a fee of the payout like any other")
        warehouse = new_test_user(self.env, "mcf_warehouse", groups="stock.group_stock_user")
        shown = picking.with_user(warehouse)
        self.assertEqual(shown.amazon_mcf_payout_id, payout)
        self.assertAlmostEqual(shown.amazon_mcf_fee, 16.20)
        self.assertEqual(shown.amazon_mcf_fee_currency_id.name, "USD")
        [read] = shown.web_read({"amazon_mcf_payout_id": {"fields": {"display_name": {}}}, "amazon_mcf_fee": {}})
        self.assertEqual(read["amazon_mcf_payout_id"]["display_name"], "Amazon payout 77000000001")

        payout.action_reset()
        self.assertFalse(picking.amazon_mcf_payout_id, "a payout reset no longer charges it")
        self.assertEqual(picking.amazon_mcf_fee, 0.0)
