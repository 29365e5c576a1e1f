import psycopg2

from odoo import api, fields, models
from odoo.tools import mute_logger

# The flows of the sync engine, in the order the account form lists them.
FLOWS = [
    ("orders", "Orders"),
    ("shipments", "Shipments"),
    ("cancellations", "Cancellations"),
    ("stock", "Stock"),
    ("payouts", "Payouts"),
]

STATES = [
    ("ok", "OK"),
    ("more", "More to do"),
    ("waiting", "Waiting for Amazon's quota"),
    ("error", "Failing"),
]


class AmazonSyncStatus(models.Model):
    """How one flow (orders, shipments, ...) of one account last ran: each flow keeps its
    own summary, error and failure date, so that one flow never erases or hides another."""

    _name = "amazon.sync.status"
    _description = "Amazon Synchronization Status"
    _order = "account_id, sequence, id"
    _rec_name = "flow"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    flow = fields.Selection(FLOWS, required=True, readonly=True)
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    state = fields.Selection(STATES, default="ok", required=True, readonly=True)
    last_run = fields.Datetime(readonly=True)
    last_success = fields.Datetime(readonly=True, help="Last run that ended without an error.")
    summary = fields.Char(readonly=True)
    last_error = fields.Text(readonly=True)
    failing_since = fields.Datetime(readonly=True, help="First run of the current series of failed runs.")
    next_attempt = fields.Datetime(
        readonly=True, help="The flow waits for Amazon's quota of this account until this moment (UTC)."
    )
    notified_error = fields.Text(readonly=True, help="The error the responsible person was last told about.")

    _flow_unique = models.Constraint("unique(account_id, flow)", "An account has one status per flow.")

    @api.depends("flow")
    def _compute_sequence(self):
        order = {key: index for index, (key, _label) in enumerate(self._fields["flow"].selection)}
        for status in self:
            status.sequence = order.get(status.flow, 99)

    @api.model
    def _of(self, accounts, flow):
        """The status rows of ``flow`` for ``accounts``, created when missing.

        :returns: dict account id -> amazon.sync.status
        """
        Status = self.sudo()
        rows = Status.search([("account_id", "in", accounts.ids), ("flow", "=", flow)])
        by_account = {row.account_id.id: row for row in rows}
        missing = [account.id for account in accounts if account.id not in by_account]
        for account_id in missing:
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    by_account[account_id] = Status.create({"account_id": account_id, "flow": flow})
            except psycopg2.IntegrityError:  # another worker created it a moment ago
                by_account[account_id] = Status.search([("account_id", "=", account_id), ("flow", "=", flow)])
        return by_account
