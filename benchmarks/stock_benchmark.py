#!/usr/bin/env python3
"""FBM stock benchmark: 10,000 FBM offers, 500 of them changed, one run of the stock flow.

    python3 benchmarks/stock_benchmark.py [--offers 10000] [--changed 500]

Creates a throwaway database with the addon, starts the SP-API emulator, creates storable
products with stock and one FBM offer each, lets a first run send them all (one feed), then
changes the stock of ``--changed`` products with inventory adjustments and measures the run
that follows:

* **createFeed calls** of that run (goal: one);
* **compute and build**: the time to find the changed offers, compute their free quantity
  and build the feed document (goal: under 5 s on the 2-core machine), and the whole run
  with its three HTTP calls to the local emulator;
* **SQL queries** of the run, with 1,000 offers and again with ``--offers`` offers, the same
  number changed: the count must not grow with the unchanged offers.
"""

import argparse
import time

from benchdb import demo_account, demo_emulator, in_database


def make_offers(env, account, start, count):
    """``count`` storable products with 20 units each in the account's warehouse, each with
    an FBM offer and a listing on the emulator."""
    stock = account._amazon_fbm_warehouse().lot_stock_id
    products = env["product.product"].create(
        [
            {"name": f"Bench product {i}", "default_code": f"BENCH-{i:05d}", "type": "consu", "is_storable": True}
            for i in range(start, start + count)
        ]
    )
    for product in products:
        env["stock.quant"]._update_available_quantity(product, stock, 20)
    env["amazon.offer"].create(
        [
            {"account_id": account.id, "sku": p.default_code, "product_id": p.id, "fulfillment_channel": "fbm"}
            for p in products
        ]
    )
    return products


def settle(env, account):
    """Runs until every feed is processed and nothing is left to send."""
    for _ in range(10):
        env["amazon.stock.sync"]._run_now(account, budget=3600)
        env.cr.commit()
        pending = env["amazon.feed"].search_count([("account_id", "=", account.id), ("done", "=", False)])
        to_send = env["amazon.offer"].search_count(
            [("account_id", "=", account.id), ("stock_sync_state", "in", ("to_send", "error"))]
        )
        if not pending and not to_send:
            return
    raise RuntimeError("the stock flow did not settle")


def compute_and_build(env, account):
    """What the run does between finding its offers and sending them, timed alone:
    find the offers to send, compute their quantities, build the document."""
    from odoo.addons.amazon_sp_connector.spapi.listings import StockLevel, build_stock_feed  # noqa: PLC0415

    env.invalidate_all()
    started = time.perf_counter()
    offers = env["amazon.offer"].search(env["amazon.stock.sync"]._offers_domain(account), order="id")
    quantities, _untracked = offers._amazon_free_quantities(account._amazon_fbm_warehouse(), account.stock_buffer)
    content, _messages = build_stock_feed(
        account.seller_id, [StockLevel(o.sku, quantities[o.id], o._amazon_product_type()) for o in offers]
    )
    elapsed = time.perf_counter() - started
    env.cr.rollback()
    env.invalidate_all()
    return elapsed, len(content), len(offers)


def measure(env, account, emulator, products, changed):
    """Change ``changed`` products' stock, then time one run and count its queries."""
    stock = account._amazon_fbm_warehouse().lot_stock_id
    for index, product in enumerate(products[:changed]):
        env["stock.quant"]._update_available_quantity(product, stock, -1 - index % 5)
    env.cr.commit()
    offers = env["amazon.offer"].search(env["amazon.stock.sync"]._offers_domain(account))
    assert len(offers) == changed, (len(offers), changed)
    env.invalidate_all()

    build, size, _count = compute_and_build(env, account)

    feeds_before = len(emulator.calls("createFeed"))
    queries_before = env.cr.sql_log_count
    started = time.perf_counter()
    run = env["amazon.stock.sync"]._run_now(account, budget=3600)
    elapsed = time.perf_counter() - started
    queries = env.cr.sql_log_count - queries_before
    env.cr.commit()
    assert run.stats["sent"] == changed, run.stats
    settle(env, account)
    return {
        "build": build,
        "run": elapsed,
        "queries": queries,
        "feeds": len(emulator.calls("createFeed")) - feeds_before,
        "bytes": size,
    }


def run(db, total, changed):
    import odoo.api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    emulator = demo_emulator()
    seller = emulator.seller(DEMO_CREDENTIALS["Seller ID"])
    for i in range(total):
        emulator.put_listing(seller.seller_id, f"BENCH-{i:05d}")
    results = {}
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator)
        small = min(1000, total)
        products = make_offers(env, account, 0, small)
        cr.commit()
        settle(env, account)
        results["small"] = measure(env, account, emulator, products, changed)
        products |= make_offers(env, account, small, total - small)
        cr.commit()
        started = time.perf_counter()
        settle(env, account)
        results["first"] = time.perf_counter() - started
        results["large"] = measure(env, account, emulator, products, changed)
        account.stock_buffer = 1  # every quantity changes: all offers To Send
        cr.commit()
        results["all"] = compute_and_build(env, account)
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=10000)
    parser.add_argument("--changed", type=int, default=500)
    args = parser.parse_args()
    results = in_database("amazon_sp_stock_bench", run, args.offers, args.changed)
    small, large = results["small"], results["large"]
    print(f"FBM offers                          {args.offers:,}, {args.changed} changed")  # noqa: T201
    print(f"createFeed calls of the run         {large['feeds']}")  # noqa: T201
    print(f"compute + build the feed            {large['build']:.2f} s ({large['bytes']:,} bytes)")  # noqa: T201
    print(f"whole run (3 HTTP calls, local)     {large['run']:.2f} s")  # noqa: T201
    print(f"SQL queries, 1,000 offers           {small['queries']}")  # noqa: T201
    print(f"SQL queries, {args.offers:,} offers          {large['queries']}")  # noqa: T201
    seconds, size, count = results["all"]
    print(f"compute + build, all {count:,} offers   {seconds:.2f} s ({size:,} bytes)")  # noqa: T201
    print(f"first sync of {args.offers - 1000:,} new offers     {results['first']:.1f} s (until Amazon accepted all)")  # noqa: T201


if __name__ == "__main__":
    main()
