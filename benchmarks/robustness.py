#!/usr/bin/env python3
"""Robustness of the order import: crashes, concurrent workers, Amazon's faults, malformed data.

    python3 benchmarks/robustness.py [--orders 1000] [--kills 20] [--seed 7]

Creates a throwaway database with the addon and starts the SP-API emulator, then runs the
orders flow in separate Odoo processes (as cron workers do: committing as it goes):

1. **kill -9**: an import of N orders; the process is killed (SIGKILL) at ``--kills`` random
   moments and started again each time, then left to finish. Expected: 0 duplicates, 0 lost.
2. **two workers at once** on the same account. Expected: 0 duplicates, 0 lost.
3. **a storm**: 30% of Amazon's answers are 429, 500, 503 or too slow (timeouts). Expected:
   every order in, eventually.
4. **malformed orders**: 200 orders fuzzed from valid ones (keys missing, null, wrong types,
   huge strings, negative amounts, unusable orderIds) mixed into pages of valid orders.
   Expected: the valid orders import; every other one is imported or listed once among the
   failures with a reason; no run aborts; no buyer's data in the processes' logs.

Prints one line per scenario; exits 1 if any expectation fails.
"""

import argparse
import copy
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchdb import drop_database, setup_database

SELLER_PASSWORD = "bench-client-secret-0123456789"
CLIENT_ID = "amzn1.application-oa2-client.bench"
HUGE = "Z" * 20000


# ---------------------------------------------------------------------------- child process


def child(args):
    """Run the orders flow on one account until its window is in (the crash-able worker)."""
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [
            "--addons-path",
            args.addons,
            "--data-dir",
            args.data,
            "-d",
            args.db,
            "--log-level",
            "info",
            "--logfile",
            args.log,
        ]
    )
    odoo.netsvc.init_logger()
    registry = Registry(args.db)
    print("ready", flush=True)  # noqa: T201
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            account = env["amazon.account"].browse(args.account)
            status = account.status_ids.filtered(lambda s: s.flow == "orders")
            status.next_attempt = False  # a benchmark does not wait for the cron's trigger
            cr.commit()
            run = env["amazon.order.sync"]._run_now(account, budget=args.budget)
            cr.commit()
            if run.locked:
                time.sleep(0.5)
                continue
            if run.error is not None:
                print(f"error {type(run.error).__name__}", flush=True)  # noqa: T201
            if not run.more and not run.error and not account.sync_window_before:
                print("done", flush=True)  # noqa: T201
                return 0
    return 2


