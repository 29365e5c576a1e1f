from odoo import fields, models, tools
from odoo.tools import SQL

AGES = [
    ("0_30", "0-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("over_90", "Over 90 days"),
]


class AmazonClearingReport(models.Model):
    """Open items of the Amazon Payments (clearing) accounts by age: each line of those
    accounts not matched yet (a deposit no bank line matched, a bank line booked there and
    not matched with its payout), how old it is, and the payout it belongs to. Read-only
    (an SQL view); the age is counted from the line's date to today.

    The clearing accounts are the default accounts of the journals payouts are registered
    in and of the journals chosen on Amazon accounts for them."""

    _name = "amazon.clearing.report"
    _description = "Amazon Payments Open Items"
    _auto = False
    _order = "date, id"
    _rec_name = "move_line_id"

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    name = fields.Char(string="Label", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    account_id = fields.Many2one("account.account", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    payout_id = fields.Many2one("amazon.payout", readonly=True)
    amazon_account_id = fields.Many2one("amazon.account", readonly=True)
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    statement_line_id = fields.Many2one("account.bank.statement.line", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual = fields.Monetary(
        string="Open Amount",
        currency_field="company_currency_id",
        readonly=True,
        help="What is not matched yet, in the company's currency.",
    )
    amount_residual_currency = fields.Monetary(string="Open Amount (Currency)", readonly=True)
    age_days = fields.Integer(string="Age (Days)", readonly=True, aggregator="max")
    age = fields.Selection(AGES, readonly=True)

    _depends = {
        "account.move.line": [
            "move_id",
            "name",
            "date",
            "company_id",
            "account_id",
            "journal_id",
            "statement_line_id",
            "currency_id",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "parent_state",
        ],
        "amazon.payout": ["account_id", "marketplace_id", "journal_id", "move_ids"],
        "amazon.account": ["payout_journal_id"],
        "account.journal": ["default_account_id"],
    }

    def _query(self):
        return SQL(
            """
            WITH clearing AS (
                SELECT DISTINCT journal.default_account_id AS account_id
                  FROM account_journal journal
                 WHERE journal.default_account_id IS NOT NULL
                   AND (journal.id IN (SELECT journal_id FROM amazon_payout WHERE journal_id IS NOT NULL)
                        OR journal.id IN (SELECT payout_journal_id FROM amazon_account
                                           WHERE payout_journal_id IS NOT NULL))
            )
            SELECT line.id,
                   line.id AS move_line_id,
                   line.move_id,
                   line.name,
                   line.date,
                   line.company_id,
                   line.account_id,
                   line.journal_id,
                   payout.id AS payout_id,
                   payout.account_id AS amazon_account_id,
                   payout.marketplace_id,
                   line.statement_line_id,
                   line.currency_id,
                   line.amount_residual,
                   line.amount_residual_currency,
                   CURRENT_DATE - line.date AS age_days,
                   CASE WHEN CURRENT_DATE - line.date <= 30 THEN '0_30'
                        WHEN CURRENT_DATE - line.date <= 60 THEN '31_60'
                        WHEN CURRENT_DATE - line.date <= 90 THEN '61_90'
                        ELSE 'over_90' END AS age
              FROM account_move_line line
              JOIN clearing ON clearing.account_id = line.account_id
         LEFT JOIN LATERAL (
                   SELECT candidate.id, candidate.account_id, candidate.marketplace_id
                     FROM account_move_amazon_payout_rel rel
                     JOIN amazon_payout candidate ON candidate.id = rel.amazon_payout_id
                    WHERE rel.account_move_id = line.move_id
                 ORDER BY candidate.id
                    LIMIT 1
                   ) payout ON TRUE
             WHERE line.parent_state = 'posted'
               AND NOT line.reconciled
               AND (line.amount_residual != 0 OR line.amount_residual_currency != 0)
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def action_open_payout(self):
        """The payout of this item."""
        self.ensure_one()
        return self.payout_id._get_records_action()
