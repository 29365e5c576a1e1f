"""The accountant's screens in a real browser (headless Chromium, Odoo's own tours)."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .. import const
from ..emulator.scenarios import make_item, make_order
from .common import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID, EmulatorMixin


def emulator_account(env, emulator):
    """An account of the emulator's test seller on Amazon US, synchronizing from yesterday."""
    return env["amazon.account"].create(
        {
            "name": "Amazon US",
            "seller_id": SELLER_ID,
            "lwa_client_id": CLIENT_ID,
            "lwa_client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "base_marketplace_id": env.ref("amazon_sp_connector.marketplace_atvpdkikx0der").id,
            "sp_api_endpoint": emulator.url,
            "lwa_endpoint": emulator.lwa_url,
            "last_orders_sync": fields.Datetime.now() - timedelta(days=1),
        }
    )


@tagged("post_install", "-at_install")
class TestAccountantTour(EmulatorMixin, HttpCase):
    def test_accountant_registers_a_payout_in_the_browser(self):
        account = emulator_account(self.env, self.emulator)
        self.env["product.product"].create(
            {"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True}
        )
        amazon_order = make_order(
            items=[make_item("MUG-BLUE", 2, "10.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
        )
        self.emulator.put_order(SELLER_ID, amazon_order)
        self.env["amazon.order.sync"]._run_now(account)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])])
        invoice = order._create_invoices()
        invoice.action_post()
        self.emulator.put_settlement(SELLER_ID, "TOUR-SETTLEMENT", [amazon_order])
        self.env["amazon.payout.sync"]._run_now(account)
        payout = self.env["amazon.payout"].search([("account_id", "=", account.id)])
        self.assertEqual(payout.state, "imported")

        self.start_tour("/odoo", "amazon_payout_register", login="admin")
        payout.invalidate_recordset()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(invoice.payment_state, "paid")

    def test_accountant_decides_a_mismatch_and_registers_a_payout_with_a_refund(self):
        account = emulator_account(self.env, self.emulator)
        self.env["product.product"].create(
            {"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True}
        )
        returned = make_order(
            items=[make_item("MUG-BLUE", 2, "10.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
        )
        not_invoiced = make_order(
            items=[make_item("MUG-BLUE", 1, "30.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
        )
        for amazon_order in (returned, not_invoiced):
            self.emulator.put_order(SELLER_ID, amazon_order)
        self.env["amazon.order.sync"]._run_now(account)
        orders = self.env["sale.order"].search(
            [("amazon_order_ref", "in", [returned["orderId"], not_invoiced["orderId"]])]
        )
        order = orders.filtered(lambda o: o.amazon_order_ref == returned["orderId"])
        invoice = order._create_invoices()
        invoice.action_post()
        self.emulator.put_settlement(
            SELLER_ID, "TOUR-DECIDE", [returned, not_invoiced], refunds={returned["orderId"]: "10.00"}
        )
        self.env["amazon.payout.sync"]._run_now(account)
        payout = self.env["amazon.payout"].search([("settlement_ref", "=", "TOUR-DECIDE")])
        self.assertEqual(payout.mismatch_ids.mapped("kind"), ["no_invoice"])

        self.start_tour("/odoo", "amazon_payout_decide", login="admin")
        payout.invalidate_recordset()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(payout.mismatch_ids.decision, "open")
        note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual((note.state, note.reversed_entry_id), ("posted", invoice), "the refund's credit note")
        self.assertAlmostEqual(note.amount_total, 10.0)
        self.assertEqual((invoice.amount_residual, note.amount_residual), (0.0, 0.0))
        other = orders - order
        self.assertEqual(other.invoice_status, "to invoice", "left open until the order is invoiced")

    def test_accountant_registers_a_summary_mode_payout_across_a_month_end(self):
        account = emulator_account(self.env, self.emulator)
        account.invoice_mode = "summary"
        account.company_id.amazon_payout_month_cutoff = True  # the settlement is booked in each month
        self.env["product.product"].create(
            {"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True}
        )
        october, november = (
            make_order(items=[make_item("MUG-BLUE", quantity, "10.00")], fulfilled_by="AMAZON", status="SHIPPED")
            for quantity in (2, 1)
        )
        for amazon_order in (october, november):
            self.emulator.put_order(SELLER_ID, amazon_order)
        self.env["amazon.order.sync"]._run_now(account)
        orders = self.env["sale.order"].search([("amazon_order_ref", "in", [october["orderId"], november["orderId"]])])
        # the October order's rows (price, commission, FBA fee) were posted before the month end
        before = {"posted-date-time": "2026-10-30 10:00:00 UTC"}
        self.emulator.put_settlement(
            SELLER_ID,
            "TOUR-SUMMARY",
            [october, november],
            start=datetime(2026, 10, 25),
            end=datetime(2026, 11, 8),
            overrides={1: before, 2: before, 3: before},
        )
        self.env["amazon.payout.sync"]._run_now(account)
        payout = self.env["amazon.payout"].search([("settlement_ref", "=", "TOUR-SUMMARY")])
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))

        self.start_tour("/odoo", "amazon_payout_summary", login="admin")
        payout.invalidate_recordset()
        self.assertEqual(payout.state, "registered")
        summaries = payout.move_ids.filtered("amazon_summary").sorted("invoice_date")
        self.assertEqual(set(summaries.mapped("state")), {"posted"})
        # one summary per month: the October order's in October, the November one's in November
        periods = payout._amazon_periods()
        self.assertEqual(len(periods), 2)
        self.assertEqual(summaries.mapped("invoice_date"), [period["date"] for period in periods])
        self.assertEqual(periods[0]["date"].month, 10)
        self.assertEqual([round(amount, 2) for amount in summaries.mapped("amount_total")], [20.0, 10.0])
        entries = payout.move_ids.filtered(lambda m: m.journal_id == payout.journal_id)
        self.assertEqual(sorted(entries.mapped("date")), [period["date"] for period in periods])
        self.assertEqual(set(orders.mapped("invoice_status")), {"invoiced"})
        self.assertEqual(set(summaries.mapped("payment_state")), {"paid"})


@tagged("post_install", "-at_install")
class TestSalesManagerTour(EmulatorMixin, HttpCase):
    def test_sales_manager_reads_amazon_revenue_per_marketplace(self):
        account = emulator_account(self.env, self.emulator)
        self.emulator.put_order(SELLER_ID, make_order(items=[make_item("MUG-BLUE", 2, "10.00", tax="1.60")]))
        self.env["amazon.order.sync"]._run_now(account)
        self.assertEqual(account.order_count, 1)
        self.start_tour("/odoo", "amazon_sales_report", login="admin")


@tagged("post_install", "-at_install")
class TestWarehouseTour(EmulatorMixin, HttpCase):
    def test_warehouse_validates_an_fbm_delivery_in_the_browser(self):
        account = emulator_account(self.env, self.emulator)
        if "has_received_warning_stock_sms" in self.env.company._fields:
            self.env.company.has_received_warning_stock_sms = True  # no SMS question on the first validation
        self.env["delivery.carrier"].create(
            {"name": "UPS", "product_id": self.env.ref("amazon_sp_connector.product_amazon_shipping").id}
        )
        mug = self.env["product.product"].create({"name": "Mug", "default_code": "MUG", "type": "consu"})
        # "today" in the warehouse's time zone: one where it is about noon now
        offset = 12 - fields.Datetime.now().hour
        self.env.ref("base.user_admin").tz = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        now = fields.Datetime.now().replace(microsecond=0)
        amazon_order = make_order(
            items=[make_item("MUG", 1, "10.00")],
            buyer_name="Ada Lovelace",
            service_level="EXPEDITED",
            programs=["PRIME"],
            ship_by=(now - timedelta(minutes=30), now + timedelta(hours=3)),
        )
        tomorrow = make_order(
            items=[make_item("MUG", 1, "10.00")],
            buyer_name="Charles Babbage",
            ship_by=(now - timedelta(minutes=30), now + timedelta(days=1, hours=14)),
        )
        self.emulator.put_order(SELLER_ID, amazon_order)
        self.emulator.put_order(SELLER_ID, tomorrow)
        self.env["amazon.order.sync"]._run_now(account)
        picking = self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])]).picking_ids
        self.assertEqual(picking.move_ids.product_id, mug)
        self.assertEqual(picking.date_deadline, now + timedelta(hours=3))
        picking.action_assign()
        deliveries = "/odoo/action-amazon_sp_connector.action_amazon_deliveries"
        url = f"{deliveries}/{picking.id}"

        self.start_tour(deliveries, "amazon_warehouse_validate", login="admin")
        self.assertEqual((picking.state, picking.amazon_sync_state), ("done", "pending"))
        self.env["amazon.shipment.sync"]._run_now(account)
        self.assertEqual(picking.amazon_sync_state, "done")
        [confirmation] = self.emulator.confirmations
        self.assertEqual(confirmation["body"]["packageDetail"]["trackingNumber"], "1Z999AA10123456784")
        self.start_tour(url, "amazon_warehouse_synchronized", login="admin")


