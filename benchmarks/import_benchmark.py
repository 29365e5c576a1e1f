#!/usr/bin/env python3
"""Order-import benchmark: the connector against a bare-ORM floor, in one run.

    python3 benchmarks/import_benchmark.py [--orders 200] [--profile]

Creates a throwaway database with the addon, starts the SP-API emulator, then measures:

* **import**: ``amazon.order.sync`` (the orders flow) importing N orders (half FBM with a delivery,
  half FBA with done stock moves; two items, shipping and tax each), over real HTTP;
* **floor**: the same documents created with plain ORM calls (partner, sale order with the
  same lines, confirmation, FBA moves), no Amazon mapping at all;
* **cost along the run**: the import's ms/order over each fifth of the orders (from its
  batch commits), to show that the last orders cost what the first did;
* **SQL queries per order** of both (``odoo.sql_db.sql_counter``: every statement, savepoints
  included);
* **peak memory** of the import: how much the process's resident memory high-water mark
  (``VmHWM``, reset before the import) grew above what it held before;
* **API calls per order**, from the emulator's request log;
* **orders/hour under Amazon's default usage plans**: the smaller of what the processing
  speed allows and what searchOrders' documented plan (0.0056 requests/s, burst 20, 100
  orders a page) allows once its burst is spent.

The emulator's usage plans are set fast here, so that the measurement is the processing
time; Amazon's pacing enters through the last figure.
"""

import argparse
import cProfile
import gc
import io
import pstats
import time
from datetime import timedelta
from pathlib import Path

from benchdb import demo_account, demo_emulator, in_database


def amazon_orders(count):
    from odoo.addons.amazon_sp_connector.emulator.scenarios import make_item, make_order  # noqa: PLC0415

    orders = []
    for index in range(count):
        fba = index % 2 == 1
        orders.append(
            make_order(
                items=[
                    make_item("BENCH-MUG", 2, "12.50", tax="2.25", shipping="4.99", shipping_tax="0.45"),
                    make_item(f"BENCH-SKU-{index % 20}", 1, "7.00", tax="0.63"),
                ],
                buyer_name=f"Buyer {index % 50}",
                fulfilled_by="AMAZON" if fba else "MERCHANT",
                status="SHIPPED" if fba else "UNSHIPPED",
            )
        )
    return orders


def floor(env, account, orders, products):
    """The same documents with bare ORM calls."""
    customers = env.ref("stock.stock_location_customers")
    tax = env["sale.order"]._amazon_tax(account.company_id)
    for data in orders:
        partner = env["res.partner"].create({"name": data["buyer"]["buyerName"], "company_id": account.company_id.id})
        fba = data["fulfillment"]["fulfilledBy"] == "AMAZON"
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": account.company_id.id,
                "warehouse_id": account.warehouse_id.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": products[i["product"]["sellerSku"]].id,
                            "product_uom_qty": i["quantityOrdered"],
                            "price_unit": 10.0,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    )
                    for i in data["orderItems"]
                ]
                + [
                    (
                        0,
                        0,
                        {
                            "product_id": env.ref("amazon_sp_connector.product_amazon_shipping").id,
                            "price_unit": 4.99,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    )
                ],
            }
        )
        order.with_context(skip_procurement=fba).action_confirm()
        if fba:
            moves = env["stock.move"].create(
                [
                    {
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.product_uom_qty,
                        "product_uom": line.product_uom_id.id,
                        "location_id": account.fba_location_id.id,
                        "location_dest_id": customers.id,
                        "sale_line_id": line.id,
                    }
                    for line in order.order_line
                    if line.product_id.type == "consu"
                ]
            )
            moves._action_confirm()
            for move in moves:
                move.quantity = move.product_uom_qty
            moves.picked = True
            moves._action_done()
    env.flush_all()


def watch_batches():
    """(time, orders done) at each batch commit of the import, to see whether an order
    costs the same at the end of the run as at its start."""
    from odoo.addons.amazon_sp_connector.models import amazon_order_sync  # noqa: PLC0415

    progress = []
    commit = amazon_order_sync.Batch.commit

    def watched(batch):
        commit(batch)
        progress.append((time.perf_counter(), batch.run.stats["created"]))

    amazon_order_sync.Batch.commit = watched
    return progress


