"""Order import scenarios, over the emulator, on a real database."""

from datetime import datetime, timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..emulator.scenarios import make_address, make_item, make_order
from ..models import amazon_order_sync
from .common import CA, DE, SELLER_ID, UK, AmazonCase

JP = ("A1VC38T7YXB528", "Amazon.co.jp", "JP", "JPY", "www.amazon.co.jp")


class ImportCase(AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls.env["product.product"].create(
            {"name": "Blue Mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True, "list_price": 9}
        )
        cls.default_product = cls.env.ref("amazon_sp_connector.product_amazon_sale")
        shipping = cls.env.ref("amazon_sp_connector.product_amazon_shipping")
        cls.ups = cls.env["delivery.carrier"].create({"name": "UPS", "product_id": shipping.id})

    def setUp(self):
        super().setUp()
        self.account.last_orders_sync = fields.Datetime.now() - timedelta(days=1)

    def validate(self, picking, quantities=None, carrier=None, tracking="1Z999AA10123456784", backorder=True):
        """Ship ``quantities`` (product -> qty; default: everything) like warehouse staff."""
        if carrier is not False:
            picking.carrier_id = carrier or self.ups
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty if quantities is None else 0)
            move.picked = True
        context = {"skip_backorder": True, "cancel_backorder": not backorder}
        if backorder:
            picking = picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[])
        return picking.with_context(**context)._action_done()

    def time_passes(self, account=None):
        """Let time pass: the last sync is now ten minutes old, so that a change made on
        Amazon "5 minutes ago" (the emulator's default) falls inside the next window."""
        (account or self.account).last_orders_sync -= timedelta(minutes=10)

    def put(self, order, seller=SELLER_ID):
        self.emulator.put_order(seller, order)
        return order

    def sync(self, account=None):
        return self.run_flow("orders", account).stats

    def sale_order(self, amazon_order, account=None):
        return self.env["sale.order"].search(
            [
                ("amazon_account_id", "=", (account or self.account).id),
                ("amazon_order_ref", "=", amazon_order["orderId"]),
            ]
        )

    def assertMatchesAmazon(self, order, untaxed, total):
        self.assertEqual(
            (order.currency_id.round(order.amount_untaxed), order.currency_id.round(order.amount_total)),
            (untaxed, total),
        )