@tagged("post_install", "-at_install")
class TestSalesAdminTour(EmulatorMixin, HttpCase):
    def test_sales_admin_connects_an_account_and_imports_its_orders(self):
        seller = "A1EMULATORSELLER"
        self.emulator.add_seller(
            seller,
            "amzn1.application-oa2-client.self",
            "self-secret",
            "Atzr|self",
            [("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com")],
        )
        self.emulator.add_application(
            "amzn1.sp.solution.tour", "amzn1.application-oa2-client.app", "app-secret", seller
        )
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_APPLICATION_ID, "amzn1.sp.solution.tour")
        params.set_param(const.PARAM_LWA_CLIENT_ID, "amzn1.application-oa2-client.app")
        params.set_param(const.PARAM_LWA_CLIENT_SECRET, "app-secret")
        params.set_param("web.base.url", self.base_url())
        # the emulator stands for Amazon: new accounts talk to it (an administrator's default)
        self.env["ir.default"].set("amazon.account", "sp_api_endpoint", self.emulator.url)
        self.env["ir.default"].set("amazon.account", "lwa_endpoint", self.emulator.lwa_url)
        self.env["ir.default"].set(
            "amazon.account", "last_orders_sync", fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=1))
        )
        team = self.env["crm.team"].create({"name": "Amazon US Team"})
        self.env["product.product"].create({"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu"})
        amazon_order = make_order(items=[make_item("MUG-BLUE", 1, "10.00")])
        self.emulator.put_order(seller, amazon_order)

        self.start_tour("/odoo/action-amazon_sp_connector.action_amazon_account", "amazon_sales_admin", login="admin")
        account = self.env["amazon.account"].search([("seller_id", "=", seller)])
        self.assertTrue(account.connected)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])])
        self.assertEqual((order.amazon_account_id, order.team_id), (account, team))


