"""19.0.1.4.0: FBA stock. Accounts created before it get their unsellable and inbound
locations and their Send to Amazon operation type (new accounts get them when created).
Idempotent: what exists is kept."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["amazon.account"].with_context(active_test=False).search([])._amazon_fba_setup()
