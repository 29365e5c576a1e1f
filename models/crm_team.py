from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    amazon_team = fields.Boolean(
        readonly=True, copy=False, help="The company's Amazon team, used by default by its Amazon accounts."
    )
