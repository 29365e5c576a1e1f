from odoo import api, fields, models


class AmazonOrderFailure(models.Model):
    """An Amazon order the import could not process yet; retried by later runs."""

    _name = "amazon.order.failure"
    _description = "Amazon Order Import Failure"
    _order = "last_attempt desc"
    _rec_name = "order_ref"

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    order_ref = fields.Char(string="Amazon Reference", required=True)
    reason = fields.Text(required=True)
    attempts = fields.Integer(default=1)
    retryable = fields.Boolean(
        default=True,
        help="Fetched again by the next runs. Not for orders Amazon named unusably, that shipped before "
        "they could be imported, or that Amazon has not found for days.",
    )
    first_failure = fields.Datetime(default=fields.Datetime.now, required=True)
    last_attempt = fields.Datetime(default=fields.Datetime.now, required=True)

    _order_unique = models.Constraint(
        "unique(account_id, order_ref)", "An Amazon order is listed once among an account's failures."
    )

    @api.model
    def _record(self, account, ref, reason, retryable=True):
        """List ``ref`` among the account's failures, or count one more attempt.

        :param reason: a short text without personal data (``safe_reason``)
        :returns: True when the order was not listed yet (a new problem to tell about)
        """
        failure = self.sudo().search([("account_id", "=", account.id), ("order_ref", "=", ref)], limit=1)
        if failure:
            failure.write(
                {
                    "reason": reason,
                    "attempts": failure.attempts + 1,
                    "last_attempt": fields.Datetime.now(),
                    "retryable": retryable,
                }
            )
            return False
        self.sudo().create({"account_id": account.id, "order_ref": ref, "reason": reason, "retryable": retryable})
        return True
