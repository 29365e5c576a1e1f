from odoo import fields, models, tools
from odoo.tools import SQL

MATCH_STATES = [
    ("not_registered", "Not Registered"),
    ("unmatched", "Not Matched"),
    ("partial", "Partly Matched"),
    ("matched", "Matched"),
]


class AmazonPayoutBankReport(models.Model):
    """Settlements to bank: per payout, the deposit Amazon announced, the line of the Amazon
    Payments journal that books it, the bank line it was matched with and what is not matched
    yet. One row per payout, read-only (an SQL view).

    The deposit line is the line of the payout's entries on its journal's default account
    that is not reconciled with another line of the same payout: a payout booked in several
    parts carries its balance from one part to the next on that account, those carry lines
    are reconciled together, the deposit is what is left."""

    _name = "amazon.payout.bank.report"
    _description = "Amazon Settlement to Bank"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "payout_id"

    payout_id = fields.Many2one("amazon.payout", readonly=True)
    amazon_account_id = fields.Many2one("amazon.account", readonly=True)
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    date = fields.Date(string="Deposit Date", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(string="Deposit", readonly=True, help="What Amazon pays into the bank.")
    payout_state = fields.Selection(
        [("imported", "Imported"), ("mismatch", "Mismatch"), ("registered", "Registered")],
        string="Payout Status",
        readonly=True,
    )
    journal_id = fields.Many2one("account.journal", string="Registered In", readonly=True)
    deposit_line_id = fields.Many2one("account.move.line", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    balance = fields.Monetary(string="Deposit (Company Currency)", currency_field="company_currency_id", readonly=True)
    open_balance = fields.Monetary(
        string="Not Matched",
        currency_field="company_currency_id",
        readonly=True,
        help="What of the deposit no bank line matched yet, in the company's currency.",
    )
    open_amount = fields.Monetary(string="Not Matched (Currency)", readonly=True)
    bank_line_id = fields.Many2one("account.bank.statement.line", readonly=True)
    bank_journal_id = fields.Many2one("account.journal", string="Bank", readonly=True)
    bank_date = fields.Date(readonly=True)
    bank_amount = fields.Monetary(currency_field="bank_currency_id", readonly=True)
    bank_currency_id = fields.Many2one("res.currency", readonly=True)
    matched_move_id = fields.Many2one(
        "account.move",
        string="Matched With",
        readonly=True,
        help="The entry whose line matched the deposit: the bank line's, or a transfer's.",
    )
    match_state = fields.Selection(MATCH_STATES, string="Bank Match", readonly=True)

    _depends = {
        "amazon.payout": [
            "account_id",
            "marketplace_id",
            "company_id",
            "deposit_date",
            "currency_id",
            "total_amount",
            "state",
            "journal_id",
            "move_ids",
        ],
        "account.move.line": [
            "move_id",
            "account_id",
            "balance",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "parent_state",
            "statement_line_id",
            "date",
        ],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id"],
        "account.bank.statement.line": ["amount", "journal_id", "currency_id"],
        "account.journal": ["default_account_id"],
    }

    def _query(self):
        return SQL(
            """
            WITH deposit AS (
                SELECT DISTINCT ON (rel.amazon_payout_id) rel.amazon_payout_id AS payout_id, line.id AS line_id
                  FROM account_move_amazon_payout_rel rel
                  JOIN amazon_payout payout ON payout.id = rel.amazon_payout_id
                  JOIN account_journal journal ON journal.id = payout.journal_id
                  JOIN account_move_line line ON line.move_id = rel.account_move_id
                                             AND line.account_id = journal.default_account_id
                                             AND line.parent_state = 'posted'
                 WHERE NOT EXISTS (
                       SELECT 1
                         FROM account_partial_reconcile part
                         JOIN account_move_line other
                              ON other.id = CASE WHEN part.debit_move_id = line.id
                                                 THEN part.credit_move_id ELSE part.debit_move_id END
                         JOIN account_move_amazon_payout_rel same
                              ON same.account_move_id = other.move_id AND same.amazon_payout_id = rel.amazon_payout_id
                        WHERE line.id IN (part.debit_move_id, part.credit_move_id))
              ORDER BY rel.amazon_payout_id, line.date DESC, line.id DESC
            ),
            bank AS (
                SELECT DISTINCT ON (deposit.line_id) deposit.line_id, other.move_id, other.statement_line_id
                  FROM deposit
                  JOIN account_partial_reconcile part ON deposit.line_id IN (part.debit_move_id, part.credit_move_id)
                  JOIN account_move_line other
                       ON other.id = CASE WHEN part.debit_move_id = deposit.line_id
                                          THEN part.credit_move_id ELSE part.debit_move_id END
              ORDER BY deposit.line_id, other.statement_line_id IS NULL, other.date DESC, other.id DESC
            )
            SELECT payout.id,
                   payout.id AS payout_id,
                   payout.account_id AS amazon_account_id,
                   payout.marketplace_id,
                   payout.company_id,
                   payout.deposit_date AS date,
                   payout.currency_id,
                   payout.total_amount AS amount,
                   payout.state AS payout_state,
                   payout.journal_id,
                   line.id AS deposit_line_id,
                   line.move_id,
                   line.balance,
                   CASE WHEN line.id IS NULL THEN NULL ELSE line.amount_residual END AS open_balance,
                   CASE WHEN line.id IS NULL THEN NULL ELSE line.amount_residual_currency END AS open_amount,
                   bank.statement_line_id AS bank_line_id,
                   statement.journal_id AS bank_journal_id,
                   bank_move.date AS bank_date,
                   statement.amount AS bank_amount,
                   COALESCE(statement.currency_id, bank_journal.currency_id, payout_company.currency_id)
                       AS bank_currency_id,
                   bank.move_id AS matched_move_id,
                   CASE WHEN payout.state != 'registered' THEN 'not_registered'
                        WHEN line.reconciled THEN 'matched'
                        WHEN bank.line_id IS NOT NULL THEN 'partial'
                        ELSE 'unmatched' END AS match_state
              FROM amazon_payout payout
              JOIN res_company payout_company ON payout_company.id = payout.company_id
         LEFT JOIN deposit ON deposit.payout_id = payout.id AND payout.state = 'registered'
         LEFT JOIN account_move_line line ON line.id = deposit.line_id
         LEFT JOIN bank ON bank.line_id = line.id
         LEFT JOIN account_bank_statement_line statement ON statement.id = bank.statement_line_id
         LEFT JOIN account_move bank_move ON bank_move.id = statement.move_id
         LEFT JOIN account_journal bank_journal ON bank_journal.id = statement.journal_id
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def action_open_payout(self):
        """The payout of this row."""
        self.ensure_one()
        return self.payout_id._get_records_action()
