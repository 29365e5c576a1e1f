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
        deductible = Account.create(
            {"code": f"IN{rate}", "name": f"Input VAT {rate}%", "account_type": "asset_current"}
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
        tax = self.env["account.tax"].create(
            {
                "name": name,
                "amount": rate,
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
