"""Reports that close the month: settlements to bank, the Amazon Payments account's open
items by age, sales and VAT per country of destination (OSS)."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import tagged

from ..emulator.scenarios import make_address, make_item, make_order
from .common import DE
from .test_payout_accounting import AccountingCase, collected_by_amazon


class ReportCase(AccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["account.journal"].create({"name": "Bank (reports)", "code": "BNKR", "type": "bank"})

    def registered_payout(self, settlement_ref, amazon_order, days_ago=1):
        """A payout of ``amazon_order`` (invoiced), deposited ``days_ago``, registered."""
        deposit = datetime.now() - timedelta(days=days_ago)
        payout = self.payout(settlement_ref, [amazon_order], end=deposit - timedelta(days=1), deposit_date=deposit)
        payout.action_register()
        self.assertEqual(payout.state, "registered")
        return payout

    def deposit_line(self, payout):
        """The payout's open line on its journal's account (the deposit)."""
        return payout.move_ids.line_ids.filtered(
            lambda x: x.account_id == payout.journal_id.default_account_id and not x.reconciled
        )

    def bank_receives(self, payout):
        """The bank's line of the deposit, matched with the payout's deposit line (what the
        bank reconciliation does)."""
        statement_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "payment_ref": f"AMAZON {payout.settlement_ref}",
                "amount": payout.total_amount,
                "date": payout.deposit_date,
            }
        )
        _liquidity, suspense, _other = statement_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        deposit = self.deposit_line(payout)
        suspense.account_id = deposit.account_id
        (suspense | deposit).reconcile()
        return statement_line


@tagged("post_install", "-at_install")
class TestSettlementsToBank(ReportCase):
    def test_a_deposit_matched_by_a_bank_line_shows_matched_and_one_without_shows_not_matched(self):
        fbm, fba = self.import_orders()
        self.invoice(fbm), self.invoice(fba)
        matched = self.registered_payout("91919191911", fbm)
        waiting = self.registered_payout("91919191912", fba)
        deposit = self.deposit_line(matched)
        statement_line = self.bank_receives(matched)

        Report = self.env["amazon.payout.bank.report"]
        row = Report.search([("payout_id", "=", matched.id)])
        self.assertRecordValues(
            row,
            [
                {
                    "amazon_account_id": self.account.id,
                    "date": matched.deposit_date,
                    "amount": matched.total_amount,
                    "move_id": (matched.move_ids - matched.fee_bill_id).id,
                    "deposit_line_id": deposit.id,
                    "bank_line_id": statement_line.id,
                    "bank_journal_id": self.bank.id,
                    "bank_amount": matched.total_amount,
                    "open_balance": 0.0,
                    "match_state": "matched",
                }
            ],
        )
        row = Report.search([("payout_id", "=", waiting.id)])
        self.assertEqual((row.match_state, row.bank_line_id), ("unmatched", statement_line.browse()))
        self.assertAlmostEqual(row.open_balance, waiting.total_amount, msg="the whole deposit waits for the bank")
        self.assertEqual(
            Report.search(
                [("match_state", "in", ("unmatched", "partial")), ("amazon_account_id", "=", self.account.id)]
            ),
            row,
        )
        groups = Report.formatted_read_group(
            [("amazon_account_id", "=", self.account.id)], ["date:month", "match_state"], ["open_balance:sum"]
        )
        self.assertAlmostEqual(sum(g["open_balance:sum"] for g in groups), waiting.total_amount)

    def test_a_payout_booked_in_two_parts_has_one_deposit_the_line_not_carried_between_its_parts(self):
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.registered_payout("91919191914", fba)
        carried = self.deposit_line(payout)
        # as a month-end split books it: the first part's balance carried to the second part,
        # the carry lines matched together, the deposit on the last part
        clearing, amount = carried.account_id, carried.balance
        second = self.env["account.move"].create(
            {
                "journal_id": payout.journal_id.id,
                "date": payout.deposit_date,
                "line_ids": [
                    Command.create({"account_id": clearing.id, "balance": amount, "name": "deposit"}),
                    Command.create({"account_id": clearing.id, "balance": -amount, "name": "carried"}),
                ],
            }
        )
        second.action_post()
        (carried | second.line_ids.filtered(lambda x: x.balance < 0)).reconcile()
        payout.move_ids = [Command.link(second.id)]
        deposit = second.line_ids.filtered(lambda x: x.balance > 0)

        Report = self.env["amazon.payout.bank.report"]
        row = Report.search([("payout_id", "=", payout.id)])
        self.assertEqual((row.deposit_line_id, row.move_id), (deposit, second))
        self.assertEqual(row.match_state, "unmatched", "carrying a part's balance is not the bank's match")
        statement_line = self.bank_receives(payout)
        row.invalidate_recordset()
        self.assertEqual((row.match_state, row.bank_line_id), ("matched", statement_line))

    def test_a_payout_not_registered_yet_is_listed_as_such(self):
        _fbm, fba = self.import_orders()
        payout = self.payout("91919191913", [fba])
        self.assertNotEqual(payout.state, "registered")
        row = self.env["amazon.payout.bank.report"].search([("payout_id", "=", payout.id)])
        self.assertEqual((row.match_state, row.deposit_line_id.id), ("not_registered", False))


@tagged("post_install", "-at_install")
class TestAmazonPaymentsOpenItems(ReportCase):
    def test_open_items_of_the_amazon_payments_account_by_age_with_their_payout(self):
        other = self.put(make_order(items=[make_item("MUG-BLUE", 1, "12.00")], fulfilled_by="AMAZON", status="SHIPPED"))
        fbm, fba = self.import_orders()
        for amazon_order in (fbm, fba, other):
            self.invoice(amazon_order)
        old = self.registered_payout("92929292921", fbm, days_ago=45)
        recent = self.registered_payout("92929292922", fba, days_ago=3)
        paid = self.registered_payout("92929292923", other, days_ago=100)
        self.bank_receives(paid)

        Report = self.env["amazon.clearing.report"]
        clearing = old.journal_id.default_account_id
        items = Report.search([("account_id", "=", clearing.id)])
        self.assertEqual(items.payout_id, old | recent, "what the bank matched is not open")
        self.assertRecordValues(
            items.sorted("date"),
            [
                {"payout_id": old.id, "age": "31_60", "age_days": 45, "move_line_id": self.deposit_line(old).id},
                {"payout_id": recent.id, "age": "0_30", "age_days": 3, "move_line_id": self.deposit_line(recent).id},
            ],
        )
        self.assertAlmostEqual(items.filtered(lambda i: i.payout_id == old).amount_residual, old.total_amount)
        self.assertEqual(Report.search([("age", "=", "31_60"), ("account_id", "=", clearing.id)]).payout_id, old)
        self.assertFalse(Report.search([("age", "=", "over_90"), ("account_id", "=", clearing.id)]))


@tagged("post_install", "-at_install")
class TestSalesPerCountryOfDestination(ReportCase):
    def oss_scenario(self):
        """A German seller on Amazon.de: 19 % German VAT, 20 % French VAT by an OSS fiscal position."""
        germany = self.established_in("DE")
        france = self.env.ref("base.fr")
        group = self.env["account.tax.group"].create({"name": "VAT", "country_id": germany.id})
        vat_de = self.env["account.tax"].create(
            {"name": "19% DE", "amount": 19, "type_tax_use": "sale", "country_id": germany.id, "tax_group_id": group.id}
        )
        oss_fr = self.env["account.fiscal.position"].create(
            {"name": "OSS France", "auto_apply": True, "country_id": france.id}
        )
        vat_fr = self.env["account.tax"].create(
            {
                "name": "20% FR (OSS)",
                "amount": 20,
                "type_tax_use": "sale",
                "country_id": germany.id,
                "tax_group_id": group.id,
                "fiscal_position_ids": [Command.link(oss_fr.id)],
                "original_tax_ids": [Command.link(vat_de.id)],
            }
        )
        self.mug.taxes_id = vat_de
        account = self.eu_account()

        def order(price, quantity, country, collected=False, **options):
            item = make_item("MUG-BLUE", quantity, price)
            city, postal = ("Berlin", "10115") if country == "DE" else ("Paris", "75001")
            return self.put(
                make_order(
                    items=[collected_by_amazon(item) if collected else item],
                    marketplace_id=DE[0],
                    fulfilled_by="AMAZON",
                    status="SHIPPED",
                    address=make_address("Erika Muster", "Hauptstr. 1", city, postal, country, None),
                    **options,
                ),
                seller="A2EUSELLER",
            )

        return germany, france, vat_de, oss_fr, vat_fr, account, order

    def test_oss_rows_per_destination_and_vat_from_invoices_and_credit_notes_without_tax_amazon_collects(self):
        germany, france, vat_de, _oss_fr, vat_fr, account, order = self.oss_scenario()

        # one buyer, living in Germany, sends a mug to France
        buyer = {"buyer_email": "erika@example.com", "buyer_name": "Erika Muster"}
        to_germany = order("23.80", 2, "DE", created=datetime.now() - timedelta(hours=2), **buyer)
        returned = order("11.90", 1, "DE")
        to_france = order("12.00", 1, "FR", **buyer)
        deemed = order("10.00", 1, "DE", collected=True)
        self.sync(account)
        invoices = {}
        for name, amazon_order in (("de", to_germany), ("returned", returned), ("fr", to_france), ("deemed", deemed)):
            invoices[name] = self.sale_order(amazon_order, account)._create_invoices()
            invoices[name].action_post()
        self.assertEqual(invoices["fr"].invoice_line_ids.tax_ids, vat_fr, "France: French VAT (OSS)")
        self.assertEqual((invoices["fr"].amount_untaxed, invoices["fr"].amount_tax), (10.0, 2.0))
        note = invoices["returned"]._reverse_moves([{"invoice_date": invoices["returned"].invoice_date}])
        note.action_post()
        self.assertEqual(
            (invoices["fr"].partner_id.country_id, invoices["fr"].partner_shipping_id.country_id),
            (germany, france),
            "invoiced to the buyer in Germany, delivered to France",
        )
        Report = self.env["amazon.oss.report"]
        mine = [("collected_by_amazon", "=", False), ("marketplace_id", "=", self.marketplace_de.id)]
        rows = Report.search(mine)
        self.assertEqual(rows.move_id, invoices["de"] | invoices["returned"] | note | invoices["fr"])
        self.assertEqual(
            rows.filtered(lambda r: r.move_id == note).mapped("untaxed_amount"), [note.amount_untaxed_signed]
        )
        self.assertLess(note.amount_untaxed_signed, 0, "a credit note counts negative")

        def expected(*moves):
            return (
                round(sum(moves_.amount_untaxed_signed for moves_ in moves), 2),
                round(sum(moves_.amount_tax_signed for moves_ in moves), 2),
            )

        groups = {
            (g["country_id"][0], g["tax_id"][0]): (round(g["untaxed_amount:sum"], 2), round(g["tax_amount:sum"], 2))
            for g in Report.formatted_read_group(
                mine, ["country_id", "tax_id"], ["untaxed_amount:sum", "tax_amount:sum"]
            )
        }
        self.assertEqual(
            groups,
            {
                (germany.id, vat_de.id): expected(invoices["de"], invoices["returned"], note),
                (france.id, vat_fr.id): expected(invoices["fr"]),
            },
        )
        self.assertEqual(Report.search([("move_id", "=", invoices["fr"].id)]).country_id, france)
        amazons = Report.search([("collected_by_amazon", "=", True), ("marketplace_id", "=", self.marketplace_de.id)])
        self.assertEqual(amazons.move_id, invoices["deemed"], "Amazon's tax is apart, not the seller's VAT")
        self.assertEqual(amazons.tax_id.name, "Amazon Tax")
        self.assertEqual(set(rows.mapped("date")), set((rows.move_id).mapped("invoice_date")))

    def test_summary_mode_splits_per_destination_and_its_documents_are_in_the_oss_report(self):
        germany, france, vat_de, oss_fr, vat_fr, account, order = self.oss_scenario()
        account.invoice_mode = "summary"
        to_berlin = order("23.80", 2, "DE", anonymous=True)
        to_paris = order("12.00", 1, "FR", anonymous=True)
        returned = order("11.90", 1, "FR", anonymous=True)
        self.sync(account)
        returned_order = self.sale_order(returned, account)
        self.assertEqual(self.sale_order(to_paris, account).fiscal_position_id, oss_fr)
        payout = self.payout(
            "95959595959",
            [to_berlin, to_paris, returned],
            account,
            "A2EUSELLER",
            refunds={returned["orderId"]: "11.90"},
        )
        self.assertEqual(payout.state, "imported", payout.mismatch_ids.mapped("note"))
        payout.action_register()
        self.assertEqual(payout.state, "registered", payout.mismatch_ids.mapped("note"))
        invoices = payout.move_ids.filtered(lambda m: m.amazon_summary and m.move_type == "out_invoice")
        self.assertEqual(len(invoices), 2, "one summary invoice per destination")
        to_de = invoices.filtered(lambda m: m.partner_shipping_id.country_id == germany)
        to_fr = invoices.filtered(lambda m: m.partner_shipping_id.country_id == france)
        self.assertEqual(len(to_de) + len(to_fr), 2)
        customers = self.env["res.partner"]._amazon_customers(self.company, self.marketplace_de)
        self.assertEqual((to_de | to_fr).partner_id, customers)
        self.assertEqual(to_fr.partner_shipping_id.parent_id, customers)
        self.assertEqual(to_fr.partner_shipping_id.type, "delivery")
        self.assertEqual(to_fr.partner_shipping_id.company_id, self.company)
        self.assertFalse(to_fr.partner_shipping_id.email)
        self.assertEqual(to_fr.partner_shipping_id.display_name, "Amazon customers (Amazon.de), France")
        berlin = self.sale_order(to_berlin, account)
        self.assertNotEqual(berlin.fiscal_position_id, oss_fr)
        self.assertEqual((to_de.fiscal_position_id, to_fr.fiscal_position_id), (berlin.fiscal_position_id, oss_fr))
        self.assertEqual(to_de.invoice_line_ids.tax_ids, vat_de)
        self.assertEqual(to_fr.invoice_line_ids.tax_ids, vat_fr)
        self.assertEqual(to_de.amazon_summary_order_ids, self.sale_order(to_berlin, account))
        self.assertEqual(to_fr.amazon_summary_order_ids, self.sale_order(to_paris, account) | returned_order)
        self.assertEqual((to_fr.amount_untaxed, to_fr.amount_tax), (19.92, 3.98), "10.00 + 9.92 at 20 %")
        [note] = payout.move_ids.filtered(lambda m: m.amazon_summary and m.move_type == "out_refund")
        self.assertEqual((note.partner_shipping_id, note.fiscal_position_id), (to_fr.partner_shipping_id, oss_fr))
        self.assertEqual((to_de | to_fr).mapped("payment_state"), ["paid", "paid"], "reconciled by the payout at once")
        self.assertEqual(note.amount_residual, 0.0)

        Report = self.env["amazon.oss.report"]
        rows = Report.search([("move_id", "in", (to_de | to_fr | note).ids)])
        self.assertEqual(rows.move_id, to_de | to_fr | note, "summary documents are sales per country too")
        self.assertEqual(set(rows.mapped("marketplace_id")), {self.marketplace_de})
        groups = {
            (g["country_id"][0], g["tax_id"][0]): (round(g["untaxed_amount:sum"], 2), round(g["tax_amount:sum"], 2))
            for g in Report.formatted_read_group(
                [("id", "in", rows.ids)], ["country_id", "tax_id"], ["untaxed_amount:sum", "tax_amount:sum"]
            )
        }
        self.assertEqual(
            groups,
            {
                (germany.id, vat_de.id): (round(to_de.amount_untaxed_signed, 2), round(to_de.amount_tax_signed, 2)),
                (france.id, vat_fr.id): (
                    round(to_fr.amount_untaxed_signed + note.amount_untaxed_signed, 2),
                    round(to_fr.amount_tax_signed + note.amount_tax_signed, 2),
                ),
            },
        )

        # Reset reverses the summary documents, registering again makes new ones: the
        # reversals count too, the sales per country stay (an accountant's review)
        payout.action_reset()
        payout.action_register()
        self.assertEqual(payout.state, "registered", payout.mismatch_ids.mapped("note"))
        again = {
            (g["country_id"][0], g["tax_id"][0]): (round(g["untaxed_amount:sum"], 2), round(g["tax_amount:sum"], 2))
            for g in Report.formatted_read_group(
                [("move_id.partner_id", "=", customers.id)],
                ["country_id", "tax_id"],
                ["untaxed_amount:sum", "tax_amount:sum"],
            )
        }
        self.assertEqual(again, groups)

    def test_oss_a_line_with_two_taxes_counts_its_untaxed_amount_once(self):
        germany = self.established_in("DE")
        group = self.env["account.tax.group"].create({"name": "VAT", "country_id": germany.id})
        vat = self.env["account.tax"].create(
            {"name": "19% DE", "amount": 19, "type_tax_use": "sale", "country_id": germany.id, "tax_group_id": group.id}
        )
        levy = self.env["account.tax"].create(
            {"name": "1% levy", "amount": 1, "type_tax_use": "sale", "country_id": germany.id, "tax_group_id": group.id}
        )
        _fbm, fba = self.import_orders()
        invoice = self.invoice(fba)
        invoice.button_draft()
        invoice.invoice_line_ids.filtered("product_id").tax_ids = vat | levy
        invoice.action_post()
        rows = self.env["amazon.oss.report"].search([("move_id", "=", invoice.id)])
        self.assertEqual(rows.tax_id, vat | levy)
        self.assertAlmostEqual(sum(rows.mapped("untaxed_amount")), invoice.amount_untaxed_signed, msg="counted once")
        self.assertAlmostEqual(sum(rows.mapped("tax_amount")), invoice.amount_tax_signed)
