#!/usr/bin/env python3
"""Summary mode benchmark: one settlement of N orders and R refunds registered in summary mode
against per-order mode, in one run.

    python3 benchmarks/summary_benchmark.py [--orders 2500] [--refunds 300]

Creates a throwaway database with the addon, N confirmed Amazon sale orders (Amazon US, one
item of 1 to 3 units and shipping, Amazon's tax) not invoiced yet, and a settlement report of
them (item price, shipping, commission, FBA fees; R orders refunded 5.00) on the SP-API
emulator, imported as one payout. Then, each in a savepoint rolled back, on the same data:

* **per-order mode**: *Create Invoices* (one invoice per order, posted), then registration
  (the refunds' credit notes, every invoice reconciled, the fee bill);
* **summary mode**: the summary invoice and credit note created and posted (goal: the
  invoice in 10 s or less), then the rest of registration.
"""

import argparse
import time
from datetime import timedelta
from decimal import Decimal

from benchdb import demo_account, demo_emulator, in_database

PROFILE = False  # --profile: where the summary documents spend their time
SUMMARY_ONLY = False


def prepare(env, account, emulator, count, refunds):
    """N confirmed sale orders to invoice, and their settlement report on the emulator."""
    from odoo.addons.amazon_sp_connector.emulator.scenarios import make_item, make_order  # noqa: PLC0415

    product = env["product.product"].create({"name": "Bench mug", "default_code": "BENCH-MUG", "type": "consu"})
    customer = env["res.partner"].create({"name": "Amazon Customer"})
    marketplace = env.ref("amazon_sp_connector.marketplace_atvpdkikx0der")
    shipping = env.ref("amazon_sp_connector.product_amazon_shipping")
    facilitator = {
        "taxCollections": [{"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "Amazon Services, Inc."}]
    }
    amazon_orders = []
    for index in range(count):
        item = make_item("BENCH-MUG", 1 + index % 3, "12.50", tax=f"{1 + index % 3:.2f}", shipping="4.99")
        item["tax"] = facilitator
        amazon_orders.append(make_order(items=[item], fulfilled_by="AMAZON", status="SHIPPED", anonymous=True))
    SaleOrder = env["sale.order"]
    currency = marketplace.currency_id
    fiscal_position = env["account.fiscal.position"]

    def line(product, quantity, amount, tax_amount):
        """A sale line as the order import makes it: Amazon's exact amounts on the Amazon Tax."""
        values = SaleOrder._amazon_prepare_priced_line(
            product,
            quantity,
            Decimal(amount),
            Decimal(tax_amount),
            True,
            fiscal_position,
            currency,
            marketplace,
            account.company_id,
            collected_by_amazon=True,
        )
        return (0, 0, values)

    orders = SaleOrder.create(
        [
            {
                "partner_id": customer.id,
                "amazon_account_id": account.id,
                "amazon_order_ref": data["orderId"],
                "amazon_marketplace_id": marketplace.id,
                "amazon_channel": "fba",
                "order_line": [
                    line(product, quantity, f"{12.50 * quantity:.2f}", f"{quantity:.2f}"),
                    line(shipping, 1, "4.99", "0"),
                ],
            }
            for data, quantity in ((data, data["orderItems"][0]["quantityOrdered"]) for data in amazon_orders)
        ]
    )
    orders.action_confirm()
    refunded = {data["orderId"]: "5.00" for data in amazon_orders[:: max(1, count // refunds)][:refunds]}
    emulator.put_settlement(emulator_seller(), "90000000002", amazon_orders, refunds=refunded)
    return orders


def emulator_seller():
    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    return DEMO_CREDENTIALS["Seller ID"]


def run(db, count, refunds):
    import odoo.api  # noqa: PLC0415
    import odoo.fields  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    emulator = demo_emulator()
    results = {}
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator, last_orders_sync=odoo.fields.Datetime.now() - timedelta(days=1))
        started = time.perf_counter()
        orders = prepare(env, account, emulator, count, refunds)
        cr.commit()
        results["prepare"] = time.perf_counter() - started
        env["amazon.payout.sync"]._run_now(account, budget=3600)
        cr.commit()
        payout = env["amazon.payout"].search([("account_id", "=", account.id)])
        results["lines"] = len(payout.line_ids)

        # per-order mode
        env.invalidate_all()
        savepoint = cr.savepoint()
        started = time.perf_counter()
        if not SUMMARY_ONLY:
            payout.action_create_invoices()
        env.flush_all()
        results["order_invoices"] = time.perf_counter() - started
        started = time.perf_counter()
        if not SUMMARY_ONLY:
            payout.action_register()
        env.flush_all()
        results["order_register"] = time.perf_counter() - started
        results["order_documents"] = len(orders.invoice_ids)
        results["order_total"] = sum(orders.invoice_ids.mapped("amount_total_signed"))
        results["order_paid"] = sum(1 for state in orders.invoice_ids.mapped("payment_state") if state != "not_paid")
        savepoint.rollback()
        savepoint.close()
        cr.precommit.clear()

        # summary mode
        env.invalidate_all()
        savepoint = cr.savepoint()
        account.invoice_mode = "summary"
        payout.action_check()
        results["summary_state"] = payout.state
        started = time.perf_counter()
        if PROFILE:
            import cProfile  # noqa: PLC0415
            import pstats  # noqa: PLC0415

            profiler = cProfile.Profile()
            profiler.enable()
        documents = payout._amazon_summary_documents()
        env.flush_all()
        if PROFILE:
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(45)
            stats.print_callees("_amazon_exact_amounts")
        results["summary_documents"] = time.perf_counter() - started
        invoice = documents.filtered(lambda m: m.move_type == "out_invoice")
        results["summary_lines"] = len(documents.invoice_line_ids)
        started = time.perf_counter()
        payout.action_register()
        env.flush_all()
        results["summary_register"] = time.perf_counter() - started
        results["summary_total"] = sum(documents.mapped("amount_total_signed"))
        results["summary_paid"] = invoice.payment_state
        results["invoiced"] = sum(1 for status in orders.mapped("invoice_status") if status == "invoiced")
        savepoint.rollback()
        savepoint.close()
        cr.precommit.clear()
        cr.rollback()
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2500)
    parser.add_argument("--refunds", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print where the summary documents spend their time")
    parser.add_argument("--summary-only", action="store_true", help="skip the per-order side (profiling)")
    args = parser.parse_args()
    global PROFILE, SUMMARY_ONLY
    PROFILE, SUMMARY_ONLY = args.profile, args.summary_only
    r = in_database("amazon_sp_summary_bench", run, args.orders, args.refunds)
    order_all = r["order_invoices"] + r["order_register"] or 1
    summary_all = r["summary_documents"] + r["summary_register"]
    lines = [
        f"orders / refunds in the payout        {args.orders:,} / {args.refunds:,} ({r['lines']:,} report lines)",
        f"prepare (orders, report)              {r['prepare']:.1f} s",
        f"per-order: create invoices            {r['order_invoices']:.1f} s ({r['order_documents']:,} documents)",
        f"per-order: register                   {r['order_register']:.1f} s ({r['order_paid']:,} paid)",
        f"per-order: total                      {order_all:.1f} s",
        f"summary: state after check           {r['summary_state']}",
        f"summary: invoice + credit note posted {r['summary_documents']:.1f} s ({r['summary_lines']} lines)",
        f"summary: register                     {r['summary_register']:.1f} s (invoice {r['summary_paid']})",
        f"summary: total                        {summary_all:.1f} s = {summary_all / order_all:.2f}x per-order",
        f"orders shown Invoiced (summary)       {r['invoiced']:,}",
        f"documents' total: per-order / summary {r['order_total']:.2f} / {r['summary_total']:.2f}",
    ]
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()