@tagged("post_install", "-at_install")
class TestOrderCreation(ImportCase):
    def test_fbm_unshipped_order_becomes_a_confirmed_order_with_a_delivery(self):
        amazon_order = self.put(
            make_order(
                items=[
                    make_item("MUG-BLUE", 2, "12.50", tax="2.25", title="Blue coffee mug"),
                    make_item("UNKNOWN-SKU", 1, "5.00", tax="0.45", title="Coaster"),
                ],
                buyer_name="Ada Lovelace",
                buyer_email="ada@marketplace.amazon.com",
                address=make_address(
                    "Ada Lovelace", "12 Analytical Way", "Seattle", "98101", "US", "WA", phone="+1 206 555 0100"
                ),
                created=datetime(2026, 11, 20, 14, 30),
            )
        )
        stats = self.sync()
        self.assertEqual(stats["created"], 1)
        order = self.sale_order(amazon_order)
        self.assertRecordValues(
            order,
            [
                {
                    "state": "sale",
                    "amazon_channel": "fbm",
                    "amazon_status": "UNSHIPPED",
                    "amazon_marketplace_id": self.marketplace_us.id,
                    "client_order_ref": amazon_order["orderId"],
                    "date_order": datetime(2026, 11, 20, 14, 30),
                    "team_id": self.account.team_id.id,
                    "user_id": self.account.user_id.id,
                    "warehouse_id": self.account.warehouse_id.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(order.currency_id.name, "USD")
        self.assertFalse(order.pricelist_id, "an order in the company's currency needs no pricelist")
        customer = order.partner_id
        self.assertRecordValues(
            customer,
            [
                {
                    "name": "Ada Lovelace",
                    "email": "ada@marketplace.amazon.com",
                    "street": "12 Analytical Way",
                    "city": "Seattle",
                    "zip": "98101",
                    "phone": "+1 206 555 0100",
                }
            ],
        )
        self.assertEqual(customer.state_id.code, "WA")
        self.assertEqual(order.partner_shipping_id, customer)
        mug_line, coaster_line = order.order_line.filtered("amazon_item_ref")
        self.assertEqual(mug_line.product_id, self.mug)
        self.assertEqual(mug_line.name, "[MUG-BLUE] Blue coffee mug")
        self.assertEqual(mug_line.product_uom_qty, 2)
        self.assertEqual(coaster_line.product_id, self.default_product)
        offers = self.env["amazon.offer"].search([("account_id", "=", self.account.id)])
        self.assertEqual(
            {(o.sku, o.product_id, o.fulfillment_channel) for o in offers},
            {("MUG-BLUE", self.mug, "fbm"), ("UNKNOWN-SKU", self.default_product, "fbm")},
        )
        self.assertMatchesAmazon(order, 30.00, 32.70)
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.account.warehouse_id)
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(sorted(picking.move_ids.mapped("product_uom_qty")), [1.0, 2.0])
        # everything came inline: one search, no per-order call
        self.assertEqual(len(self.emulator.calls("searchOrders")), 1)
        self.assertEqual(self.emulator.calls("getOrder"), [])

    def test_fba_shipped_order_gets_done_moves_out_of_the_amazon_location_and_no_picking(self):
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 3, "10.00", tax="2.40")],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                anonymous=True,
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertEqual(order.amazon_channel, "fba")
        self.assertFalse(order.picking_ids)
        self.assertEqual(order.partner_id.name, "Amazon Customer")
        self.assertFalse(order.partner_id.street or order.partner_id.phone or order.partner_id.email)
        move = order.order_line.move_ids
        self.assertRecordValues(
            move,
            [
                {
                    "state": "done",
                    "quantity": 3.0,
                    "location_id": self.account.fba_location_id.id,
                    "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                    "product_id": self.mug.id,
                }
            ],
        )
        self.assertEqual(move.sale_line_id.amazon_item_ref, amazon_order["orderItems"][0]["orderItemId"])
        for line in order.order_line.filtered(lambda line: not line.display_type):
            self.assertEqual(line.qty_delivered, line.product_uom_qty)
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertMatchesAmazon(order, 30.00, 32.40)

    def test_an_fba_order_uses_the_warehouse_of_the_fba_location_and_its_moves_say_the_amazon_order(self):
        fulfillment_center = self.env["stock.warehouse"].create({"name": "Amazon FBA", "code": "AFBA"})
        self.account.fba_location_id = fulfillment_center.lot_stock_id
        amazon_order = self.put(
            make_order(items=[make_item("MUG-BLUE", 2)], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True)
        )
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertEqual(order.warehouse_id, fulfillment_center)
        move = order.order_line.move_ids
        self.assertEqual(move.location_id, fulfillment_center.lot_stock_id)
        self.assertEqual(move.reference, f"{order.name} (Amazon {amazon_order['orderId']})")
        history = self.env["stock.move.line"].search([("reference", "ilike", amazon_order["orderId"])])
        self.assertEqual(history, move.move_line_ids, "Moves History finds the Amazon order")
        fbm = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.time_passes()
        self.sync()
        self.assertEqual(self.sale_order(fbm).warehouse_id, self.account.warehouse_id, "FBM keeps its warehouse")

    def test_anonymous_orders_share_one_amazon_customer(self):
        first = self.put(make_order(items=[make_item("A")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
        second = self.put(make_order(items=[make_item("B")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
        self.sync()
        self.assertEqual(self.sale_order(first).partner_id, self.sale_order(second).partner_id)

    def test_an_anonymous_order_keeps_where_it_went_so_the_fiscal_position_follows_the_destination(self):
        export = self.env["account.fiscal.position"].create(
            {"name": "Export Canada", "auto_apply": True, "country_id": self.env.ref("base.ca").id}
        )
        toronto = make_address(name="Hidden", city="Toronto", postal="M5V 2T6", country="CA", state="ON")
        first, second = (
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE")],
                    fulfilled_by="AMAZON",
                    status="SHIPPED",
                    anonymous=True,
                    address=toronto,
                )
            )
            for _ in range(2)
        )
        seattle = self.put(make_order(items=[make_item("MUG-BLUE")], anonymous=True, address=make_address()))
        self.sync()
        order, other, us_order = self.sale_order(first), self.sale_order(second), self.sale_order(seattle)
        self.assertEqual(order.partner_id.name, "Amazon Customer")
        self.assertEqual(order.partner_id, us_order.partner_id)
        shipping = order.partner_shipping_id
        self.assertRecordValues(
            shipping,
            [
                {
                    "city": "Toronto",
                    "zip": "M5V 2T6",
                    "state_id": self.env.ref("base.state_ca_on").id,
                    "country_id": self.env.ref("base.ca").id,
                    "street": False,
                    "phone": False,
                    "email": False,
                    "parent_id": order.partner_id.id,
                }
            ],
        )
        self.assertNotIn("Hidden", shipping.display_name)
        self.assertEqual(order.partner_invoice_id, shipping)
        self.assertEqual(order.fiscal_position_id, export, "the fiscal position follows the destination")
        self.assertEqual(other.partner_shipping_id, shipping, "same destination, no personal data: one address")
        self.assertEqual(us_order.partner_shipping_id.city, "Seattle")
        self.assertNotEqual(us_order.fiscal_position_id, export, us_order.fiscal_position_id.name)
        invoices = (order | other)._create_invoices()
        self.assertEqual(len(invoices), 2, "anonymous orders never merge into one invoice")

    def test_buyers_are_anonymized_once_their_orders_are_delivered_and_invoiced_for_the_chosen_days(self):
        done, open_order = (
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE")],
                    buyer_name=name,
                    address=make_address(name=name, line1="1 Private Lane", phone="+1 206 555 0100"),
                )
            )
            for name in ("Alice Private", "Bob Private")
        )
        self.sync()
        order, other = self.sale_order(done), self.sale_order(open_order)
        for sale in (order, other):
            self.validate(sale.picking_ids)
        order._create_invoices().action_post()  # Bob's order is delivered, not invoiced
        (order | other).write({"date_order": fields.Datetime.now() - timedelta(days=45)})
        (order | other).order_line.move_ids.write({"date": fields.Datetime.now() - timedelta(days=40)})
        partner = order.partner_id
        self.assertFalse(self.env["res.partner"]._amazon_anonymize_buyers(), "off by default")

        self.account.anonymize_after_days = 60
        self.assertFalse(self.env["res.partner"]._amazon_anonymize_buyers(), "delivered 40 days ago only")
        self.account.anonymize_after_days = 30
        self.assertEqual(self.env["res.partner"]._amazon_anonymize_buyers(), partner)
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Amazon Customer",
                    "street": False,
                    "phone": False,
                    "email": False,
                    "city": "Seattle",
                    "zip": "98101",
                    "country_id": self.env.ref("base.us").id,
                    "amazon_customer_key": False,
                    "amazon_anonymized": True,
                }
            ],
        )
        self.assertNotIn("Alice", order.partner_shipping_id.display_name)
        self.assertEqual(other.partner_id.name, "Bob Private", "an order not invoiced keeps its buyer")
        # Alice buys again: a new contact, the anonymized one is never reused
        again = self.put(make_order(items=[make_item("MUG-BLUE")], buyer_name="Alice Private"))
        self.time_passes()
        self.sync()
        self.assertNotEqual(self.sale_order(again).partner_id, partner)

    def test_two_fba_buyers_with_the_same_name_never_share_an_address(self):
        smiths = [
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE")],
                    fulfilled_by="AMAZON",
                    status="SHIPPED",
                    buyer_name="John Smith",
                    address=make_address(name="John Smith", line1=street, city=city, postal=postal),
                )
            )
            for street, city, postal in (("1 Pine Street", "Seattle", "98101"), ("9 Oak Avenue", "Portland", "97201"))
        ]
        self.sync()
        first, second = (self.sale_order(smith) for smith in smiths)
        self.assertNotEqual(first.partner_id, second.partner_id, "a name identifies nobody")
        self.assertEqual(first.partner_invoice_id.street, "1 Pine Street")
        self.assertEqual(second.partner_invoice_id.street, "9 Oak Avenue")
        self.assertEqual(second.partner_shipping_id.city, "Portland")
        # the same order imported again (moved back cursor) keeps its own contact
        self.account.last_orders_sync -= timedelta(days=1)
        self.sync()
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "John Smith")]), 2)

    def test_only_the_statuses_that_matter_are_imported(self):
        ignored = [
            self.put(make_order(items=[make_item("A")], fulfilled_by="AMAZON", status="UNSHIPPED")),
            self.put(make_order(items=[make_item("A")], fulfilled_by="MERCHANT", status="SHIPPED")),
            self.put(make_order(items=[make_item("A")], fulfilled_by="MERCHANT", status="CANCELLED")),
            self.put(make_order(items=[make_item("A")], fulfilled_by="AMAZON", status="CANCELLED")),
            self.put(make_order(items=[make_item("A")], fulfilled_by="MERCHANT", status="PENDING")),
        ]
        created = [
            self.put(make_order(items=[make_item("A")], fulfilled_by="MERCHANT", status="PARTIALLY_SHIPPED")),
            self.put(make_order(items=[make_item("A")], fulfilled_by="AMAZON", status="SHIPPED")),
        ]
        stats = self.sync()
        self.assertEqual((stats["created"], stats["ignored"]), (2, 4))  # PENDING is not even asked for
        for amazon_order in ignored:
            self.assertFalse(self.sale_order(amazon_order))
        for amazon_order in created:
            self.assertTrue(self.sale_order(amazon_order))

    def test_returning_buyer_is_reused_and_a_new_address_becomes_a_delivery_address(self):
        home = make_address("Alan Turing", "1 Bletchley Park", "Milton Keynes", "98101", "US", "WA")
        office = make_address("Alan Turing", "2 Hut Eight", "Seattle", "98102", "US", "WA")
        ago = datetime.now() - timedelta(minutes=10)
        first = self.put(make_order(items=[make_item("A")], buyer_name="Alan Turing", address=home, updated=ago))
        second = self.put(
            make_order(
                items=[make_item("A")], buyer_name="Alan Turing", address=office, updated=ago + timedelta(minutes=1)
            )
        )
        third = self.put(
            make_order(
                items=[make_item("A")], buyer_name="Alan Turing", address=office, updated=ago + timedelta(minutes=2)
            )
        )
        self.sync()
        first_so, second_so, third_so = self.sale_order(first), self.sale_order(second), self.sale_order(third)
        self.assertEqual(first_so.partner_id, second_so.partner_id)
        self.assertEqual(first_so.partner_shipping_id, first_so.partner_id)
        delivery = second_so.partner_shipping_id
        self.assertRecordValues(
            delivery, [{"type": "delivery", "parent_id": first_so.partner_id.id, "street": "2 Hut Eight"}]
        )
        self.assertEqual(third_so.partner_shipping_id, delivery)
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Alan Turing")]), 2)

    def test_business_order_gets_a_company_customer_with_its_vat(self):
        amazon_order = self.put(
            make_order(
                items=[make_item("A", 1, "100.00", tax="8.00")],
                buyer_name="Grace Hopper",
                company_name="Navy Computing Inc",
                business_vat="US123456789",
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        business = order.partner_invoice_id
        self.assertRecordValues(business, [{"is_company": True, "name": "Navy Computing Inc", "vat": "US123456789"}])
        self.assertEqual(order.partner_id.parent_id, business)
        self.assertEqual(order.partner_id.name, "Grace Hopper")

    def test_unknown_state_leaves_an_activity_instead_of_a_wrong_state(self):
        amazon_order = self.put(
            make_order(items=[make_item("A")], address=make_address(state="Atlantis", city="Nowhere"))
        )
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertFalse(order.partner_id.state_id)
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Atlantis", activity.note)
        self.assertEqual(activity.user_id, self.account.user_id)


@tagged("post_install", "-at_install")
class TestOrderMoney(ImportCase):
    def test_us_order_with_sales_tax_collected_by_amazon_matches_to_the_cent(self):
        amazon_order = self.put(
            make_order(
                items=[
                    make_item("A", 3, "3.33", tax="0.90", shipping="4.99", shipping_tax="0.45", promotion="1.00"),
                    make_item("B", 7, "1.43", tax="0.81"),
                ]
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        # untaxed: 9.99 + 4.99 - 1.00 + 10.01 = 23.99; tax 0.90 + 0.45 + 0.81 = 2.16
        self.assertMatchesAmazon(order, 23.99, 26.15)
        self.assertEqual(order.amount_total, float(self.env["sale.order"]._amazon_grand_total(amazon_order)))
        tax = order.order_line.filtered("amazon_item_ref")[0].tax_ids
        self.assertEqual(tax.name, "Amazon Tax")
        groups = order.tax_totals["subtotals"][0]["tax_groups"]
        self.assertEqual([(g["group_name"], g["tax_amount_currency"]) for g in groups], [("Amazon Tax", 2.16)])

    def test_the_invoice_of_an_fba_order_keeps_amazons_amounts(self):
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 3, "3.33", tax="0.90", shipping="4.99", shipping_tax="0.45")],
                fulfilled_by="AMAZON",
                status="SHIPPED",
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual((invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (14.98, 1.35, 16.33))
        self.assertEqual(order.invoice_status, "invoiced")

    def test_eu_vat_included_order_matches_amazon_to_the_cent(self):
        self.env["account.fiscal.position"].search([]).auto_apply = False
        vat = self.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        products = self.mug | self.env.ref("amazon_sp_connector.product_amazon_shipping") | self.default_product
        products.taxes_id = vat
        self.emulator.add_seller(
            "A2EUSELLER",
            "amzn1.application-oa2-client.test",
            "test-client-secret-0123456789",
            "Atzr|eu-refresh",
            [DE, UK],
        )
        account = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon DE",
                seller_id="A2EUSELLER",
                refresh_token="Atzr|eu-refresh",
                base_marketplace_id=self.marketplace_de.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 3, "19.99", shipping="4.99"), make_item("ZZ", 1, "0.99")],
                marketplace_id=DE[0],
                address=make_address("Konrad Zuse", "Hauptstr. 1", "Berlin", "10115", "DE", None),
            ),
            seller="A2EUSELLER",
        )
        self.sync(account)
        order = self.sale_order(amazon_order, account)
        self.assertEqual(order.currency_id.name, "EUR")
        # gross 59.97 + 4.99 + 0.99 = 65.95; VAT taken out per line at 19%:
        # 59.97 -> 9.58, 4.99 -> 0.80, 0.99 -> 0.16 => untaxed 65.95 - 10.54 = 55.41
        self.assertMatchesAmazon(order, 55.41, 65.95)
        self.assertEqual(order.order_line.filtered("amazon_item_ref")[0].tax_ids, vat)

    def test_jp_order_in_yen_matches_amazon(self):
        self.emulator.add_seller(
            "A3JPSELLER", "amzn1.application-oa2-client.test", "test-client-secret-0123456789", "Atzr|jp-refresh", [JP]
        )
        account = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon JP",
                seller_id="A3JPSELLER",
                refresh_token="Atzr|jp-refresh",
                base_marketplace_id=self.env.ref("amazon_sp_connector.marketplace_a1vc38t7yxb528").id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        amazon_order = self.put(
            make_order(
                items=[make_item("ECHO", 1, "5980"), make_item("FIRE", 2, "6980", shipping="350")],
                marketplace_id=JP[0],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                address=make_address("Taro", "1-2-3", "Tokyo", "150-0002", "JP", None),
            ),
            seller="A3JPSELLER",
        )
        self.sync(account)
        order = self.sale_order(amazon_order, account)
        self.assertEqual(order.currency_id.name, "JPY")
        self.assertEqual(order.amount_total, 20290)
        self.assertEqual(order.amount_total, float(self.env["sale.order"]._amazon_grand_total(amazon_order)))

    def test_an_item_canceled_out_of_the_order_becomes_a_note(self):
        canceled = make_item("POSTER", 1, "0.00", title="Poster")
        canceled["quantityOrdered"] = 0
        canceled["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 1, "10.00", tax="0.80"), canceled]))
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertEqual(len(order.order_line.filtered("amazon_item_ref")), 1)
        self.assertIn("Canceled on Amazon: [POSTER] Poster", order.order_line.filtered("display_type").name)
        self.assertMatchesAmazon(order, 10.00, 10.80)

    def test_an_unmapped_sku_is_named_on_the_delivery_told_once_and_fixed_by_mapping_its_offer(self):
        first = self.put(make_order(items=[make_item("RED-XL", 2, "15.00", title="Red Mug XL", tax="2.40")]))
        self.sync()
        order = self.sale_order(first)
        move = order.picking_ids.move_ids
        self.assertEqual(move.product_id, self.default_product)
        self.assertEqual(move.description_picking, "Amazon SKU RED-XL: [RED-XL] Red Mug XL")
        activity = self.account.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("RED-XL", activity.note)
        self.assertEqual(activity.user_id, self.account.user_id or self.env.user)
        # a later run: the same SKU again is not told twice, a new one is, in one activity
        self.put(make_order(items=[make_item("RED-XL")]))
        self.put(make_order(items=[make_item("GREEN-S"), make_item("BLUE-S")]))
        self.time_passes()
        stats = self.sync()
        self.assertEqual(stats["new unmapped SKUs"], 2)
        self.assertEqual(len(self.account.activity_ids), 2)
        newest = self.account.activity_ids - activity
        self.assertIn("GREEN-S", newest.note)
        self.assertIn("BLUE-S", newest.note)
        self.assertNotIn("RED-XL", newest.note)

        red = self.env["product.product"].create({"name": "Red Mug XL", "type": "consu", "is_storable": True})
        total = order.amount_total
        offer = self.env["amazon.offer"].search([("account_id", "=", self.account.id), ("sku", "=", "RED-XL")])
        offer.product_id = red
        self.assertFalse(move.exists(), "the move of Amazon Sale is replaced")
        move = order.picking_ids.move_ids
        self.assertEqual(move.product_id, red, "the open delivery now picks the mapped product")
        line = order.order_line.filtered(lambda x: x.amazon_sku == "RED-XL")
        self.assertEqual(line.product_id, red)
        self.assertEqual(move.sale_line_id, line, "the move stays the line's")
        self.assertEqual(order.amount_total, total, "Amazon's amounts stay")
        self.assertNotIn("Amazon SKU", move.description_picking or "")
        self.assertIn("now sells as", order.message_ids[0].body)

    def test_an_unmapped_sku_mapped_to_a_kit_delivers_its_components_and_confirms_the_kits(self):
        if "mrp.bom" not in self.env:
            self.skipTest("mrp is not installed")
        poster = self.env["product.product"].create(
            {"name": "Poster", "default_code": "POSTER", "type": "consu", "is_storable": True}
        )
        kit = self.env["product.product"].create({"name": "Mug set", "type": "consu"})
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    fields.Command.create({"product_id": self.mug.id, "product_qty": 2}),
                    fields.Command.create({"product_id": poster.id, "product_qty": 1}),
                ],
            }
        )
        stock = self.account.warehouse_id.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.mug, stock, 10)
        self.env["stock.quant"]._update_available_quantity(poster, stock, 10)
        amazon_order = self.put(make_order(items=[make_item("SET-2", 2, "30.00"), make_item("MUG-BLUE", 1)]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        offer = self.env["amazon.offer"].search([("account_id", "=", self.account.id), ("sku", "=", "SET-2")])
        offer.product_id = kit
        self.assertEqual(order.picking_ids, picking, "the same delivery")
        line = order.order_line.filtered(lambda x: x.amazon_sku == "SET-2")
        self.assertEqual(line.product_id, kit)
        kit_moves = picking.move_ids.filtered(lambda m: m.sale_line_id == line)
        self.assertEqual(
            sorted((m.product_id.name, m.product_uom_qty, m.state) for m in kit_moves),
            [("Blue Mug", 4.0, "assigned"), ("Poster", 2.0, "assigned")],
            "the kit's components, reserved",
        )
        self.assertNotIn(self.default_product, picking.move_ids.product_id)
        warehouse = self.account.warehouse_id.id
        self.assertEqual(self.mug.with_context(warehouse_id=warehouse).free_qty, 5)
        self.assertEqual(kit.with_context(warehouse_id=warehouse).free_qty, 2, "two more sets can be sold")
        self.validate(picking)
        self.assertEqual(picking.state, "done")
        self.assertEqual(line.qty_delivered, 2)
        self.run_flow("shipments")
        [confirmation] = self.emulator.confirmations
        self.assertEqual(
            sorted((i["orderItemId"], i["quantity"]) for i in confirmation["body"]["packageDetail"]["orderItems"]),
            sorted((item["orderItemId"], item["quantityOrdered"]) for item in amazon_order["orderItems"]),
        )

    def test_a_product_given_the_sku_as_internal_reference_takes_over_its_offer(self):
        amazon_order = self.put(make_order(items=[make_item("LAMP-01", 1, "25.00", title="Desk lamp")]))
        self.sync()
        order = self.sale_order(amazon_order)
        line = order.order_line.filtered("amazon_sku")
        offer = line.amazon_offer_id
        self.assertEqual((offer.sku, offer.product_id), ("LAMP-01", self.default_product), "the line links its offer")
        lamp = self.env["product.product"].create({"name": "Desk lamp", "type": "consu"})
        lamp.default_code = "LAMP-01"
        self.assertEqual(offer.product_id, lamp)
        self.assertEqual(line.product_id, lamp, "its open order line follows")
        self.assertEqual(order.picking_ids.move_ids.product_id, lamp)
        self.assertEqual(lamp.product_tmpl_id.amazon_offer_count, 1)
        self.assertEqual(lamp.product_tmpl_id.action_view_amazon_offers()["domain"], [("product_id", "in", lamp.ids)])

    def test_the_account_and_the_order_lead_to_their_records_and_to_seller_central(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertEqual(self.account.order_count, 1)
        self.assertEqual(self.env["sale.order"].search(self.account.action_view_orders()["domain"]), order)
        order.picking_ids.amazon_sync_state = "error"
        self.account.invalidate_recordset(["waiting_delivery_count"])
        self.assertEqual(self.account.waiting_delivery_count, 1)
        waiting = self.env["stock.picking"].search(self.account.action_view_waiting_deliveries()["domain"])
        self.assertEqual(waiting, order.picking_ids)
        self.assertEqual(
            order.action_view_in_seller_central()["url"],
            f"https://sellercentral.amazon.com/orders-v3/order/{amazon_order['orderId']}",
        )
        offer = order.order_line.amazon_offer_id
        self.assertIn("searchTerm=MUG-BLUE", offer.action_view_in_seller_central()["url"])
        earlier = self.account.last_orders_sync - timedelta(days=30)
        draft = self.env["amazon.account"].new({"last_orders_sync": earlier}, origin=self.account)
        warning = draft._onchange_last_orders_sync()
        self.assertIn("imports again every order Amazon changed since", warning["warning"]["message"])
        later = self.env["amazon.account"].new({"last_orders_sync": fields.Datetime.now()}, origin=self.account)
        self.assertIsNone(later._onchange_last_orders_sync(), "moving it forward needs no warning")

    def test_the_products_the_import_relies_on_are_restored_when_deleted_or_archived(self):
        self.default_product.product_tmpl_id.action_archive()
        self.env.ref("amazon_sp_connector.product_amazon_promotion").product_tmpl_id.unlink()
        self.env.ref("amazon_sp_connector.product_amazon_shipping").action_archive()
        amazon_order = self.put(
            make_order(items=[make_item("NO-SUCH-SKU", 1, "20.00", shipping="4.00", promotion="-2.00")])
        )
        self.sync()
        order = self.sale_order(amazon_order)
        self.assertFalse(self.account.order_failure_ids.mapped("reason"))
        products = order.order_line.product_id
        self.assertIn(self.default_product, products)
        self.assertTrue(self.default_product.active and self.default_product.product_tmpl_id.active)
        promotion = self.env.ref("amazon_sp_connector.product_amazon_promotion")
        self.assertEqual(promotion.default_code, "AMAZON-PROMOTION", "created again under its XML id")
        shipping = self.env.ref("amazon_sp_connector.product_amazon_shipping")
        self.assertTrue(shipping.active)
        self.assertEqual(products & (promotion | shipping), promotion | shipping)
        self.assertMatchesAmazon(order, 22.00, 22.00)

    def test_a_replacement_order_links_to_the_original_and_keeps_amazons_prices_and_currency(self):
        original = self.put(
            make_order(items=[make_item("MUG-BLUE", 1, "30.00", tax="3.90")], marketplace_id=CA[0], anonymous=True)
        )
        self.account.marketplace_ids |= self.marketplace_ca
        self.sync()
        first = self.sale_order(original)
        self.assertEqual(first.currency_id.name, "CAD")
        # a replacement without any amount, sent on another marketplace of the account: the
        # original's currency (not the marketplace's), prices as Amazon says (none)
        replacement = make_order(items=[make_item("MUG-BLUE", 1, "0.00")], anonymous=True, replaces=original["orderId"])
        del replacement["proceeds"]
        for item in replacement["orderItems"]:
            del item["proceeds"]
            del item["product"]["price"]
        self.put(replacement)
        lost = self.put(make_order(items=[make_item("MUG-BLUE", 1, "0.00")], replaces="111-0000000-0000009"))
        self.time_passes()
        self.sync()
        second = self.sale_order(replacement)
        self.assertEqual(
            (second.amazon_association, second.amazon_original_order_ref, second.amazon_original_order_id),
            ("replacement", original["orderId"], first),
        )
        self.assertEqual(second.currency_id.name, "CAD")
        self.assertEqual(second.amount_total, 0.0)
        self.assertIn(f"Replacement of Amazon order {original['orderId']}", second.message_ids[0].body)
        self.assertIn(replacement["orderId"], first.message_ids[0].body)
        self.assertIn("for this order: Replacement.", first.message_ids[0].body)
        unknown = self.sale_order(lost)
        self.assertEqual(unknown.amazon_original_order_ref, "111-0000000-0000009")
        self.assertFalse(unknown.amazon_original_order_id)
        self.assertIn("not in Odoo", unknown.message_ids[0].body)
        self.assertEqual(unknown.currency_id.name, "USD")

    def test_shipping_promotion_and_gift_lines(self):
        expedited = self.env["product.product"].create(
            {"name": "Expedited shipping", "default_code": "Expedited", "type": "service"}
        )
        amazon_order = self.put(
            make_order(
                items=[
                    make_item(
                        "MUG-BLUE",
                        2,
                        "10.00",
                        tax="1.60",
                        shipping="5.00",
                        shipping_tax="0.40",
                        shipping_discount="2.00",
                        promotion="3.00",
                        promotion_ids=["SPRING-10"],
                        gift_wrap="2.50",
                        gift_wrap_tax="0.20",
                        gift_message="Happy birthday!",
                        gift_wrap_level="Classic",
                        condition="USED",
                        condition_subtype="LIKE_NEW",
                    )
                ],
                service_level="EXPEDITED",
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        lines = {line.name.split("\n")[0]: line for line in order.order_line}
        self.assertIn("Condition: Used - Like New", order.order_line.filtered("amazon_item_ref").name)
        self.assertEqual(lines["Expedited shipping"].product_id, expedited)
        self.assertEqual(lines["Expedited shipping"].price_subtotal, 5.00)
        self.assertEqual(lines["Promotion discount (SPRING-10)"].price_subtotal, -3.00)
        self.assertEqual(lines["Shipping discount"].price_subtotal, -2.00)
        self.assertEqual(lines["Gift wrapping Classic [MUG-BLUE]"].price_subtotal, 2.50)
        self.assertEqual(
            lines["Gift wrapping Classic [MUG-BLUE]"].product_id,
            self.env.ref("amazon_sp_connector.product_amazon_gift_wrap"),
        )
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        self.assertIn("Happy birthday!", note.name)
        # 20 + 5 - 3 - 2 + 2.5 = 22.50 untaxed, + 2.20 tax
        self.assertMatchesAmazon(order, 22.50, 24.70)


@tagged("post_install", "-at_install")
class TestOrderLifecycle(ImportCase):
    def test_order_canceled_on_amazon_before_shipment_is_canceled_with_its_picking(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        stats = self.sync()
        self.assertEqual(stats["canceled"], 1)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(order.amazon_status, "CANCELLED")

    def test_order_canceled_after_goods_left_asks_for_a_return(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.validate(picking)
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        stats = self.sync()
        self.assertEqual(stats["return_needed"], 1)
        self.assertEqual(order.state, "sale")
        self.assertIn("Create a return", order.message_ids[0].body)
        self.assertEqual(order.activity_ids.summary, "Amazon order canceled after delivery: return needed")
        # a later run does not ask twice
        self.account.last_orders_sync -= timedelta(days=1)
        self.sync()
        self.assertEqual(len(order.activity_ids), 1)

    def test_a_partly_shipped_order_canceled_on_amazon_cancels_its_backorder_and_keeps_what_shipped(self):
        poster = self.env["product.product"].create({"name": "Poster", "default_code": "POSTER", "type": "consu"})
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 3), make_item("POSTER", 1)]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.validate(picking, {self.mug: 2})
        backorder = order.picking_ids - picking
        self.assertEqual(len(backorder), 1)
        self.assertNotIn(backorder.state, ("done", "cancel"))
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        self.assertEqual(self.sync()["partly_canceled"], 1)
        self.assertEqual(backorder.state, "cancel", "the open backorder is canceled too")
        self.assertEqual(picking.state, "done", "the shipped part stays")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.filtered(lambda x: x.product_id == self.mug).qty_delivered, 2)
        self.assertEqual(order.order_line.filtered(lambda x: x.product_id == poster).qty_delivered, 0)
        self.assertIn("canceled the rest", order.message_ids[0].body)
        self.assertIn(backorder.name, order.message_ids[0].body)
        self.assertIn("Blue Mug", order.message_ids[0].body)
        self.assertFalse(order.activity_ids, "nothing to take back")

    def stock(self, product, quantity):
        stock = self.account.warehouse_id.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(product, stock, quantity)

    def test_an_item_canceled_on_amazon_after_import_leaves_the_delivery_and_the_total(self):
        poster = self.env["product.product"].create(
            {"name": "Poster", "default_code": "POSTER", "type": "consu", "is_storable": True}
        )
        self.stock(self.mug, 5)
        self.stock(poster, 5)
        amazon_order = self.put(
            make_order(
                items=[
                    make_item("MUG-BLUE", 1, "10.00", tax="0.80", shipping="4.00"),
                    make_item("POSTER", 2, "20.00", tax="3.20", shipping="6.00", shipping_tax="0.48"),
                ]
            )
        )
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(poster.with_context(warehouse_id=self.account.warehouse_id.id).free_qty, 3)
        poster_move = picking.move_ids.filtered(lambda m: m.product_id == poster)

        self.time_passes()
        self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], "POSTER", 0)
        self.assertEqual(self.sync()["updated"], 1)
        line = order.order_line.filtered(lambda x: x.amazon_sku == "POSTER")
        self.assertEqual(line.product_uom_qty, 0)
        self.assertEqual(poster_move.state, "cancel")
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state != "cancel").product_id, self.mug)
        self.assertEqual(sum(picking.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")), 1)
        self.assertEqual(picking.state, "assigned", "the delivery still ships the mug")
        self.assertEqual(
            poster.with_context(warehouse_id=self.account.warehouse_id.id).free_qty, 5, "nothing reserved for it"
        )
        amazon = self.emulator.order(SELLER_ID, amazon_order["orderId"])
        self.assertEqual(float(amazon["proceeds"]["grandTotal"]["amount"]), 14.80)
        self.assertMatchesAmazon(order, 14.00, 14.80)
        [note] = order.message_ids.filtered(lambda m: "Amazon changed the quantity" in m.body)
        self.assertIn("POSTER from 2 to 0", note.body)
        # a later resync of the same order changes nothing more
        self.account.last_orders_sync -= timedelta(days=1)
        self.assertEqual(self.sync()["unchanged"], 1)
        self.validate(picking)
        self.assertEqual(order.order_line.filtered(lambda x: x.product_id == self.mug).qty_delivered, 1)

    def test_an_item_lowered_after_part_of_it_shipped_cancels_only_what_is_left(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 3, "10.00", tax="2.40")]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.validate(picking, {self.mug: 2})
        backorder = order.picking_ids - picking
        self.time_passes()
        self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], "MUG-BLUE", 2)
        self.assertEqual(self.sync()["updated"], 1)
        self.assertEqual(backorder.state, "cancel")
        self.assertEqual(order.order_line.filtered("amazon_sku").product_uom_qty, 2)
        self.assertMatchesAmazon(order, 20.00, 21.60)

    def test_an_item_lowered_below_what_shipped_keeps_the_shipped_units_and_asks_for_a_return(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 3, "10.00")]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.validate(picking, {self.mug: 2})
        backorder = order.picking_ids - picking
        self.time_passes()
        self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], "MUG-BLUE", 1)
        self.sync()
        self.assertEqual(backorder.state, "cancel")
        self.assertEqual(order.order_line.filtered("amazon_sku").product_uom_qty, 2)
        self.assertIn("but 2 already shipped", "".join(order.message_ids.mapped("body")))

    def test_a_quantity_amazon_raises_is_added_to_the_open_delivery(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 1, "10.00", tax="0.80")]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        self.time_passes()
        self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], "MUG-BLUE", 2)
        self.sync()
        self.assertEqual(order.picking_ids, picking)
        self.assertEqual(sum(picking.move_ids.mapped("product_uom_qty")), 2)
        self.assertMatchesAmazon(order, 20.00, 21.60)
        self.assertIn("MUG-BLUE from 1 to 2", "".join(order.message_ids.mapped("body")))

    def test_an_order_whose_items_amazon_all_cancels_ships_nothing_and_is_canceled_with_it(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 1), make_item("MUG-BLUE", 2)]))
        self.sync()
        order = self.sale_order(amazon_order)
        picking = order.picking_ids
        # every item at 0 while the order is still Unshipped: nothing is left to ship
        self.time_passes()
        for item in amazon_order["orderItems"]:
            self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], item["orderItemId"], 0)
        self.assertEqual(self.sync()["updated"], 1)
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(order.amount_total, 0)
        self.assertEqual(order.state, "sale")
        # Amazon's usual way: the order becomes Canceled, and so does the sale order
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        self.assertEqual(self.sync()["canceled"], 1)
        self.assertEqual(order.state, "cancel")

    def test_an_order_canceled_with_its_items_at_zero_is_canceled_in_one_step(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE", 2)]))
        self.sync()
        order = self.sale_order(amazon_order)
        self.time_passes()
        self.emulator.set_item_quantity(SELLER_ID, amazon_order["orderId"], "MUG-BLUE", 0)
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        self.assertEqual(self.sync()["canceled"], 1)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.order_line.filtered("amazon_sku").product_uom_qty, 2, "lines kept")
        self.assertEqual(order.picking_ids.state, "cancel")

    def test_fba_order_canceled_after_shipment_asks_for_a_return(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED"))
        self.sync()
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "CANCELLED")
        self.assertEqual(self.sync()["return_needed"], 1)

    def test_fbm_order_shipped_elsewhere_marks_its_delivery_synchronized(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.sync()
        order = self.sale_order(amazon_order)
        order.picking_ids.amazon_sync_state = "error"
        self.time_passes()
        self.emulator.set_status(SELLER_ID, amazon_order["orderId"], "SHIPPED")
        self.assertEqual(self.sync()["shipped"], 1)
        self.assertEqual(order.picking_ids.amazon_sync_state, "done")

    def test_rerun_and_moved_back_cursor_create_no_duplicate_and_apply_changes(self):
        first = self.put(make_order(items=[make_item("MUG-BLUE")]))
        second = self.put(make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED"))
        self.assertEqual(self.sync()["created"], 2)
        cursor = self.account.last_orders_sync
        self.assertGreater(cursor, fields.Datetime.now() - timedelta(minutes=3))
        self.assertEqual(self.sync()["created"], 0)  # same window again: nothing new
        self.emulator.set_status(SELLER_ID, first["orderId"], "CANCELLED")
        self.account.last_orders_sync = fields.Datetime.now() - timedelta(days=2)  # the documented forced resync
        stats = self.sync()
        self.assertEqual((stats["created"], stats["canceled"], stats["unchanged"]), (0, 1, 1))
        self.assertEqual(len(self.sale_order(first) | self.sale_order(second)), 2)
        self.assertEqual(self.sale_order(first).state, "cancel")

    def test_new_failure_is_recorded_retried_and_reported_once_while_the_rest_imports(self):
        good = self.put(make_order(items=[make_item("MUG-BLUE")]))
        bad = make_order(items=[make_item("MUG-BLUE")])
        del bad["orderItems"][0]["proceeds"]  # malformed: no proceeds ...
        del bad["orderItems"][0]["product"]["price"]  # ... and no price
        self.put(bad)
        self.account.user_id.email = "amazon-desk@example.com"
        mails_before = self.env["mail.mail"].search([])
        stats = self.sync()
        self.assertEqual((stats["created"], stats["failed"]), (1, 1))
        self.assertTrue(self.sale_order(good))
        failure = self.account.order_failure_ids
        self.assertRecordValues(failure, [{"order_ref": bad["orderId"], "attempts": 1}])
        self.assertIn("neither proceeds nor a unit price", failure.reason)
        report = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(len(report), 1, "one mail per run listing the new failures")
        self.assertIn(bad["orderId"], report.body_html)
        self.assertEqual(report.recipient_ids, self.account.user_id.partner_id)
        self.assertIn("could not be imported", report.subject)
        self.assertGreater(self.account.last_orders_sync, fields.Datetime.now() - timedelta(minutes=3))

        # still broken: retried (getOrder, the cursor moved on), counted, not reported again
        mails_before = self.env["mail.mail"].search([])
        self.sync()
        self.assertEqual(failure.attempts, 2)
        self.assertEqual(len(self.emulator.calls("getOrder")), 1)
        self.assertFalse(self.env["mail.mail"].search([]) - mails_before)

        # fixed on Amazon's side, without a new update time: the retry imports it
        fixed = make_order(
            bad["orderId"], items=[make_item("MUG-BLUE", 1, "7.00")], updated=datetime.now() - timedelta(days=3)
        )
        self.put(fixed)
        self.assertEqual(self.sync()["retried"], 1)
        self.assertFalse(self.account.order_failure_ids)
        self.assertEqual(self.sale_order(fixed).amount_total, 7.00)

    def test_throttling_during_a_run_is_waited_out(self):
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.emulator.inject("searchOrders", "throttle")
        run = self.run_flow("orders")
        self.assertEqual(run.stats["created"], 1)
        self.assertFalse(run.error or run.more)
        self.assertEqual([c["status"] for c in self.emulator.calls("searchOrders")], [429, 200])
        self.assertTrue(self.sale_order(amazon_order))

    def test_amazon_down_is_recorded_on_the_account_and_the_cursor_stays(self):
        self.put(make_order(items=[make_item("MUG-BLUE")]))
        cursor = self.account.last_orders_sync
        self.emulator.inject("searchOrders", "unavailable", times=20)
        self.run_flow("orders", budget=5)
        self.assertEqual(self.account.last_orders_sync, cursor)
        self.assertIn("could not be reached", self.status("orders").last_error)
        self.assertEqual(self.status("orders").state, "error")

    def test_a_second_run_on_the_same_account_exits_without_touching_anything(self):
        self.put(make_order(items=[make_item("MUG-BLUE")]))
        keys = self.env["amazon.order.sync"]._lock_keys(self.account)
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_lock(%s, %s)", keys)
            try:
                run = self.run_flow("orders")
            finally:
                other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
        self.assertTrue(run.locked)
        self.assertEqual(self.emulator.requests, [])
        self.assertEqual(self.sync()["created"], 1)

    def test_cron_syncs_every_account_even_when_one_fails(self):
        broken = self.env["amazon.account"].create(
            self.account_values(
                name="Broken",
                seller_id="A9BROKEN",
                refresh_token="Atzr|revoked",
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.run_cron("orders")
        self.assertTrue(self.sale_order(amazon_order))
        self.assertIn("refused the credentials", self.status("orders", broken).last_error)


@tagged("post_install", "-at_install")
class TestOrderScale(ImportCase):
    def test_interrupted_window_resumes_where_it_stopped_and_loses_nothing(self):
        """150 orders = 2 pages. Amazon fails on page 2: the run stops with page 1
        imported and the pagination token saved; the next run resumes on page 2; a
        normal run costs ceil(N/100) searchOrders calls and no getOrder."""
        orders = [
            self.put(
                make_order(
                    items=[make_item("MUG-BLUE", 1, "4.00")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True
                )
            )
            for _i in range(150)
        ]
        cursor = self.account.last_orders_sync
        self.emulator.inject("searchOrders", "server_error", times=10, match="paginationToken")
        run = self.run_flow("orders")
        self.assertEqual(run.stats["created"], 100)
        self.assertTrue(run.error)
        self.assertEqual(self.account.last_orders_sync, cursor, "the window is not finished")
        self.assertTrue(self.account.sync_next_token and self.account.sync_window_before)

        self.emulator.faults.clear()
        self.emulator.requests.clear()
        stats = self.sync()
        self.assertEqual(stats["created"], 50)
        self.assertEqual(len(self.emulator.calls("searchOrders")), 1)
        self.assertFalse(self.account.sync_next_token or self.account.sync_window_before)
        self.assertEqual(
            self.env["sale.order"].search_count([("amazon_account_id", "=", self.account.id)]), len(orders)
        )

        # the documented forced resync over all 150: ceil(150/100) = 2 calls, nothing per order
        self.emulator.requests.clear()
        self.account.last_orders_sync = fields.Datetime.now() - timedelta(days=1)
        stats = self.sync()
        self.assertEqual((stats["created"], stats["unchanged"]), (0, 150))
        self.assertEqual(len(self.emulator.calls("searchOrders")), 2)
        self.assertEqual(self.emulator.calls("getOrder"), [])

    def test_moving_the_cursor_back_during_an_interrupted_window_starts_a_new_window(self):
        self.account.write(
            {"sync_window_before": fields.Datetime.now() - timedelta(hours=1), "sync_next_token": "stale"}
        )
        self.account.last_orders_sync = fields.Datetime.now() - timedelta(days=2)
        self.assertFalse(self.account.sync_window_before or self.account.sync_next_token)
        amazon_order = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.assertEqual(self.sync()["created"], 1)
        self.assertTrue(self.sale_order(amazon_order))

    def test_a_short_run_budget_asks_amazon_for_pages_that_fit_it(self):
        for _i in range(30):
            self.put(make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
        amazon_order_sync._SECONDS_PER_ORDER[self.account.id] = 0.2
        self.addCleanup(amazon_order_sync._SECONDS_PER_ORDER.pop, self.account.id, None)
        run = self.run_flow("orders", budget=6)  # 6 s - 3 s of margin = 15 orders of 0.2 s
        [size] = {int(call["query"]["maxResultsPerPage"][0]) for call in self.emulator.calls("searchOrders")}
        self.assertTrue(10 <= size <= 15, size)
        self.assertEqual(run.stats["pages"], len(self.emulator.calls("searchOrders")))
        self.run_flow("orders", budget=600)
        self.assertEqual(self.env["sale.order"].search_count([("amazon_account_id", "=", self.account.id)]), 30)

    def test_a_run_out_of_time_stops_mid_page_and_the_next_run_takes_the_rest_without_a_new_page(self):
        """The budget ends in the middle of a page: the orders of the page not imported yet
        are saved and fetched one by one by the next run (getOrder's quota is ample;
        searchOrders' is not), then the window goes on with the next page."""
        for _i in range(101):
            self.put(make_order(items=[make_item("MUG-BLUE")], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
        cursor = self.account.last_orders_sync
        # This process believes orders import in a millisecond, so it asks for full pages ...
        amazon_order_sync._SECONDS_PER_ORDER[self.account.id] = 0.001
        self.addCleanup(amazon_order_sync._SECONDS_PER_ORDER.pop, self.account.id, None)
        run = self.run_flow("orders", budget=3.5)  # ... but has ~1.5 s of work: the engine keeps 2 s of margin
        created = run.stats["created"]
        self.assertLess(created, 100)
        self.assertTrue(run.more)
        self.assertFalse(run.error)
        self.assertEqual(self.status("orders").state, "more")
        self.assertIn("more to do", self.status("orders").summary)
        self.assertEqual(len(self.account.sync_pending_refs), 100 - created)
        self.assertEqual(self.account.last_orders_sync, cursor)
        self.assertEqual(len(self.emulator.calls("searchOrders")), 1)
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_orders")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "the cron goes on by itself")

        run = self.run_flow("orders", budget=600)
        self.assertEqual(run.stats["created"], 101 - created)
        self.assertEqual(len(self.emulator.calls("getOrder")), 100 - created)
        self.assertEqual(len(self.emulator.calls("searchOrders")), 2, "page 1 is not fetched again")
        self.assertGreater(self.account.last_orders_sync, cursor)
        self.assertFalse(self.account.sync_pending_refs or self.account.sync_window_before)
        self.assertEqual(self.env["sale.order"].search_count([("amazon_account_id", "=", self.account.id)]), 101)


@tagged("post_install", "-at_install")
class TestMultiMarketplaceAndCompany(ImportCase):
    def test_orders_of_every_synchronized_marketplace_are_imported(self):
        self.account.marketplace_ids = self.marketplace_us | self.marketplace_ca
        us = self.put(make_order(items=[make_item("MUG-BLUE")]))
        ca = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 1, "13.00", tax="1.69")],
                marketplace_id=CA[0],
                address=make_address(country="CA", state="ON", city="Toronto", postal="M5V 2T6"),
            )
        )
        self.sync()
        self.assertEqual(self.sale_order(us).amazon_marketplace_id, self.marketplace_us)
        ca_order = self.sale_order(ca)
        self.assertEqual(ca_order.amazon_marketplace_id, self.marketplace_ca)
        self.assertEqual(ca_order.currency_id.name, "CAD")
        self.assertEqual(ca_order.pricelist_id.currency_id.name, "CAD")
        self.assertIn(self.env.ref("product.group_product_pricelist"), self.env.ref("base.group_user").implied_ids)
        self.assertMatchesAmazon(ca_order, 13.00, 14.69)
        query = self.emulator.calls("searchOrders")[0]["query"]
        self.assertEqual(set(query["marketplaceIds"]), {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"})

    def test_a_marketplace_can_have_its_own_team_warehouse_and_fba_location(self):
        self.assertEqual(self.account.team_id.name, "Amazon", "a dedicated Amazon team by default")
        self.assertTrue(self.account.team_id.amazon_team)
        self.account.marketplace_ids = self.marketplace_us | self.marketplace_ca
        self.assertEqual(self.account.marketplace_setting_ids.marketplace_id, self.marketplace_us | self.marketplace_ca)
        canada_team = self.env["crm.team"].create({"name": "Amazon Canada"})
        toronto = self.env["stock.warehouse"].create({"name": "Toronto", "code": "TOR"})
        canada_fba = self.env["stock.location"].create(
            {"name": "FBA Canada", "usage": "internal", "location_id": toronto.view_location_id.id}
        )
        self.account._amazon_setting(self.marketplace_ca).write(
            {"team_id": canada_team.id, "warehouse_id": toronto.id, "fba_location_id": canada_fba.id}
        )
        ca_address = make_address(country="CA", state="ON", city="Toronto", postal="M5V 2T6")
        fbm = self.put(make_order(items=[make_item("MUG-BLUE", 1, "13.00")], marketplace_id=CA[0], address=ca_address))
        fba = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 1, "13.00")],
                marketplace_id=CA[0],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                anonymous=True,
            )
        )
        us = self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.sync()
        fbm_order, fba_order, us_order = self.sale_order(fbm), self.sale_order(fba), self.sale_order(us)
        self.assertEqual((fbm_order.team_id, fbm_order.warehouse_id), (canada_team, toronto))
        self.assertEqual(fbm_order.picking_ids.picking_type_id.warehouse_id, toronto)
        self.assertEqual(fba_order.order_line.move_ids.location_id, canada_fba)
        self.assertEqual(fba_order.team_id, canada_team)
        self.assertEqual((us_order.team_id, us_order.warehouse_id), (self.account.team_id, self.account.warehouse_id))
        # Sales Analysis tells Amazon sales apart: per account, marketplace and channel
        report = self.env["sale.report"]._read_group(
            [("amazon_account_id", "=", self.account.id)],
            ["amazon_marketplace_id", "amazon_channel"],
            ["price_total:sum"],
        )
        by_key = {(marketplace.id, channel): total for marketplace, channel, total in report}
        self.assertEqual(
            set(by_key),
            {(self.marketplace_ca.id, "fbm"), (self.marketplace_ca.id, "fba"), (self.marketplace_us.id, "fbm")},
        )
        self.assertAlmostEqual(by_key[(self.marketplace_us.id, "fbm")], us_order.amount_total)
        # a marketplace no longer synchronized loses its row
        self.account.marketplace_ids = self.marketplace_us
        self.assertEqual(self.account.marketplace_setting_ids.marketplace_id, self.marketplace_us)

    def test_two_companies_two_accounts_no_cross_talk(self):
        other_company = self.env["res.company"].create(
            {
                "name": "Second Shop",
                "currency_id": self.env.ref("base.USD").id,
                "country_id": self.env.ref("base.us").id,
            }
        )
        self.env.user.company_ids |= other_company
        self.emulator.add_seller(
            "A4SECOND",
            "amzn1.application-oa2-client.test",
            "test-client-secret-0123456789",
            "Atzr|second-refresh",
            [("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com")],
        )
        second = self.env["amazon.account"].create(
            self.account_values(
                name="Second",
                seller_id="A4SECOND",
                refresh_token="Atzr|second-refresh",
                company_id=other_company.id,
                team_id=False,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        mine = self.put(make_order(items=[make_item("MUG-BLUE")], buyer_name="Same Buyer"))
        theirs = self.put(make_order(items=[make_item("MUG-BLUE")], buyer_name="Same Buyer"), seller="A4SECOND")
        self.run_cron("orders")
        my_order, their_order = self.sale_order(mine), self.sale_order(theirs, second)
        self.assertFalse(second.order_failure_ids.reason or self.status("orders", second).last_error)
        self.assertFalse(self.sale_order(theirs))
        self.assertFalse(self.sale_order(mine, second))
        self.assertEqual(my_order.company_id, self.company)
        self.assertEqual(their_order.company_id, other_company)
        self.assertEqual(their_order.partner_id.company_id, other_company)
        self.assertNotEqual(my_order.partner_id, their_order.partner_id)
        self.assertEqual(their_order.picking_ids.company_id, other_company)
        self.assertEqual(self.env["amazon.offer"].search([("account_id", "=", second.id)]).company_id, other_company)


@tagged("post_install", "-at_install")
class TestRecoverOrder(ImportCase):
    def recover(self, ref):
        wizard = self.env["amazon.recover.order"].create({"account_id": self.account.id, "order_ref": ref})
        return wizard.action_recover()

    def test_recover_imports_one_order_regardless_of_the_cursor_and_opens_it(self):
        old = self.put(make_order(items=[make_item("MUG-BLUE")], updated=datetime.now() - timedelta(days=30)))
        action = self.recover(old["orderId"])
        order = self.sale_order(old)
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(self.emulator.calls("searchOrders"), [])
        self.assertEqual(len(self.emulator.calls("getOrder")), 1)
        # again: the same order, no duplicate
        self.assertEqual(self.recover(old["orderId"])["res_id"], order.id)

    def test_recover_refuses_an_order_of_a_marketplace_the_account_does_not_synchronize(self):
        canadian = self.put(make_order(items=[make_item("MUG-BLUE")], marketplace_id=CA[0]))
        with self.assertRaises(UserError) as caught:
            self.recover(canadian["orderId"])
        self.assertIn("does not synchronize", str(caught.exception))
        self.assertFalse(self.sale_order(canadian))

    def test_a_second_registration_of_the_seller_never_gives_an_order_a_second_sale_order(self):
        second = self.env["amazon.account"].create(
            self.account_values(
                name="Amazon CA",
                base_marketplace_id=self.marketplace_ca.id,
                marketplace_ids=[(6, 0, self.marketplace_ca.ids)],
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )
        canadian = self.put(make_order(items=[make_item("MUG-BLUE")], marketplace_id=CA[0]))
        self.sync(second)
        order = self.sale_order(canadian, second)
        self.assertTrue(order)
        # the seller moves Canada to the first registration: the order is known there too
        second.marketplace_ids = self.marketplace_ca.browse()
        self.account.marketplace_ids |= self.marketplace_ca
        self.time_passes()
        self.sync()
        action = self.recover(canadian["orderId"])
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(
            self.env["sale.order"].search_count([("amazon_order_ref", "=", canadian["orderId"])]), 1, "one sale order"
        )
        self.emulator.set_status(SELLER_ID, canadian["orderId"], "CANCELLED")
        self.time_passes()
        self.sync()
        self.assertEqual(order.state, "cancel", "Amazon's changes reach the order wherever it was imported")
        # and the database itself refuses a second sale order of the seller's order
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            order.copy({"amazon_account_id": self.account.id, "amazon_order_ref": canadian["orderId"]})

    def test_recover_refuses_a_malformed_reference(self):
        with self.assertRaises(ValidationError):
            self.env["amazon.recover.order"].create({"account_id": self.account.id, "order_ref": "12345"})

    def test_recover_says_when_amazon_does_not_know_the_order(self):
        with self.assertRaises(UserError) as caught:
            self.recover("111-0000000-0000000")
        self.assertIn("NotFound", str(caught.exception))
