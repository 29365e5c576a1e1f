"""Payouts in the books: tax Amazon collects, VAT on Amazon's fees, refunds as credit notes,
amount types nobody mapped, undoing a registration."""

from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..emulator.scenarios import make_item, make_order
from .common import CLIENT_ID, CLIENT_SECRET, DE, SELLER_ID, UK
from .test_payouts import PayoutCase

FACILITATOR = {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "Amazon Services, Inc."}]}


def collected_by_amazon(item):
    """The item of an order whose tax Amazon collects and remits."""
    item["tax"] = FACILITATOR
    return item


class AccountingCase(PayoutCase):
    def invoice(self, amazon_order):
        invoice = self.sale_order(amazon_order)._create_invoices()
        invoice.action_post()
        return invoice

    def payout(self, settlement_ref, orders, account=None, seller=SELLER_ID, **options):
        self.emulator.put_settlement(seller, settlement_ref, orders, **options)
        self.run_flow("payouts", account)
        return self.env["amazon.payout"].search([("settlement_ref", "=", settlement_ref)])

    def balance(self, account, moves):
        return round(sum(moves.line_ids.filtered(lambda x: x.account_id == account).mapped("balance")), 2)

    def collected_account(self):
        return self.env["amazon.payout.mapping"]._default_account(self.company, "tax")

    def eu_account(self):
        """An account of a seller selling on Amazon.de and Amazon.co.uk."""
        self.emulator.add_seller("A2EUSELLER", CLIENT_ID, CLIENT_SECRET, "Atzr|eu-refresh", [DE, UK])
        return self.env["amazon.account"].create(
            self.account_values(
                name="Amazon DE",
                seller_id="A2EUSELLER",
                refresh_token="Atzr|eu-refresh",
                base_marketplace_id=self.marketplace_de.id,
                last_orders_sync=fields.Datetime.now() - timedelta(days=1),
            )
        )

    def established_in(self, code):
        country = self.env["res.country"].search([("code", "=", code)])
        self.company.write({"country_id": country.id, "account_fiscal_country_id": country.id})
        return country

    def purchase_tax(self, name, rate, country, reverse_charge=False):
        """A purchase VAT as a localisation gives it: on top of the price, with its accounts."""
        Account = self.env["account.account"]
        suffix = "RC" if reverse_charge else ""
        deductible = Account.create(
            {"code": f"IN{rate}{suffix}", "name": f"Input VAT {rate}% {suffix}", "account_type": "asset_current"}
        )
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create({"repartition_type": "tax", "account_id": deductible.id}),
        ]
        if reverse_charge:
            due = Account.create({"code": f"RC{rate}", "name": f"VAT due {rate}%", "account_type": "liability_current"})
            repartition.append(
                Command.create({"repartition_type": "tax", "factor_percent": -100, "account_id": due.id})
            )
        group = self.env["account.tax.group"].create({"name": f"VAT {rate}%", "country_id": country.id})
        tax = self.env["account.tax"].create(
            {
                "name": name,
                "amount": rate,
                "tax_group_id": group.id,
                "type_tax_use": "purchase",
                "tax_scope": "service" if reverse_charge else False,
                "country_id": country.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )
        return tax, deductible

    def fee_payout(self, account, settlement_ref, **options):
        """A settlement of Amazon's fees only, in euros, that releases a reserve."""
        others = [
            ("other-transaction", "other-transaction", "Subscription Fee", "-39.00"),
            ("other-transaction", "other-transaction", "Storage Fee", "-11.90"),
            ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "-10.00"),
            ("other-transaction", "other-transaction", "Previous Reserve Amount Balance", "100.00"),
        ]
        self.emulator.put_settlement("A2EUSELLER", settlement_ref, [], others=others, currency="EUR", **options)
        self.run_flow("payouts", account)
        return self.env["amazon.payout"].search([("settlement_ref", "=", settlement_ref)])


