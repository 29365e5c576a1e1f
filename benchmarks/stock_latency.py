#!/usr/bin/env python3
"""FBM stock latency: how long after a stock change Amazon receives the new quantity.

    python3 benchmarks/stock_latency.py [--changes 3]

Creates a throwaway database with the addon, starts the SP-API emulator and an Odoo server
with one cron thread (as in production, the scheduled actions run by themselves), lets the
first push settle, then commits ``--changes`` inventory adjustments one after the other and
measures, for each, the time from its commit to the createFeed call carrying the new quantity.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time

from benchdb import demo_account, demo_emulator, in_database


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def feeds_with(emulator, sku, quantity):
    """Number of listings feeds Amazon received that send ``quantity`` for ``sku``."""
    count = 0
    for feed in list(emulator.feeds.values()):
        document = emulator.feed_documents[feed["_document"]]["content"] or b"{}"
        for message in json.loads(document).get("messages", []):
            if message["sku"] == sku and message["patches"][0]["value"][0]["quantity"] == quantity:
                count += 1
    return count


def run(db, changes):
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    emulator = demo_emulator()
    emulator.put_listing(DEMO_CREDENTIALS["Seller ID"], "MUG-BLUE")
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator)
        product = env["product.product"].create(
            {"name": "Latency mug", "default_code": "MUG-BLUE", "type": "consu", "is_storable": True}
        )
        stock = account._amazon_fbm_warehouse().lot_stock_id
        env["stock.quant"]._update_available_quantity(product, stock, 100)
        env["amazon.offer"].create(
            {"account_id": account.id, "sku": "MUG-BLUE", "product_id": product.id, "fulfillment_channel": "fbm"}
        )
        for _ in range(4):
            env["amazon.stock.sync"]._run_now(account, budget=60)
            cr.commit()
        product_id, stock_id = product.id, stock.id
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            "--addons-path",
            ",".join(config["addons_path"]) if isinstance(config["addons_path"], list) else config["addons_path"],
            "--data-dir",
            str(config["data_dir"]),
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(free_port()),
            "--max-cron-threads",
            "1",
            "--log-level",
            "warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    results = []
    try:
        time.sleep(10)  # the server starts and its cron thread takes its first look
        for number in range(changes):
            quantity = 90 - number
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                env["stock.quant"].with_context(inventory_mode=True).create(
                    {"product_id": product_id, "location_id": stock_id, "inventory_quantity": quantity}
                ).action_apply_inventory()
                cr.commit()
            committed = time.monotonic()
            while not feeds_with(emulator, "MUG-BLUE", quantity):
                if time.monotonic() - committed > 1200:
                    raise RuntimeError("no feed after 20 minutes")
                time.sleep(0.5)
            results.append(time.monotonic() - committed)
            print(f"change {number + 1}: createFeed {results[-1]:.1f} s after the commit", flush=True)  # noqa: T201
            time.sleep(7 + 23 * number)  # the next change at another moment of the cron thread's minute
    finally:
        server.terminate()
        server.wait(30)
        emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=3)
    args = parser.parse_args()
    results = in_database("amazon_stock_latency", run, args.changes)
    # pylint: disable=print-used  # the benchmark's report, for a person
    print(f"worst {max(results):.1f} s, best {min(results):.1f} s over {len(results)} changes")  # noqa: T201


if __name__ == "__main__":
    main()
