#!/usr/bin/env python3
"""Payout benchmark: import and register a payout of N orders against Odoo's own grouped
Register Payment of the same invoices, in one run.

    python3 benchmarks/payout_benchmark.py [--orders 2000]

Creates a throwaway database with the addon, N Amazon sale orders with their posted invoices,
and a settlement report of those orders (item price, shipping, commission with 20 % VAT, FBA
fees, one order in ten refunded 5.00) on the SP-API emulator. Then measures:

* **import**: the payouts flow downloading and reading the report into a payout with its lines;
* **register**: ``amazon.payout.action_register()``: the refunds' credit notes created and
  posted, every invoice and credit note reconciled, Amazon's fee bill (with its VAT) created,
  posted and paid, the deposit left on the Amazon Payments account;
* **floor**: what an accountant does by hand in Odoo, without fees or reserves: the refunds'
  credit notes by Odoo's reversal, then Odoo's own Register Payment wizard on the same invoices
  and credit notes, one grouped payment in the Amazon Payments journal.

Register and floor each run in a savepoint that is rolled back, on the same data.
"""

import argparse
import time
from datetime import timedelta

from benchdb import demo_account, demo_emulator, in_database

PROFILE = False  # --profile: where registration spends its time


def prepare(env, account, emulator, count):
    """N sale orders with posted invoices, and their settlement report on the emulator."""
    from odoo.addons.amazon_sp_connector.emulator.scenarios import make_item, make_order  # noqa: PLC0415

    product = env["product.product"].create({"name": "Bench mug", "default_code": "BENCH-MUG", "type": "consu"})
    customer = env["res.partner"].create({"name": "Amazon Customer"})
    tax = env["sale.order"]._amazon_tax(account.company_id)
    amazon_orders = []
    for index in range(count):
        fba = index % 2 == 1
        amazon_orders.append(
            make_order(
                items=[make_item("BENCH-MUG", 1 + index % 3, "12.50", shipping="4.99")],
                fulfilled_by="AMAZON" if fba else "MERCHANT",
                status="SHIPPED" if fba else "UNSHIPPED",
                anonymous=True,
            )
        )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "amazon_account_id": account.id,
                "amazon_order_ref": data["orderId"],
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": data["orderItems"][0]["quantityOrdered"],
                            "price_unit": 12.50,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "product_id": env.ref("amazon_sp_connector.product_amazon_shipping").id,
                            "price_unit": 4.99,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    ),
                ],
            }
            for data in amazon_orders
        ]
    )
    orders.action_confirm()
    invoices = orders._create_invoices()
    invoices.action_post()
    # Amazon's fees carry VAT (20 %, included in the settlement's amounts), one order in ten is
    # refunded 5.00: registration bills the fees with their VAT and credits the refunds
    fee_vat = env["account.tax"].create(
        {"name": "Bench fee VAT", "amount": 20, "type_tax_use": "purchase", "company_id": account.company_id.id}
    )
    env["amazon.payout.mapping"]._amazon_table(account.company_id)
    env["amazon.payout.mapping"].search(
        [("company_id", "=", account.company_id.id), ("amount_type", "=", "ItemFees")]
    ).tax_id = fee_vat
    refunds = {data["orderId"]: "5.00" for data in amazon_orders[::10]}
    emulator.put_settlement(emulator_seller(), "90000000001", amazon_orders, refunds=refunds)
    return invoices, invoices.filtered(lambda m: m.amazon_order_ref in refunds)


def emulator_seller():
    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    return DEMO_CREDENTIALS["Seller ID"]


def floor(env, invoices, journal, date, refunded):
    """What an accountant does by hand in Odoo: a credit note of 5.00 per refunded invoice
    (Odoo's reversal, posted), then one grouped Register Payment of the invoices and credit
    notes, in the Amazon Payments journal.

    :returns: the payment's outstanding line (what the bank's deposit line is matched with)
    """
    notes = refunded._reverse_moves([{"invoice_date": date, "date": date} for _invoice in refunded])
    for note in notes:
        lines = note.invoice_line_ids
        lines[0].write({"quantity": 1, "price_unit": 5.0})
        (lines - lines[0]).unlink()
    notes.action_post()
    wizard = (
        env["account.payment.register"]
        .with_context(
            active_model="account.move", active_ids=(invoices | notes).filtered(lambda m: m.amount_residual).ids
        )
        .create({"journal_id": journal.id, "payment_date": date, "group_payment": True})
    )
    payments = wizard._create_payments()
    env.flush_all()
    return payments.move_id.line_ids.filtered(
        lambda x: x.account_id != x.move_id.partner_id.property_account_receivable_id
    )


