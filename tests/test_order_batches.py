"""The orders flow commits a batch of orders at a time: what a crash, or an order that
breaks, leaves behind. The runs here are a cron worker's: in a thread of their own, on a
test cursor whose commit is kept and whose rollback goes back to the last commit (what a
killed process leaves in the database)."""

import threading
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import release_test_lock

from ..emulator.scenarios import make_item, make_order
from ..models import amazon_order_sync
from .test_order_import import ImportCase


class Killed(BaseException):
    """kill -9: nothing of the process runs after it (no except clause catches it)."""


@tagged("post_install", "-at_install")
class TestOrderBatches(ImportCase):
    def setUp(self):
        super().setUp()
        # batches of 10 orders, never closed by the clock: the test does not depend on the machine
        for name, value in (("BATCH_ORDERS", 10), ("BATCH_SECONDS", 3600)):
            patcher = patch.object(amazon_order_sync, name, value, create=True)
            patcher.start()
            self.addCleanup(patcher.stop)
        # the worker's cursor is a test cursor on this test's transaction (as in HttpCase)
        self.registry_enter_test_mode()

    def put_orders(self, count, **kwargs):
        return [self.put(make_order(items=[make_item("MUG-BLUE", 1, "4.00")], **kwargs)) for _i in range(count)]

    def run_as_a_worker(self, kill_at=None):
        """One run of the orders flow as a cron worker runs it, committing as it goes.

        :param kill_at: the process is killed when it starts creating this order (1-based)
        :returns: (Run or None when killed, number of commits)
        """
        SaleOrder = type(self.env["sale.order"])
        create = SaleOrder._amazon_create
        started = []

        def create_or_die(model, account, amazon_order, channel):
            started.append(amazon_order["orderId"])
            if len(started) == kill_at:
                raise Killed
            return create(model, account, amazon_order, channel)

        outcome = {"commits": 0}
        self.env.flush_all()  # what the test wrote is in the transaction the worker's cursor wraps

        def work():
            with self.registry.cursor() as cr:
                commit = cr.commit

                def counted_commit():
                    outcome["commits"] += 1
                    commit()

                cr.commit = counted_commit
                env = api.Environment(cr, SUPERUSER_ID, {})
                try:
                    outcome["run"] = env["amazon.order.sync"]._run_now(
                        env["amazon.account"].browse(self.account.id), budget=600
                    )
                except Killed:
                    cr.rollback()  # a dead process: the database keeps its last commit
                    outcome["run"] = None
                cr.commit = commit

        with patch.object(SaleOrder, "_amazon_create", create_or_die), release_test_lock():
            worker = threading.Thread(target=work)
            worker.start()
            worker.join()
        self.env.invalidate_all()
        return outcome["run"], outcome["commits"]

    def imported(self):
        self.env.cr.execute(
            "SELECT count(*), count(DISTINCT amazon_order_ref) FROM sale_order WHERE amazon_account_id = %s",
            [self.account.id],
        )
        return self.env.cr.fetchone()

    def test_a_page_commits_a_batch_at_a_time_and_a_crash_mid_batch_imports_that_batch_again(self):
        orders = self.put_orders(120, fulfilled_by="AMAZON", status="SHIPPED", anonymous=True)

        # killed while creating the 35th order: the batch of orders 31-40 dies with it
        run, commits = self.run_as_a_worker(kill_at=35)
        self.assertIsNone(run)
        self.assertEqual(self.imported(), (30, 30), "three batches of 10 committed, the fourth lost")
        self.assertLessEqual(commits, 6, "a commit per batch (and the window's start and page), not per order")
        self.assertEqual(len(self.account.sync_pending_refs), 70, "the page's orders not committed are pending")
        self.assertTrue(self.account.sync_next_token)

        # the next run imports the pending ones (getOrder), then the second page: each order once
        self.emulator.requests.clear()
        run, commits = self.run_as_a_worker()
        self.assertEqual(run.stats["created"], 90)
        self.assertEqual(self.imported(), (120, 120))
        self.assertEqual(len(self.emulator.calls("getOrder")), 70)
        self.assertEqual(len(self.emulator.calls("searchOrders")), 1)
        self.assertFalse(self.account.sync_pending_refs or self.account.sync_window_before)
        self.assertLessEqual(commits, 15)
        imported = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        refs = set(imported.mapped("amazon_order_ref"))
        self.assertEqual(refs, {order["orderId"] for order in orders})

    def test_an_order_the_database_refuses_fails_alone_and_its_batch_commits_with_its_failure(self):
        orders = self.put_orders(12)
        poison = orders[4]
        poison["orderItems"][0]["quantityOrdered"] = 10**12  # too big for the database's integer column
        self.put(poison)

        # killed at the 11th order: the first batch (10 orders, the poison one among them) is committed
        run, commits = self.run_as_a_worker(kill_at=11)
        self.assertIsNone(run)
        self.assertEqual(self.imported(), (9, 9))
        failure = self.account.order_failure_ids
        self.assertEqual(failure.order_ref, poison["orderId"])
        self.assertIn("Database refused the record", failure.reason)
        self.assertEqual(self.account.sync_pending_refs, [o["orderId"] for o in orders[10:]])
        self.assertLessEqual(commits, 3, "the window's start, the page and one batch")

        run, _commits = self.run_as_a_worker()
        self.assertEqual((run.stats["created"], run.stats["failed"]), (2, 1))
        self.assertEqual(self.imported(), (11, 11))
        self.assertEqual(self.account.order_failure_ids.attempts, 2)
