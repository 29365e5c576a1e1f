"""Accounts, marketplaces and offers: data, constraints, access rights, buttons."""

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .. import const
from .common import CLIENT_SECRET, REFRESH_TOKEN, AmazonCase


@tagged("post_install", "-at_install")
class TestMarketplaces(AmazonCase):
    def test_every_marketplace_of_sp_api_is_shipped(self):
        Marketplace = self.env["amazon.marketplace"]
        self.assertEqual(Marketplace.search_count([]), len(const.MARKETPLACES))
        self.assertRecordValues(
            self.marketplace_us | self.marketplace_de,
            [
                {"api_ref": "ATVPDKIKX0DER", "region": "na", "tax_included": False},
                {"api_ref": "A1PA6795UKMFR9", "region": "eu", "tax_included": True},
            ],
        )
        self.assertEqual(self.marketplace_us.currency_id.name, "USD")
        self.assertEqual(self.marketplace_uk.country_id.code, "GB")
        for marketplace in Marketplace.search([]):
            self.assertTrue(marketplace.country_id and marketplace.currency_id, marketplace.name)

    def test_marketplaces_cannot_be_deleted(self):
        with self.assertRaises(UserError):
            self.marketplace_de.unlink()

    def test_marketplace_id_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.marketplace_de.copy({"name": "Amazon.de again"})


@tagged("post_install", "-at_install")
class TestAccount(AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "amz_salesman", groups="sales_team.group_sale_salesman")
        cls.sales_manager = new_test_user(cls.env, "amz_manager", groups="sales_team.group_sale_manager")
        cls.admin = new_test_user(cls.env, "amz_admin", groups="sales_team.group_sale_manager,base.group_system")

    def test_new_account_gets_fba_location_warehouse_and_home_marketplace(self):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.assertEqual(self.account.warehouse_id, warehouse)
        self.assertEqual(self.account.marketplace_ids, self.marketplace_us)
        location = self.account.fba_location_id
        self.assertRecordValues(location, [{"name": "Amazon", "usage": "internal", "company_id": self.company.id}])
        self.assertEqual(location.location_id, warehouse.view_location_id)
        second = self.env["amazon.account"].create(self.account_values(name="Amazon CA", seller_id="A2OTHER"))
        self.assertEqual(second.fba_location_id, location, "the company's accounts share one Amazon location")

    def test_marketplaces_of_another_region_are_refused(self):
        with self.assertRaises(ValidationError):
            self.account.marketplace_ids |= self.marketplace_de

    def test_salesperson_reads_accounts_but_never_credentials(self):
        account = self.account.with_user(self.salesman)
        self.assertEqual(account.read(["name", "seller_id"])[0]["seller_id"], self.account.seller_id)
        for secret in ("lwa_client_secret", "refresh_token", "lwa_client_id", "sp_api_endpoint"):
            with self.assertRaises(AccessError):
                account.read([secret])
        self.assertNotIn("refresh_token", account.fields_get())
        with self.assertRaises(AccessError):
            account.write({"name": "Renamed"})

    def test_sales_manager_manages_accounts_but_not_credentials(self):
        account = self.account.with_user(self.sales_manager)
        account.write({"name": "Amazon US (main)"})
        self.assertEqual(self.account.name, "Amazon US (main)")
        with self.assertRaises(AccessError):
            account.write({"refresh_token": "Atzr|stolen"})
        with self.assertRaises(AccessError):
            account.read(["lwa_client_secret"])

    def test_settings_admin_sees_and_writes_credentials(self):
        account = self.account.with_user(self.admin)
        self.assertEqual(account.read(["lwa_client_secret"])[0]["lwa_client_secret"], CLIENT_SECRET)
        account.write({"refresh_token": "Atzr|rotated"})
        self.assertEqual(self.account.refresh_token, "Atzr|rotated")

    def test_credentials_are_not_copied(self):
        copy = self.account.copy()
        self.assertFalse(copy.refresh_token or copy.lwa_client_secret or copy.lwa_client_id)
        self.assertNotIn(REFRESH_TOKEN, copy.display_name)

    def test_accounts_of_another_company_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other = self.env["amazon.account"].create(
            self.account_values(name="Other account", company_id=other_company.id, seller_id="A3OTHER")
        )
        self.assertNotEqual(other.fba_location_id, self.account.fba_location_id)
        self.assertEqual(other.fba_location_id.company_id, other_company)
        visible = self.env["amazon.account"].with_user(self.sales_manager).search([])
        self.assertIn(self.account, visible)
        self.assertNotIn(other, visible)

    def test_test_connection_reports_success(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Amazon.com", action["params"]["message"])
        self.assertEqual(len(self.emulator.calls("lwa_token")), 1)

    def test_test_connection_says_what_to_fix_when_credentials_are_refused(self):
        self.account.lwa_client_secret = "wrong"
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        message = str(caught.exception)
        self.assertIn("refused the credentials", message)
        self.assertIn("LWA Client ID and Secret", message)

    def test_test_connection_with_missing_credentials_sends_nothing(self):
        self.account.refresh_token = False
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        self.assertIn("Refresh Token", str(caught.exception))
        self.assertEqual(self.emulator.requests, [])

    def test_test_connection_when_amazon_is_down(self):
        self.emulator.inject("getMarketplaceParticipations", "unavailable", times=20)
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        self.assertIn("try again", str(caught.exception))

    def test_update_marketplaces_keeps_the_synchronized_set_within_participations(self):
        # The seller participates in US, CA (this region) and UK (Europe): CA becomes
        # available, MX (not participating) leaves the synchronized set.
        mexico = self.env.ref("amazon_sp_connector.marketplace_a1am78c64um0y8")
        self.account.marketplace_ids = self.marketplace_us | mexico
        self.account.action_update_marketplaces()
        self.assertEqual(self.account.available_marketplace_ids, self.marketplace_us | self.marketplace_ca)
        self.assertEqual(self.account.marketplace_ids, self.marketplace_us)

    def test_update_marketplaces_selects_all_when_none_was_chosen(self):
        self.account.marketplace_ids = False
        self.account.action_update_marketplaces()
        self.assertEqual(self.account.marketplace_ids, self.marketplace_us | self.marketplace_ca)


@tagged("post_install", "-at_install")
class TestOffersAndSettings(AmazonCase):
    def test_a_sku_is_mapped_once_per_account(self):
        product = self.env["product.product"].create({"name": "Mug", "default_code": "MUG"})
        Offer = self.env["amazon.offer"]
        Offer.create({"account_id": self.account.id, "sku": "MUG", "product_id": product.id})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            Offer.create({"account_id": self.account.id, "sku": "MUG", "product_id": product.id})

    def test_settings_show_the_amazon_sync_block(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.amazon_account_count, 1)
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('id="amazon_sp_connector"', arch)
        self.assertIn("Amazon Accounts", arch)