@tagged("post_install", "-at_install")
class TestTaxCollectedByAmazon(AccountingCase):
    def test_us_facilitator_tax_is_not_revenue_and_clears_with_the_payout(self):
        amazon_order = self.put(
            make_order(
                items=[collected_by_amazon(make_item("MUG-BLUE", 2, "10.00", tax="1.60", shipping="5.00"))],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                anonymous=True,
            )
        )
        self.sync()
        invoice = self.invoice(amazon_order)
        self.assertAlmostEqual(invoice.amount_total, 26.60)
        income = invoice.invoice_line_ids.account_id
        self.assertAlmostEqual(-self.balance(income, invoice), 25.0, msg="revenue is the net price")
        collected = self.collected_account()
        self.assertEqual(collected.account_type, "liability_current")
        self.assertAlmostEqual(self.balance(collected, invoice), -1.60, msg="the tax waits for Amazon")

        payout = self.payout("31313131313", [amazon_order])
        withheld = payout.line_ids.filtered(lambda x: x.amount_type == "ItemWithheldTax")
        self.assertEqual(withheld.mapped("amount"), [-1.60])
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("kind"))
        payout.action_register()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAlmostEqual(self.balance(collected, invoice | payout.move_ids), 0.0, msg="Amazon remitted it")
        self.assertAlmostEqual(-self.balance(income, invoice | payout.move_ids), 25.0)

    def test_tax_booked_on_income_before_the_upgrade_is_moved_to_the_clearing_account_once(self):
        # an invoice posted by 19.0.1.2: the Amazon Tax had no account, Odoo put it on income
        amazon_tax = self.env["sale.order"]._amazon_tax(self.company)
        repartition = amazon_tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax")
        collected = self.collected_account()
        amazon_order = self.put(
            make_order(
                items=[collected_by_amazon(make_item("MUG-BLUE", 2, "10.00", tax="1.60"))],
                fulfilled_by="AMAZON",
                status="SHIPPED",
                anonymous=True,
            )
        )
        self.sync()
        repartition.account_id = False
        invoice = self.invoice(amazon_order)
        repartition.account_id = collected
        income = invoice.invoice_line_ids.account_id
        self.assertAlmostEqual(-self.balance(income, invoice), 21.60, msg="the old books: tax as revenue")

        Mapping = self.env["amazon.payout.mapping"]
        entry = Mapping._amazon_reclassify_collected_tax(self.company)
        self.assertEqual(entry.state, "posted")
        self.assertAlmostEqual(-self.balance(income, invoice | entry), 20.0, msg="revenue is the net price")
        self.assertAlmostEqual(self.balance(collected, entry), -1.60)
        self.assertEqual(Mapping._amazon_reclassify_collected_tax(self.company), entry, "done once")

        payout = self.payout("31313131314", [amazon_order])
        payout.action_register()
        self.assertAlmostEqual(self.balance(collected, entry | payout.move_ids), 0.0, msg="remitted, cleared")

    def test_eu_deemed_supplier_order_carries_no_output_vat(self):
        vat = self.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        self.mug.taxes_id = vat
        account = self.eu_account()
        deemed = self.put(
            make_order(
                items=[collected_by_amazon(make_item("MUG-BLUE", 1, "10.00", tax="1.90"))], marketplace_id=DE[0]
            ),
            seller="A2EUSELLER",
        )
        own = self.put(make_order(items=[make_item("MUG-BLUE", 1, "11.90")], marketplace_id=DE[0]), seller="A2EUSELLER")
        self.sync(account)
        line = self.sale_order(deemed, account).order_line.filtered("product_id")[:1]
        self.assertEqual(line.tax_ids.name, "Amazon Tax", "Amazon the deemed supplier: no output VAT of the seller")
        self.assertEqual(self.sale_order(own, account).order_line.filtered("product_id")[:1].tax_ids, vat)
        invoice = self.sale_order(deemed, account)._create_invoices()
        invoice.action_post()
        self.assertAlmostEqual(self.balance(self.collected_account(), invoice), -1.90)
        self.assertAlmostEqual(invoice.amount_untaxed, 10.0)


