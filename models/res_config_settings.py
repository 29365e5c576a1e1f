from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    amazon_account_count = fields.Integer(compute="_compute_amazon_account_count")

    def _compute_amazon_account_count(self):
        count = self.env["amazon.account"].search_count([("company_id", "=", self.env.company.id)])
        for settings in self:
            settings.amazon_account_count = count
