from datetime import timedelta

from odoo import api, fields, models

from .. import const
from .amazon_fba_report import SOURCES

STATES = [
    ("applied", "Applied"),
    ("checked", "Already in Odoo"),
    ("unmatched", "Not found in Odoo"),
    ("recorded", "Recorded (no stock move)"),
    ("failed", "Failed"),
]


class AmazonFbaEvent(models.Model):
    """One row of one of Amazon's FBA stock reports (a ledger event, a return, a removal
    shipment, a reimbursement), kept once per Amazon's event identity: a re-read report
    (overlapping windows) finds its rows here and changes nothing. A row that could not be
    applied is a failure row with its reason; it is tried again when a report holds it again."""

    _name = "amazon.fba.event"
    _description = "Amazon FBA Stock Event"
    _order = "date desc, id desc"
    _rec_name = "reference"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    identity = fields.Char(
        required=True, readonly=True, help="Digest of the columns that make the row the event it is."
    )
    state = fields.Selection(STATES, required=True, readonly=True, index=True)
    date = fields.Datetime(readonly=True)
    event_type = fields.Char(readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, index="btree_not_null")
    quantity = fields.Integer(readonly=True)
    disposition = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    reference = fields.Char(readonly=True, help="Amazon's reference: shipment, adjustment, RMA, LPN, removal order...")
    order_ref = fields.Char(string="Amazon Order", readonly=True)
    fulfillment_center = fields.Char(readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    move_id = fields.Many2one("stock.move", readonly=True, index="btree_not_null")
    picking_id = fields.Many2one("stock.picking", readonly=True, index="btree_not_null")
    error = fields.Text(readonly=True)
    raw = fields.Text(string="Amazon's Row", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(readonly=True, help="What Amazon reimbursed in cash (amount-total).")
    payout_line_id = fields.Many2one(
        "amazon.payout.line",
        string="Paid By",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The line of Amazon's settlement that paid the reimbursement.",
    )
    payout_id = fields.Many2one(related="payout_line_id.payout_id", string="Payout")
    payout_pending = fields.Boolean(
        string="Not Paid Yet",
        compute="_compute_payout_pending",
        search="_search_payout_pending",
        help="A cash reimbursement no settlement line is linked to yet.",
    )

    _identity_unique = models.Constraint(
        "unique(account_id, source, identity)", "Each row of Amazon's reports is kept once per account."
    )
    _payout_line_unique = models.UniqueIndex(
        "(payout_line_id) WHERE payout_line_id IS NOT NULL", "A settlement line pays one reimbursement."
    )

    @api.depends("source", "amount", "payout_line_id")
    def _compute_payout_pending(self):
        for event in self:
            event.payout_pending = event.source == "reimbursement" and event.amount and not event.payout_line_id

    def _search_payout_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = [("source", "=", "reimbursement"), ("amount", "!=", 0), ("payout_line_id", "=", False)]
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------ payouts

    @api.model
    def _amazon_link_reimbursements(self, events, lines):
        """Link cash reimbursements with the settlement lines that paid them: same SKU, order
        (or none on both), amount and currency, the line posted within
        ``REIMBURSEMENT_PAYOUT_DAYS_*`` of the approval, its description Amazon's code of the
        reimbursement's reason when it is a known one. Each line pays one reimbursement; among
        candidates the line whose description is the reason's code, then the nearest date wins.
        Whichever arrives first waits for the other: called by both imports.

        :param events: reimbursement events (any: those linked or without cash are skipped)
        :param lines: amazon.payout.line candidates (any: those linked or of other types too)
        :returns: the events linked now
        """
        events = events.sudo().filtered(
            lambda e: e.source == "reimbursement" and e.amount and not e.payout_line_id and e.currency_id
        )
        taken = set(self.sudo().search([("payout_line_id", "in", lines.ids)]).payout_line_id.ids)
        lines = lines.sudo().filtered(
            lambda x: x.id not in taken and x.amount_type in const.SETTLEMENT_REIMBURSEMENT_TYPES
        )
        if not events or not lines:
            return self.browse()
        known = {code for codes in const.REIMBURSEMENT_DESCRIPTIONS.values() for code in codes}
        by_key = {}
        for line in lines:
            key = (line.payout_id.amazon_seller_ref, line.currency_id.id, line.sku or "", line.order_ref or "")
            by_key.setdefault(key, []).append(line)
        linked = self.browse()
        for event in events.sorted(lambda e: (e.date or fields.Datetime.now(), e.id)):
            key = (event.account_id.seller_id, event.currency_id.id, event.sku or "", event.order_ref or "")
            codes = const.REIMBURSEMENT_DESCRIPTIONS.get(event.reason or "", ())
            when = event.date or fields.Datetime.now()
            start = when - timedelta(days=const.REIMBURSEMENT_PAYOUT_DAYS_BEFORE)
            end = when + timedelta(days=const.REIMBURSEMENT_PAYOUT_DAYS_AFTER)
            candidates = []
            for line in by_key.get(key, []):
                posted = line.posted_date or line.payout_id.period_end or when
                description = (line.description or "").upper()
                if (
                    line.id in taken
                    or not start <= posted <= end
                    or event.currency_id.compare_amounts(line.amount, event.amount)
                    or (codes and description in known and description not in codes)
                ):
                    continue
                candidates.append((description not in codes, abs((posted - when).total_seconds()), line.id, line))
            if candidates:
                line = min(candidates)[-1]
                taken.add(line.id)
                event.payout_line_id = line
                linked |= event
        return linked
