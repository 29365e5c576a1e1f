"""19.0.1.3.0: tax Amazon collects is booked on a clearing account; amount types nobody mapped
are mismatches.

* The "Amazon Tax" of each company gets the "Tax collected by Amazon" account (AMZTAX) on its
  tax repartition lines: invoices posted from now on put Amazon's tax there, not on income,
  and the settlement's withheld tax clears it. Invoices posted before keep their entries
  (their tax is on income): see README, "Accountants".
* Each company's Amazon amount types get the new defaults they lack; the old catch-all
  "other-transaction / *" (to the suspense account) is removed unless an account was chosen
  for it, so that an amount type nobody mapped waits for a decision.
* The old (company, amount type, description) uniqueness gives way to one that also counts
  the marketplace and the start date.
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.amazon_sp_connector.models.amazon_payout_mapping import DEFAULT_CATEGORIES


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("ALTER TABLE amazon_payout_mapping DROP CONSTRAINT IF EXISTS amazon_payout_mapping_type_unique")
    Mapping = env["amazon.payout.mapping"]
    taxes = (
        env["account.tax"]
        .with_context(active_test=False)
        .search([("name", "=", "Amazon Tax"), ("type_tax_use", "=", "sale")])
    )
    for tax in taxes:
        account = Mapping._default_account(tax.company_id, "tax")
        if account.name == "Amazon withheld tax":
            account.name = "Tax collected by Amazon"
        tax.repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax" and not r.account_id
        ).account_id = account
    for company in Mapping.search([]).company_id:
        mappings = Mapping.search([("company_id", "=", company.id)])
        known = {(m.amount_type.lower(), m.description.lower()) for m in mappings}
        Mapping.create(
            [
                {"company_id": company.id, "amount_type": amount_type, "description": description, "category": key}
                for amount_type, description, key in DEFAULT_CATEGORIES
                if (amount_type.lower(), description.lower()) not in known
            ]
        )
        mappings.filtered(
            lambda m: (
                m.amount_type.lower() == "other-transaction"
                and m.description == "*"
                and m.category == "other"
                and not m.account_id
            )
        ).unlink()
    _mark_gift_messages(cr)


# The note the import wrote for a gift message, in each language the addon ships.
GIFT_MESSAGE_PREFIXES = (
    "Gift message for ",
    "Geschenknachricht für ",
    "Message cadeau pour ",
    "Mensaje de regalo para ",
    "Messaggio regalo per ",
)


def _mark_gift_messages(cr):
    """Gift messages imported before 19.0.1.3.0 are marked, so that anonymization erases them
    with the buyer's data."""
    cr.execute(
        """
        UPDATE sale_order_line line
           SET amazon_gift_message = true
          FROM sale_order so
         WHERE so.id = line.order_id
           AND so.amazon_order_ref IS NOT NULL
           AND line.display_type = 'line_note'
           AND line.name LIKE ANY(%s)
        """,
        ([prefix + "%" for prefix in GIFT_MESSAGE_PREFIXES],),
    )
