from odoo import fields, models

SOURCES = [
    ("ledger", "FBA inventory ledger"),
    ("fba_return", "FBA customer returns"),
    ("fbm_return", "FBM returns"),
    ("removal", "Removal shipments"),
    ("reimbursement", "Reimbursements"),
]


class AmazonFbaReport(models.Model):
    """One report a flow of FBA stock asked Amazon for (createReport): its window, where
    Amazon is with it and whether its rows were applied. The applied windows are the flow's
    saved cursor: the next request starts from the last one's end (less an overlap)."""

    _name = "amazon.fba.report"
    _description = "Amazon FBA Stock Report"
    _order = "id desc"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    report_type = fields.Char(required=True, readonly=True)
    report_ref = fields.Char(string="Amazon Report", required=True, readonly=True)
    data_start = fields.Datetime(readonly=True)
    data_end = fields.Datetime(readonly=True)
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("done", "Ready to apply"),
            ("applied", "Applied"),
            ("failed", "Failed"),
        ],
        default="requested",
        required=True,
        readonly=True,
    )
    document_ref = fields.Char(readonly=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    error = fields.Text(readonly=True)
