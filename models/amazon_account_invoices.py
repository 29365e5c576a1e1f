from odoo import api, models


class AmazonAccount(models.Model):
    """The invoices flow's entry points on the account: its row's Run now, the documents
    Amazon refused, the scheduled action."""

    _inherit = "amazon.account"

    def action_sync_invoices(self):
        """Upload this account's queued invoices and credit notes to Amazon now, read the
        results of those sent before (and Amazon's VAT invoice data when it is due)."""
        self.ensure_one()
        self._amazon_check_group("account.group_account_invoice")
        return self._amazon_run_flow("amazon.invoice.sync", self.env._("Amazon invoices"), checked=True)

    def action_view_invoice_upload_errors(self):
        """The account's invoices and credit notes Amazon refused."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action.update(
            {
                "domain": [
                    ("amazon_upload_state", "=", "error"),
                    ("amazon_sale_order_id.amazon_account_id", "=", self.id),
                ],
                "context": {"create": False},
            }
        )
        return action

    @api.model
    def _cron_sync_invoices(self):
        """Scheduled action "Amazon: sync invoices"."""
        self.env["amazon.invoice.sync"]._cron_run()
