"""The plain-Python SP-API layer, over real HTTP against the emulator."""

import logging
import time
from datetime import UTC, datetime, timedelta

from odoo.tests import tagged

from ..emulator.scenarios import make_item, make_order
from ..spapi import (
    AmazonAuthorizationError,
    AmazonConfigurationError,
    AmazonNetworkError,
    AmazonPermanentError,
    AmazonServerError,
    AmazonThrottledError,
    SpApiSession,
)
from .common import CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID, SpApiCase


@tagged("post_install", "-at_install")
class TestSpApiSession(SpApiCase):
    def session(self, **options):
        options.setdefault("backoff", 0.01)
        session = SpApiSession(self.credentials(), **options)
        self.addCleanup(session.close)
        return session

    def statuses(self, operation):
        return [r.get("status") for r in self.emulator.calls(operation)]

    # ------------------------------------------------------------------ tokens

    def test_access_token_is_fetched_once_and_reused_across_sessions(self):
        self.session().get_marketplace_participations()
        self.session().get_marketplace_participations()
        self.assertEqual(len(self.emulator.calls("lwa_token")), 1)
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [200, 200])

    def test_expired_access_token_is_refreshed_and_the_call_repeated(self):
        session = self.session()
        session.get_marketplace_participations()
        self.emulator.inject("getMarketplaceParticipations", "expire_token")
        participations = session.get_marketplace_participations()
        self.assertEqual(
            {p["marketplace_id"] for p in participations}, {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1F83G8C2ARO7P"}
        )
        self.assertEqual(len(self.emulator.calls("lwa_token")), 2)
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [200, 403, 200])

    def test_refused_refresh_token_is_an_authorization_error(self):
        session = SpApiSession(self.credentials(refresh_token="Atzr|revoked"), backoff=0.01)
        with self.assertRaises(AmazonAuthorizationError) as caught:
            session.get_marketplace_participations()
        self.assertEqual(caught.exception.code, "invalid_grant")
        self.assertEqual(self.emulator.calls("getMarketplaceParticipations"), [])

    def test_wrong_client_secret_is_an_authorization_error(self):
        session = SpApiSession(self.credentials(lwa_client_secret="wrong-secret"), backoff=0.01)
        with self.assertRaises(AmazonAuthorizationError) as caught:
            session.check_connection()
        self.assertEqual(caught.exception.code, "invalid_client")

    def test_missing_credentials_are_refused_before_any_request(self):
        with self.assertRaises(AmazonConfigurationError) as caught:
            SpApiSession(self.credentials(refresh_token="", lwa_client_id=""))
        self.assertIn("Refresh Token", str(caught.exception))
        self.assertIn("LWA Client ID", str(caught.exception))
        self.assertEqual(self.emulator.requests, [])

    # ------------------------------------------------------------------ pacing

    def test_pacing_keeps_a_burst_of_50_calls_free_of_429(self):
        """getOrder: Amazon's documented burst of 30, a plan of 10 requests/s announced
        in the rate header. 50 calls in a row must never meet a 429."""
        self.emulator.set_plan("getOrder", 10.0, 30)
        order = make_order(items=[make_item("SKU-1")])
        self.emulator.put_order(SELLER_ID, order)
        session = self.session()
        started = time.monotonic()
        for _i in range(50):
            self.assertEqual(session.get_order(order["orderId"])["orderId"], order["orderId"])
        elapsed = time.monotonic() - started
        self.assertEqual(self.statuses("getOrder"), [200] * 50)
        # 20 calls beyond the burst at (at most) 10/s: pacing did wait.
        self.assertGreaterEqual(elapsed, 1.9)

    def test_pacing_adopts_a_slower_plan_announced_by_amazon(self):
        """A plan slower than documented: after the first 429 the client follows the
        announced rate instead of hammering."""
        self.emulator.set_plan("getMarketplaceParticipations", 5.0, 2)
        session = self.session()
        for _i in range(6):
            session.get_marketplace_participations()
        statuses = self.statuses("getMarketplaceParticipations")
        self.assertEqual(statuses.count(200), 6)
        self.assertLessEqual(statuses.count(429), 1)

    def test_429_is_waited_out_and_retried(self):
        slept = []
        session = self.session(sleep=lambda s: (slept.append(s), time.sleep(s)))
        self.emulator.inject("getMarketplaceParticipations", "throttle")
        self.assertTrue(session.get_marketplace_participations())
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [429, 200])
        # waited at least one token's worth of the announced rate (20/s)
        self.assertTrue(slept and max(slept) >= 1 / 20.0 * 0.9, slept)

    def test_waiting_beyond_the_time_budget_raises_throttled_without_sending(self):
        """Documented burst of 15, then one request every 100 s: the 16th call would have
        to wait far beyond the run's budget, so it is not sent."""
        self.emulator.set_plan("getMarketplaceParticipations", 0.01, 15)
        session = self.session(deadline=time.monotonic() + 30)
        for _i in range(15):
            session.get_marketplace_participations()
        with self.assertRaises(AmazonThrottledError) as caught:
            session.get_marketplace_participations()
        self.assertEqual(caught.exception.code, "TimeBudgetExhausted")
        self.assertGreater(caught.exception.retry_after, 30)
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [200] * 15)

    # ------------------------------------------------------------------ failures

    def test_server_error_is_retried_transparently(self):
        self.emulator.inject("getMarketplaceParticipations", "server_error")
        self.assertTrue(self.session().get_marketplace_participations())
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [500, 200])

    def test_persistent_server_error_becomes_a_retryable_server_error(self):
        self.emulator.inject("getMarketplaceParticipations", "server_error", times=10)
        with self.assertRaises(AmazonServerError) as caught:
            self.session(max_retries=2).get_marketplace_participations()
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(self.statuses("getMarketplaceParticipations"), [500, 500, 500])

    def test_non_json_5xx_body_is_a_server_error_not_an_empty_answer(self):
        self.emulator.inject("getMarketplaceParticipations", "unavailable", times=10)
        with self.assertRaises(AmazonServerError) as caught:
            self.session(max_retries=1).get_marketplace_participations()
        self.assertEqual(caught.exception.status, 503)

    def test_non_json_200_body_is_a_server_error(self):
        self.emulator.inject("getMarketplaceParticipations", "non_json", times=10)
        with self.assertRaises(AmazonServerError):
            self.session(max_retries=0).get_marketplace_participations()

    def test_empty_200_body_is_a_server_error(self):
        self.emulator.inject("searchOrders", "empty", times=10)
        with self.assertRaises(AmazonServerError):
            self.session(max_retries=0).search_orders(
                marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=datetime(2026, 1, 1)
            )

    def test_slow_answer_past_the_timeout_is_a_network_error(self):
        self.emulator.inject("getMarketplaceParticipations", "slow", delay=1.5)
        with self.assertRaises(AmazonNetworkError) as caught:
            self.session(timeout=0.3, max_retries=0).get_marketplace_participations()
        self.assertTrue(caught.exception.retryable)

    def test_unreachable_endpoint_is_a_network_error(self):
        session = SpApiSession(
            self.credentials(sp_api_endpoint="http://127.0.0.1:9", lwa_endpoint="http://127.0.0.1:9/auth/o2/token"),
            max_retries=1,
            backoff=0.01,
        )
        with self.assertRaises(AmazonNetworkError):
            session.get_marketplace_participations()

    def test_4xx_is_permanent_with_amazons_code_and_message(self):
        with self.assertRaises(AmazonPermanentError) as caught:
            self.session().get_order("111-0000000-0000000")
        self.assertFalse(caught.exception.retryable)
        self.assertEqual(caught.exception.code, "NotFound")
        self.assertIn("111-0000000-0000000", str(caught.exception))
        self.assertEqual(self.statuses("getOrder"), [404])

    # ------------------------------------------------------------------ orders

    def test_search_orders_sends_utc_z_times_at_least_two_minutes_in_the_past(self):
        now = datetime.now(UTC).replace(tzinfo=None)
        result = self.session().search_orders(
            marketplace_ids=["ATVPDKIKX0DER"],
            last_updated_after=now - timedelta(hours=1),
            last_updated_before=now,  # too recent: must be clamped, or Amazon answers 400
        )
        self.assertEqual(result["orders"], [])
        query = self.emulator.calls("searchOrders")[0]["query"]
        before = query["lastUpdatedBefore"][0]
        self.assertTrue(before.endswith("Z") and query["lastUpdatedAfter"][0].endswith("Z"))
        sent = datetime.fromisoformat(before[:-1])
        after_call = datetime.now(UTC).replace(tzinfo=None)
        self.assertLessEqual(sent, after_call - timedelta(minutes=2))
        self.assertGreaterEqual(sent, now - timedelta(minutes=2, seconds=1))
        self.assertEqual(self.statuses("searchOrders"), [200])

    def test_search_orders_pages_and_includes_data_inline(self):
        for _i in range(3):
            self.emulator.put_order(SELLER_ID, make_order(items=[make_item("SKU-1", 2, "5.00")]))
        session = self.session()
        first = session.search_orders(
            marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=datetime(2026, 1, 1), page_size=2
        )
        self.assertEqual(len(first["orders"]), 2)
        self.assertTrue(first["next_token"])
        second = session.search_orders(
            marketplace_ids=["ATVPDKIKX0DER"],
            last_updated_after=datetime(2026, 1, 1),
            page_size=2,
            pagination_token=first["next_token"],
        )
        self.assertEqual(len(second["orders"]), 1)
        self.assertIsNone(second["next_token"])
        order = second["orders"][0]
        for key in ("buyer", "recipient", "proceeds", "fulfillment"):
            self.assertIn(key, order)
        self.assertEqual(order["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"], "10.00")

    # ------------------------------------------------------------------ secrets

    def test_secrets_never_reach_the_log_even_at_debug_level(self):
        capture_level = logging.getLogger().level
        logging.getLogger().setLevel(logging.DEBUG)
        self.addCleanup(logging.getLogger().setLevel, capture_level)
        for name in ("sp_api", "httpx", "httpcore"):
            logger = logging.getLogger(name)
            previous = logger.level
            self.addCleanup(logger.setLevel, previous)
        logging.getLogger("httpx").setLevel(logging.DEBUG)
        session = self.session(max_retries=0)
        session.get_marketplace_participations()
        self.emulator.inject("getMarketplaceParticipations", "server_error")
        with self.assertRaises(AmazonServerError):
            session.get_marketplace_participations()
        self.assertNotIn(CLIENT_SECRET, repr(session.credentials))
        self.assertNotIn(REFRESH_TOKEN, repr(session.credentials))
        self.assertEqual(session.mask(f"x {CLIENT_SECRET} y {REFRESH_TOKEN}"), "x *** y ***")
        # the cleanup registered by the base class checks the captured log output
