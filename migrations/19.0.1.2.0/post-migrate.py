"""19.0.1.2.0: the failure mails are written in the salesperson's language.

Their templates are not updated on upgrade (an administrator may have edited them), so the
language is set here, on templates that have none.
"""

from odoo import SUPERUSER_ID, api

TEMPLATES = (
    "mail_template_sync_error",
    "mail_template_order_failures",
    "mail_template_shipment_refusals",
    "mail_template_cancellation_failures",
    "mail_template_stock_failures",
    "mail_template_payout_failures",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for name in TEMPLATES:
        template = env.ref(f"amazon_sp_connector.{name}", raise_if_not_found=False)
        if template and not template.lang:
            template.lang = "{{ object.user_id.lang }}"