@tagged("post_install", "-at_install")
class TestAmountTypes(AccountingCase):
    def test_an_amount_type_nobody_mapped_is_a_mismatch_never_the_suspense(self):
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.payout(
            "41414141414",
            [fba],
            others=[
                ("other-transaction", "other-transaction", "Brand New Amazon Thing", "-4.00"),
                ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "-12.00"),
                ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "7.00"),
            ],
        )
        [unmapped] = payout.mismatch_ids
        self.assertEqual(
            (unmapped.kind, unmapped.amount_type, unmapped.amazon_amount),
            ("unmapped", "other-transaction / Brand New Amazon Thing", -4.0),
        )
        self.assertFalse(unmapped.decision, "to decide")
        with self.assertRaisesRegex(UserError, "Brand New Amazon Thing: map this amount type"):
            payout.action_register()
        lines = payout.line_ids
        self.assertEqual(lines.filtered(lambda x: x.amount_type == "Cost of Advertising").category, "fee")
        self.assertEqual(lines.filtered(lambda x: x.amount_type == "FBA Inventory Reimbursement").category, "income")

        self.env["amazon.payout.mapping"].create(
            {"amount_type": "other-transaction", "description": "Brand New Amazon Thing", "category": "fee"}
        )
        payout.action_check()
        self.assertFalse(payout.mismatch_ids, "mapped since: it is a fee now")
        self.assertEqual(payout.state, "imported")
        payout.action_register()
        self.assertAlmostEqual(payout.fee_bill_id.amount_total, 4.0 + 12.0 + 4.5 + 2.5)
        suspense = self.env["amazon.payout.mapping"]._default_account(self.company, "other")
        self.assertFalse(self.balance(suspense, payout.move_ids), "nothing on the suspense account")
        reimbursed = self.env["amazon.payout.mapping"]._default_account(self.company, "income")
        self.assertEqual(reimbursed.account_type, "income_other")
        self.assertAlmostEqual(self.balance(reimbursed, payout.move_ids), -7.0)


