"""Amazon's ship-by promise on FBM deliveries: deadline, badges, filters, late-risk activity."""

import ast
import copy
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import format_datetime

from ..emulator.scenarios import make_item, make_order
from ..emulator.server import iso
from .test_order_import import ImportCase


def utcnow():
    """Now, naive UTC, to the second (Amazon's times have no fractions)."""
    return fields.Datetime.now().replace(microsecond=0)


@tagged("post_install", "-at_install")
class TestShipBy(ImportCase):
    def amazon_change(self, amazon_order, **fulfillment):
        """Amazon changes the order (a new window, new programs...) a few minutes ago."""
        changed = copy.deepcopy(amazon_order)
        programs = fulfillment.pop("programs", None)
        if programs is not None:
            changed["programs"] = programs
        changed["fulfillment"].update(fulfillment)
        changed["lastUpdatedTime"] = iso(utcnow() - timedelta(minutes=5))
        self.put(changed)
        self.time_passes()
        return changed

    def local_noon_tz(self):
        """A time zone where it is about noon now: "today" has hours on both sides."""
        offset = 12 - fields.Datetime.now().hour  # -11 .. +12
        return f"Etc/GMT{-offset:+d}" if offset else "UTC"

    # ------------------------------------------------------------------ deadline and scheduled date

    def test_the_ship_by_window_is_the_deliverys_deadline_and_scheduled_date_in_utc(self):
        self.env.user.tz = "America/Los_Angeles"  # whoever imports, Amazon's UTC times are kept as they are
        now = utcnow()
        ship_by = (now + timedelta(hours=20), now + timedelta(days=2, hours=3))
        deliver_by = (now + timedelta(days=4), now + timedelta(days=6, hours=7))
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 2)], ship_by=ship_by, deliver_by=deliver_by))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.assertRecordValues(
            picking,
            [{"date_deadline": ship_by[1], "scheduled_date": ship_by[0], "has_deadline_issue": False}],
        )
        self.assertEqual(set(picking.move_ids.mapped("date_deadline")), {ship_by[1]})
        self.assertRecordValues(
            order,
            [{"amazon_ship_by_start": ship_by[0], "amazon_ship_by": ship_by[1], "commitment_date": deliver_by[1]}],
        )

    def test_an_order_imported_inside_its_window_is_scheduled_at_the_import(self):
        before = utcnow()
        amazon_order = self.put(
            make_order(items=[make_item("MUG-BLUE")], ship_by=(before - timedelta(hours=5), before + timedelta(days=1)))
        )
        self.sync()
        picking = self.sale_order(amazon_order).picking_ids
        self.assertEqual(picking.date_deadline, before + timedelta(days=1))
        self.assertTrue(before <= picking.scheduled_date <= fields.Datetime.now(), picking.scheduled_date)

    def test_a_window_changed_on_amazon_moves_the_deadline_and_the_scheduled_date(self):
        now = utcnow()
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE")],
                ship_by=(now + timedelta(hours=2), now + timedelta(days=1)),
                deliver_by=(now + timedelta(days=2), now + timedelta(days=3)),
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        later = (now + timedelta(days=1, hours=6), now + timedelta(days=3, hours=1))
        self.amazon_change(
            amazon_order,
            shipByWindow={"earliestDateTime": iso(later[0]), "latestDateTime": iso(later[1])},
            deliverByWindow={
                "earliestDateTime": iso(now + timedelta(days=4)),
                "latestDateTime": iso(now + timedelta(days=5)),
            },
        )
        self.assertEqual(self.sync()["updated"], 1)
        self.assertRecordValues(order.picking_ids, [{"date_deadline": later[1], "scheduled_date": later[0]}])
        self.assertEqual(order.commitment_date, now + timedelta(days=5))
        self.assertEqual(self.sync()["created"], 0)

    # ------------------------------------------------------------------ what the delivery says

    def test_the_delivery_shows_the_amazon_order_its_service_level_and_programs(self):
        prime = self.put(
            make_order(
                items=[make_item("MUG-BLUE")],
                service_level="NEXT_DAY",
                programs=["PRIME", "PREMIUM", "AMAZON_BUSINESS"],
            )
        )
        self.account.marketplace_ids = self.marketplace_us | self.marketplace_ca
        standard = self.put(make_order(items=[make_item("MUG-BLUE")], marketplace_id="A2EUQ1WTGCTBG2"))
        self.sync()
        prime_picking = self.sale_order(prime).picking_ids
        standard_picking = self.sale_order(standard).picking_ids
        self.assertRecordValues(
            prime_picking | standard_picking,
            [
                {
                    "amazon_order_ref": prime["orderId"],
                    "amazon_marketplace_name": self.marketplace_us.name,
                    "amazon_service_level": "NEXT_DAY",
                    "amazon_prime": True,
                    "amazon_premium": True,
                    "amazon_business": True,
                    "amazon_programs": "Prime · Premium · Business",
                },
                {
                    "amazon_order_ref": standard["orderId"],
                    "amazon_marketplace_name": self.marketplace_ca.name,
                    "amazon_service_level": "STANDARD",
                    "amazon_prime": False,
                    "amazon_premium": False,
                    "amazon_business": False,
                    "amazon_programs": False,
                },
            ],
        )
        self.assertEqual(
            prime_picking.action_view_in_seller_central(), self.sale_order(prime).action_view_in_seller_central()
        )
        grouped = self.env["stock.picking"]._read_group(
            [("id", "in", (prime_picking | standard_picking).ids)], ["amazon_service_level"], ["__count"]
        )
        self.assertEqual(dict(grouped), {"NEXT_DAY": 1, "STANDARD": 1})

        self.amazon_change(prime, fulfillmentServiceLevel="EXPEDITED", programs=["AMAZON_BUSINESS"])
        self.assertEqual(self.sync()["updated"], 1)
        self.assertRecordValues(
            prime_picking,
            [
                {
                    "amazon_service_level": "EXPEDITED",
                    "amazon_prime": False,
                    "amazon_premium": False,
                    "amazon_business": True,
                    "amazon_programs": "Business",
                }
            ],
        )

    def test_ship_today_and_late_filters_follow_the_deadline_in_the_users_day(self):
        self.env.user.tz = self.local_noon_tz()
        now = utcnow()
        due = {
            "late": now - timedelta(hours=1),
            "today": now + timedelta(hours=3),
            "tomorrow": now + timedelta(hours=14),
        }
        orders = {
            key: self.put(make_order(items=[make_item("MUG-BLUE")], ship_by=(now - timedelta(hours=2), deadline)))
            for key, deadline in due.items()
        }
        shipped_late = self.put(
            make_order(items=[make_item("MUG-BLUE")], ship_by=(now - timedelta(hours=5), now - timedelta(hours=2)))
        )
        self.sync()
        pickings = {key: self.sale_order(order).picking_ids for key, order in orders.items()}
        self.validate(self.sale_order(shipped_late).picking_ids)
        Picking = self.env["stock.picking"]
        self.assertEqual(Picking.search([("amazon_ship_status", "in", ["late"])]), pickings["late"])
        self.assertEqual(Picking.search([("amazon_ship_status", "in", ["today"])]), pickings["today"])
        shipped = self.sale_order(shipped_late).picking_ids
        self.assertEqual(
            [pickings[key].amazon_ship_status for key in due] + [shipped.amazon_ship_status],
            ["late", "today", False, False],
        )
        # the Amazon deliveries list: Amazon's deliveries, the most urgent first
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_deliveries")
        list_view = {mode: view for view, mode in action["views"]}["list"]
        self.assertIn('default_order="date_deadline, id"', Picking.get_view(list_view, "list")["arch"])
        ours = shipped | pickings["late"] | pickings["today"] | pickings["tomorrow"]
        listed = Picking.search(ast.literal_eval(action["domain"]), order="date_deadline, id").filtered(
            lambda p: p in ours
        )
        # (the database may hold other Amazon deliveries, committed by tests of the real server)
        self.assertEqual(listed.ids, [shipped.id] + [pickings[key].id for key in due])

    # ------------------------------------------------------------------ late-risk activity

    def test_a_delivery_about_to_ship_late_gets_one_activity_for_its_responsible(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        warehouse = new_test_user(
            self.env, login="warehouse", groups="stock.group_stock_user", lang="fr_FR", tz="Europe/Paris"
        )
        salesperson = new_test_user(
            self.env, login="amazon_sales", groups="sales_team.group_sale_salesman,stock.group_stock_user"
        )
        self.account.user_id = salesperson
        now = utcnow()
        soon, later = now + timedelta(hours=3), now + timedelta(hours=10)
        assigned, unassigned, not_yet, validated = (
            self.put(make_order(items=[make_item("MUG-BLUE")], ship_by=(now - timedelta(hours=1), deadline)))
            for deadline in (soon, soon, later, soon)
        )
        self.sync()
        picking = self.sale_order(assigned).picking_ids
        picking.user_id = warehouse
        self.validate(self.sale_order(validated).picking_ids)

        self.env["amazon.account"]._cron_sync_orders()
        self.env["amazon.account"]._cron_sync_orders()  # once per delivery

        warning_type = self.env.ref("mail.mail_activity_data_warning")
        warnings = self.env["mail.activity"].search(
            [("res_model", "=", "stock.picking"), ("activity_type_id", "=", warning_type.id)]
        )
        self.assertEqual(len(warnings), 2, warnings.mapped("summary"))
        mine = picking.activity_ids
        self.assertEqual(mine.user_id, warehouse)
        paris = format_datetime(self.env(context={"lang": "fr_FR"}), soon, tz="Europe/Paris", dt_format="short")
        self.assertIn(paris, mine.summary, "the deadline in the responsible's language and time zone")
        paris_day = fields.Datetime.context_timestamp(picking.with_context(tz="Europe/Paris"), soon).date()
        self.assertEqual(mine.date_deadline, paris_day)
        self.assertIn(assigned["orderId"], mine.note)
        self.assertEqual(self.sale_order(unassigned).picking_ids.activity_ids.user_id, salesperson)
        self.assertFalse(self.sale_order(not_yet).picking_ids.activity_ids)
        self.assertFalse(self.sale_order(validated).picking_ids.activity_ids, "a validated delivery is never warned")

        self.account.late_warning_hours = 12  # warn earlier: the third comes within reach
        self.env["amazon.account"]._cron_sync_orders()
        self.assertEqual(len(self.sale_order(not_yet).picking_ids.activity_ids), 1)
        self.assertEqual(len(mine | picking.activity_ids), 1)
