from odoo import fields, models


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
    first_failure = fields.Datetime(default=fields.Datetime.now, required=True)
    last_attempt = fields.Datetime(default=fields.Datetime.now, required=True)

    _order_unique = models.Constraint(
        "unique(account_id, order_ref)", "An Amazon order is listed once among an account's failures."
    )
