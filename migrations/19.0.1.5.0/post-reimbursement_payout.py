"""19.0.1.5.0: cash reimbursements linked to the payout lines that paid them. Reimbursement
events recorded before it get their cash amount and currency from Amazon's row they keep (when
its cells are where the report's documented header puts them and name the event's reimbursement
and SKU), then are linked with the payout lines already imported. Idempotent."""

import csv

from odoo import SUPERUSER_ID, api

from odoo.addons.amazon_sp_connector import const
from odoo.addons.amazon_sp_connector.exceptions import AmazonRecordError

# GET_FBA_REIMBURSEMENTS_DATA's documented column order
REFERENCE, SKU, CURRENCY, AMOUNT = 1, 5, 10, 12


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Event = env["amazon.fba.event"]
    events = Event.search([("source", "=", "reimbursement"), ("state", "!=", "failed"), ("currency_id", "=", False)])
    Sync = env["amazon.fba.reimbursement.sync"]
    cache = {}
    for event in events:
        try:
            cells = next(csv.reader([event.raw or ""], delimiter="\t", quoting=csv.QUOTE_NONE))
        except (csv.Error, StopIteration):
            continue
        if len(cells) <= AMOUNT or cells[REFERENCE].strip() != event.reference or cells[SKU].strip() != event.sku:
            continue
        try:
            values = Sync._cash_values({"amount": cells[AMOUNT], "currency": cells[CURRENCY].strip()}, cache)
        except AmazonRecordError:
            continue
        event.write(values)
    pending = Event.search([("payout_pending", "=", True)])
    if pending:
        lines = env["amazon.payout.line"].search([("amount_type", "in", const.SETTLEMENT_REIMBURSEMENT_TYPES)])
        Event._amazon_link_reimbursements(pending, lines)
