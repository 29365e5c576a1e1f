"""The sync engine: flows never block, erase or hide one another; bad data and faults lose nothing."""

import logging
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..emulator.scenarios import make_address, make_item, make_order
from ..models.amazon_sync_status import FLOWS
from ..spapi import BUCKETS, SpApiSession
from .common import CA, REFRESH_TOKEN, SELLER_ID, LogCapture
from .test_cancellations import CancellationCase
from .test_shipments import ShipmentCase

BUYER_EMAIL = "k4x9q2secret@marketplace.amazon.com"
STREET = "742 Evergreen Terrace"
PHONE = "+1 555 0199 7788"


@tagged("post_install", "-at_install")
class TestFlowStatus(ShipmentCase):
    def test_each_flow_keeps_its_own_status_and_a_success_never_wipes_another_flows_error(self):
        _amazon_order, _order, picking = self.import_order()
        self.validate(picking)
        self.emulator.inject("confirmShipment", "unavailable", times=50)
        self.run_flow("shipments", budget=5)
        self.assertEqual(self.status("shipments").state, "error")
        self.assertIn("could not be reached", self.status("shipments").last_error)
        failing_since = self.status("shipments").failing_since
        self.assertTrue(failing_since)

        self.time_passes()
        self.run_flow("orders")  # a successful order run
        self.assertEqual(self.status("orders").state, "ok")
        self.assertIn("could not be reached", self.status("shipments").last_error, "not wiped by another flow")
        self.assertEqual(
            self.account.status_ids.mapped("flow"),
            [flow for flow, _label in FLOWS],
            "one line per flow, in the flows' order",
        )
        self.assertEqual(
            [flow for flow, _label in FLOWS][:5], ["orders", "shipments", "cancellations", "stock", "payouts"]
        )

        self.emulator.faults.clear()
        self.run_flow("shipments")
        self.assertRecordValues(
            self.status("shipments"), [{"state": "ok", "last_error": False, "failing_since": False}]
        )
        self.assertEqual(picking.amazon_sync_state, "done")

    def test_every_account_has_a_row_per_flow_also_after_an_upgrade_that_adds_a_flow(self):
        flows = [flow for flow, _label in self.env["amazon.sync.status"]._fields["flow"].selection]
        self.assertEqual(self.account.status_ids.mapped("flow"), flows, "a new account: one row per flow")
        # an account created before the payouts flow existed: the upgrade gives it the row
        self.env.cr.execute(
            "DELETE FROM amazon_sync_status WHERE account_id = %s AND flow = 'payouts'", [self.account.id]
        )
        self.env.invalidate_all()
        self.assertNotIn("payouts", self.account.status_ids.mapped("flow"))
        self.env["amazon.sync.status"].init()
        self.env.invalidate_all()
        self.assertEqual(self.account.status_ids.mapped("flow"), flows)
        self.assertRecordValues(
            self.status("payouts"), [{"state": "ok", "company_id": self.account.company_id.id, "sequence": 4}]
        )

    def test_a_flow_runs_from_its_row_with_the_rights_of_its_former_button(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        manager = new_test_user(self.env, "rows-manager", groups="sales_team.group_sale_manager")
        salesman = new_test_user(self.env, "rows-seller", groups="sales_team.group_sale_salesman")
        accountant = new_test_user(
            self.env, "rows-accountant", groups="sales_team.group_sale_salesman,account.group_account_invoice"
        )
        orders = self.status("orders")
        self.assertEqual(
            [
                (u.login, orders.with_user(u).can_run, self.status("payouts").with_user(u).can_run)
                for u in (manager, salesman, accountant)
            ],
            [("rows-manager", True, False), ("rows-seller", False, False), ("rows-accountant", False, True)],
        )
        with self.assertRaises(AccessError):
            orders.with_user(salesman).action_run_now()
        with self.assertRaises(AccessError):
            self.status("payouts").with_user(manager).action_run_now()
        self.assertFalse(self.sale_order(amazon_order))

        notification = orders.with_user(manager).action_run_now()
        self.assertIn("1 created", notification["params"]["message"])
        self.assertTrue(self.sale_order(amazon_order))
        self.assertEqual(orders.state, "ok")
        self.assertIn("1 created", orders.summary)
        # the former header button, in the account's Action menu under its name
        gear = self.env.ref("amazon_sp_connector.action_server_amazon_sync_orders")
        self.assertEqual((gear.name, gear.binding_model_id.model), ("Sync Orders", "amazon.account"))
        context = {"active_model": "amazon.account", "active_id": self.account.id, "active_ids": self.account.ids}
        self.assertEqual(gear.with_user(manager).with_context(**context).run()["tag"], "display_notification")
        with self.assertRaises(AccessError):
            gear.with_user(salesman).with_context(**context).run()

    def test_a_row_shows_its_next_run_and_opens_its_flows_records(self):
        _amazon_order, _order, picking = self.import_order()
        self.validate(picking)  # waits for the shipments flow
        shipments, orders = self.status("shipments"), self.status("orders")
        self.assertRecordValues(
            shipments + orders + self.status("cancellations"),
            [
                {"record_count": 1, "records": "Deliveries waiting: 1"},
                {"record_count": 0, "records": "Failed orders: 0"},
                {"record_count": 0, "records": False},
            ],
        )
        action = shipments.action_show_records()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), picking)
        with self.assertRaises(UserError):
            self.status("cancellations").action_show_records()
        salesman = new_test_user(self.env, "rows-seller", groups="sales_team.group_sale_salesman")
        self.assertFalse(self.status("payouts").with_user(salesman).record_count, "payouts are accountants' records")

        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_orders")
        cron.nextcall = fields.Datetime.now() + timedelta(minutes=12)
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        orders.invalidate_recordset(["next_run"])
        self.assertEqual(orders.next_run, cron.nextcall, "the scheduled action's next call")
        soon = fields.Datetime.now() + timedelta(minutes=3)
        cron._trigger(soon)
        orders.invalidate_recordset(["next_run"])
        self.assertEqual(orders.next_run, soon, "an earlier trigger")
        orders.sudo().next_attempt = fields.Datetime.now() + timedelta(minutes=5)
        orders.invalidate_recordset(["next_run"])
        self.assertEqual(orders.next_run, orders.next_attempt, "the first call after Amazon's quota refills")
        cron.active = False
        orders.invalidate_recordset(["next_run"])
        self.assertFalse(orders.next_run, "a stopped scheduled action never runs it")

    def test_accounts_sharing_a_seller_quota_take_turns_and_a_trigger_never_starves_one(self):
        """The US account takes the only searchOrders token; the Canadian one waits for the
        refill without sleeping (a trigger at the refill). When it comes, the Canadian
        account runs and the US one, idle, does not spend the token again."""
        self.emulator.set_plan("searchOrders", 1 / 60, 1)
        canada = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon CA",
                base_marketplace_id=self.marketplace_ca.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        us_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        ca_order = self.put(make_order(items=[make_item("MUG-BLUE")], marketplace_id=CA[0]))
        self.run_cron("orders")
        self.assertTrue(self.sale_order(us_order))
        self.assertFalse(self.sale_order(ca_order, canada))
        waiting = self.status("orders", canada)
        self.assertEqual(waiting.state, "waiting")
        self.assertGreater(waiting.next_attempt, fields.Datetime.now() + timedelta(seconds=30))
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_orders")
        self.assertTrue(  # a trigger runs the cron by the refill (another test may have left an earlier one)
            self.env["ir.cron.trigger"].search(
                [
                    ("cron_id", "=", cron.id),
                    ("call_at", ">=", fields.Datetime.now()),
                    ("call_at", "<=", waiting.next_attempt),
                ]
            )
        )

        # the quota refills, the trigger fires
        self.emulator.set_plan("searchOrders", 1 / 60, 1)
        BUCKETS.clear()
        waiting.next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self.emulator.requests.clear()
        self.run_cron("orders")
        self.assertTrue(self.sale_order(ca_order, canada))
        self.assertEqual(self.status("orders", canada).state, "ok")
        [call] = self.emulator.calls("searchOrders")
        self.assertEqual(call["query"]["marketplaceIds"], [CA[0]], "the idle US account is not polled again")

    def test_a_failing_flow_mails_once_per_new_error_and_two_failing_flows_once_each(self):
        _amazon_order, order, picking = self.import_order()
        self.validate(picking)
        self.emulator.inject("confirmShipment", "unavailable", times=200)
        self.emulator.inject("searchOrders", "unavailable", times=200)
        mails_before = self.env["mail.mail"].search([])
        for _run in range(3):
            self.time_passes()
            self.run_flow("orders", budget=5)
            self.run_flow("shipments", budget=5)
        mails = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(mails), 2, "one mail per failing flow, not one per run")
        self.assertEqual(mails.recipient_ids, self.account.user_id.partner_id)
        self.assertEqual(
            sorted(m.subject for m in mails),
            [
                "Amazon (Amazon US): Orders synchronization failing",
                "Amazon (Amazon US): Shipments synchronization failing",
            ],
        )
        self.assertTrue(order)

    def test_without_a_salesperson_email_the_company_administrators_are_told(self):
        self.account.user_id.email = False
        admin = new_test_user(self.env, "amazon-admin", groups="base.group_system", email="admin@example.com")
        self.emulator.inject("searchOrders", "unavailable", times=50)
        mails_before = self.env["mail.mail"].search([])
        self.run_flow("orders", budget=5)
        mail = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(mail), 1)
        self.assertIn(admin.partner_id, mail.recipient_ids)
        self.assertNotIn(self.account.user_id.partner_id, mail.recipient_ids)

    def test_failure_mails_come_from_templates_the_admin_can_edit(self):
        template = self.env.ref("amazon_sp_connector.mail_template_sync_error")
        template.subject = "Heads up: {{ object.name }}"
        self.emulator.inject("searchOrders", "unavailable", times=50)
        mails_before = self.env["mail.mail"].search([])
        self.run_flow("orders", budget=5)
        mail = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(mail.subject, "Heads up: Amazon US")


