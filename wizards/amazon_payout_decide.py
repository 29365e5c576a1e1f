from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.amazon_payout_mismatch import DECISIONS


class AmazonPayoutDecide(models.TransientModel):
    """One decision for many mismatches at once: invoice all the selected orders, or write
    off all the selected differences under an amount to one account."""

    _name = "amazon.payout.decide"
    _description = "Decide Amazon Payout Mismatches"

    mismatch_ids = fields.Many2many("amazon.payout.mismatch", string="Mismatches", required=True)
    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    decision = fields.Selection(DECISIONS, required=True, default="write_off")
    write_off_account_id = fields.Many2one("account.account", check_company=True)
    max_amount = fields.Float(
        string="Up To", help="Only the mismatches whose difference is at most this amount (either way); 0: all."
    )

    @api.depends("mismatch_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.mismatch_ids.company_id[:1]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "amazon.payout.mismatch":
            values["mismatch_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_apply(self):
        """Decide the selected mismatches (of payouts not registered yet) that fit.

        :raises UserError: a write-off without account
        """
        self.ensure_one()
        if self.decision == "write_off" and not self.write_off_account_id:
            raise UserError(self.env._("Choose the account the differences are written off to."))
        rows = self.mismatch_ids.filtered(lambda m: m.payout_id.state != "registered")
        if self.max_amount:
            rows = rows.filtered(lambda m: abs(m.difference) <= self.max_amount + 1e-9)
        if self.decision == "invoice":
            rows = rows.filtered(lambda m: m.kind == "no_invoice" and m.sale_order_id and not m.refund)
        rows.write(
            {
                "decision": self.decision,
                "write_off_account_id": self.write_off_account_id.id if self.decision == "write_off" else False,
            }
        )
        return {"type": "ir.actions.act_window_close"}
