from odoo import fields, models
from odoo.exceptions import UserError

from .. import const


class AmazonCancelOrder(models.TransientModel):
    """Cancel Amazon FBM orders from Odoo, with one of Amazon's cancellation reasons."""

    _name = "amazon.cancel.order"
    _description = "Cancel an Amazon Order"

    order_ids = fields.Many2many("sale.order", required=True)
    reason = fields.Selection(const.CANCEL_REASONS, required=True, default="NoInventory")

    def action_confirm(self):
        """Cancel the orders here now; the cancellation-sync cron reports them to Amazon."""
        self.ensure_one()
        orders = self.order_ids
        if orders.filtered(lambda o: not o.amazon_order_ref):
            raise UserError(self.env._("Only Amazon orders are canceled on Amazon."))
        orders._amazon_check_cancellable()  # the same guards as the Cancel button
        orders.with_context(disable_cancel_warning=True)._action_cancel()
        orders.write(
            {"amazon_cancel_state": "pending", "amazon_cancel_reason": self.reason, "amazon_cancel_error": False}
        )
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Canceled in Odoo; reported to Amazon with reason %(reason)s.",
                    reason=dict(const.CANCEL_REASONS)[self.reason],
                )
            )
        self.env.ref("amazon_sp_connector.ir_cron_sync_cancellations").sudo()._trigger()
        return {"type": "ir.actions.act_window_close"}
