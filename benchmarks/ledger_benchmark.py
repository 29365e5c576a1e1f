#!/usr/bin/env python3
"""FBA ledger benchmark: a ledger of 50,000 events applied by the FBA ledger flow, against
the bare-ORM floor of creating the same done moves, in the same run.

    python3 benchmarks/ledger_benchmark.py [--events 50000] [--skus 200]

Creates a throwaway database with the addon, starts the SP-API emulator with ``--events``
inventory ledger events (receipts, lost, found, damaged, disposed; one move each) over the
last 25 days, then measures, in the same process and database:

* **floor**: the same done moves created with the bare ORM, 1,000 at a time (create,
  confirm, quantity, done), what any code that moves this stock must do at least;
* **flow**: one run of the ledger flow: createReport, getReport, download, read every row,
  look each event up, create and finish the moves in chunks of 1,000, write the event rows.

Goal: the flow's time per 1,000 events at most twice the floor's. A second run over the same
window (a re-read) must create nothing.
"""

import argparse
import random
import time
from datetime import datetime, timedelta

from benchdb import demo_account, demo_emulator, in_database

CHUNK = 1000
KINDS = [  # (event type, reason, sign, disposition)
    ("Receipts", "", 1, "SELLABLE"),
    ("Adjustments", "M", -1, "SELLABLE"),
    ("Adjustments", "F", 1, "SELLABLE"),
    ("Adjustments", "E", 1, "WAREHOUSE_DAMAGED"),
    ("Adjustments", "D", -1, "WAREHOUSE_DAMAGED"),
]


def events(count, skus, seed=7):
    rng = random.Random(seed)
    now = datetime.utcnow().replace(microsecond=0)
    for i in range(count):
        event_type, reason, sign, disposition = rng.choice(KINDS)
        yield {
            "date": now - timedelta(days=rng.randint(1, 25)),
            "sku": rng.choice(skus),
            "event_type": event_type,
            "quantity": sign * rng.randint(1, 5),
            "Reason": reason,
            "Disposition": disposition,
            "Reference_ID": f"REF{i:07d}",
        }


def floor(env, account, rows, products):
    """The same done moves with the bare ORM, a chunk at a time."""
    where = account._amazon_fba_locations()
    Move = env["stock.move"]
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        values = []
        for row in rows[start : start + CHUNK]:
            product = products[row["sku"]]
            here = where["fba"] if row["Disposition"] == "SELLABLE" else where["unsellable"]
            other = {"Receipts": where["transit"], "D": where["scrap"]}.get(
                row["event_type"], where["scrap"] if row["Reason"] == "D" else where["loss"]
            )
            source, destination = (other, here) if row["quantity"] > 0 else (here, other)
            values.append(
                {
                    "product_id": product.id,
                    "product_uom_qty": abs(row["quantity"]),
                    "product_uom": product.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "company_id": account.company_id.id,
                    "origin": "floor",
                }
            )
        moves = Move.create(values)
        moves._action_confirm(merge=False)
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()
        env.cr.commit()
        env.invalidate_all()
    return time.perf_counter() - started


def run(db, count, sku_count):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    emulator = demo_emulator()
    seller = DEMO_CREDENTIALS["Seller ID"]
    skus = [f"FBA-{i:04d}" for i in range(sku_count)]
    rows = list(events(count, skus))
    for row in rows:
        emulator.put_ledger_event(
            seller,
            row["date"],
            row["sku"],
            row["event_type"],
            row["quantity"],
            Reason=row["Reason"],
            Disposition=row["Disposition"],
            Reference_ID=row["Reference_ID"],
        )
    results = {}
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator)
        products = env["product.product"].create(
            [{"name": sku, "default_code": sku, "type": "consu", "is_storable": True} for sku in skus]
        )
        env["amazon.offer"].create(
            [
                {"account_id": account.id, "sku": p.default_code, "product_id": p.id, "fulfillment_channel": "fba"}
                for p in products
            ]
        )
        cr.commit()
        by_sku = {p.default_code: p for p in products}
        floor(env, account, rows[:CHUNK], by_sku)  # warm-up: Odoo's first-use caches
        results["floor"] = floor(env, account, rows, by_sku)
        Flow = env["amazon.fba.ledger.sync"]
        started = time.perf_counter()
        flow_run = Flow._run_now(account, budget=36000)
        cr.commit()
        results["flow"] = time.perf_counter() - started
        results["stats"] = dict(flow_run.stats)
        results["error"] = flow_run.error
        applied = env["amazon.fba.event"].search_count([("account_id", "=", account.id)])
        results["events"] = applied
        moves_before = env["stock.move"].search_count([])
        env["amazon.fba.report"].search([("account_id", "=", account.id)]).data_end = datetime.utcnow()
        cr.commit()
        started = time.perf_counter()
        Flow._run_now(account, budget=36000)
        cr.commit()
        results["reread"] = time.perf_counter() - started
        results["reread_moves"] = env["stock.move"].search_count([]) - moves_before
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--skus", type=int, default=200)
    args = parser.parse_args()
    results = in_database("amazon_sp_ledger_bench", run, args.events, args.skus)
    per = args.events / 1000
    floor_per, flow_per = results["floor"] / per, results["flow"] / per
    print(f"ledger events                       {args.events:,} over {args.skus} SKUs")  # noqa: T201
    print(f"event rows written                  {results['events']:,} ({results['error'] or 'no error'})")  # noqa: T201
    print(f"bare-ORM floor (same done moves)    {results['floor']:.1f} s, {floor_per:.2f} s per 1,000")  # noqa: T201
    print(f"ledger flow (report to moves)       {results['flow']:.1f} s, {flow_per:.2f} s per 1,000")  # noqa: T201
    print(f"ratio                               {flow_per / floor_per:.2f} (goal: <= 2)")  # noqa: T201
    print(  # noqa: T201
        f"re-read of the same window          {results['reread']:.1f} s, {results['reread_moves']} moves created"
    )


if __name__ == "__main__":
    main()
