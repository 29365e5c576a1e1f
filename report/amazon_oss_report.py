from odoo import fields, models, tools
from odoo.tools import SQL

# the company's sale tax carrying the tax Amazon collects and remits, and its own tax group, both
# created with this (English) name by sale_order_import._amazon_find_or_create_tax: the tax is
# recognised by either, so that renaming one of them (or translating it) keeps it apart
AMAZON_TAX_NAME = "Amazon Tax"


class AmazonOssReport(models.Model):
    """Sales and tax of Amazon orders per country of destination (OSS), from the posted
    invoices and credit notes (negative) of Amazon orders and the summary invoices and credit
    notes of summary mode: per document and tax, the untaxed amount of the lines carrying
    that tax (a line with several taxes shares its untaxed amount among them, so that it is
    counted once) and the tax itself, in the company's currency. The country is the one the
    goods went to (the document's delivery address), else the customer's.
    Tax Amazon collects and remits (the "Amazon Tax": Amazon the deemed supplier or the
    marketplace facilitator) is told apart: it is not the seller's VAT. Read-only (an SQL
    view)."""

    _name = "amazon.oss.report"
    _description = "Amazon Sales per Country of Destination (OSS)"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(
        [("out_invoice", "Customer Invoice"), ("out_refund", "Customer Credit Note")], string="Type", readonly=True
    )
    amazon_order_ref = fields.Char(string="Amazon Reference", readonly=True)
    date = fields.Date(string="Invoice Date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    country_id = fields.Many2one("res.country", string="Country of Destination", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    amazon_account_id = fields.Many2one("amazon.account", readonly=True)
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    tax_id = fields.Many2one("account.tax", readonly=True)
    tax_rate = fields.Float(string="Rate (%)", readonly=True, aggregator=None)
    collected_by_amazon = fields.Boolean(
        readonly=True, help="Tax Amazon collects and remits (the Amazon Tax): not the seller's VAT."
    )
    untaxed_amount = fields.Monetary(currency_field="company_currency_id", readonly=True)
    tax_amount = fields.Monetary(currency_field="company_currency_id", readonly=True)

    _depends = {
        "account.move": [
            "state",
            "move_type",
            "amazon_order_ref",
            "amazon_summary",
            "amazon_summary_order_ids",
            "invoice_date",
            "company_id",
            "partner_id",
            "partner_shipping_id",
        ],
        "account.move.line": ["move_id", "display_type", "balance", "tax_ids", "tax_line_id"],
        "account.tax": ["name", "amount", "tax_group_id"],
        "account.tax.group": ["name"],
        "res.partner": ["country_id"],
        "sale.order": ["amazon_order_ref", "amazon_account_id", "amazon_marketplace_id"],
    }

    def _query(self):
        return SQL(
            """
            WITH document AS (
                SELECT move.id, move.move_type, move.amazon_order_ref, move.invoice_date, move.company_id,
                       move.partner_id, COALESCE(shipping.country_id, customer.country_id) AS country_id
                  FROM account_move move
             LEFT JOIN res_partner shipping ON shipping.id = move.partner_shipping_id
             LEFT JOIN res_partner customer ON customer.id = move.partner_id
                 WHERE move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND (
                       move.amazon_order_ref IS NOT NULL OR move.amazon_summary
                       -- a summary document reversed by Reset to Imported: its reversal counts too
                       OR EXISTS (
                           SELECT 1 FROM account_move original
                            WHERE original.id = move.reversed_entry_id AND original.amazon_summary
                       )
                   )
            ),
            part AS (
                SELECT line.move_id, rel.account_tax_id AS tax_id,
                       -line.balance / COUNT(*) OVER (PARTITION BY line.id) AS untaxed, 0.0 AS tax
                  FROM account_move_line line
                  JOIN document ON document.id = line.move_id
             LEFT JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = line.id
                 WHERE line.display_type = 'product'
             UNION ALL
                SELECT line.move_id, line.tax_line_id, 0.0, -line.balance
                  FROM account_move_line line
                  JOIN document ON document.id = line.move_id
                 WHERE line.display_type = 'tax' AND line.tax_line_id IS NOT NULL
            ),
            grouped AS (
                SELECT part.move_id, part.tax_id, SUM(part.untaxed) AS untaxed, SUM(part.tax) AS tax
                  FROM part
              GROUP BY part.move_id, part.tax_id
            )
            SELECT ROW_NUMBER() OVER (ORDER BY grouped.move_id, grouped.tax_id) AS id,
                   grouped.move_id,
                   document.move_type,
                   document.amazon_order_ref,
                   document.invoice_date AS date,
                   document.company_id,
                   document.country_id,
                   document.partner_id,
                   sale.amazon_account_id,
                   sale.amazon_marketplace_id AS marketplace_id,
                   grouped.tax_id,
                   tax.amount AS tax_rate,
                   COALESCE(tax.name->>'en_US' = %(amazon_tax)s OR tax_group.name->>'en_US' = %(amazon_tax)s, FALSE)
                       AS collected_by_amazon,
                   grouped.untaxed AS untaxed_amount,
                   grouped.tax AS tax_amount
              FROM grouped
              JOIN document ON document.id = grouped.move_id
         LEFT JOIN account_tax tax ON tax.id = grouped.tax_id
         LEFT JOIN account_tax_group tax_group ON tax_group.id = tax.tax_group_id
         LEFT JOIN LATERAL (
                   SELECT sale_order.id, sale_order.amazon_account_id, sale_order.amazon_marketplace_id
                     FROM sale_order
                    WHERE sale_order.amazon_order_ref = document.amazon_order_ref
                      AND sale_order.company_id = document.company_id
                UNION ALL
                   SELECT sale_order.id, sale_order.amazon_account_id, sale_order.amazon_marketplace_id
                     FROM account_move_amazon_summary_order_rel covered
                     JOIN sale_order ON sale_order.id = covered.order_id
                    WHERE covered.move_id = document.id
                 ORDER BY id
                    LIMIT 1
                   ) sale ON TRUE
            """,
            amazon_tax=AMAZON_TAX_NAME,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