# ---------------------------------------------------------------------------- parent


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="amazon_robust_"))
        self.db = f"amazon_sp_robust_{os.getpid()}"
        self.random = random.Random(args.seed)
        self.fuzzing = random.Random(args.seed)  # its own: the same fuzzed orders whatever ran before
        self.mutations = []  # how each fuzzed order was made, in order
        self.logs = []

    def start(self):
        self.addons = setup_database(self.work, self.db)
        from odoo.tools import config  # noqa: PLC0415

        data = str(self.work / "data")
        config.parse_config(
            ["--addons-path", str(self.addons), "--data-dir", data, "--log-level", "warn", "-d", self.db]
        )
        from odoo.modules.registry import Registry  # noqa: PLC0415

        from odoo.addons.amazon_sp_connector.emulator.server import SpApiEmulator  # noqa: PLC0415

        self.registry = Registry(self.db)
        self.emulator = SpApiEmulator().start()
        for operation, (_rate, burst) in list(self.emulator.plans.items()):
            self.emulator.set_plan(operation, 50.0, max(burst, 30))

    def stop(self):
        self.emulator.stop()
        drop_database(self.db)
        shutil.rmtree(self.work, ignore_errors=True)

    def env(self):
        import odoo  # noqa: PLC0415

        cr = self.registry.cursor()
        return cr, odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

    def account(self, seller_id, orders=(), junk=()):
        """A seller on the emulator with ``orders`` and an account on it (committed)."""
        import odoo.fields  # noqa: PLC0415

        token = f"Atzr|bench-{seller_id}"
        self.emulator.add_seller(
            seller_id,
            CLIENT_ID,
            SELLER_PASSWORD,
            token,
            [("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "www.amazon.com")],
        )
        for order in orders:
            self.emulator.put_order(seller_id, order)
        for entry in junk:
            self.emulator.put_junk(seller_id, entry)
        cr, env = self.env()
        with cr:
            account = env["amazon.account"].create(
                {
                    "name": seller_id,
                    "seller_id": seller_id,
                    "lwa_client_id": CLIENT_ID,
                    "lwa_client_secret": SELLER_PASSWORD,
                    "refresh_token": token,
                    "base_marketplace_id": env.ref("amazon_sp_connector.marketplace_atvpdkikx0der").id,
                    "sp_api_endpoint": self.emulator.url,
                    "lwa_endpoint": self.emulator.lwa_url,
                    "last_orders_sync": odoo.fields.Datetime.now() - timedelta(days=1),
                }
            )
            cr.commit()
            return account.id

    def spawn(self, account_id, budget=30.0):
        log = self.work / f"child-{len(self.logs)}.log"
        self.logs.append(log)
        command = [sys.executable, __file__, "--child", "--db", self.db, "--addons", str(self.addons)]
        command += ["--data", str(self.work / "data"), "--account", str(account_id), "--log", str(log)]
        command += ["--budget", str(budget)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def outcome(self, account_id):
        """(orders, distinct references, failure rows) of an account."""
        cr, env = self.env()
        with cr:
            cr.execute(
                "SELECT count(*), count(DISTINCT amazon_order_ref) FROM sale_order WHERE amazon_account_id = %s",
                (account_id,),
            )
            orders, distinct = cr.fetchone()
            failures = env["amazon.order.failure"].search([("account_id", "=", account_id)])
            return orders, distinct, failures.mapped("order_ref"), failures.mapped("reason")

    @staticmethod
    def finish(process, seconds=900):
        try:
            output, _ = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        return output

    # ------------------------------------------------------------------ scenarios

    def kills(self):
        count = self.args.orders
        orders = [self.valid_order(index) for index in range(count)]
        account_id = self.account("A1ROBUSTKILL", orders)
        started = time.perf_counter()
        for _kill in range(self.args.kills):
            process = self.spawn(account_id)
            line = process.stdout.readline()  # "ready": the registry is loaded, the run starts
            if line.strip() != "ready":
                raise RuntimeError(f"the worker did not start: {line}{self.finish(process)}")
            time.sleep(self.random.uniform(0.05, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
        output = self.finish(self.spawn(account_id))
        imported, distinct, failures, _reasons = self.outcome(account_id)
        ok = imported == distinct == count and not failures and "done" in output
        return ok, (
            f"kill -9 x{self.args.kills} during {count} orders: {imported} imported, {imported - distinct} duplicates, "
            f"{count - distinct} lost, {len(failures)} failures ({time.perf_counter() - started:.0f} s)"
        )

    def two_workers(self):
        count = max(200, self.args.orders // 3)
        account_id = self.account("A1ROBUSTTWO", [self.valid_order(i) for i in range(count)])
        first, second = self.spawn(account_id), self.spawn(account_id)
        outputs = self.finish(first) + self.finish(second)
        imported, distinct, failures, _reasons = self.outcome(account_id)
        ok = imported == distinct == count and not failures and "done" in outputs
        return ok, (
            f"two workers, one account, {count} orders: {imported} imported, {imported - distinct} duplicates, "
            f"{count - distinct} lost, {len(failures)} failures" + ("" if ok else f"\n{outputs[-2000:]}")
        )

    def storm(self):
        count = max(200, self.args.orders // 3)
        account_id = self.account("A1ROBUSTSTORM", [self.valid_order(i) for i in range(count)])
        self.emulator.requests.clear()
        self.emulator.storm(0.3, delay=6.0, seed=self.args.seed)
        try:
            output = self.finish(self.spawn(account_id, budget=5.0))
        finally:
            self.emulator.storm(0)
        faults = sum(1 for r in self.emulator.requests if r.get("status") in (429, 500, 503) or r.get("client_gone"))
        imported, distinct, failures, _reasons = self.outcome(account_id)
        ok = imported == distinct == count and not failures and "done" in output
        return ok, (
            f"storm of 429/5xx/timeouts (30% of {len(self.emulator.requests)} calls, {faults} faults seen): "
            f"{imported} of {count} imported, {len(failures)} failures"
        )

    def malformed(self):
        valid = [self.valid_order(i) for i in range(300)]
        bad = [self.fuzz(self.valid_order(1000 + i)) for i in range(200)]
        mutations = self.mutations[-len(bad) :]
        account_id = self.account("A1ROBUSTFUZZ", valid, junk=bad)
        process = self.spawn(account_id)
        output = self.finish(process)
        imported, distinct, failures, reasons = self.outcome(account_id)
        valid_refs = {o["orderId"] for o in valid}
        cr, env = self.env()
        with cr:
            refs = set(env["sale.order"].search([("amazon_account_id", "=", account_id)]).mapped("amazon_order_ref"))
        unaccounted = self.unaccounted(bad, mutations, refs, failures)
        personal = self.personal_data(valid + bad)
        logs = "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())
        leaks = sorted({p for p in personal if p in logs or any(p in r for r in reasons)})
        ok = (
            valid_refs <= refs
            and imported + len(failures) == len(valid) + len(bad)
            and imported == distinct
            and "error" not in output
            and not leaks
        )
        return ok, (
            f"200 malformed among 300 valid: {len(valid_refs & refs)} of 300 valid imported, "
            f"{imported - len(valid_refs & refs)} malformed still importable, {len(failures)} failure rows, "
            f"0 aborted runs, {len(leaks)} personal data leaks in logs/reasons" + (f" {leaks[:3]}" if leaks else "")
        ) + "".join(f"\n    neither imported nor listed: {entry}" for entry in unaccounted)

    @staticmethod
    def unaccounted(bad, mutations, refs, failures):
        """The fuzzed orders found neither among the sale orders nor among the failures, each
        with the mutation that made it (its keys' path and value)."""
        from odoo.addons.amazon_sp_connector.models.amazon_order_sync import (  # noqa: PLC0415
            invalid_ref_of,
            order_ref_of,
        )

        found = set(refs) | set(failures)
        return [
            f"{order.get('orderId')!r:.40}: {mutation}"
            for order, mutation in zip(bad, mutations, strict=True)
            if (order_ref_of(order) or invalid_ref_of(order)) not in found
        ]

    # ------------------------------------------------------------------ data

    def valid_order(self, index):
        from odoo.addons.amazon_sp_connector.emulator.scenarios import (  # noqa: PLC0415
            make_address,
            make_item,
            make_order,
        )

        fba = index % 2 == 1
        name = f"Buyer{index:05d} Surname{index:05d}"
        return make_order(
            items=[make_item("ROBUST-MUG", 1 + index % 3, "12.50", tax="1.10", shipping="3.99")],
            buyer_name=name,
            buyer_email=f"mail{index:05d}x@marketplace.amazon.com",
            address=make_address(name, f"{index:05d} Robust Street", phone=f"+1 555 {index:07d}"),
            fulfilled_by="AMAZON" if fba else "MERCHANT",
            status="SHIPPED" if fba else "UNSHIPPED",
        )

    def fuzz(self, order):
        """One mutation of a valid order, at a random place, of a random kind."""
        order = copy.deepcopy(order)
        paths = list(self.paths(order))
        path = self.fuzzing.choice(paths)
        parent = order
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        value = parent[key]
        kind = self.fuzzing.choice(["missing", "null", "type", "huge", "negative"])
        self.mutations.append(f"{kind} at {'.'.join(map(str, path))} (was {value!r:.60})")
        if kind == "missing" and isinstance(parent, dict):
            del parent[key]
        elif kind == "null":
            parent[key] = None
        elif kind == "type":
            parent[key] = {str: 12345, int: "many", float: "x", dict: "not an object", list: {"a": 1}}.get(
                type(value), ["wrong"]
            )
        elif kind == "huge":
            parent[key] = HUGE if not isinstance(value, int | float) else 10**30
        elif isinstance(value, str):  # negative: an amount below zero, or a text turned into one
            parent[key] = "-999.99" if value.replace(".", "", 1).isdigit() else f"-{value}"
        else:  # negative quantities
            parent[key] = -abs(value or 1) if isinstance(value, int) else None
        return order

    def paths(self, node, prefix=()):
        if isinstance(node, dict):
            for key, value in node.items():
                yield (*prefix, key)
                yield from self.paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield (*prefix, index)
                yield from self.paths(value, (*prefix, index))

    @staticmethod
    def personal_data(orders):
        found = set()
        for order in orders:
            buyer = order.get("buyer") if isinstance(order, dict) else None
            address = ((order.get("recipient") or {}) if isinstance(order, dict) else {}) or {}
            address = address.get("deliveryAddress") if isinstance(address, dict) else None
            for value in (
                (buyer or {}).get("buyerName") if isinstance(buyer, dict) else None,
                (buyer or {}).get("buyerEmail") if isinstance(buyer, dict) else None,
                (address or {}).get("addressLine1") if isinstance(address, dict) else None,
                (address or {}).get("phone") if isinstance(address, dict) else None,
            ):
                if isinstance(value, str) and len(value) >= 8 and value != HUGE:
                    found.add(value)
        return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", help="comma-separated scenarios: kills,two_workers,storm,malformed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for option in ("--db", "--addons", "--data", "--log"):
        parser.add_argument(option, help=argparse.SUPPRESS)
    parser.add_argument("--account", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=30.0, help=argparse.SUPPRESS)
    parser.add_argument("--max-seconds", type=float, default=900.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    bench = Bench(args)
    failed = False
    try:
        bench.start()
        names = (args.only or "kills,two_workers,storm,malformed").split(",")
        for name in names:
            ok, line = getattr(bench, name)()
            failed |= not ok
            print(("ok      " if ok else "FAILED  ") + line, flush=True)  # noqa: T201
    finally:
        bench.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
