#!/usr/bin/env python3
"""Settlement memory benchmark: peak memory of importing one big settlement report.

    python3 benchmarks/settlement_memory.py [--lines 100000] [--plain] [--tracemalloc]

Creates a throwaway database with the addon and a settlement report of N amount rows (made-up
FBA orders, four rows each, none of them in Odoo: every order becomes an "unknown order"
mismatch) on the SP-API emulator, GZIP-compressed as Amazon may serve it (``--plain``: not
compressed). After a warm-up import of a 100-row report (what Odoo caches on first use is the
server's), runs the payouts flow once and measures, around that import alone:

* **peak RSS growth**: the process's resident memory high-water mark (``VmHWM``, reset before
  the import through ``/proc/self/clear_refs``) less its resident memory before the import;
* **tracemalloc peak** (``--tracemalloc``, slower): the most memory Python objects held at
  once during the import, above what they held before.

The emulator runs in the same process and holds the report before the import starts.
"""

import argparse
import gc
import time
import tracemalloc
from pathlib import Path

from benchdb import demo_account, demo_emulator, in_database

MB = 1 << 20


def status_kb(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def run(db, lines, plain, trace):
    import odoo.api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415
    from odoo.addons.amazon_sp_connector.emulator.settlements import bulk_settlement_document  # noqa: PLC0415

    emulator = demo_emulator()
    results = {}
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator)
        # a small report first: what Odoo loads and caches on first use (code, templates,
        # the ORM's metadata) is a server's, not this report's
        seller = DEMO_CREDENTIALS["Seller ID"]
        report_type = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
        emulator.put_report(seller, report_type, bulk_settlement_document("90000000001", 100)[0], compress=True)
        env["amazon.payout.sync"]._run_now(account, budget=3600)
        document, _total = bulk_settlement_document("90000000002", lines)
        results["size"] = len(document)
        emulator.put_report(seller, report_type, document, compress=not plain)
        del document
        cr.commit()
        env.invalidate_all()
        gc.collect()
        before = status_kb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        run = env["amazon.payout.sync"]._run_now(account, budget=3600)
        env.flush_all()
        results["seconds"] = time.perf_counter() - started
        if trace:
            _current, results["traced"] = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        results["rss"] = (status_kb("VmHWM") - before) * 1024
        cr.commit()
        payout = env["amazon.payout"].search([("settlement_ref", "=", "90000000002")])
        results["lines"] = payout.line_count
        results["run"] = run
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--plain", action="store_true", help="the report is served without GZIP")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python's allocations (slower)")
    args = parser.parse_args()
    results = in_database("amazon_sp_settlement_bench", run, args.lines, args.plain, args.tracemalloc)
    size = results["size"]
    print(f"report                      {results['lines']:,} lines, {size / MB:.1f} MB")  # noqa: T201
    print(f"import                      {results['seconds']:.1f} s ({results['run'].stats})")  # noqa: T201
    print(f"peak RSS growth             {results['rss'] / MB:.1f} MB = {results['rss'] / size:.2f}x the report")  # noqa: T201
    if "traced" in results:
        traced = results["traced"]
        print(f"tracemalloc peak            {traced / MB:.1f} MB = {traced / size:.2f}x the report")  # noqa: T201


if __name__ == "__main__":
    main()
