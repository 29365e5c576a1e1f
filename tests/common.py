"""Shared test base: a real SP-API emulator on 127.0.0.1 and an account pointing at it."""

import logging

from odoo.tests import BaseCase, TransactionCase

from ..emulator.models import ModelValidator
from ..emulator.server import DEFAULT_PLANS, SpApiEmulator
from ..spapi import BUCKETS, TOKENS, Credentials

SELLER_ID = "A1TESTSELLER01"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "test-client-secret-0123456789"
REFRESH_TOKEN = "Atzr|test-refresh-token-abcdefghijklmnop"

US = ("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com")
CA = ("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "www.amazon.ca")
UK = ("A1F83G8C2ARO7P", "Amazon.co.uk", "GB", "GBP", "www.amazon.co.uk")
DE = ("A1PA6795UKMFR9", "Amazon.de", "DE", "EUR", "www.amazon.de")

# Fast but realistic usage plans: Amazon's documented bursts, quicker refill, so that a
# test run does not wait minutes for searchOrders' 0.0056 requests per second.
FAST_PLANS = {operation: (20.0, burst) for operation, (_rate, burst) in DEFAULT_PLANS.items()}

_VALIDATOR = None


def validator():
    """The official-model validator (strict), loaded once."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = ModelValidator(strict=True)
    return _VALIDATOR


class LogCapture(logging.Handler):
    """Keeps every formatted record, whatever its level, for secret-leak checks."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def text(self):
        return "\n".join(self.lines)


class EmulatorMixin:
    """Starts one emulator per test class; every test starts from a clean emulator."""

    emulator = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_emulator()

    def setUp(self):
        super().setUp()
        self.reset_emulator()

    @classmethod
    def start_emulator(cls):
        cls.emulator = SpApiEmulator(validator=validator()).start()
        cls.addClassCleanup(cls.emulator.stop)

    def reset_emulator(self):
        self.emulator.reset()
        for operation, plan in FAST_PLANS.items():
            self.emulator.set_plan(operation, *plan)
        self.emulator.add_seller(SELLER_ID, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, [US, CA, UK])
        BUCKETS.clear()
        TOKENS.clear()
        # Every test checks the emulator only ever served bodies valid against Amazon's models.
        self.addCleanup(self.assert_emulator_bodies_valid)
        # ... and that no secret ever reached the logs.
        capture = LogCapture()
        root = logging.getLogger()
        root.addHandler(capture)
        self.addCleanup(self.assert_no_secret_logged, capture)
        self.addCleanup(root.removeHandler, capture)

    def assert_emulator_bodies_valid(self):
        self.assertEqual(self.emulator.validation_errors, [], "the emulator served bodies Amazon's models refuse")

    def assert_no_secret_logged(self, capture):
        for secret in (CLIENT_SECRET, REFRESH_TOKEN, *self.emulator_access_tokens_seen()):
            self.assertNotIn(secret, capture.text, "a secret reached the log output")

    def emulator_access_tokens_seen(self):
        return list(self.emulator.issued_tokens)

    def credentials(self, **overrides):
        values = {
            "seller_id": SELLER_ID,
            "lwa_client_id": CLIENT_ID,
            "lwa_client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "region": "na",
            "sp_api_endpoint": self.emulator.url,
            "lwa_endpoint": self.emulator.lwa_url,
        }
        values.update(overrides)
        return Credentials(**values)


class SpApiCase(EmulatorMixin, BaseCase):
    """For the plain-Python SP-API layer: no database needed, only the emulator."""


class AmazonCase(EmulatorMixin, TransactionCase):
    """Odoo scenarios: a company set up to sell on Amazon US, an account on the emulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.marketplace_us = cls.env.ref("amazon_sp_connector.marketplace_atvpdkikx0der")
        cls.marketplace_ca = cls.env.ref("amazon_sp_connector.marketplace_a2euq1wtgctbg2")
        cls.marketplace_uk = cls.env.ref("amazon_sp_connector.marketplace_a1f83g8c2aro7p")
        cls.marketplace_de = cls.env.ref("amazon_sp_connector.marketplace_a1pa6795ukmfr9")
        cls.account = cls.env["amazon.account"].create(cls.account_values())

    @classmethod
    def account_values(cls, **overrides):
        values = {
            "name": "Amazon US",
            "seller_id": SELLER_ID,
            "lwa_client_id": CLIENT_ID,
            "lwa_client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "base_marketplace_id": cls.marketplace_us.id,
            "sp_api_endpoint": cls.emulator.url,
            "lwa_endpoint": cls.emulator.lwa_url,
        }
        values.update(overrides)
        return values

    FLOW_MODELS = {
        "orders": "amazon.order.sync",
        "shipments": "amazon.shipment.sync",
        "cancellations": "amazon.cancellation.sync",
        "stock": "amazon.stock.sync",
        "payouts": "amazon.payout.sync",
        "fulfillment": "amazon.fulfillment.sync",
        "invoices": "amazon.invoice.sync",
    }

    def run_flow(self, flow, account=None, budget=None):
        """One run of ``flow`` on the account, as its button does. :returns: the Run"""
        return self.env[self.FLOW_MODELS[flow]]._run_now(account or self.account, budget=budget)

    def run_cron(self, flow):
        """One call of the flow's scheduled action, over every account."""
        self.env[self.FLOW_MODELS[flow]]._cron_run()

    def status(self, flow, account=None):
        return (account or self.account).status_ids.filtered(lambda s: s.flow == flow)
