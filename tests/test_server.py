"""Scenarios with committed data: Odoo as a real server (prefork and threaded) running the
scheduled actions against the emulator, and a second transaction in the way of a run.

These tests commit what they create (a server only sees committed data); they use their own
seller ids and archive their accounts when they end, so the other tests never see them.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config, mute_logger

from ..emulator.scenarios import make_item, make_order
from ..emulator.server import SpApiEmulator
from .common import CA, CLIENT_ID, CLIENT_SECRET, US, validator

ORDERS_PER_ACCOUNT = 40
# What a server log must never say: a killed cron worker, a thread over its limit, a reload.
FORBIDDEN = re.compile(r"timeout after|virtual real time limit|Reloading|restart|Traceback|CRITICAL")


def addons_path():
    paths = config["addons_path"]
    return paths if isinstance(paths, str) else ",".join(paths)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CommittedCase(BaseCase):
    """Data created here is committed; every account is archived at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.emulator = SpApiEmulator(validator=validator()).start()
        cls.addClassCleanup(cls.emulator.stop)

    def env_cursor(self):
        """A fresh cursor and superuser environment: ``with self.env_cursor() as env: ...``"""
        registry = self.registry

        class _Env:
            def __enter__(self):
                self.cr = registry.cursor()
                return api.Environment(self.cr, SUPERUSER_ID, {})

            def __exit__(self, *exc):
                if exc[0] is None:
                    # a server (another process) sees committed data only
                    self.cr.commit()  # pylint: disable=invalid-commit
                self.cr.close()

        return _Env()

    def make_accounts(self, seller_id, refresh_token, marketplaces):
        """One account per marketplace for one seller (they share its quota), committed."""
        self.emulator.add_seller(seller_id, CLIENT_ID, CLIENT_SECRET, refresh_token, [US, CA])
        with self.env_cursor() as env:
            accounts = env["amazon.account"]
            for api_ref in marketplaces:
                marketplace = env["amazon.marketplace"].search([("api_ref", "=", api_ref)])
                accounts |= accounts.create(
                    {
                        "name": f"{seller_id} {marketplace.name}",
                        "seller_id": seller_id,
                        "lwa_client_id": CLIENT_ID,
                        "lwa_client_secret": CLIENT_SECRET,
                        "refresh_token": refresh_token,
                        "base_marketplace_id": marketplace.id,
                        "sp_api_endpoint": self.emulator.url,
                        "lwa_endpoint": self.emulator.lwa_url,
                        "last_orders_sync": fields.Datetime.now() - timedelta(days=1),
                    }
                )
            ids = accounts.ids
        self.addCleanup(self.archive, ids)
        return ids

    def archive(self, ids):
        with self.env_cursor() as env:
            env["amazon.account"].browse(ids).write({"active": False})

    def order_states(self, ids):
        with self.env_cursor() as env:
            statuses = env["amazon.sync.status"].search([("account_id", "in", ids), ("flow", "=", "orders")])
            return set(statuses.mapped("state"))

    def count_orders(self, ids):
        with self.env_cursor() as env:
            groups = env["sale.order"]._read_group(
                [("amazon_account_id", "in", ids)],
                ["amazon_account_id"],
                ["__count", "amazon_order_ref:count_distinct"],
            )
            return {account.id: (count, distinct) for account, count, distinct in groups}


