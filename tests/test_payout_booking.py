"""What a registration books for amounts no invoice of Odoo settles: an order written off
takes the tax Amazon withheld on it along, and an order amount Amazon gave without its order
waits for a decision instead of landing on the suspense account unseen."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..emulator.scenarios import make_item, make_order
from .test_payout_accounting import AccountingCase, collected_by_amazon


@tagged("post_install", "-at_install")
class TestPayoutBooking(AccountingCase):
    def other_income(self):
        return self.env["account.account"].search(
            [("company_ids", "in", self.company.id), ("account_type", "=", "income_other")], limit=1
        )

    @staticmethod
    def stranger():
        """An order Odoo does not have: 20.00 + 1.60 of tax Amazon collected and withheld again."""
        return make_order(
            items=[collected_by_amazon(make_item("MUG-BLUE", 2, "10.00", tax="1.60"))],
            fulfilled_by="AMAZON",
            status="SHIPPED",
            anonymous=True,
        )

    def test_an_unknown_orders_withheld_tax_follows_its_write_off(self):
        """Amazon paid 21.60 for an order Odoo does not have (20.00 + 1.60 of tax it collected
        and withheld again): written off, the tax must not stay on the clearing account, nor
        the write-off count Amazon's tax as income."""
        stranger = self.stranger()
        payout = self.payout("81818181818", [stranger])
        unknown = payout.mismatch_ids
        self.assertEqual(unknown.mapped("kind"), ["unknown_order"])
        unknown.write({"decision": "write_off", "write_off_account_id": self.other_income().id})
        payout.action_register()
        self.assertAlmostEqual(
            self.balance(self.collected_account(), payout.move_ids), 0.0, msg="no withheld tax left uncleared"
        )
        self.assertAlmostEqual(self.balance(self.other_income(), payout.move_ids), -20.0, msg="the tax is not income")

    def test_an_unknown_order_left_open_keeps_its_tax_for_the_invoice_to_come(self):
        stranger = self.stranger()
        payout = self.payout("83838383838", [stranger])
        payout.mismatch_ids.decision = "open"
        payout.action_register()
        suspense = self.env["amazon.payout.mapping"]._default_account(self.company, "other")
        self.assertAlmostEqual(self.balance(suspense, payout.move_ids), -21.6, msg="what the invoice will settle")
        self.assertAlmostEqual(
            self.balance(self.collected_account(), payout.move_ids), 1.6, msg="cleared by the invoice's tax"
        )

    def test_an_order_amount_without_an_order_id_is_a_mismatch_not_the_suspense(self):
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.payout("82828282828", [fba], others=[("Order", "ItemPrice", "Principal", "12.00")])
        self.assertEqual(payout.state, "mismatch", "12.00 of sales of no order: someone must decide where it goes")
        [mismatch] = payout.mismatch_ids
        self.assertEqual(
            (mismatch.kind, mismatch.amount_type, mismatch.amazon_amount), ("no_order", "ItemPrice / Principal", 12.0)
        )
        with self.assertRaisesRegex(UserError, "ItemPrice / Principal: Order amount without an order, to decide"):
            payout.action_register()
        mismatch.write({"decision": "write_off", "write_off_account_id": self.other_income().id})
        payout.action_register()
        suspense = self.env["amazon.payout.mapping"]._default_account(self.company, "other")
        self.assertFalse(self.balance(suspense, payout.move_ids), "nothing on the suspense account")
        self.assertAlmostEqual(self.balance(self.other_income(), payout.move_ids), -12.0)

    def test_an_order_amount_without_an_order_mapped_to_an_account_goes_there_as_chosen(self):
        Mapping = self.env["amazon.payout.mapping"]
        Mapping._amazon_table(self.company)  # Amazon's defaults, as the first payout makes them
        mapping = Mapping.search(
            [
                ("company_id", "=", self.company.id),
                ("amount_type", "=ilike", "ItemPrice"),
                ("description", "=ilike", "Principal"),
            ],
            limit=1,
        ) or Mapping.create(
            {"company_id": self.company.id, "amount_type": "ItemPrice", "description": "Principal", "category": "sales"}
        )
        mapping.account_id = self.other_income()
        _fbm, fba = self.import_orders()
        self.invoice(fba)
        payout = self.payout("84848484848", [fba], others=[("Order", "ItemPrice", "Principal", "12.00")])
        self.assertFalse(payout.mismatch_ids.mapped("kind"), "the company chose where such amounts go")
        payout.action_register()
        self.assertAlmostEqual(self.balance(self.other_income(), payout.move_ids), -12.0)
