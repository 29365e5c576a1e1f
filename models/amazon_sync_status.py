import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger, sql

# The flows of the sync engine, in the order the account form lists them.
FLOWS = [
    ("orders", "Orders"),
    ("shipments", "Shipments"),
    ("cancellations", "Cancellations"),
    ("stock", "Stock"),
    ("payouts", "Payouts"),
    ("fulfillment", "Multi-Channel Fulfillment"),
    ("invoices", "Invoices"),
    ("fba_ledger", "FBA ledger"),
    ("fba_returns", "FBA returns"),
    ("fbm_returns", "FBM returns"),
    ("fba_removals", "Removals"),
    ("fba_reimbursements", "Reimbursements"),
    ("fba_inventory", "FBA inventory"),
]

# A flow's row runs it with the account's action_sync_<flow> (which checks the user's rights);
# its buttons show to the group that method requires (sales managers when not listed).
RUN_GROUPS = {
    "payouts": "account.group_account_invoice",
    "invoices": "account.group_account_invoice",
    "fba_ledger": "stock.group_stock_manager",
    "fba_returns": "stock.group_stock_manager",
    "fbm_returns": "stock.group_stock_manager",
    "fba_removals": "stock.group_stock_manager",
    "fba_reimbursements": "stock.group_stock_manager",
    "fba_inventory": "stock.group_stock_manager",
}
# The records a flow's row opens (Show records): the account's method returning their action
# (the row counts them, see _records_labels). Flows not listed have none to show.
RECORDS = {
    "orders": "action_view_failures",
    "shipments": "action_view_waiting_deliveries",
    "stock": "action_view_offer_errors",
    "payouts": "action_view_payouts",
    "fulfillment": "action_view_mcf_deliveries",
    "invoices": "action_view_invoice_upload_errors",
    "fba_ledger": "action_view_fba_ledger_failures",
    "fba_returns": "action_view_fba_return_failures",
    "fbm_returns": "action_view_fbm_return_failures",
    "fba_removals": "action_view_fba_removal_failures",
    "fba_reimbursements": "action_view_fba_reimbursement_failures",
    "fba_inventory": "action_view_fba_differences",
}

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
    next_run = fields.Datetime(
        compute="_compute_next_run",
        help="When the flow runs next: its scheduled action's next call, an earlier trigger, or the end of the "
        "wait for Amazon's quota.",
    )
    can_run = fields.Boolean(compute="_compute_can_run")
    record_count = fields.Integer(compute="_compute_records")
    records = fields.Char(compute="_compute_records")

    _flow_unique = models.Constraint("unique(account_id, flow)", "An account has one status per flow.")

    @api.depends("flow")
    def _compute_sequence(self):
        order = {key: index for index, (key, _label) in enumerate(self._fields["flow"].selection)}
        for status in self:
            status.sequence = order.get(status.flow, 99)

    def _compute_next_run(self):
        now = fields.Datetime.now()
        next_calls = {}
        for flow, model in self._flow_models().items():
            cron = self.env.ref(model._cron_xmlid, raise_if_not_found=False)
            cron = cron and cron.sudo()
            if not cron or not cron.active:
                continue
            trigger = self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)], order="call_at", limit=1)
            next_calls[flow] = min(filter(None, [cron.nextcall, trigger.call_at]))
        for status in self:
            next_call = next_calls.get(status.flow)
            waiting = status.next_attempt if status.next_attempt and status.next_attempt > now else None
            status.next_run = max(filter(None, [next_call, waiting]), default=False) if next_call else False

    @api.depends_context("uid")
    def _compute_can_run(self):
        for status in self:
            status.can_run = self.env.user.has_group(RUN_GROUPS.get(status.flow, "sales_team.group_sale_manager"))

    @api.depends_context("uid", "lang")
    def _compute_records(self):
        labels = self._records_labels()
        for status in self:
            status.record_count, status.records = 0, False
            action = status._records_action()
            if action:
                status.record_count = self.env[action["res_model"]].search_count(action["domain"])
                status.records = labels[status.flow] % {"count": status.record_count}

    # ------------------------------------------------------------------ CRUD

    def init(self):
        """Every account has a row per flow, also after an upgrade that adds a flow (new
        accounts get theirs when created)."""
        if not sql.table_exists(self.env.cr, "amazon_account"):
            return
        flows = [flow for flow, _label in self._fields["flow"].selection]
        self.env.cr.execute(
            """
            INSERT INTO amazon_sync_status (account_id, company_id, flow, sequence, state,
                                            create_uid, create_date, write_uid, write_date)
            SELECT account.id, account.company_id, flow.key, flow.sequence, 'ok',
                   1, now() at time zone 'UTC', 1, now() at time zone 'UTC'
              FROM amazon_account account
             CROSS JOIN unnest(%s::varchar[], %s::int[]) AS flow (key, sequence)
             WHERE NOT EXISTS (SELECT 1 FROM amazon_sync_status status
                                WHERE status.account_id = account.id AND status.flow = flow.key)
            """,
            [flows, list(range(len(flows)))],
        )

    # ------------------------------------------------------------------ actions

    def action_run_now(self):
        """Run the row's flow on its account now (the account's Sync button of the flow, with
        its rights check); says how it went in a notification."""
        self.ensure_one()
        run = getattr(self.account_id, f"action_sync_{self.flow}", None)
        if run is None:
            raise UserError(self.env._("This flow is run by its scheduled action only."))
        return run()

    def action_show_records(self):
        """The records of the row's flow on its account (failed orders, deliveries waiting
        for Amazon, offers in error, payouts)."""
        self.ensure_one()
        action = self._records_action()
        if not action:
            raise UserError(self.env._("This flow has no records to show."))
        return action

    # ------------------------------------------------------------------ helpers

    def _records_action(self):
        """The window action listing the row's records, or None when the flow has none or the
        user may not read them."""
        self.ensure_one()
        method = RECORDS.get(self.flow)
        if not method or not self.account_id:
            return None
        action = getattr(self.account_id, method)()
        if not self.env[action["res_model"]].has_access("read"):
            return None
        return action

    def _records_labels(self):
        """What each flow's Records column says, in the user's language."""
        _ = self.env._
        return {
            "orders": _("Failed orders: %(count)s"),
            "shipments": _("Deliveries waiting: %(count)s"),
            "stock": _("Offers in error: %(count)s"),
            "payouts": _("Payouts: %(count)s"),
            "fulfillment": _("Waiting for Amazon: %(count)s"),
            "invoices": _("Refused by Amazon: %(count)s"),
            "fba_ledger": _("Rows not applied: %(count)s"),
            "fba_returns": _("Rows not applied: %(count)s"),
            "fbm_returns": _("Rows not applied: %(count)s"),
            "fba_removals": _("Rows not applied: %(count)s"),
            "fba_reimbursements": _("Rows not applied: %(count)s"),
            "fba_inventory": _("Differences: %(count)s"),
        }

    @api.model
    def _flow_models(self):
        """The flow models of the sync engine by flow key (amazon.sync.flow's ``_flow``)."""
        return {
            model._flow: self.env[name]
            for name, model in self.env.registry.items()
            if name != "amazon.sync.flow" and getattr(model, "_flow", None) and model._cron_xmlid
        }

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