@tagged("post_install", "-at_install")
class TestVatOnAmazonFees(AccountingCase):
    def test_a_german_sellers_fee_bill_carries_19_percent_input_vat_equal_to_the_deduction(self):
        germany = self.established_in("DE")
        _vat, deductible = self.purchase_tax("19% Vorsteuer", 19, germany)
        account = self.eu_account()
        payout = self.fee_payout(account, "51515151515")
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("kind"))
        payout.action_register()
        bill = payout.fee_bill_id
        self.assertEqual(bill.partner_id.name, "Amazon EU S.à r.l., Niederlassung Deutschland")
        self.assertAlmostEqual(bill.amount_total, 60.90, msg="what the settlement deducted, to the cent")
        # 39.00, 11.90 and 10.00 include 19 % VAT (6.2269 + 1.90 + 1.5966, rounded globally as the
        # company rounds): advertising on Amazon.de is billed to a German seller by Amazon's German
        # advertising entity
        self.assertAlmostEqual(bill.amount_tax, 9.72)
        self.assertAlmostEqual(self.balance(deductible, bill), 9.72, msg="input VAT, on the localisation's account")
        advertising = bill.invoice_line_ids.filtered(lambda x: "Advertising" in x.name)
        self.assertEqual(advertising.tax_ids.amount, 19)
        self.assertEqual(bill.amount_residual, 0.0)
        self.assertIn("amazon_vat_invoice_ref", bill._fields)

    def test_a_uk_seller_self_assessed_amazons_fees_before_august_2024(self):
        kingdom = self.established_in("GB")
        reverse_charge, deductible = self.purchase_tax("20% RC services", 20, kingdom, reverse_charge=True)
        self.purchase_tax("20% VAT", 20, kingdom)
        account = self.eu_account()
        payout = self.fee_payout(account, "52525252525", end=datetime(2024, 7, 20))
        payout.action_register()
        bill = payout.fee_bill_id
        self.assertEqual(bill.partner_id.name, "Amazon Services Europe S.à r.l.")
        self.assertEqual(bill.invoice_line_ids.filtered(lambda x: "Subscription" in x.name).tax_ids, reverse_charge)
        self.assertAlmostEqual(bill.amount_total, 60.90, msg="nothing paid to Amazon on top")
        self.assertAlmostEqual(
            self.balance(deductible, bill), 7.80 + 2.38 + 2.00, msg="self-assessed on 39.00, 11.90 and 10.00"
        )
        advertising = bill.invoice_line_ids.filtered(lambda x: "Advertising" in x.name)
        self.assertEqual(advertising.tax_ids, reverse_charge, "Amazon.de's advertising, cross-border: reverse charge")

    def test_a_luxembourg_seller_self_assesses_advertising_on_amazon_de(self):
        luxembourg = self.established_in("LU")
        reverse_charge, _rc_account = self.purchase_tax("17% RC services", 17, luxembourg, reverse_charge=True)
        self.purchase_tax("17% VAT", 17, luxembourg)
        account = self.eu_account()
        payout = self.fee_payout(account, "56565656565")
        payout.action_register()
        advertising = payout.fee_bill_id.invoice_line_ids.filtered(lambda x: "Advertising" in x.name)
        self.assertEqual(advertising.tax_ids, reverse_charge, "billed from Germany: a cross-border service")

    def taxed_fee_payout(self, account, settlement_ref, base, vat, **options):
        """A settlement of one storage fee with the VAT Amazon charged on it (Base fee / Tax on fee)."""
        others = [
            ("other-transaction", "FBA Inventory Storage Fee", "Base fee", base),
            ("other-transaction", "FBA Inventory Storage Fee", "Tax on fee", vat),
        ]
        self.emulator.put_settlement("A2EUSELLER", settlement_ref, [], others=others, currency="EUR", **options)
        self.run_flow("payouts", account)
        return self.env["amazon.payout"].search([("settlement_ref", "=", settlement_ref)])

    def test_the_vat_amazon_shows_on_a_fee_decides_its_tax_not_the_usual_reverse_charge(self):
        # a UK seller in July 2024: Amazon's fees are usually reverse-charged, but this one carries UK VAT
        kingdom = self.established_in("GB")
        reverse_charge, _rc_account = self.purchase_tax("20% RC services", 20, kingdom, reverse_charge=True)
        vat, deductible = self.purchase_tax("20% VAT", 20, kingdom)
        account = self.eu_account()
        payout = self.taxed_fee_payout(account, "54545454545", "-24.99", "-5.00", end=datetime(2024, 7, 20))
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))
        payout.action_register()
        bill = payout.fee_bill_id
        self.assertEqual(len(bill.invoice_line_ids), 1, "a fee and its VAT make one line")
        self.assertNotIn(reverse_charge, bill.invoice_line_ids.tax_ids, "no self-assessment of VAT Amazon charged")
        self.assertIn(vat.name, bill.invoice_line_ids.tax_ids.name, "the UK VAT (its price-included copy)")
        self.assertAlmostEqual(bill.amount_total, 29.99, msg="what the settlement deducted")
        self.assertAlmostEqual(bill.amount_tax, 5.00, msg="Amazon's VAT to the cent (20 % of 29.99 gives 5.00)")
        self.assertAlmostEqual(self.balance(deductible, bill), 5.00, msg="deductible, not an expense")
        expense = bill.invoice_line_ids.account_id
        self.assertAlmostEqual(self.balance(expense, bill), 24.99)

    def test_vat_on_a_fee_that_no_tax_gives_is_a_mismatch_until_a_person_decides(self):
        self.established_in("DE")
        account = self.eu_account()
        payout = self.taxed_fee_payout(account, "55555555551", "-29.00", "-1.00")
        mismatch = payout.mismatch_ids
        self.assertEqual((mismatch.kind, mismatch.amount_type), ("fee_tax", "FBA Inventory Storage Fee"))
        self.assertAlmostEqual(mismatch.amazon_amount, 1.00)
        with self.assertRaisesRegex(UserError, "purchase tax at Amazon's rate"):
            payout.action_register()
        expense = self.env["account.account"].create(
            {"code": "NDVAT", "name": "Non-deductible VAT", "account_type": "expense"}
        )
        mismatch.write({"decision": "write_off", "write_off_account_id": expense.id})
        payout.action_register()
        bill = payout.fee_bill_id
        self.assertAlmostEqual(bill.amount_total, 30.00, msg="what the settlement deducted")
        self.assertFalse(bill.invoice_line_ids.tax_ids)
        self.assertAlmostEqual(self.balance(expense, bill), 1.00, msg="Amazon's VAT where the accountant put it")

    def test_a_us_sellers_fees_carry_no_tax(self):
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.payout("53535353535", [fba])
        payout.action_register()
        bill = payout.fee_bill_id
        self.assertEqual(bill.partner_id.name, "Amazon Services LLC")
        self.assertAlmostEqual(bill.amount_total, 7.0)
        self.assertFalse(bill.invoice_line_ids.tax_ids)