def fifths(progress, count):
    """ms/order over each fifth of the run (from the batch commits nearest its bounds)."""
    result = []
    for index in range(5):
        low, high = count * index / 5, count * (index + 1) / 5
        start = min(progress, key=lambda p: abs(p[1] - low))
        end = min(progress, key=lambda p: abs(p[1] - high))
        if end[1] > start[1]:
            result.append((end[0] - start[0]) / (end[1] - start[1]) * 1000)
    return result


def status_kb(key):
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def queries():
    from odoo import sql_db  # noqa: PLC0415

    return sql_db.sql_counter


def run(db, count, profile=False):
    import odoo.api  # noqa: PLC0415
    import odoo.fields  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    emulator = demo_emulator()
    orders = amazon_orders(count)
    for data in orders:
        emulator.put_order(DEMO_CREDENTIALS["Seller ID"], data)
    registry = Registry(db)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator, last_orders_sync=odoo.fields.Datetime.now() - timedelta(days=1))
        cr.commit()
        gc.collect()
        before = status_kb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
        profiler = cProfile.Profile() if profile else None
        progress = watch_batches()
        started, counted = time.perf_counter(), queries()
        progress.append((started, 0))
        if profiler:
            profiler.enable()
        stats = env["amazon.order.sync"]._run_now(account, budget=3600).stats
        env.flush_all()
        if profiler:
            profiler.disable()
        results["import"] = time.perf_counter() - started
        results["fifths"] = fifths(progress, count)
        results["import_queries"] = queries() - counted
        results["peak_kb"] = status_kb("VmHWM") - before
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            results["profile"] = out.getvalue()
        results["created"] = stats["created"]
        results["requests"] = {
            op: len(emulator.calls(op)) for op in ("lwa_token", "searchOrders", "getOrder") if emulator.calls(op)
        }
        products = {o.sku: o.product_id for o in env["amazon.offer"].search([("account_id", "=", account.id)])}
        started, counted = time.perf_counter(), queries()
        floor(env, account, orders, products)
        results["floor"] = time.perf_counter() - started
        results["floor_queries"] = queries() - counted
        cr.rollback()
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print where the import spends its time")
    args = parser.parse_args()
    results = in_database("amazon_sp_bench", run, args.orders, args.profile)
    if results.get("profile"):
        print(results["profile"])  # noqa: T201
    count = args.orders
    per_order = results["import"] / count * 1000
    floor_per_order = results["floor"] / count * 1000
    calls = sum(results["requests"].values())
    cpu_bound = 3_600_000 / per_order
    # searchOrders default plan: 0.0056 requests/s, 100 orders a page, after the burst of 20 pages
    api_bound = 0.0056 * 100 * 3600
    print(f"orders imported                 {results['created']} of {count} (half FBM, half FBA)")  # noqa: T201
    print(f"import                          {per_order:.1f} ms/order")  # noqa: T201
    print(f"bare-ORM floor (same run)       {floor_per_order:.1f} ms/order")  # noqa: T201
    print(f"import / floor                  {per_order / floor_per_order:.2f}x")  # noqa: T201
    import_queries, floor_queries = results["import_queries"] / count, results["floor_queries"] / count
    ratio = import_queries / floor_queries
    peak = results["peak_kb"]
    print(f"SQL queries per order           {import_queries:.1f} (floor {floor_queries:.1f}, {ratio:.2f}x)")  # noqa: T201
    spread = " / ".join(f"{ms:.1f}" for ms in results["fifths"])
    print(f"import by fifths of the run     {spread} ms/order")  # noqa: T201
    print(f"peak memory of the import       +{peak / 1024:.1f} MB ({peak / count:.1f} kB/order)")  # noqa: T201
    print(f"API calls                       {results['requests']} = {calls / count:.3f} per order")  # noqa: T201
    print(f"orders/hour, processing         {cpu_bound:,.0f}")  # noqa: T201
    print(f"orders/hour, Amazon's plan      {api_bound:,.0f} sustained (+2,000 at once from the burst)")  # noqa: T201
    print(f"orders/hour under Amazon limits {min(cpu_bound, api_bound):,.0f}")  # noqa: T201


if __name__ == "__main__":
    main()
