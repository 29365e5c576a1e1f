from odoo import fields, models

REPORT_STATES = [
    ("failed", "Failed"),
    ("retry", "To Retry"),
]


class AmazonPayoutReport(models.Model):
    """A settlement report of Amazon that could not be imported as a payout, and why.

    The payouts flow lists it once and moves on: it is not downloaded again by every run,
    only when an accountant asks to try it again (*Retry*). Imported, it is deleted: its
    payout is the record of it."""

    _name = "amazon.payout.report"
    _description = "Amazon Settlement Report Not Imported"
    _order = "report_date desc, id desc"
    _rec_name = "report_ref"

    account_id = fields.Many2one("amazon.account", required=True, index=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    report_ref = fields.Char(string="Report ID", required=True, readonly=True, help="Amazon's settlement report id.")
    document_ref = fields.Char(string="Document ID", required=True, readonly=True)
    marketplace_refs = fields.Char(readonly=True, help="Amazon's marketplace ids of the report, comma-separated.")
    report_date = fields.Datetime(string="Created by Amazon", readonly=True)
    state = fields.Selection(REPORT_STATES, default="failed", required=True, readonly=True)
    error = fields.Text(string="Reason", readonly=True)
    last_attempt = fields.Datetime(readonly=True)

    _report_unique = models.Constraint(
        "unique(account_id, report_ref)", "A settlement report is listed once per account."
    )

    def action_retry(self):
        """Download and import these reports again with the next run of the payouts flow,
        started now."""
        self.env["amazon.account"]._amazon_check_group("account.group_account_invoice")
        self.sudo().state = "retry"
        # work left over: the scheduled action runs these accounts now, not at their next poll
        statuses = self.env["amazon.sync.status"]._of(self.account_id, "payouts")
        self.env["amazon.sync.status"].sudo().union(*statuses.values()).filtered(
            lambda s: s.state == "ok"
        ).state = "more"
        self.env.ref("amazon_sp_connector.ir_cron_sync_payouts").sudo()._trigger()

    def _as_report(self):
        """The report as the flow handles it (what Amazon's getReports said of it)."""
        self.ensure_one()
        return {
            "report_id": self.report_ref,
            "document_id": self.document_ref,
            "created": self.report_date,
            "marketplace_ids": (self.marketplace_refs or "").split(",") if self.marketplace_refs else [],
        }