@tagged("post_install", "-at_install")
class TestOrderDefects(ShipmentCase):
    def test_a_buyer_with_an_email_but_no_name_imports_with_a_fallback_name(self):
        amazon_order = make_order(
            items=[make_item("MUG-BLUE")],
            buyer_name=None,
            buyer_email=BUYER_EMAIL,
            address=make_address(None, STREET, phone=PHONE),
        )
        amazon_order["buyer"].pop("buyerName", None)
        amazon_order["recipient"]["deliveryAddress"].pop("name", None)
        self.put(amazon_order)
        self.assertEqual(self.sync()["created"], 1)
        order = self.sale_order(amazon_order)
        self.assertEqual(order.partner_id.name, "Amazon Customer")
        self.assertEqual(order.partner_id.email, BUYER_EMAIL)

    def test_no_personal_data_reaches_failures_logs_chatter_or_mails_whatever_the_error(self):
        """A NUL byte in the street makes the database refuse the contact: the failure says
        so without the buyer's email, street or phone, anywhere."""
        self.account.user_id.email = "amazon-desk@example.com"
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE")],
                buyer_name="Rosalind Franklin",
                buyer_email=BUYER_EMAIL,
                address=make_address("Rosalind Franklin", STREET + "\x00", phone=PHONE),
            )
        )
        capture = LogCapture()
        logging.getLogger().addHandler(capture)
        self.addCleanup(logging.getLogger().removeHandler, capture)
        mails_before = self.env["mail.mail"].search([])
        self.assertEqual(self.sync()["failed"], 1)
        failure = self.account.order_failure_ids
        self.assertEqual(failure.order_ref, amazon_order["orderId"])
        mails = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(mails), 1)
        visible = "\n".join(
            [failure.reason, capture.text, *mails.mapped("body_html"), *self.account.message_ids.mapped("body")]
        )
        for personal in (BUYER_EMAIL, STREET, PHONE, "Rosalind", "Franklin"):
            self.assertNotIn(personal, visible)
        self.assertIn(amazon_order["orderId"], mails.body_html)

    def test_an_fbm_order_that_failed_and_then_shipped_stays_listed(self):
        bad = make_order(items=[make_item("MUG-BLUE")])
        del bad["orderItems"][0]["proceeds"]
        del bad["orderItems"][0]["product"]["price"]
        self.put(bad)
        self.sync()
        self.assertTrue(self.account.order_failure_ids.retryable)
        self.time_passes()
        self.emulator.set_status(SELLER_ID, bad["orderId"], "SHIPPED")
        stats = self.sync()
        self.assertEqual(stats["shipped before import"], 1)
        failure = self.account.order_failure_ids
        self.assertEqual(failure.order_ref, bad["orderId"])
        self.assertIn("Shipped on Amazon before it could be imported", failure.reason)
        self.assertFalse(failure.retryable)
        self.emulator.requests.clear()
        self.time_passes()
        self.sync()
        self.assertEqual(self.emulator.calls("getOrder"), [], "not fetched forever")

    def test_amazon_text_never_acts_as_a_wildcard(self):
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", shipping="4.99")],
                address=make_address("Grace Hopper", "1 Navy Way", "Arlington", "22201", "US", "%"),
                service_level="_",
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertFalse(order.partner_shipping_id.state_id, "'%' matches no state")
        self.assertEqual(order.activity_ids.summary, "Check the customer's state")
        shipping_line = order.order_line.filtered(lambda line: line.product_id.type == "service")
        self.assertEqual(
            shipping_line.product_id, self.env.ref("amazon_sp_connector.product_amazon_shipping"), "'_' matches nothing"
        )

    def test_malformed_orders_each_become_one_failure_and_the_run_goes_on(self):
        good = self.put(make_order(items=[make_item("MUG-BLUE")]))
        broken = make_order(items=[make_item("MUG-BLUE")])
        broken["orderItems"] = "not a list"
        junk = [
            "just a string",
            None,
            {"orderId": ["an", "unhashable", "list"]},
            {"orderId": "9" * 6000, "orderItems": []},
            {"orderId": {"nested": True}},
            broken,
        ]
        for entry in junk:
            self.emulator.put_junk(SELLER_ID, entry)
        run = self.run_flow("orders")
        self.emulator.validation_errors.clear()  # the junk breaks Amazon's model on purpose
        self.assertFalse(run.error)
        self.assertEqual((run.stats["created"], run.stats["failed"]), (1, len(junk)))
        self.assertTrue(self.sale_order(good))
        failures = self.account.order_failure_ids
        self.assertEqual(len(failures), len(junk))
        self.assertTrue(all(len(f.order_ref) <= 64 and len(f.reason) <= 300 for f in failures))
        self.assertEqual(failures.filtered("retryable").order_ref, broken["orderId"])
        self.assertFalse(self.account.sync_window_before, "the window completed: nothing repeats")

    def test_a_failed_order_amazon_does_not_find_for_days_stays_listed_and_is_no_longer_fetched(self):
        broken = make_order(items=[make_item("MUG-BLUE")])
        broken["orderItems"] = "not a list"
        self.emulator.put_junk(SELLER_ID, broken)  # searchOrders serves it, getOrder does not know it
        self.run_flow("orders")
        self.emulator.validation_errors.clear()
        failure = self.account.order_failure_ids
        self.assertTrue(failure.retryable)
        self.run_flow("orders")  # no new window holds the junk again: the failure is retried
        self.assertEqual(len(self.emulator.calls("getOrder")), 1)
        self.assertEqual((failure.order_ref, failure.attempts), (broken["orderId"], 2))
        self.assertIn("404", failure.reason)
        self.assertTrue(failure.retryable, "one 404 is not trusted: Amazon has answered 404 for orders it had")
        failure.write({"attempts": 4, "first_failure": fields.Datetime.now() - timedelta(days=1)})
        self.run_flow("orders")
        self.assertEqual((failure.attempts, failure.retryable), (5, True), "not found for a day only")
        failure.first_failure -= timedelta(days=2)
        self.run_flow("orders")
        self.assertEqual((failure.attempts, failure.retryable), (6, False))
        self.emulator.requests.clear()
        self.run_flow("orders")
        self.assertEqual(self.emulator.calls("getOrder"), [], "not fetched by every run forever")
        self.assertEqual(self.account.order_failure_ids, failure, "still listed")

    def test_retries_left_when_the_run_is_out_of_time_wait_for_the_next_scheduled_run(self):
        for _index in range(3):
            broken = make_order(items=[make_item("MUG-BLUE")])
            broken["orderItems"] = "not a list"
            self.emulator.put_junk(SELLER_ID, broken)
        self.run_flow("orders")
        self.emulator.validation_errors.clear()
        self.assertEqual(len(self.account.order_failure_ids.filtered("retryable")), 3)
        self.emulator.inject("getOrder", "slow", delay=4.0)  # the first retry spends the run's time
        run = self.run_flow("orders", budget=6)
        self.assertLess(len(self.emulator.calls("getOrder")), 3)
        self.assertFalse(run.more, "retries do not chain runs: the next scheduled one goes on")

    def test_an_expired_pagination_token_restarts_the_window(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.account.write({"sync_window_before": SpApiSession.latest_allowed_before(), "sync_next_token": "expired"})
        run = self.run_flow("orders")
        self.assertFalse(run.error)
        self.assertEqual((run.stats["window restarted"], run.stats["created"]), (1, 1))
        self.assertTrue(self.sale_order(amazon_order))
        self.assertFalse(self.account.sync_next_token or self.account.sync_window_before)

    def test_the_order_cursor_can_never_become_empty(self):
        with self.assertRaises(ValidationError):
            self.account.last_orders_sync = False
            self.account.flush_recordset()

    def test_a_forced_resync_during_a_run_is_kept_and_done_next(self):
        """The admin moves Last Order Sync back while a run is between two pages: the run
        does not close the window nor empty the cursor; the next run does the resync."""
        for _i in range(101):
            self.put(make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
        resync_from = fields.Datetime.now() - timedelta(days=3)

        def admin_moves_the_cursor():
            self.account.last_orders_sync = resync_from

        self.emulator.inject("searchOrders", "call", match="paginationToken", function=admin_moves_the_cursor)
        run = self.run_flow("orders")
        self.assertFalse(run.error)
        self.assertEqual(self.account.last_orders_sync, resync_from, "the admin's cursor stays")
        self.assertFalse(self.account.sync_window_before)
        self.emulator.requests.clear()
        run = self.run_flow("orders")
        self.assertEqual((run.stats["created"], run.stats["unchanged"]), (0, 101))
        self.assertGreater(self.account.last_orders_sync, resync_from)


@tagged("post_install", "-at_install")
class TestShipmentDefects(ShipmentCase):
    def test_a_confirmation_amazon_already_has_settles_as_synchronized(self):
        """A crash between Amazon's answer and our commit: the delivery is still scheduled,
        Amazon refuses the repeat, and the delivery ends synchronized, not failed."""
        amazon_order, _order, picking = self.import_order()
        self.validate(picking)
        package = picking._amazon_prepare_shipment_values()
        with SpApiSession(self.account._sp_credentials()) as session:  # the answer we never committed
            session.confirm_shipment(amazon_order["orderId"], "ATVPDKIKX0DER", package)
        run = self.run_flow("shipments")
        self.assertEqual(run.stats["already confirmed"], 1)
        self.assertEqual(picking.amazon_sync_state, "done")
        self.assertFalse(picking.amazon_sync_error)
        self.assertEqual(len(self.confirmations(amazon_order)), 1)
        self.assertEqual(
            [r["status"] for r in self.emulator.calls("confirmShipment")], [204, 400], "Amazon refused the repeat"
        )

    def test_a_delivery_that_breaks_is_put_in_error_and_the_others_are_sent(self):
        first_amazon, _first, first_picking = self.import_order()
        self.time_passes()
        second_amazon, _second, second_picking = self.import_order()
        self.validate(first_picking)
        self.validate(second_picking)
        first_picking.carrier_id = False  # emptied after validation
        run = self.run_flow("shipments")
        self.assertEqual((run.stats["refused"], run.stats["confirmed"]), (1, 1))
        self.assertEqual(first_picking.amazon_sync_state, "error")
        self.assertIn("no carrier or tracking reference", first_picking.amazon_sync_error)
        self.assertEqual(second_picking.amazon_sync_state, "done")
        self.assertFalse(self.confirmations(first_amazon))
        self.assertTrue(self.confirmations(second_amazon))

    def test_hidden_buttons_check_rights_when_called_over_rpc(self):
        _amazon_order, _order, picking = self.import_order()
        self.emulator.requests.clear()
        salesman = new_test_user(self.env, "amazon-seller", groups="sales_team.group_sale_salesman")
        manager = new_test_user(self.env, "amazon-manager", groups="sales_team.group_sale_manager")
        for method in ("action_sync_orders", "action_sync_shipments", "action_sync_cancellations"):
            with self.assertRaises(AccessError):
                getattr(self.account.with_user(salesman), method)()
        with self.assertRaises(AccessError):
            self.account.with_user(manager).action_test_connection()
        with self.assertRaises(AccessError):
            self.account.with_user(salesman).action_update_marketplaces()
        picking.amazon_sync_state = "error"
        with self.assertRaises(AccessError):
            picking.with_user(salesman).action_retry_amazon_sync()
        self.assertEqual(self.emulator.requests, [])


@tagged("post_install", "-at_install")
class TestCancellationDefects(CancellationCase):
    def test_the_cancel_wizard_applies_the_cancel_buttons_guards(self):
        fba = self.put(
            make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True)
        )
        self.sync()
        order = self.sale_order(fba)
        wizard = Form(self.env["amazon.cancel.order"].with_context(default_order_ids=[order.id]))
        with self.assertRaisesRegex(UserError, "Seller Central"):
            wizard.save().action_confirm()
        self.assertNotEqual(order.state, "cancel")
        self.assertFalse(order.amazon_cancel_state)

    def test_an_unreadable_report_fails_its_orders_and_never_blocks_later_cancellations(self):
        _amazon_orders, orders = self.import_orders(2)
        self.cancel_in_odoo(orders[0])
        self.emulator.inject("processFeed", "garbled")
        self.run_until_done()
        self.assertEqual(orders[0].amazon_cancel_state, "error")
        self.assertIn("could not be read", orders[0].amazon_cancel_error)
        feed = self.env["amazon.feed"].search([("order_ids", "in", orders[0].ids)])
        self.assertTrue(feed.done and feed.error)
        self.cancel_in_odoo(orders[1])
        self.run_until_done()
        self.assertEqual(orders[1].amazon_cancel_state, "done")
        self.assertEqual(self.status("cancellations").state, "ok")


@tagged("post_install", "-at_install")
class TestAccountDefects(ShipmentCase):
    def test_an_account_with_orders_is_archived_instead_of_deleted(self):
        _amazon_order, order, _picking = self.import_order()
        self.account.unlink()
        self.assertTrue(self.account.exists())
        self.assertFalse(self.account.active)
        self.assertEqual(order.amazon_account_id, self.account)
        unused = self.env["amazon.account"].create(self.account_values(name="Unused", seller_id="A9UNUSED"))
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_a_second_account_for_the_same_seller_and_marketplace_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "imported twice"):
            self.env["amazon.account"].create(self.account_values(name="Again"))
        other = self.env["amazon.account"].create(
            self.account_values(name="Canada", base_marketplace_id=self.marketplace_ca.id)
        )
        self.assertEqual(other.marketplace_ids, self.marketplace_ca, "another marketplace of the seller is fine")

    def test_a_neutralized_database_cannot_reach_amazon(self):
        sql = (Path(__file__).parents[1] / "data" / "neutralize.sql").read_text()
        self.env.cr.execute(sql)
        self.env.invalidate_all()
        self.assertFalse(self.account.active)
        self.assertFalse(self.account.sudo().refresh_token)
        run = self.run_flow("orders")
        self.assertIn("not fully configured", self.status("orders").last_error)
        self.assertTrue(run.error)
        self.assertEqual(self.emulator.requests, [])

    def test_httpx_never_logs_document_urls_and_error_codes_are_masked(self):
        capture = LogCapture()
        logging.getLogger().addHandler(capture)
        self.addCleanup(logging.getLogger().removeHandler, capture)
        _amazon_order, _order, picking = self.import_order()
        self.validate(picking)
        self.emulator.inject("confirmShipment", "reject", code=REFRESH_TOKEN, message="refused")
        self.run_flow("shipments")
        self.assertEqual(picking.amazon_sync_state, "error")
        self.assertIn("[***]", picking.amazon_sync_error)
        self.assertNotIn(REFRESH_TOKEN, picking.amazon_sync_error)
        self.assertTrue(self.emulator.calls("confirmShipment"))
        self.assertNotIn("HTTP Request", capture.text, "httpx logs no request line (URLs may be presigned)")
