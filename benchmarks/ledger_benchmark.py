#!/usr/bin/env python3
"""FBA ledger benchmark: a ledger of 50,000 events applied by the FBA ledger flow, against
the bare-ORM floor of creating the same done moves, in the same run.

    python3 benchmarks/ledger_benchmark.py [--events 50000] [--skus 200] [--profile] [--sequential]

Creates a throwaway database with the addon, starts the SP-API emulator with ``--events``
inventory ledger events (receipts, lost, found, damaged, disposed; one move each) over the
last 25 days, then measures, in the same process and database:

* **floor**: the same done moves created with the bare ORM, 1,000 at a time (create,
  confirm, quantity, done), what any code that moves this stock must do at least;
* **flow**: one run of the ledger flow: createReport, getReport, download, read every row,
  look each event up, create and finish the moves in chunks of 1,000, write the event rows.

Each chunk of the flow follows the floor's same chunk (``--sequential``: all of the floor
first), so that both meet the same table sizes and the same load of the shared machine. Both
count their SQL queries and time each chunk of 1,000 (the first and last chunks show whether
a side slows down as the tables grow). Goal: the flow's time per 1,000 events at most twice
the floor's. A second run over the same window (a re-read) must create nothing.
"""

import argparse
import cProfile
import pstats
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


def queries():
    from odoo import sql_db  # noqa: PLC0415

    return sql_db.sql_counter


def floor(env, account, rows, products, chunks=None):
    """The same done moves with the bare ORM, a chunk at a time."""
    where = account._amazon_fba_locations()
    Move = env["stock.move"]
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        chunk_started = time.perf_counter()
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
        if chunks is not None:
            chunks.append(time.perf_counter() - chunk_started)
    return time.perf_counter() - started


class Interleaved:
    """Time each chunk the flow applies; before each, unless ``sequential``, create the
    floor's next chunk of moves (timed apart), so that both sides meet the same table sizes
    and the same machine load (the machine is shared)."""

    def __init__(self, env, account, rows, products, profiler=None, sequential=False):
        self.env, self.account, self.rows, self.products = env, account, rows, products
        self.profiler, self.sequential = profiler, sequential
        self.flow_chunks, self.floor_chunks, self.floor_queries = [], [], 0
        self.next_row = 0
        self.active = False

    def install(self):
        from odoo.addons.amazon_sp_connector.models.amazon_fba_report_flow import (  # noqa: PLC0415
            AmazonFbaReportFlow,
        )

        apply_chunk = AmazonFbaReportFlow._apply_chunk
        timer = self

        def _apply_chunk(flow, *args, **kwargs):
            if not timer.active:
                return apply_chunk(flow, *args, **kwargs)
            if not timer.sequential:
                timer.floor_chunk()
            started = time.perf_counter()
            try:
                return apply_chunk(flow, *args, **kwargs)
            finally:
                timer.flow_chunks.append(time.perf_counter() - started)
                floor_time = timer.floor_chunks[-1] if timer.floor_chunks else 0
                print(  # noqa: T201
                    f"chunk {len(timer.flow_chunks)}: floor {floor_time:.1f} s, flow {timer.flow_chunks[-1]:.1f} s",
                    flush=True,
                )

        AmazonFbaReportFlow._apply_chunk = _apply_chunk

    def floor_chunk(self):
        if self.profiler:
            self.profiler.disable()
        before = queries()
        chunk = self.rows[self.next_row : self.next_row + CHUNK]
        self.next_row += CHUNK
        floor(self.env, self.account, chunk, self.products, self.floor_chunks)
        self.floor_queries += queries() - before
        if self.profiler:
            self.profiler.enable()


def run(db, count, sku_count, profile, sequential):
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
        profiler = cProfile.Profile() if profile else None
        timer = Interleaved(env, account, rows, by_sku, profiler, sequential)
        timer.install()
        if sequential:  # the floor's moves first, then the flow's over a table twice as big
            while timer.next_row < len(rows):
                timer.floor_chunk()
        Flow = env["amazon.fba.ledger.sync"]
        before = queries()
        started = time.perf_counter()
        timer.active = True
        if profiler:
            profiler.enable()
        flow_run = Flow._run_now(account, budget=36000)
        cr.commit()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        timer.active = False
        elapsed = time.perf_counter() - started
        results["floor"] = sum(timer.floor_chunks)
        results["floor_chunks"] = timer.floor_chunks
        results["floor_queries"] = timer.floor_queries
        interleaved_floor = 0 if sequential else results["floor"]
        results["flow"] = elapsed - interleaved_floor
        results["flow_queries"] = queries() - before - (0 if sequential else timer.floor_queries)
        results["flow_chunks"] = timer.flow_chunks
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
    parser.add_argument("--profile", action="store_true", help="print where the flow spends its time (cProfile)")
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="all the floor's moves first, then the flow (which then meets tables twice as big); by default each "
        "chunk of the flow follows the floor's same chunk",
    )
    args = parser.parse_args()
    results = in_database("amazon_sp_ledger_bench", run, args.events, args.skus, args.profile, args.sequential)
    per = args.events / 1000
    floor_per, flow_per = results["floor"] / per, results["flow"] / per
    print(f"ledger events                       {args.events:,} over {args.skus} SKUs")  # noqa: T201
    print(f"event rows written                  {results['events']:,} ({results['error'] or 'no error'})")  # noqa: T201
    print(f"bare-ORM floor (same done moves)    {results['floor']:.1f} s, {floor_per:.2f} s per 1,000")  # noqa: T201
    print(f"ledger flow (report to moves)       {results['flow']:.1f} s, {flow_per:.2f} s per 1,000")  # noqa: T201
    for side in ("floor", "flow"):
        chunks = results[f"{side}_chunks"]
        print(  # noqa: T201
            f"{side + ' queries per 1,000':<36}{results[side + '_queries'] / per:,.0f}; chunks of 1,000: first "
            f"{chunks[0]:.1f} s, last {chunks[-1]:.1f} s, slowest {max(chunks):.1f} s"
        )
        print("   each:", " ".join(f"{c:.1f}" for c in chunks))  # noqa: T201
    print(f"ratio                               {flow_per / floor_per:.2f} (goal: <= 2)")  # noqa: T201
    print(  # noqa: T201
        f"re-read of the same window          {results['reread']:.1f} s, {results['reread_moves']} moves created"
    )


if __name__ == "__main__":
    main()