@tagged("post_install", "-at_install")
class TestRealServer(CommittedCase):
    """Two accounts of one seller share a searchOrders quota that refills every 30 s; a
    server with Odoo's cron limits imports both without a killed worker, a reload or a
    duplicate (the run stops on its budget and on the quota, and is triggered again)."""

    def run_server(self, seller_id, refresh_token, *options):
        self.emulator.set_plan("searchOrders", 1 / 30, 1)
        ids = self.make_accounts(seller_id, refresh_token, [US[0], CA[0]])
        for marketplace in (US[0], CA[0]):
            for index in range(ORDERS_PER_ACCOUNT):
                fba = index % 2 == 0
                self.emulator.put_order(
                    seller_id,
                    make_order(
                        items=[make_item("SRV-MUG", 1, "9.00")],
                        marketplace_id=marketplace,
                        fulfilled_by="AMAZON" if fba else "MERCHANT",
                        status="SHIPPED" if fba else "UNSHIPPED",
                        anonymous=True,
                    ),
                )
        log = tempfile.NamedTemporaryFile(prefix="amazon-server-", suffix=".log", delete=False)
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "odoo",
            "server",
            f"--addons-path={addons_path()}",
            f"--data-dir={config['data_dir']}",
            f"--database={get_db_name()}",
            f"--db-filter=^{get_db_name()}$",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            f"--gevent-port={free_port()}",
            "--limit-time-real=90",
            "--log-level=info",
            f"--logfile={log.name}",
            *options,
        ]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config.get(option):
                command.append(f"--{option.replace('_', '-')}={config[option]}")
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.stop, server)
        self.wait_until(lambda: self.healthy(port), 90, "the server answers")
        with self.env_cursor() as env:
            env.ref("amazon_sp_connector.ir_cron_sync_orders")._trigger()
        # done when every order is in and each account's flow has settled: once its orders are
        # in, an account may poll again and wait for the shared quota's refill (state "waiting")
        done = self.wait_until(
            lambda: (
                self.count_orders(ids) == dict.fromkeys(ids, (ORDERS_PER_ACCOUNT, ORDERS_PER_ACCOUNT))
                and self.order_states(ids) == {"ok"}
            ),
            420,
        )
        self.stop(server)
        text = open(log.name, encoding="utf-8", errors="replace").read()
        ours = "\n".join(line for line in text.splitlines() if "amazon" in line.lower() or "cron" in line.lower())
        self.assertTrue(done, f"both accounts' orders imported: {self.count_orders(ids)}\n{ours[-4000:]}")
        os.unlink(log.name)
        self.assertFalse(FORBIDDEN.findall(text), text[-5000:])
        with self.env_cursor() as env:
            self.assertFalse(env["amazon.order.failure"].search([("account_id", "in", ids)]))
            statuses = env["amazon.sync.status"].search([("account_id", "in", ids), ("flow", "=", "orders")])
            self.assertEqual(set(statuses.mapped("state")), {"ok"}, statuses.mapped("summary"))
        self.assertFalse(self.emulator.validation_errors)
        return text

    def test_prefork_server_with_odoo_cron_limits_imports_every_account(self):
        self.run_server("A1SRVPREFORK", "Atzr|server-prefork-token", "--workers=2", "--max-cron-threads=1")

    def test_threaded_server_with_odoo_cron_limits_imports_every_account(self):
        self.run_server("A1SRVTHREADS", "Atzr|server-threaded-token", "--workers=0", "--max-cron-threads=1")

    @staticmethod
    def healthy(port):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    @staticmethod
    def wait_until(condition, seconds, what=None):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(2)
        if what:
            raise AssertionError(f"gave up waiting: {what}")
        return False

    @staticmethod
    def stop(server):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@tagged("post_install", "-at_install")
class TestConcurrentTransaction(CommittedCase):
    def test_a_concurrent_transaction_is_retried_not_recorded_and_the_lock_is_released(self):
        [account_id] = self.make_accounts("A1SRVCONFLICT", "Atzr|conflict-token", [US[0]])
        amazon_order = make_order(items=[make_item("SRV-MUG")], anonymous=True)
        self.emulator.put_order("A1SRVCONFLICT", amazon_order)
        with self.env_cursor() as env, self.registry.cursor() as other_cr:
            account = env["amazon.account"].browse(account_id)
            keys = env["amazon.order.sync"]._lock_keys(account)
            other_cr.execute("SELECT 1 FROM amazon_account WHERE id = %s FOR UPDATE", (account_id,))
            env.cr.execute("SET lock_timeout = '500ms'")
            run = env["amazon.order.sync"]._run_now(account)
            other_cr.rollback()
            other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", keys)
            self.assertTrue(other_cr.fetchone()[0], "the run's lock is released")
            other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
            env.cr.execute("SET lock_timeout = 0")
            self.assertFalse(run.error)
            self.assertTrue(run.more and run.retry_at)
            self.assertFalse(account.order_failure_ids, "a conflict is nobody's failure")
            status = account.status_ids.filtered(lambda s: s.flow == "orders")
            self.assertEqual(status.state, "waiting")
            status.next_attempt = False
            run = env["amazon.order.sync"]._run_now(account)
            self.assertEqual(run.stats["created"], 1)


