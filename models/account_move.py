from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    amazon_order_ref = fields.Char(
        string="Amazon Reference",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The Amazon order this invoice (or credit note) is for: one invoice per Amazon order.",
    )
