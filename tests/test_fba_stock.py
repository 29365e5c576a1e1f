"""FBA stock scenarios over the emulator: Amazon's inventory ledger, customer returns,
removals, reimbursements and counts keep the Amazon location true."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..emulator import fba as emulated
from ..emulator.scenarios import make_item, make_order
from .common import SELLER_ID, AmazonCase

US_MARKET = "ATVPDKIKX0DER"


@tagged("post_install", "-at_install")
class FbaStockCase(AmazonCase):
    FLOW_MODELS = dict(
        AmazonCase.FLOW_MODELS,
        fba_ledger="amazon.fba.ledger.sync",
        fba_returns="amazon.fba.return.sync",
        fbm_returns="amazon.fbm.return.sync",
        fba_removals="amazon.fba.removal.sync",
        fba_reimbursements="amazon.fba.reimbursement.sync",
        fba_inventory="amazon.fba.inventory.sync",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["product.category"].create({"name": "FBA goods", "property_cost_method": "average"})
        cls.mug = cls.env["product.product"].create(
            {
                "name": "Blue Mug",
                "default_code": "MUG-BLUE",
                "type": "consu",
                "is_storable": True,
                "standard_price": 4.0,
                "list_price": 9,
                "categ_id": category.id,
            }
        )
        cls.env["amazon.offer"].create(
            {"account_id": cls.account.id, "sku": "MUG-BLUE", "product_id": cls.mug.id, "fulfillment_channel": "fba"}
        )
        cls.where = cls.account._amazon_fba_locations()
        cls.warehouse = cls.account.warehouse_id

    def setUp(self):
        super().setUp()
        self.now = datetime.now().replace(microsecond=0)
        self.account.last_orders_sync = fields.Datetime.now() - timedelta(days=1)

    # ------------------------------------------------------------------ helpers

    def qty(self, location, product=None):
        """Units in ``location`` itself (the unsellable location is a sub-location of the FBA one)."""
        quants = self.env["stock.quant"].search(
            [("product_id", "=", (product or self.mug).id), ("location_id", "=", location.id)]
        )
        return sum(quants.mapped("quantity"))

    def set_stock(self, location, quantity, product=None):
        self.env["stock.quant"]._update_available_quantity(product or self.mug, location, quantity)

    def ledger(self, event_type, quantity, days_ago=1, **cells):
        self.emulator.put_ledger_event(
            SELLER_ID, self.now - timedelta(days=days_ago), "MUG-BLUE", event_type, quantity, **cells
        )

    def events(self, source="ledger"):
        return self.env["amazon.fba.event"].search([("account_id", "=", self.account.id), ("source", "=", source)])

    def fba_order(self, quantity=2):
        amazon_order = make_order(
            items=[make_item("MUG-BLUE", quantity, "9.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
        )
        self.emulator.put_order(SELLER_ID, amazon_order)
        self.run_flow("orders")
        return self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])])

    # ------------------------------------------------------------------ ledger

    def test_a_receipt_completes_the_send_to_amazon_transfer_partially_then_fully(self):
        self.set_stock(self.warehouse.lot_stock_id, 10)
        send_type = self.account.fba_send_picking_type_id
        self.assertEqual(send_type.default_location_dest_id, self.where["transit"])
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": send_type.id,
                "amazon_shipment_ref": "FBA15ABCDEF",
                "move_ids": [
                    fields.Command.create(
                        {
                            "product_id": self.mug.id,
                            "product_uom_qty": 6,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.where["transit"].id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.quantity = 6
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.amazon_receipt_state, "transit")
        self.assertEqual(self.qty(self.where["transit"]), 6)

        self.ledger("Receipts", 4, days_ago=2, Reference_ID="FBA15ABCDEF")
        run = self.run_flow("fba_ledger")
        self.assertFalse(run.error, run.error)
        self.assertEqual(self.qty(self.where["fba"]), 4)
        self.assertEqual(self.qty(self.where["transit"]), 2)
        self.assertEqual(picking.amazon_receipt_state, "partial")
        self.assertEqual(picking.amazon_received_qty, 4)

        self.ledger("Receipts", 2, days_ago=1, Reference_ID="FBA15ABCDEF")
        self.run_flow("fba_ledger")
        self.assertEqual(self.qty(self.where["fba"]), 6)
        self.assertEqual(self.qty(self.where["transit"]), 0)
        self.assertEqual(picking.amazon_receipt_state, "received")
        self.assertEqual(self.status("fba_ledger").state, "ok")

    def test_lost_and_found_events_move_stock_and_its_value(self):
        self.set_stock(self.where["fba"], 10)
        self.ledger("Adjustments", -3, Reason="M", Reference_ID="ADJ1")
        self.ledger("Adjustments", 1, Reason="F", Reference_ID="ADJ2")
        run = self.run_flow("fba_ledger")
        self.assertFalse(run.error, run.error)
        self.assertEqual(self.qty(self.where["fba"]), 8)
        moves = self.events().move_id
        self.assertEqual(len(moves), 2)
        self.assertEqual(set(moves.mapped("state")), {"done"})
        lost = moves.filtered(lambda m: m.location_id == self.where["fba"])
        found = moves - lost
        self.assertEqual(lost.location_dest_id, self.where["loss"])
        self.assertEqual(found.location_id, self.where["loss"])
        # valuation follows (stock_account): the lost units leave the stock value, the found one enters it
        self.assertTrue(lost.is_valued and found.is_valued)
        self.assertAlmostEqual(lost.value, 12.0)
        self.assertAlmostEqual(found.value, 4.0)
        self.assertAlmostEqual(self.mug.total_value, 8 * 4.0)

    def test_damaged_units_go_to_the_unsellable_location_and_transfers_move_nothing(self):
        self.set_stock(self.where["fba"], 5)
        self.ledger("Adjustments", -2, Reason="E", Disposition="SELLABLE")
        self.ledger("Adjustments", 2, Reason="E", Disposition="WAREHOUSE_DAMAGED")
        self.ledger("WhseTransfers", -1, Reference_ID="T1")
        self.ledger("Adjustments", -1, Reason="D", Disposition="WAREHOUSE_DAMAGED")
        run = self.run_flow("fba_ledger")
        self.assertFalse(run.error, run.error)
        self.assertEqual(
            self.qty(self.where["fba"]), 3, [(e.quantity, e.reason, e.disposition, e.state, e.error) for e in self.events()]
        )
        self.assertEqual(self.qty(self.where["unsellable"]), 1)
        disposed = self.events().filtered(lambda e: e.reason == "D").move_id
        self.assertEqual(disposed.location_dest_id, self.where["scrap"])
        self.assertEqual(self.events().filtered(lambda e: e.event_type == "WhseTransfers").state, "recorded")

    def test_a_re_read_of_the_same_ledger_changes_nothing(self):
        self.set_stock(self.where["fba"], 10)
        self.ledger("Adjustments", -1, Reason="M", Reference_ID="ADJ1")
        self.ledger("Adjustments", -1, Reason="M", Reference_ID="ADJ1")  # the same event twice in one day
        self.run_flow("fba_ledger")
        self.assertEqual(self.qty(self.where["fba"]), 8)
        count = len(self.events())
        # the next window overlaps the first: the same rows are read again
        self.env["amazon.fba.report"].search([]).data_end = fields.Datetime.now()
        run = self.run_flow("fba_ledger")
        self.assertEqual(run.stats["unchanged"], 2)
        self.assertEqual(self.qty(self.where["fba"]), 8)
        self.assertEqual(len(self.events()), count)
        self.assertEqual(len(self.env["amazon.fba.report"].search([("account_id", "=", self.account.id)])), 2)

    def test_a_malformed_ledger_row_becomes_one_failure_row_and_the_others_apply(self):
        self.set_stock(self.where["fba"], 10)
        self.ledger("Adjustments", -1, Reason="M")
        columns = emulated.COLUMNS[emulated.LEDGER]
        bad = {name: "" for name in columns}
        bad.update({"Date": self.now.strftime("%m/%d/%Y"), "MSKU": "MUG-BLUE", "Event Type": "Adjustments"})
        bad["Quantity"] = "three"
        self.emulator.put_fba_raw(
            SELLER_ID, emulated.LEDGER, self.now - timedelta(days=1), "\t".join(bad[c] for c in columns)
        )
        self.ledger("Adjustments", 2, Reason="F")
        run = self.run_flow("fba_ledger")
        self.assertFalse(run.error, run.error)
        self.assertEqual(self.qty(self.where["fba"]), 11)
        failed = self.events().filtered(lambda e: e.state == "failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("Quantity", failed.error)
        self.assertIn("three", failed.raw)
        # read again: still one failure row
        self.env["amazon.fba.report"].search([]).data_end = fields.Datetime.now()
        self.run_flow("fba_ledger")
        self.assertEqual(len(self.events().filtered(lambda e: e.state == "failed")), 1)
        self.assertEqual(self.status("fba_ledger").record_count, 1)

    def test_ledger_shipments_and_customer_returns_are_checked_never_applied_twice(self):
        self.set_stock(self.where["fba"], 10)
        order = self.fba_order(2)
        self.assertEqual(self.qty(self.where["fba"]), 8)
        self.ledger("Shipments", -2, days_ago=0.05, Reference_ID="SHIP1")
        self.ledger("CustomerReturns", 1, days_ago=0.05, Reference_ID="LPN1")
        self.run_flow("fba_ledger")
        self.assertEqual(self.qty(self.where["fba"]), 8, "the order import moved these units already")
        states = dict((e.event_type, e.state) for e in self.events())
        self.assertEqual(states, {"Shipments": "checked", "CustomerReturns": "unmatched"})
        self.assertTrue(order)

    def test_amazon_report_still_being_prepared_wakes_the_flow_later_without_sleeping(self):
        self.emulator.fba_polls_before_done = 1
        self.ledger("Adjustments", 1, Reason="F")
        run = self.run_flow("fba_ledger")
        self.assertTrue(run.wake_at)
        self.assertEqual(self.qty(self.where["fba"]), 0)
        run = self.run_flow("fba_ledger")
        self.assertEqual(self.qty(self.where["fba"]), 1)
        self.assertEqual(len(self.emulator.calls("createReport")), 1)