@tagged("post_install", "-at_install")
class TestRefunds(AccountingCase):
    def test_a_refund_becomes_a_credit_note_at_the_invoices_rate_reconciled_by_the_payout(self):
        self.mug.taxes_id = self.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        account = self.eu_account()
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 2, "11.90")], marketplace_id=DE[0], fulfilled_by="AMAZON", status="SHIPPED"
            ),
            seller="A2EUSELLER",
        )
        self.sync(account)
        order = self.sale_order(amazon_order, account)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_tax, 3.80)
        payout = self.payout(
            "61616161616", [amazon_order], account, "A2EUSELLER", refunds={amazon_order["orderId"]: "11.90"}
        )
        self.assertEqual(payout.state, "imported", "the refund of an invoiced order is credited when registered")
        payout.action_register()
        note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual((note.state, note.reversed_entry_id), ("posted", invoice))
        self.assertEqual(note.amazon_order_ref, amazon_order["orderId"])
        self.assertAlmostEqual(note.amount_total, 11.90)
        self.assertAlmostEqual(note.amount_tax, 1.90, msg="at the invoice's 19 %")
        refund_line = payout.line_ids.filtered(lambda x: x.category == "refund")
        self.assertEqual(note.invoice_date, refund_line.posted_date.date(), "dated at the refund")
        self.assertEqual((invoice.amount_residual, note.amount_residual), (0.0, 0.0), "settled")
        self.assertEqual(invoice.payment_state, "reversed", "Odoo's word for an invoice settled by its reversal")
        payout.action_check()
        self.assertEqual(len(order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")), 1)

    def test_a_credit_note_takes_the_invoices_taxes_not_the_products_taxes_of_today(self):
        vat19 = self.env["account.tax"].create({"name": "19% VAT", "amount": 19, "type_tax_use": "sale"})
        self.mug.taxes_id = vat19
        account = self.eu_account()
        amazon_order = self.put(
            make_order(
                items=[make_item("MUG-BLUE", 2, "11.90")], marketplace_id=DE[0], fulfilled_by="AMAZON", status="SHIPPED"
            ),
            seller="A2EUSELLER",
        )
        self.sync(account)
        order = self.sale_order(amazon_order, account)
        invoice = order._create_invoices()
        invoice.action_post()
        # the product's tax changes after the sale (a rate cut, a new tax mapping...)
        self.mug.taxes_id = self.env["account.tax"].create({"name": "7% VAT", "amount": 7, "type_tax_use": "sale"})
        payout = self.payout(
            "61616161612", [amazon_order], account, "A2EUSELLER", refunds={amazon_order["orderId"]: "11.90"}
        )
        payout.action_register()
        note = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(note.invoice_line_ids.tax_ids, vat19, "the tax the invoice charged")
        self.assertAlmostEqual(note.amount_tax, 1.90)
        self.assertEqual(note.amount_residual, 0.0)

    def test_a_credit_note_made_by_hand_is_used_not_duplicated(self):
        _fbm, fba = self.import_orders()
        invoice = self.invoice(fba)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Buyer returned it"})
        )
        reversal.refund_moves()
        note = invoice.reversal_move_ids
        note.invoice_line_ids.price_unit = 10.0
        note.action_post()
        self.assertEqual(note.amazon_order_ref, fba["orderId"], "Odoo's Reverse keeps the Amazon order")
        payout = self.payout("62626262626", [fba], refunds={fba["orderId"]: "10.00"})
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("kind"))
        payout.action_register()
        self.assertEqual(invoice.reversal_move_ids, note, "no second credit note")
        self.assertEqual((invoice.amount_residual, note.amount_residual), (0.0, 0.0), "settled")


