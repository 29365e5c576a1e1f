"""The emulator is faithful: its bodies match Amazon's official models and it enforces limits."""

import copy
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from odoo.tests import tagged

from ..emulator.scenarios import make_item, make_order
from ..emulator.server import INCLUDED_DATA_FIELDS
from .common import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID, SpApiCase, validator

ORDERS_MODEL = "orders_2026-01-01"


@tagged("post_install", "-at_install")
class TestEmulator(SpApiCase):
    def token(self):
        answer = httpx.post(
            self.emulator.lwa_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": REFRESH_TOKEN,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        self.assertEqual(answer.status_code, 200)
        return answer.json()["access_token"]

    def get(self, path, token=None, **params):
        return httpx.get(self.emulator.url + path, params=params, headers={"x-amz-access-token": token or self.token()})

    def test_amazon_sandbox_orders_are_served_as_is_and_validate(self):
        """The x-amzn-api-sandbox orders of Amazon's model, loaded into the emulator,
        come back unchanged from searchOrders and getOrder."""
        examples = [
            response
            for status, _request, response in validator().sandbox_examples(ORDERS_MODEL, "searchOrders")
            if status == 200
        ]
        sandbox_orders = [order for response in examples for order in response["orders"]]
        self.assertGreaterEqual(len(sandbox_orders), 3)
        for order in sandbox_orders:
            self.emulator.put_order(SELLER_ID, order)
        token = self.token()
        every_part = ",".join(INCLUDED_DATA_FIELDS)
        answer = self.get(
            "/orders/2026-01-01/orders", token, lastUpdatedAfter="2024-01-01T00:00:00Z", includedData=every_part
        )
        self.assertEqual(answer.status_code, 200)
        served = {o["orderId"]: o for o in answer.json()["orders"]}
        for order in sandbox_orders:
            self.assertEqual(served[order["orderId"]], order)
            single = self.get(f"/orders/2026-01-01/orders/{order['orderId']}", token, includedData=every_part)
            self.assertEqual(single.json(), {"order": order})
        self.assertEqual(self.emulator.validation_errors, [])

    def test_every_sandbox_example_of_the_served_operations_validates(self):
        served = [
            ("orders_2026-01-01", "searchOrders"),
            ("orders_2026-01-01", "getOrder"),
            ("ordersV0", "confirmShipment"),
            ("sellers", "getMarketplaceParticipations"),
            ("feeds_2021-06-30", "createFeedDocument"),
            ("feeds_2021-06-30", "createFeed"),
            ("feeds_2021-06-30", "getFeed"),
            ("feeds_2021-06-30", "getFeedDocument"),
        ]
        checked = 0
        for model, operation in served:
            for status, _request, response in validator().sandbox_examples(model, operation):
                self.assertEqual(
                    validator().response_errors(model, operation, status, response), [], f"{operation} {status}"
                )
                checked += 1
        self.assertGreaterEqual(checked, 15)

    def test_the_validator_refuses_what_amazon_would_never_send(self):
        order = make_order(items=[make_item("SKU-1")])
        self.assertEqual(validator().response_errors(ORDERS_MODEL, "getOrder", 200, {"order": order}), [])
        wrong = copy.deepcopy(order)
        wrong["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"] = 10.0  # amounts are strings
        wrong["orderItems"][0]["sku"] = "misplaced"  # not a field of OrderItem
        errors = validator().response_errors(ORDERS_MODEL, "getOrder", 200, {"order": wrong})
        self.assertEqual(len(errors), 2, errors)

    def test_built_orders_validate_with_every_option(self):
        order = make_order(
            items=[
                make_item(
                    "SKU-1",
                    2,
                    "10.00",
                    tax="1.60",
                    shipping="4.99",
                    shipping_tax="0.40",
                    shipping_discount="1.00",
                    promotion="2.00",
                    promotion_ids=["PROMO-1"],
                    gift_wrap="3.00",
                    gift_wrap_tax="0.24",
                    gift_message="Enjoy",
                    gift_wrap_level="Classic",
                    condition="USED",
                    condition_subtype="LIKE_NEW",
                )
            ],
            business_vat="DE123456789",
            company_name="ACME GmbH",
            marketplace_id="A1PA6795UKMFR9",
        )
        self.assertEqual(validator().response_errors(ORDERS_MODEL, "getOrder", 200, {"order": order}), [])
        self.assertEqual(order["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"], "27.23")

    def test_confirm_shipment_body_is_checked_against_the_model(self):
        order = make_order(items=[make_item("SKU-1")])
        self.emulator.put_order(SELLER_ID, order)
        body = {
            "marketplaceId": "ATVPDKIKX0DER",
            "packageDetail": {
                "packageReferenceId": 1,  # must be a string
                "carrierCode": "UPS",
                "trackingNumber": "1Z999",
                "shipDate": "2026-11-20T10:00:00Z",
                "orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 1}],
            },
        }
        url = f"{self.emulator.url}/orders/v0/orders/{order['orderId']}/shipmentConfirmation"
        headers = {"x-amz-access-token": self.token()}
        refused = httpx.post(url, json=body, headers=headers)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("packageReferenceId", refused.json()["errors"][0]["details"])
        body["packageDetail"]["packageReferenceId"] = "1"
        self.assertEqual(httpx.post(url, json=body, headers=headers).status_code, 204)
        self.assertEqual(
            self.emulator.order(SELLER_ID, order["orderId"])["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )

    def test_usage_plan_is_enforced_with_429_and_the_rate_header(self):
        self.emulator.set_plan("getMarketplaceParticipations", 0.5, 2)
        token = self.token()
        statuses = [self.get("/sellers/v1/marketplaceParticipations", token).status_code for _i in range(3)]
        self.assertEqual(statuses, [200, 200, 429])
        throttled = self.get("/sellers/v1/marketplaceParticipations", token)
        self.assertEqual(throttled.headers["x-amzn-RateLimit-Limit"], "0.5")
        self.assertEqual(throttled.json()["errors"][0]["code"], "QuotaExceeded")

    def test_search_refuses_a_before_less_than_two_minutes_ago(self):
        answer = self.get(
            "/orders/2026-01-01/orders",
            lastUpdatedAfter="2026-01-01T00:00:00Z",
            lastUpdatedBefore=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(answer.json()["errors"][0]["code"], "InvalidInput")

    def test_unknown_or_missing_access_token_is_refused(self):
        answer = self.get("/sellers/v1/marketplaceParticipations", token="Atza|forged")
        self.assertEqual(answer.status_code, 403)

    def test_standalone_demo_server_answers(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        script = Path(__file__).resolve().parents[1] / "emulator" / "server.py"
        process = subprocess.Popen(
            [sys.executable, str(script), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        banner = process.stdout.readline()
        self.assertIn(f"127.0.0.1:{port}", banner)
        from ..emulator.scenarios import DEMO_CREDENTIALS

        token = httpx.post(
            f"http://127.0.0.1:{port}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": DEMO_CREDENTIALS["Refresh Token"],
                "client_id": DEMO_CREDENTIALS["LWA Client ID"],
                "client_secret": DEMO_CREDENTIALS["LWA Client Secret"],
            },
        ).json()["access_token"]
        orders = httpx.get(
            f"http://127.0.0.1:{port}/orders/2026-01-01/orders",
            params={"lastUpdatedAfter": "2026-01-01T00:00:00Z", "includedData": "FULFILLMENT"},
            headers={"x-amz-access-token": token},
        ).json()["orders"]
        self.assertGreaterEqual(len(orders), 5)
