#!/usr/bin/env python3
"""How long a backlog of invoices takes to reach Amazon at createFeed's usage plan.

    python3 benchmarks/invoice_drain.py [--documents 5000] [--wakeup 30] [--render 1.5]

The invoices flow sends one UPLOAD_VAT_INVOICE feed per document and checks createFeed's
quota before each one: the burst goes at once, then one document per token, the flow
stopping and the engine triggering the cron again when the next token is free. This replays
that with the connector's own token bucket (``spapi/pacing.py``, the default plan of
``const.USAGE_PLANS``, kept 10 % under Amazon's rate) on a simulated clock: ``--wakeup``
seconds from a trigger to the run (a cron worker's start), ``--render`` seconds to render and
upload one PDF. No database, no network.
"""

import argparse
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name, path):
    """A plain-Python module of the addon, loaded from its file (no Odoo needed)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


const = _load("amazon_const", "const.py")
TokenBucket = _load("amazon_pacing", "spapi/pacing.py").TokenBucket


def drain(documents, wakeup, render):
    clock = [0.0]
    rate, burst = const.USAGE_PLANS["createFeed"]
    bucket = TokenBucket(rate, burst, clock=lambda: clock[0])
    runs = 0
    while documents:
        runs += 1
        while documents:
            wait = bucket.wait_time()
            if wait > 0:
                clock[0] += wait + wakeup + 1e-6  # the run stops; the engine's trigger starts the next one
                break
            bucket.reserve()
            clock[0] += render
            documents -= 1
    return clock[0], runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--wakeup", type=float, default=30.0)
    parser.add_argument("--render", type=float, default=1.5)
    args = parser.parse_args()
    seconds, runs = drain(args.documents, args.wakeup, args.render)
    hours = seconds / 3600
    print(f"{args.documents} documents: {hours:.1f} h ({hours / 24:.2f} days) in {runs} runs")  # noqa: T201
    print(f"{args.documents / hours:.1f} documents per hour")  # noqa: T201


if __name__ == "__main__":
    main()
