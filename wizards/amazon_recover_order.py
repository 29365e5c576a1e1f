import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import const
from ..models.amazon_sync_flow import Run, is_concurrency_error
from ..spapi import AmazonError


class AmazonRecoverOrder(models.TransientModel):
    """Import or update one Amazon order by its reference, whatever the sync cursor says."""

    _name = "amazon.recover.order"
    _description = "Recover an Amazon Order"

    account_id = fields.Many2one(
        "amazon.account", required=True, default=lambda self: self.env.context.get("active_id")
    )
    order_ref = fields.Char(string="Amazon Order Reference", required=True, help="e.g. 111-1234567-1234567")

    @api.constrains("order_ref")
    def _check_order_ref(self):
        for wizard in self:
            if not re.match(const.ORDER_REF_PATTERN, (wizard.order_ref or "").strip()):
                raise ValidationError(
                    self.env._(
                        "%(ref)s is not an Amazon order reference: it has the form 123-1234567-1234567.",
                        ref=wizard.order_ref,
                    )
                )

    def action_recover(self):
        """Fetch the order with getOrder, import or update it, and open it.

        :raises UserError: when Amazon does not know the order, refuses the request, or the
            order cannot be imported (with the reason)
        """
        self.ensure_one()
        account = self.account_id
        ref = self.order_ref.strip()
        account._amazon_check_group("sales_team.group_sale_manager")
        try:
            with account._sp_session(**account._INTERACTIVE) as session:
                amazon_order = session.get_order(ref)
        except AmazonError as exc:
            raise UserError(account._amazon_error_message(exc)) from None
        marketplace_ref = (amazon_order.get("salesChannel") or {}).get("marketplaceId")
        if marketplace_ref not in account.marketplace_ids.mapped("api_ref"):
            raise UserError(
                self.env._(
                    "Amazon order %(ref)s was sold on marketplace %(marketplace)s, which account %(account)s "
                    "does not synchronize. Recover it from the account that does.",
                    ref=ref,
                    marketplace=marketplace_ref,
                    account=account.name,
                )
            )
        try:
            outcome = self.env["amazon.order.sync"]._import_one(account, amazon_order, Run())
        except Exception as exc:
            if not is_concurrency_error(exc):
                raise
            raise UserError(
                self.env._("Amazon order %(ref)s is being imported right now: try again in a minute.", ref=ref)
            ) from None
        if outcome == "failed":
            failure = account.order_failure_ids.filtered(lambda f: f.order_ref == ref)
            raise UserError(
                self.env._("Amazon order %(ref)s could not be imported: %(reason)s", ref=ref, reason=failure.reason)
            )
        order = self.env["sale.order"]._amazon_find_order(account, ref)
        if not order:
            status = (amazon_order.get("fulfillment") or {}).get("fulfillmentStatus")
            raise UserError(
                self.env._(
                    "Amazon order %(ref)s is %(status)s: orders in that status are not imported.",
                    ref=ref,
                    status=status,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "target": "current",
        }