@tagged("post_install", "-at_install")
class TestFlowRowsTour(EmulatorMixin, HttpCase):
    def test_sales_admin_runs_a_flow_from_its_row_and_opens_another_flows_records(self):
        account = emulator_account(self.env, self.emulator)
        self.env["product.product"].create({"name": "Mug", "default_code": "MUG", "type": "consu"})
        shipped = make_order(items=[make_item("MUG", 1, "10.00")])
        self.emulator.put_order(SELLER_ID, shipped)
        self.env["amazon.order.sync"]._run_now(account)
        picking = self.env["sale.order"].search([("amazon_order_ref", "=", shipped["orderId"])]).picking_ids
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "UPS", "product_id": self.env.ref("amazon_sp_connector.product_amazon_shipping").id}
        )
        picking.carrier_tracking_ref = "1Z999AA10123456784"
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.amazon_sync_state, "pending")
        account.last_orders_sync -= timedelta(minutes=10)
        new = make_order(items=[make_item("MUG", 2, "10.00")])
        self.emulator.put_order(SELLER_ID, new)
        new_test_user(self.env, "amazon-sales-admin", groups="sales_team.group_sale_manager,stock.group_stock_user")

        self.start_tour(
            "/odoo/action-amazon_sp_connector.action_amazon_account", "amazon_flow_rows", login="amazon-sales-admin"
        )
        self.assertTrue(self.env["sale.order"].search([("amazon_order_ref", "=", new["orderId"])]))
        self.assertEqual(picking.amazon_sync_state, "pending", "opening the records sends nothing")


@tagged("post_install", "-at_install")
class TestMcfWarehouseTour(EmulatorMixin, HttpCase):
    def test_warehouse_user_follows_deliveries_amazon_ships(self):
        account = emulator_account(self.env, self.emulator)
        account.mcf_enabled = True
        mug = self.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG", "type": "consu", "is_storable": True}
        )
        self.env["amazon.offer"].create(
            {"account_id": account.id, "sku": "MUG", "product_id": mug.id, "fulfillment_channel": "fba"}
        )
        self.env["stock.quant"]._update_available_quantity(mug, account.fba_location_id, 10)
        self.emulator.mcf.put_stock(SELLER_ID, "MUG", 10)
        pickings = {}
        for name in ("Grace Hopper", "Alan Turing"):
            customer = self.env["res.partner"].create(
                {"name": name, "street": "1 Main St", "zip": "98101", "country_id": self.env.ref("base.us").id}
            )
            order = self.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "order_line": [
                        (0, 0, {"product_id": mug.id, "product_uom_qty": 1, "route_ids": account.mcf_route_id.ids})
                    ],
                }
            )
            order.action_confirm()
            pickings[name] = order.picking_ids
        self.env["amazon.fulfillment.sync"]._run_now(account)
        self.emulator.mcf.advance(SELLER_ID, pickings["Grace Hopper"].amazon_mcf_ref, "Processing")
        self.emulator.mcf.ship(SELLER_ID, pickings["Alan Turing"].amazon_mcf_ref, carrier="UPS", tracking="1ZTOUR0001")
        self.env["amazon.fulfillment.sync"]._run_now(account)
        self.assertEqual(pickings["Alan Turing"].state, "done")
        self.assertEqual(pickings["Grace Hopper"].amazon_mcf_status, "Processing")
        user = new_test_user(
            self.env, "amazon-mcf-warehouse", groups="stock.group_stock_user,sales_team.group_sale_salesman_all_leads"
        )
        # what the list reads, with the warehouse user's rights
        Picking = self.env["stock.picking"].with_user(user)
        action = (
            self.env["ir.actions.act_window"]
            .with_user(user)
            ._for_xml_id("amazon_sp_connector.action_amazon_mcf_deliveries")
        )
        fields_list = ["name", "partner_id", "state", "amazon_mcf_state", "amazon_mcf_tracking", "amazon_sync_state"]
        rows = Picking.search_read(safe_eval(action["domain"]), fields_list)
        self.assertEqual(len(rows), 2)

        self.start_tour(
            "/odoo/action-amazon_sp_connector.action_amazon_mcf_deliveries",
            "amazon_mcf_warehouse",
            login="amazon-mcf-warehouse",
        )
