"""FBM deliveries back to Amazon: confirmShipment after commit, failures, retries."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..emulator.scenarios import make_item, make_order
from .common import SELLER_ID
from .test_order_import import ImportCase


class ShipmentCase(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shipping = cls.env.ref("amazon_sp_connector.product_amazon_shipping")
        cls.local = cls.env["delivery.carrier"].create({"name": "Speedy Local Couriers", "product_id": shipping.id})
        cls.poster = cls.env["product.product"].create({"name": "Poster", "default_code": "POSTER", "type": "consu"})
        cls.account.user_id.email = "amazon-desk@example.com"

    def import_order(self, **kwargs):
        amazon_order = self.put(
            make_order(items=[make_item("MUG-BLUE", 3, "10.00"), make_item("POSTER", 1, "20.00")], **kwargs)
        )
        self.sync()
        order = self.sale_order(amazon_order)
        return amazon_order, order, order.picking_ids

    def confirmations(self, amazon_order=None):
        return [
            c["body"]["packageDetail"]
            for c in self.emulator.confirmations
            if amazon_order is None or c["order_id"] == amazon_order["orderId"]
        ]

    def items_of(self, amazon_order):
        mug, poster = amazon_order["orderItems"]
        return mug["orderItemId"], poster["orderItemId"]


@tagged("post_install", "-at_install")
class TestShipmentConfirmation(ShipmentCase):
    def test_full_shipment_is_confirmed_after_commit_with_carrier_and_tracking(self):
        amazon_order, _order, picking = self.import_order()
        self.validate(picking)
        self.assertEqual(picking.amazon_sync_state, "pending")
        self.assertEqual(self.emulator.calls("confirmShipment"), [], "nothing leaves during the validation")
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_shipments")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "the sync cron is triggered")

        self.run_cron("shipments")
        mug_ref, poster_ref = self.items_of(amazon_order)
        [package] = self.confirmations(amazon_order)
        self.assertEqual(package["packageReferenceId"], str(picking.id))
        self.assertEqual(package["carrierCode"], "UPS")
        self.assertNotIn("carrierName", package)
        self.assertEqual(package["shippingMethod"], "UPS")
        self.assertEqual(package["trackingNumber"], "1Z999AA10123456784")
        self.assertTrue(package["shipDate"].endswith("Z"))
        self.assertEqual(
            sorted((i["orderItemId"], i["quantity"]) for i in package["orderItems"]),
            sorted([(mug_ref, 3), (poster_ref, 1)]),
        )
        self.assertEqual(picking.amazon_sync_state, "done")
        self.assertIn("Shipment confirmed to Amazon", "".join(picking.message_ids.mapped("body")))
        self.assertEqual(
            self.emulator.order(SELLER_ID, amazon_order["orderId"])["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )

    def test_two_partial_pickings_with_a_backorder_confirm_exactly_their_quantities(self):
        amazon_order, order, picking = self.import_order()
        mug_ref, poster_ref = self.items_of(amazon_order)
        self.validate(picking, {self.mug: 2})
        backorder = order.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        self.assertFalse(backorder.amazon_sync_state)
        self.run_flow("shipments")
        self.assertEqual(
            self.emulator.order(SELLER_ID, amazon_order["orderId"])["fulfillment"]["fulfillmentStatus"],
            "PARTIALLY_SHIPPED",
        )
        self.validate(backorder, tracking="1Z999AA10123456785")
        self.run_flow("shipments")
        first, second = self.confirmations(amazon_order)
        self.assertEqual([(i["orderItemId"], i["quantity"]) for i in first["orderItems"]], [(mug_ref, 2)])
        self.assertEqual(
            sorted((i["orderItemId"], i["quantity"]) for i in second["orderItems"]),
            sorted([(mug_ref, 1), (poster_ref, 1)]),
        )
        self.assertNotEqual(first["packageReferenceId"], second["packageReferenceId"])
        self.assertEqual((picking | backorder).mapped("amazon_sync_state"), ["done", "done"])

    def test_a_kit_is_confirmed_as_kits_once_all_its_components_of_the_line_shipped(self):
        if "mrp.bom" not in self.env:
            self.skipTest("mrp is not installed")
        kit = self.env["product.product"].create({"name": "Mug set", "default_code": "MUG-SET", "type": "consu"})
        poster = self.poster
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    (0, 0, {"product_id": self.mug.id, "product_qty": 2}),
                    (0, 0, {"product_id": poster.id, "product_qty": 1}),
                ],
            }
        )
        amazon_order = self.put(make_order(items=[make_item("MUG-SET", 3, "30.00")]))
        self.sync()
        order = self.sale_order(amazon_order)
        item = amazon_order["orderItems"][0]["orderItemId"]
        # first box: only mugs (no complete set): Amazon is told nothing yet
        first = order.picking_ids
        self.validate(first, {self.mug: 6, poster: 0})
        self.run_flow("shipments")
        self.assertEqual(self.confirmations(amazon_order), [])
        self.assertEqual(first.amazon_sync_state, "done")
        self.assertIn("completed no kit", "".join(first.message_ids.mapped("body")))
        # second box: two posters complete two sets
        second = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.validate(second, {poster: 2}, tracking="1Z999AA10123456785")
        # third box: the last poster completes the third
        third = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.validate(third, {poster: 1}, tracking="1Z999AA10123456786")
        self.run_flow("shipments")
        self.assertEqual(
            [package["orderItems"] for package in self.confirmations(amazon_order)],
            [[{"orderItemId": item, "quantity": 2}], [{"orderItemId": item, "quantity": 1}]],
            "kits, never the sum of components",
        )
        self.assertEqual(order.order_line.filtered("amazon_item_ref").qty_delivered, 3)

    def test_validation_without_tracking_or_carrier_is_refused_with_what_to_fill_in(self):
        _amazon_order, _order, picking = self.import_order()
        with self.assertRaises(UserError) as caught:
            self.validate(picking, tracking=False)
        self.assertIn(picking.name, str(caught.exception))
        self.assertIn("Tracking Reference", str(caught.exception))
        picking.carrier_id = False
        with self.assertRaises(UserError) as caught:
            self.validate(picking, carrier=False)
        self.assertIn("choose a Carrier", str(caught.exception))
        self.assertNotEqual(picking.state, "done")

    def test_a_carrier_without_integration_is_fine_with_a_typed_tracking_reference(self):
        self.assertFalse(self.local._amazon_has_integration() and self.local.integration_level == "rate_and_ship")
        amazon_order, _order, picking = self.import_order()
        self.validate(picking, carrier=self.local, tracking="LOCAL-42")
        self.run_flow("shipments")
        [package] = self.confirmations(amazon_order)
        self.assertEqual((package["carrierCode"], package["carrierName"]), ("Other", "Speedy Local Couriers"))
        self.assertEqual(package["trackingNumber"], "LOCAL-42")

    def test_amazons_whole_carrier_list_is_there_to_pick_from(self):
        Code = self.env["amazon.carrier"]
        self.assertGreater(Code.search_count([]), 300)
        for code in ("Self Delivery", "EasyShip", "Royal Mail", "Deutsche Post", "Other"):
            self.assertTrue(Code.search([("name", "=", code)]), code)
        self.assertIn("Royal Mail", [name for _id, name in Code.name_search("royal")])

    def test_a_code_chosen_before_the_list_became_records_is_kept_on_update(self):
        self.env.flush_all()
        self.env.cr.execute("ALTER TABLE delivery_carrier ADD COLUMN IF NOT EXISTS amazon_carrier_code varchar")
        self.env.cr.execute("UPDATE delivery_carrier SET amazon_carrier_code = 'Yodel' WHERE id = %s", [self.local.id])
        self.env["amazon.carrier"]._load_from_const()
        self.assertEqual(self.local.amazon_carrier_id.name, "Yodel")

    def test_a_carrier_with_a_shipping_integration_is_sent_as_its_integrations_carrier(self):
        self.assertEqual(self.env["delivery.carrier"]._amazon_code_of_delivery_type("fedex_rest"), "FedEx")
        self.assertEqual(self.env["delivery.carrier"]._amazon_code_of_delivery_type("ups_rest"), "UPS")
        self.assertEqual(self.env["delivery.carrier"]._amazon_code_of_delivery_type("dhl_parcel"), "DHL")
        self.assertIsNone(self.env["delivery.carrier"]._amazon_code_of_delivery_type("fixed"))
        # a FedEx account set up under its own name, its integration only rating (no label at validation)
        account = self.env["delivery.carrier"].create(
            {"name": "Our FedEx account", "product_id": self.ups.product_id.id, "integration_level": "rate"}
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE delivery_carrier SET delivery_type = 'fedex_rest' WHERE id = %s", [account.id])
        account.invalidate_recordset(["delivery_type"])
        amazon_order, _order, picking = self.import_order()
        self.validate(picking, carrier=account)
        self.run_flow("shipments")
        [package] = self.confirmations(amazon_order)
        self.assertEqual(package["carrierCode"], "FedEx")
        self.assertNotIn("carrierName", package)

    def test_a_carrier_name_close_to_an_amazon_code_is_refused_with_the_closest_names(self):
        typo = self.env["delivery.carrier"].create({"name": "Royal Mial", "product_id": self.ups.product_id.id})
        amazon_order, _order, picking = self.import_order()
        with self.assertRaises(UserError) as caught:
            self.validate(picking, carrier=typo)
        self.assertIn('"Royal Mail"', str(caught.exception))
        self.assertNotEqual(picking.state, "done")
        # the seller says it really is another carrier: it goes out as Other, under its name
        typo.amazon_carrier_id = self.env["amazon.carrier"]._amazon_by_code("Other")
        self.validate(picking, carrier=typo)
        self.run_flow("shipments")
        [package] = self.confirmations(amazon_order)
        self.assertEqual((package["carrierCode"], package["carrierName"]), ("Other", "Royal Mial"))

    def test_mapped_carrier_sends_its_code_and_a_carrier_named_like_a_code_is_that_code(self):
        self.local.write(
            {
                "amazon_carrier_id": self.env["amazon.carrier"]._amazon_by_code("DHL").id,
                "amazon_carrier_name": "DHL Express",
            }
        )
        self.assertEqual(self.local._amazon_carrier_values(), ("DHL", "DHL Express"))
        royal = self.env["delivery.carrier"].create({"name": "royal  mail", "product_id": self.ups.product_id.id})
        self.assertEqual(royal._amazon_carrier_values(), ("Royal Mail", None))
        amazon_order, _order, picking = self.import_order()
        self.validate(picking, carrier=self.local)
        self.run_flow("shipments")
        self.assertEqual(self.confirmations(amazon_order)[0]["carrierCode"], "DHL")

    def test_multi_step_delivery_confirms_only_when_goods_leave_for_the_customer(self):
        self.account.warehouse_id.delivery_steps = "pick_ship"
        amazon_order, order, pick = self.import_order()
        self.assertEqual(pick.location_dest_id.usage, "internal")
        self.validate(pick)
        self.assertFalse(pick.amazon_sync_state)
        ship = order.picking_ids - pick
        self.assertEqual(ship.location_dest_id.usage, "customer")
        self.validate(ship)
        self.assertEqual(ship.amazon_sync_state, "pending")
        self.run_flow("shipments")
        self.assertEqual(len(self.confirmations(amazon_order)), 1)

    def test_warehouse_staff_validate_with_their_own_rights(self):
        clerk = new_test_user(self.env, "amz_clerk", groups="stock.group_stock_user")
        _amazon_order, _order, picking = self.import_order()
        picking.carrier_id = self.ups
        picking.carrier_tracking_ref = "1Z999AA10123456784"
        picking = picking.with_user(clerk)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        self.assertEqual(picking.amazon_sync_state, "pending")

    def test_a_delivery_amazon_already_saw_shipped_is_not_sent_again(self):
        amazon_order, _order, picking = self.import_order()
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "SHIPPED")
        self.sync()
        self.assertEqual(picking.amazon_sync_state, "done")
        self.validate(picking, carrier=False, tracking=False)  # shipped elsewhere: nothing to fill in
        self.assertEqual(picking.state, "done")
        self.run_flow("shipments")
        self.assertEqual(self.emulator.calls("confirmShipment"), [])

    def test_a_rolled_back_validation_sends_nothing(self):
        _amazon_order, _order, picking = self.import_order()
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self.validate(picking)
            self.assertEqual(picking.amazon_sync_state, "pending")
            raise RuntimeError("something later in the same transaction fails")
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.amazon_sync_state)
        self.run_cron("shipments")
        self.assertEqual(self.emulator.calls("confirmShipment"), [])


@tagged("post_install", "-at_install")
class TestShipmentFailures(ShipmentCase):
    def test_rejection_is_tagged_kept_posted_and_mailed_once_for_the_run(self):
        first_amazon, _first, first_picking = self.import_order()
        self.time_passes()
        second_amazon, _second, second_picking = self.import_order()
        for amazon_order in (first_amazon, second_amazon):
            self.emulator.inject(
                "confirmShipment",
                "reject",
                match=amazon_order["orderId"],
                code="InvalidInput",
                message="The tracking number is not valid for this carrier.",
            )
        self.validate(first_picking)
        self.validate(second_picking)
        mails_before = self.env["mail.mail"].search([])
        stats = self.run_flow("shipments").stats
        self.assertEqual(stats["refused"], 2)
        for picking in (first_picking, second_picking):
            self.assertEqual(picking.amazon_sync_state, "error")
            self.assertIn("not valid for this carrier", picking.amazon_sync_error)
            self.assertIn("not valid for this carrier", "".join(picking.message_ids.mapped("body")))
        self.assertEqual(
            dict(self.env["stock.picking"]._fields["amazon_sync_state"].selection)["error"],
            "Synchronization with Amazon failed",
        )
        mail = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(mail), 1, "one email per run")
        self.assertEqual(mail.recipient_ids, self.account.user_id.partner_id)
        for picking in (first_picking, second_picking):
            self.assertIn(picking.name, mail.body_html)
        self.assertIn("not valid for this carrier", mail.body_html)

    def test_retry_after_fixing_the_tracking_succeeds(self):
        amazon_order, _order, picking = self.import_order()
        self.emulator.inject("confirmShipment", "reject", message="Tracking number already used.")
        self.validate(picking)
        self.run_flow("shipments")
        self.assertEqual(picking.amazon_sync_state, "error")
        picking.carrier_tracking_ref = "1Z999AA10123456799"
        picking.action_retry_amazon_sync()
        self.assertEqual(picking.amazon_sync_state, "pending")
        self.run_flow("shipments")
        self.assertEqual(picking.amazon_sync_state, "done")
        self.assertEqual(self.confirmations(amazon_order)[-1]["trackingNumber"], "1Z999AA10123456799")

    def test_retry_refuses_a_picking_that_did_not_fail(self):
        _amazon_order, _order, picking = self.import_order()
        with self.assertRaises(UserError):
            picking.action_retry_amazon_sync()

    def test_throttling_leaves_it_pending_and_the_next_run_sends_it(self):
        amazon_order, _order, picking = self.import_order()
        self.validate(picking)
        self.emulator.inject("confirmShipment", "throttle", times=10)
        run = self.run_flow("shipments")
        self.assertEqual((run.stats["confirmed"], run.more, run.error), (0, True, None))
        self.assertEqual(self.status("shipments").state, "more")
        self.assertEqual(picking.amazon_sync_state, "pending")
        self.emulator.faults.clear()
        self.run_flow("shipments")
        self.assertEqual(picking.amazon_sync_state, "done")
        self.assertEqual(len(self.confirmations(amazon_order)), 1)

    def test_order_imported_as_shipped_fixes_a_failed_picking(self):
        amazon_order, _order, picking = self.import_order()
        self.emulator.inject("confirmShipment", "reject", message="Carrier not recognised.")
        self.validate(picking)
        self.run_flow("shipments")
        self.assertEqual(picking.amazon_sync_state, "error")
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "SHIPPED")  # fixed in Seller Central
        self.sync()
        self.assertEqual(picking.amazon_sync_state, "done")
        self.assertFalse(picking.amazon_sync_error)