def match_deposit(env, line, date):
    """The bank's deposit line matched with ``line``, as Odoo's own tests do it."""
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", line.company_id.id), ("id", "!=", line.journal_id.id)], limit=1
    )
    statement_line = env["account.bank.statement.line"].create(
        {"payment_ref": "AMAZON", "journal_id": bank.id, "amount": line.balance, "date": date}
    )
    _liquidity, suspense, _other = statement_line.with_context(skip_account_move_synchronization=True)._seek_for_lines()
    if not line.account_id.reconcile:
        line.account_id.reconcile = True
    suspense.account_id = line.account_id
    (suspense | line).reconcile()
    env.flush_all()


def run(db, count):
    import odoo.api  # noqa: PLC0415
    import odoo.fields  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    emulator = demo_emulator()
    results = {}
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = demo_account(env, emulator, last_orders_sync=odoo.fields.Datetime.now() - timedelta(days=1))
        started = time.perf_counter()
        invoices, refunded = prepare(env, account, emulator, count)
        cr.commit()
        results["prepare"] = time.perf_counter() - started

        started = time.perf_counter()
        env["amazon.payout.sync"]._run_now(account, budget=3600)
        env.flush_all()
        results["import"] = time.perf_counter() - started
        cr.commit()
        payout = env["amazon.payout"].search([("account_id", "=", account.id)])
        results["lines"] = len(payout.line_ids)
        results["state"] = payout.state
        journal = account._amazon_payout_journal_for(payout.currency_id)
        cr.commit()

        env.invalidate_all()
        savepoint = cr.savepoint()
        started = time.perf_counter()
        if PROFILE:
            import cProfile  # noqa: PLC0415
            import pstats  # noqa: PLC0415

            profiler = cProfile.Profile()
            profiler.enable()
        payout.action_register()
        env.flush_all()
        if PROFILE:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        results["register"] = time.perf_counter() - started
        started = time.perf_counter()
        deposit = (payout.move_ids - payout.fee_bill_id).line_ids.filtered(
            lambda x: x.account_id == payout.journal_id.default_account_id
        )
        match_deposit(env, deposit, payout.deposit_date)
        results["match"] = time.perf_counter() - started
        results["paid"] = sum(1 for state in invoices.mapped("payment_state") if state in ("paid", "in_payment"))
        savepoint.rollback()
        savepoint.close()
        cr.precommit.clear()  # what the rolled back work planned for the commit

        env.invalidate_all()
        savepoint = cr.savepoint()
        started = time.perf_counter()
        outstanding = floor(env, invoices, journal, payout.deposit_date, refunded)
        results["floor"] = time.perf_counter() - started
        started = time.perf_counter()
        match_deposit(env, outstanding, payout.deposit_date)
        results["floor_match"] = time.perf_counter() - started
        results["floor_paid"] = sum(1 for state in invoices.mapped("payment_state") if state == "paid")
        savepoint.rollback()
        savepoint.close()
        cr.precommit.clear()  # what the rolled back work planned for the commit
        cr.rollback()
    emulator.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print where registration spends its time")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    results = in_database("amazon_sp_payout_bench", run, args.orders)
    both = results["import"] + results["register"]
    ours_all = both + results["match"]
    floor_all = results["floor"] + results["floor_match"]
    print(f"orders in the payout                {args.orders:,} ({results['lines']:,} report lines)")  # noqa: T201
    print(f"payout state after import           {results['state']}")  # noqa: T201
    print(f"import (download, read, record)     {results['import']:.1f} s")  # noqa: T201
    print(f"register (reconcile, fee bill)      {results['register']:.1f} s ({results['paid']:,} invoices paid)")  # noqa: T201
    print(f"import + register                   {both:.1f} s")  # noqa: T201
    print(f"floor: Odoo's credit notes + Register Payment {results['floor']:.1f} s")  # noqa: T201
    print(f"register / floor                    {results['register'] / results['floor']:.2f}x")  # noqa: T201
    print(f"(import + register) / floor         {both / results['floor']:.2f}x")  # noqa: T201
    print(  # noqa: T201
        f"until the bank's deposit is matched: ours {ours_all:.1f} s, Odoo's {floor_all:.1f} s "
        f"({results['floor_paid']:,} invoices paid) = {ours_all / floor_all:.2f}x"
    )


if __name__ == "__main__":
    main()