@tagged("post_install", "-at_install")
class TestStockAgainstConcurrentReservations(CommittedCase):
    """A stock run and a transaction reserving the same product at the same time: Amazon
    never keeps a quantity older than a committed reservation."""

    SELLER = "A1SRVSTOCK"

    def setUp(self):
        super().setUp()
        [self.account_id] = self.make_accounts(self.SELLER, "Atzr|server-stock-token", [US[0]])
        self.emulator.put_listing(self.SELLER, "SRV-LAMP")
        with self.env_cursor() as env:
            account = env["amazon.account"].browse(self.account_id)
            product = env["product.product"].create({"name": "Server lamp", "type": "consu", "is_storable": True})
            stock = account._amazon_fbm_warehouse().lot_stock_id
            env["stock.quant"]._update_available_quantity(product, stock, 10)
            offer = env["amazon.offer"].create(
                {"account_id": account.id, "sku": "SRV-LAMP", "product_id": product.id, "fulfillment_channel": "fbm"}
            )
            self.product_id, self.stock_id, self.offer_id = product.id, stock.id, offer.id
        self.assertEqual(self.push(), 10)

    def push(self):
        """Runs of the stock flow, each in its own committed transaction, as the cron does."""
        for _ in range(3):
            with self.env_cursor() as env:
                env["amazon.stock.sync"]._run_now(env["amazon.account"].browse(self.account_id))
        return self.emulator.quantity(self.SELLER, "SRV-LAMP")

    def reserve(self, env, quantity):
        env["stock.quant"]._update_available_quantity(
            env["product.product"].browse(self.product_id),
            env["stock.location"].browse(self.stock_id),
            reserved_quantity=quantity,
        )

    def state(self):
        with self.env_cursor() as env:
            return env["amazon.offer"].browse(self.offer_id).stock_sync_state

    def test_a_reservation_in_progress_holds_the_run_back_until_it_commits(self):
        with self.env_cursor() as env:
            self.reserve(env, 1)
        self.assertEqual(self.state(), "to_send")
        feeds = len(self.emulator.calls("createFeed"))
        with self.registry.cursor() as other_cr:
            self.reserve(api.Environment(other_cr, SUPERUSER_ID, {}), 3)  # not committed yet
            with self.env_cursor() as env:
                run = env["amazon.stock.sync"]._run_now(env["amazon.account"].browse(self.account_id))
                self.assertFalse(run.error)
                self.assertTrue(run.retry_at, "a stock change in progress: the run is retried, not failed")
            self.assertEqual(len(self.emulator.calls("createFeed")), feeds, "nothing was sent meanwhile")
            other_cr.commit()  # pylint: disable=invalid-commit
        with self.env_cursor() as env:
            env["amazon.sync.status"]._of(env["amazon.account"].browse(self.account_id), "stock")[
                self.account_id
            ].next_attempt = False
        self.assertEqual(self.push(), 6, "both reservations are in the quantity sent")

    def test_a_reservation_whose_snapshot_predates_a_run_fails_and_its_retry_is_sent(self):
        with self.env_cursor() as env:
            env["amazon.account"].browse(self.account_id).stock_buffer = 2
        self.assertEqual(self.state(), "to_send")
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT 1")  # this transaction's snapshot is taken now: the offer is To Send
            self.assertEqual(self.push(), 8, "meanwhile a stock run sends the offer")
            with self.assertRaises(psycopg2.errors.SerializationFailure), mute_logger("odoo.sql_db"):
                self.reserve(api.Environment(other_cr, SUPERUSER_ID, {}), 3)
            other_cr.rollback()
        with self.env_cursor() as env:  # the reservation, tried again as Odoo does
            self.reserve(env, 3)
        self.assertEqual(self.push(), 5)