@tagged("post_install", "-at_install")
class TestMismatchDecisions(AccountingCase):
    def test_sale_and_refund_of_one_order_are_decided_separately_and_kept(self):
        fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.payout("71717171717", [fbm, fba], refunds={fbm["orderId"]: "10.00"})
        sale, refund = payout.mismatch_ids.sorted("refund")
        self.assertEqual(
            [(m.kind, m.order_ref, m.refund, m.amazon_amount, m.decision) for m in (sale, refund)],
            [("no_invoice", fbm["orderId"], False, 24.99, False), ("no_invoice", fbm["orderId"], True, -10.0, False)],
        )
        with self.assertRaisesRegex(UserError, r"(?s)No posted invoice, to decide.*\(refund\): No posted invoice"):
            payout.action_register()
        sale.decision = "invoice"
        payout.action_check()
        payout.action_check()
        self.assertEqual(payout.mismatch_ids, sale | refund, "checked again: the same rows")
        self.assertEqual((sale.decision, refund.decision), ("invoice", False), "decisions kept")
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        invoice = self.sale_order(fbm).invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        note = self.sale_order(fbm).invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(note.reversed_entry_id, invoice, "once invoiced, the refund is credited")
        self.assertEqual((invoice.amount_residual, note.amount_residual), (0.0, 0.0), "settled")

    def test_bulk_decisions_invoice_all_and_write_off_small_differences(self):
        fbm, fba = self.import_orders()
        payout = self.payout("72727272727", [fbm, fba])
        rows = payout.mismatch_ids
        self.assertEqual(len(rows), 2)
        Decide = self.env["amazon.payout.decide"].with_context(active_model="amazon.payout.mismatch")
        Decide.with_context(active_ids=rows.ids).create({"decision": "invoice"}).action_apply()
        self.assertEqual(set(rows.mapped("decision")), {"invoice"})
        loss = self.env["account.account"].search(
            [("company_ids", "in", self.company.id), ("account_type", "=", "expense")], limit=1
        )
        Decide.with_context(active_ids=rows.ids).create(
            {"decision": "write_off", "write_off_account_id": loss.id, "max_amount": 25.0}
        ).action_apply()
        small = rows.filtered(lambda m: m.amazon_amount < 25)
        self.assertEqual((small.decision, small.write_off_account_id), ("write_off", loss), "24.99: written off")
        self.assertEqual((rows - small).decision, "invoice", "30.00: above the limit, kept")


@tagged("post_install", "-at_install")
class TestUndo(AccountingCase):
    def entry_lines(self, payout):
        entry = payout.move_ids - payout.fee_bill_id
        return sorted((x.account_id.code, x.partner_id.id, round(x.balance, 2)) for x in entry.line_ids)

    def test_reset_reverses_the_registration_and_registering_again_gives_the_same_entries(self):
        fbm, fba = self.import_orders()
        invoices = self.invoice(fbm) | self.invoice(fba)
        payout = self.payout("81818181818", [fbm, fba], refunds={fbm["orderId"]: "10.00"}, reserve_held="5.00")
        payout.action_register()
        first = payout.move_ids
        lines, bill_total = self.entry_lines(payout), payout.fee_bill_id.amount_total
        with self.assertRaisesRegex(UserError, "reset it to Imported first"):
            payout.unlink()

        payout.action_reset()
        self.assertEqual(payout.state, "imported")
        self.assertFalse(payout.move_ids)
        self.assertEqual(len(first.reversal_move_ids), len(first), "entry and fee bill reversed by Odoo")
        invoice_open = sum(invoices.mapped("amount_residual"))
        self.assertAlmostEqual(invoice_open, 24.99 - 10.0 + 30.0, msg="what the payout paid is open again")

        payout.action_register()
        self.assertEqual(payout.state, "registered")
        self.assertEqual(self.entry_lines(payout), lines, "the same entry again")
        self.assertAlmostEqual(payout.fee_bill_id.amount_total, bill_total)
        self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})

    def test_an_invoice_posted_after_its_payout_is_reconciled_when_posted(self):
        _fbm, fba = self.import_orders()
        payout = self.payout("82828282828", [fba])
        payout.mismatch_ids.decision = "open"
        payout.action_register()
        invoice = self.invoice(fba)
        self.assertEqual(invoice.payment_state, "paid", "matched with what Amazon paid")
