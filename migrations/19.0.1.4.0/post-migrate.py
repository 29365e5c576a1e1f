"""19.0.1.4.0: the tax Amazon collected on invoices posted before 19.0.1.3.0 leaves income.

Those invoices booked the "Amazon Tax" on income (it had no account), while settlements
remit it through the "Tax collected by Amazon" clearing account. One entry per company moves
it (see ``amazon.payout.mapping._amazon_reclassify_collected_tax``); run again, it does
nothing.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    taxes = (
        env["account.tax"]
        .with_context(active_test=False)
        .search([("name", "=", "Amazon Tax"), ("type_tax_use", "=", "sale")])
    )
    for company in taxes.company_id:
        env["amazon.payout.mapping"]._amazon_reclassify_collected_tax(company)
