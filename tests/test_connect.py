"""Connect with Amazon: the website authorization workflow, over HTTP, through the
emulator's consent page and Login with Amazon, back to Odoo's callback."""

import logging
import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .. import const
from ..emulator.scenarios import make_item, make_order
from .common import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID, EmulatorMixin, LogCapture

APPLICATION_ID = "amzn1.sp.solution.test-application"
APP_CLIENT_ID = "amzn1.application-oa2-client.integrator"
APP_CLIENT_SECRET = "integrator-secret-0123456789"


@tagged("post_install", "-at_install")
class TestConnectWithAmazon(EmulatorMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.emulator.add_seller(
            SELLER_ID,
            CLIENT_ID,
            CLIENT_SECRET,
            REFRESH_TOKEN,
            [
                ("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com"),
                ("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "www.amazon.ca"),
            ],
        )
        self.emulator.add_application(APPLICATION_ID, APP_CLIENT_ID, APP_CLIENT_SECRET, SELLER_ID)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_APPLICATION_ID, APPLICATION_ID)
        params.set_param(const.PARAM_LWA_CLIENT_ID, APP_CLIENT_ID)
        params.set_param(const.PARAM_LWA_CLIENT_SECRET, APP_CLIENT_SECRET)
        params.set_param("web.base.url", self.base_url())
        self.account = self.env["amazon.account"].create(
            {
                "name": "Amazon US",
                "base_marketplace_id": self.env.ref("amazon_sp_connector.marketplace_atvpdkikx0der").id,
                "sp_api_endpoint": self.emulator.url,
                "lwa_endpoint": self.emulator.lwa_url,
                "last_orders_sync": fields.Datetime.now() - timedelta(days=1),
            }
        )
        self.authenticate("admin", "admin")

    def consent(self, account=None):
        """Connect with Amazon, then the seller's consent: the URL Amazon sends the browser back to."""
        admin = self.env.ref("base.user_admin")  # the browser's user (the test's is the superuser)
        action = (account or self.account).with_user(admin).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        split = urlsplit(action["url"])
        self.assertEqual(split.path, "/apps/authorize/consent")
        query = parse_qs(split.query)
        self.assertEqual(query["application_id"], [APPLICATION_ID])
        self.assertEqual(query["redirect_uri"], [self.base_url() + const.OAUTH_CALLBACK_PATH])
        answer = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302)
        return answer.headers["location"]

    def callback(self, location):
        split = urlsplit(location)
        return self.url_open(f"{split.path}?{split.query}", allow_redirects=False)

    def test_connect_fills_the_seller_the_token_and_the_marketplaces_and_orders_sync(self):
        self.assertFalse(self.account.connected)
        answer = self.callback(self.consent())
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        self.assertIn(f"/{self.account.id}", answer.headers["location"], "back on the account")
        account = self.account.sudo()
        self.assertTrue(account.connected)
        self.assertEqual(account.seller_id, SELLER_ID)
        self.assertEqual(account.lwa_client_id, APP_CLIENT_ID)
        self.assertTrue(account.refresh_token.startswith("Atzr|"))
        self.assertFalse(account.oauth_nonce, "the state is spent")
        self.assertEqual(set(account.available_marketplace_ids.mapped("api_ref")), {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"})
        amazon_order = make_order(items=[make_item("MUG-BLUE")])
        self.emulator.put_order(SELLER_ID, amazon_order)
        self.env["amazon.order.sync"]._run_now(account)
        self.assertTrue(self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])]))

        account.action_disconnect()
        self.assertFalse(account.connected)
        self.assertFalse(account.refresh_token)

    def test_a_state_used_twice_or_tampered_with_is_refused_and_changes_nothing(self):
        location = self.consent()
        self.assertEqual(self.callback(location).status_code, 303)
        token = self.account.sudo().refresh_token
        replay = self.callback(location)
        self.assertEqual(replay.status_code, 400)
        self.assertIn("used already", replay.text)
        self.assertEqual(self.account.sudo().refresh_token, token)

        self.account.action_disconnect()
        location = self.consent()
        query = parse_qs(urlsplit(location).query)
        state = query["state"][0]
        forged = state.replace(f"{self.account.id}.", f"{self.account.id + 1000}.", 1)
        answer = self.url_open(
            f"{const.OAUTH_CALLBACK_PATH}?state={forged}&selling_partner_id={SELLER_ID}"
            f"&spapi_oauth_code={query['spapi_oauth_code'][0]}",
            allow_redirects=False,
        )
        self.assertEqual(answer.status_code, 400)
        self.assertIn("not issued by this database", answer.text)
        self.assertFalse(self.account.sudo().refresh_token)

    def test_a_state_of_another_user_or_too_old_is_refused(self):
        location = self.consent()
        manager = new_test_user(self.env, "amazon_manager", groups="sales_team.group_sale_manager")
        self.authenticate(manager.login, manager.login)
        answer = self.callback(location)
        self.assertEqual(answer.status_code, 400)
        self.assertIn("another user", answer.text)
        self.assertFalse(self.account.sudo().refresh_token)

        nonce = "n" * 20
        self.account.sudo().oauth_nonce = nonce
        old = self.account.with_user(manager)._amazon_sign_state(nonce, int(time.time()) - 1)
        with self.assertRaises(UserError) as caught:
            self.env["amazon.account"].with_user(manager)._amazon_oauth_complete(
                {"state": old, "selling_partner_id": SELLER_ID}
            )
        self.assertIn("expired", str(caught.exception))

    def test_the_seller_refusing_or_amazon_refusing_the_code_changes_nothing(self):
        self.emulator.add_application(APPLICATION_ID, APP_CLIENT_ID, APP_CLIENT_SECRET, SELLER_ID, deny=True)
        answer = self.callback(self.consent())
        self.assertEqual(answer.status_code, 400)
        self.assertIn("did not authorize", answer.text)
        self.assertFalse(self.account.sudo().refresh_token or self.account.seller_id)

        self.emulator.add_application(APPLICATION_ID, APP_CLIENT_ID, APP_CLIENT_SECRET, SELLER_ID)
        location = self.consent()
        bad = location.replace("spapi_oauth_code=", "spapi_oauth_code=X")
        answer = self.callback(bad)
        self.assertEqual(answer.status_code, 400)
        self.assertIn("Amazon refused the authorization", answer.text)
        self.assertFalse(self.account.sudo().refresh_token or self.account.seller_id)

    def test_a_draft_application_is_asked_for_in_its_beta_version_when_settings_say_it_is_a_draft(self):
        self.emulator.add_application(APPLICATION_ID, APP_CLIENT_ID, APP_CLIENT_SECRET, SELLER_ID, draft=True)
        admin = self.env.ref("base.user_admin")
        action = self.account.with_user(admin).action_connect()
        self.assertNotIn("version", parse_qs(urlsplit(action["url"]).query))
        refused = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(refused.status_code, 400, "Amazon does not offer a draft without version=beta")

        self.env["res.config.settings"].create({"amazon_application_draft": True}).set_values()
        action = self.account.with_user(admin).action_connect()
        self.assertEqual(parse_qs(urlsplit(action["url"]).query)["version"], [const.CONSENT_DRAFT_VERSION])
        answer = self.callback(self.consent())
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        self.assertEqual(self.account.sudo().seller_id, SELLER_ID)

    def test_two_accounts_waiting_for_their_sellers_can_share_a_marketplace(self):
        second = self.account.copy({"name": "Another seller's US"})
        second.marketplace_ids = self.account.marketplace_ids
        self.assertEqual(second.marketplace_ids, self.account.marketplace_ids)

    def test_the_scheduled_syncs_leave_an_account_waiting_for_connect_alone(self):
        self.env["amazon.order.sync"]._cron_run()
        self.assertFalse(self.account.status_ids.filtered(lambda s: s.flow == "orders").last_error)
        self.assertFalse(self.emulator.calls(), "nothing asked of Amazon")

    def test_without_the_integrators_application_connect_says_what_to_do(self):
        self.env["ir.config_parameter"].sudo().set_param(const.PARAM_APPLICATION_ID, False)
        with self.assertRaises(UserError) as caught:
            self.account.action_connect()
        self.assertIn("Settings", str(caught.exception))

    # ------------------------------------------------------------------ access and robustness

    def test_marketplaces_are_written_by_settings_administrators_only(self):
        amazon_com = self.env.ref("amazon_sp_connector.marketplace_atvpdkikx0der")
        manager = new_test_user(self.env, "amazon_manager", groups="sales_team.group_sale_manager")
        with self.assertRaises(AccessError):
            amazon_com.with_user(manager).write({"tax_included": True})
        amazon_com.with_user(self.env.ref("base.user_admin")).write({"tax_included": True})
        self.assertTrue(amazon_com.tax_included)

    def test_a_forged_seller_central_host_in_the_database_changes_neither_the_consent_page_nor_the_links(self):
        amazon_com = self.env.ref("amazon_sp_connector.marketplace_atvpdkikx0der")
        # a database of an earlier version keeps the stored column: forge it there, and through the ORM
        self.env.cr.execute("ALTER TABLE amazon_marketplace ADD COLUMN IF NOT EXISTS seller_central_url varchar")
        self.env.cr.execute(
            "UPDATE amazon_marketplace SET seller_central_url = 'https://evil.example' WHERE id = %s", [amazon_com.id]
        )
        amazon_com.sudo().write({"seller_central_url": "https://evil.example"})
        self.env.flush_all()
        self.env.invalidate_all()
        account = self.account.copy({"name": "Amazon US, no endpoint override"})
        account.sudo().write({"sp_api_endpoint": False, "lwa_endpoint": False})
        action = account.with_user(self.env.ref("base.user_admin")).action_connect()
        self.assertTrue(action["url"].startswith("https://sellercentral.amazon.com/apps/authorize/consent?"))
        amazon_order = make_order(items=[make_item("MUG-BLUE")])
        self.emulator.put_order(SELLER_ID, amazon_order)
        connected = self.account.sudo()
        connected.write({"seller_id": SELLER_ID, "lwa_client_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET})
        connected.refresh_token = REFRESH_TOKEN
        self.env["amazon.order.sync"]._run_now(connected)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", amazon_order["orderId"])])
        self.assertTrue(order.action_view_in_seller_central()["url"].startswith("https://sellercentral.amazon.com/"))
        offer = order.order_line.amazon_offer_id
        self.assertTrue(offer.action_view_in_seller_central()["url"].startswith("https://sellercentral.amazon.com/"))
        self.assertEqual(amazon_com.seller_central_url, "https://sellercentral.amazon.com")

    def _company_b_account(self):
        company_b = self.env["res.company"].create({"name": "Company B", "currency_id": self.env.ref("base.USD").id})
        account_b = (
            self.env["amazon.account"]
            .with_company(company_b)
            .create(
                {
                    "name": "Amazon US of company B",
                    "company_id": company_b.id,
                    "base_marketplace_id": self.env.ref("amazon_sp_connector.marketplace_atvpdkikx0der").id,
                    "sp_api_endpoint": self.emulator.url,
                    "lwa_endpoint": self.emulator.lwa_url,
                }
            )
        )
        manager_a = new_test_user(
            self.env,
            "manager_a",
            groups="sales_team.group_sale_manager",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        return account_b, manager_a

    def test_a_manager_of_another_company_cannot_connect_or_disconnect_the_account(self):
        account_b, manager_a = self._company_b_account()
        account_b.sudo().write({"oauth_nonce": "nonce-of-company-b", "refresh_token": "Atzr|company-b-token"})
        with self.assertRaises(AccessError):
            account_b.with_user(manager_a).action_connect()
        self.assertEqual(account_b.sudo().oauth_nonce, "nonce-of-company-b")
        with self.assertRaises(AccessError):
            account_b.with_user(manager_a).action_disconnect()
        self.assertEqual(account_b.sudo().refresh_token, "Atzr|company-b-token")

    def test_the_callback_for_an_account_the_user_cannot_write_is_refused_before_any_code_exchange(self):
        account_b, manager_a = self._company_b_account()
        # a state for company B's account, issued to manager A (e.g. before losing access to company B)
        account_b.sudo().oauth_nonce = "nonce-of-company-b"
        state = account_b.with_user(manager_a)._amazon_sign_state("nonce-of-company-b", int(time.time()) + 600)
        consent = requests.get(
            f"{self.emulator.url}{const.CONSENT_PATH}",
            params={
                "application_id": APPLICATION_ID,
                "state": state,
                "redirect_uri": self.base_url() + const.OAUTH_CALLBACK_PATH,
            },
            allow_redirects=False,
            timeout=10,
        )
        self.emulator.requests.clear()
        self.authenticate(manager_a.login, manager_a.login)
        answer = self.callback(consent.headers["location"])
        self.assertEqual(answer.status_code, 400)
        self.assertFalse(self.emulator.calls("lwa_token"), "no authorization code was exchanged")
        self.assertFalse(account_b.sudo().refresh_token or account_b.sudo().seller_id)
        self.assertEqual(account_b.sudo().oauth_nonce, "nonce-of-company-b")

    def test_the_refresh_token_is_kept_when_reading_the_marketplaces_after_consent_fails(self):
        self.emulator.inject("getMarketplaceParticipations", "unavailable", times=2)
        answer = self.callback(self.consent())
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        account = self.account.sudo()
        self.assertTrue(account.connected, "the seller need not consent again")
        self.assertEqual(account.seller_id, SELLER_ID)
        self.assertTrue(account.refresh_token.startswith("Atzr|"))
        self.assertFalse(account.available_marketplace_ids)
        self.assertTrue(
            account.message_ids.filtered(lambda m: "Update Marketplaces" in m.body), "the account says what failed"
        )

        self.account.with_user(self.env.ref("base.user_admin")).action_update_marketplaces()
        self.assertEqual(set(account.available_marketplace_ids.mapped("api_ref")), {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"})

    def test_the_callbacks_code_and_state_never_reach_the_access_log(self):
        werkzeug = logging.getLogger("werkzeug")
        capture = LogCapture()
        level = werkzeug.level
        werkzeug.setLevel(logging.INFO)
        werkzeug.addHandler(capture)
        try:
            location = self.consent()
            answer = self.callback(location)
        finally:
            werkzeug.removeHandler(capture)
            werkzeug.setLevel(level)
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        query = parse_qs(urlsplit(location).query)
        lines = [line for line in capture.lines if const.OAUTH_CALLBACK_PATH in line]
        self.assertTrue(lines, "the callback's request line is logged")
        for secret in (query["state"][0], query["spapi_oauth_code"][0]):
            self.assertNotIn(secret, capture.text)
        self.assertTrue(re.search(r"state=\*\*\*", lines[0]), lines[0])
